/**
 * Azure SDK client factory. The same real SDK clients are used in Azure and locally; only the configuration
 * (endpoints, credential kind, extra CA) differs — nothing here knows what answers at the other end.
 */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { ComputeManagementClient } from '@azure/arm-compute';
import { MonitorClient } from '@azure/arm-monitor';
import { NetworkManagementClient } from '@azure/arm-network';
import { ResourceManagementClient } from '@azure/arm-resources';
import { DefaultAzureCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { MetricsClient } from '@azure/monitor-query-metrics';
import { appConfig, ConfigError, SETTINGS, type AppConfig } from '../config';

/**
 * For an endpoint that accepts any bearer token (the local simulator). The SDK refuses to send tokens over plain
 * HTTP, so such an endpoint is HTTPS with its CA in QWK_CA_FILE.
 */
class PlaceholderTokenCredential implements TokenCredential {
  async getToken(): Promise<AccessToken> {
    return { token: 'local-simulator-token', expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

export interface AzureClients {
  resources(subscriptionId: string): ResourceManagementClient;
  network(subscriptionId: string): NetworkManagementClient;
  compute(subscriptionId: string): ComputeManagementClient;
  /** Azure Monitor's ARM resources (action groups, metric and activity log alert rules). */
  monitor(subscriptionId: string): MonitorClient;
  secrets(): SecretClient;
  metrics(location: string): MetricsClient;
}

export function createAzureClients(config: AppConfig = appConfig()): AzureClients {
  const credential: TokenCredential =
    config.credential === 'local-simulator' ? new PlaceholderTokenCredential() : new DefaultAzureCredential();
  const common = {
    ...(config.caPem ? { tlsOptions: { ca: config.caPem } } : {}),
    userAgentOptions: { userAgentPrefix: 'qwk-ops' },
  };
  const arm = { ...common, endpoint: config.armEndpoint };
  const memo = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => {
    if (!memo.has(key)) memo.set(key, make());
    return memo.get(key) as T;
  };
  return {
    resources: (sub) => once(`resources:${sub}`, () => new ResourceManagementClient(credential, sub, arm)),
    network: (sub) => once(`network:${sub}`, () => new NetworkManagementClient(credential, sub, arm)),
    compute: (sub) => once(`compute:${sub}`, () => new ComputeManagementClient(credential, sub, arm)),
    monitor: (sub) => once(`monitor:${sub}`, () => new MonitorClient(credential, sub, arm)),
    secrets: () =>
      once('secrets', () => {
        if (!config.keyVaultUrl)
          throw new ConfigError(
            `${SETTINGS.keyVaultUrl} is not set: the Key Vault that holds cluster secrets is unknown`,
          );
        return new SecretClient(config.keyVaultUrl, credential, {
          ...common,
          // The local simulator serves Key Vault at a loopback address that is not *.vault.azure.net.
          disableChallengeResourceVerification: config.credential === 'local-simulator',
        });
      }),
    metrics: (location) =>
      once(
        `metrics:${location}`,
        () =>
          new MetricsClient(
            config.metricsEndpoint ?? `https://${location}.metrics.monitor.azure.com`,
            credential,
            common,
          ),
      ),
  };
}

let shared: AzureClients | undefined;
/** Process-wide clients (connection reuse across invocations). */
export function azureClients(): AzureClients {
  return (shared ??= createAzureClients());
}
