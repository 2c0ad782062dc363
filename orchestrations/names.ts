/** Orchestration and activity names: the only spelling of each, shared by registration and callers. */
export const ORCHESTRATIONS = {
  deployCluster: 'deployCluster',
  configureCluster: 'configureCluster',
  configureNode: 'configureNode',
} as const;

export const ACTIVITIES = {
  ensureAdminCredential: 'ensureAdminCredential',
  provisionResource: 'provisionResource',
  verifyDeployment: 'verifyDeployment',
  readVmFacts: 'readVmFacts',
  runConfigStep: 'runConfigStep',
  restartVm: 'restartVm',
  registerCluster: 'registerCluster',
} as const;
