/** Real Azure SDK clients pointed at a running simulator (tests, npm start, benchmarks). */
import { ResourceManagementClient } from '@azure/arm-resources';
import { NetworkManagementClient } from '@azure/arm-network';
import { ComputeManagementClient } from '@azure/arm-compute';
import { MetricsClient } from '@azure/monitor-query-metrics';
import { SecretClient } from '@azure/keyvault-secrets';
import type { AccessToken, TokenCredential } from '@azure/core-auth';

/** The subscription the simulator tests use (any id works; the simulator keeps subscriptions apart). */
export const SIM_SUBSCRIPTION = '00000000-0000-0000-0000-00000000a2ee';

/** A credential that hands out a fixed token: the simulator only checks that a bearer token is present. */
export const simCredential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: 'sim-token', expiresOnTimestamp: Date.now() + 3600e3 }),
};

export interface SimEndpoint {
  /** https://127.0.0.1:port */
  url: string;
  caPem: string;
}

export interface SimClientExtras {
  /** SDK retry tuning (e.g. small delays in tests); the app itself keeps the SDK defaults. */
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
}

/**
 * Client options of the ARM clients (arm-resources 7, arm-network 36, arm-compute 24) for the simulator:
 * `endpoint` = simulator URL (the classic clients need no `$host` besides it) and `tlsOptions: { ca }`.
 */
export function simArmOptions(sim: SimEndpoint, extras: SimClientExtras = {}) {
  return {
    endpoint: sim.url,
    tlsOptions: { ca: sim.caPem },
    ...(extras.retryOptions ? { retryOptions: extras.retryOptions } : {}),
  };
}

export interface SimClients {
  resources: ResourceManagementClient;
  network: NetworkManagementClient;
  compute: ComputeManagementClient;
  /** MetricsClient(endpoint = simulator URL): the batch API lives at /subscriptions/{sub}/metrics:getBatch. */
  metrics: MetricsClient;
  /** SecretClient(vaultUrl = `${url}/`, disableChallengeResourceVerification: true). */
  secrets: SecretClient;
  subscriptionId: string;
}

export function makeSimClients(
  sim: SimEndpoint,
  subscriptionId = SIM_SUBSCRIPTION,
  extras: SimClientExtras = {},
): SimClients {
  const arm = simArmOptions(sim, extras);
  const tls = { tlsOptions: { ca: sim.caPem }, ...(extras.retryOptions ? { retryOptions: extras.retryOptions } : {}) };
  return {
    resources: new ResourceManagementClient(simCredential, subscriptionId, arm),
    network: new NetworkManagementClient(simCredential, subscriptionId, arm),
    compute: new ComputeManagementClient(simCredential, subscriptionId, arm),
    metrics: new MetricsClient(sim.url, simCredential, tls),
    secrets: new SecretClient(`${sim.url}/`, simCredential, { ...tls, disableChallengeResourceVerification: true }),
    subscriptionId,
  };
}
