export { planDeployment, topologicalOrder } from './planDeployment';
export { withCredentials, type AdminCredential } from './credentials';
export { criticalPath, type CriticalPath } from './criticalPath';
export { authorizedKeysPath } from './computeResources';
export { SSH_RULE_NAME } from './networkResources';
export { KEYS as PLAN_KEYS } from './context';
export type {
  CredentialKind,
  CredentialRef,
  DeploymentPlan,
  PlannedResource,
  ResourceBodies,
  ResourceKind,
} from './types';
