export { planDeployment, topologicalOrder } from './plan-deployment';
export { withCredentials, type AdminCredential } from './credentials';
export { criticalPath, type CriticalPath } from './critical-path';
export { authorizedKeysPath } from './compute-resources';
export { SSH_RULE_NAME } from './network-resources';
export { KEYS as PLAN_KEYS } from './context';
export type { DeploymentPlan, PlannedResource, ResourceBodies, ResourceKind } from './types';
