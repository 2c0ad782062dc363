/** Orchestration and activity names: the only spelling of each, shared by registration and callers. */
export const ORCHESTRATIONS = {
  deployCluster: 'deployCluster',
} as const;

export const ACTIVITIES = {
  ensureAdminCredential: 'ensureAdminCredential',
  provisionResource: 'provisionResource',
  verifyDeployment: 'verifyDeployment',
} as const;
