/**
 * The app's configuration, read from app settings (environment variables). This is the only place that reads
 * them, and the only thing that differs between Azure and the local stand-ins: endpoints, credential kind, CA.
 */
import { readFileSync } from 'node:fs';

export type CredentialKind = 'default' | 'local-simulator';

export interface AppConfig {
  /** ARM endpoint (Azure: https://management.azure.com). */
  armEndpoint: string;
  /** Key Vault URL holding the clusters' generated secrets, e.g. https://myvault.vault.azure.net. */
  keyVaultUrl: string | undefined;
  /** Azure Monitor metrics endpoint; undefined = the regional endpoint for the cluster's location. */
  metricsEndpoint: string | undefined;
  /** DefaultAzureCredential in Azure; a placeholder bearer token for the local simulator. */
  credential: CredentialKind;
  /** PEM of an extra CA to trust (the local simulator's self-signed CA). */
  caPem: string | undefined;
  /** Used when a cluster spec names no subscription. */
  defaultSubscriptionId: string | undefined;
  /** Connection setting of the storage account holding the deployment registry (AzureWebJobsStorage). */
  storageConnection: string | undefined;
  /** Table names. */
  deploymentsTable: string;
}

export const SETTINGS = {
  armEndpoint: 'QWK_ARM_ENDPOINT',
  keyVaultUrl: 'QWK_KEYVAULT_URL',
  metricsEndpoint: 'QWK_METRICS_ENDPOINT',
  credential: 'QWK_CREDENTIAL',
  caFile: 'QWK_CA_FILE',
  defaultSubscriptionId: 'QWK_DEFAULT_SUBSCRIPTION_ID',
  deploymentsTable: 'QWK_DEPLOYMENTS_TABLE',
  storage: 'AzureWebJobsStorage',
  pagerDutyUrl: 'QWK_PAGERDUTY_URL',
  defaultRoutes: 'QWK_PAGING_DEFAULT_ROUTES',
  pagingMaxAttempts: 'QWK_PAGING_MAX_ATTEMPTS',
  pagingBaseDelayMs: 'QWK_PAGING_BASE_DELAY_MS',
  pagingMaxDelayMs: 'QWK_PAGING_MAX_DELAY_MS',
  pagingSendLeaseMs: 'QWK_PAGING_SEND_LEASE_MS',
  pagingConsole: 'QWK_PAGING_CONSOLE',
  testCrashAfterSend: 'QWK_TEST_CRASH_AFTER_SEND',
} as const;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const credential = (env[SETTINGS.credential] ?? 'default') as CredentialKind;
  if (credential !== 'default' && credential !== 'local-simulator') {
    throw new ConfigError(`${SETTINGS.credential} must be 'default' or 'local-simulator'`);
  }
  const caFile = env[SETTINGS.caFile];
  let caPem: string | undefined;
  if (caFile) {
    try {
      caPem = readFileSync(caFile, 'utf8');
    } catch (err) {
      throw new ConfigError(
        `${SETTINGS.caFile} points to a file that cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  return {
    armEndpoint: trimSlash(env[SETTINGS.armEndpoint] || 'https://management.azure.com'),
    keyVaultUrl: env[SETTINGS.keyVaultUrl] ? trimSlash(env[SETTINGS.keyVaultUrl]!) : undefined,
    metricsEndpoint: env[SETTINGS.metricsEndpoint] ? trimSlash(env[SETTINGS.metricsEndpoint]!) : undefined,
    credential,
    caPem,
    defaultSubscriptionId: env[SETTINGS.defaultSubscriptionId] || undefined,
    storageConnection: env[SETTINGS.storage] || undefined,
    deploymentsTable: env[SETTINGS.deploymentsTable] || 'qwkdeployments',
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

let cached: AppConfig | undefined;
/** The process-wide configuration, read once. */
export function appConfig(): AppConfig {
  return (cached ??= loadConfig());
}

/** Settings of the paging pipeline (Monitoring 4/5). */
export interface PagingConfig {
  /** PagerDuty Events API v2 endpoint (the simulator's stand-in locally). */
  pagerDutyUrl: string;
  /** Raw JSON array of the app-wide default routes (parsed by shared/paging/routes.ts); undefined = none. */
  defaultRoutesJson: string | undefined;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `sending` record younger than this may still be in flight; older means its sender died mid-send. */
  sendLeaseMs: number;
  /** Also print each page to the console (npm start). */
  console: boolean;
  /**
   * TEST ONLY (default off): the process kills itself (SIGKILL) right after a notification was sent and before it is
   * recorded as sent, so the crash window can be tested. Never set it anywhere else.
   */
  testCrashAfterSend: boolean;
}

function positiveInt(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v <= 0) throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  return v;
}

export function loadPagingConfig(env: Record<string, string | undefined> = process.env): PagingConfig {
  return {
    pagerDutyUrl: env[SETTINGS.pagerDutyUrl] || 'https://events.pagerduty.com/v2/enqueue',
    defaultRoutesJson: env[SETTINGS.defaultRoutes] || undefined,
    maxAttempts: positiveInt(env, SETTINGS.pagingMaxAttempts, 12),
    baseDelayMs: positiveInt(env, SETTINGS.pagingBaseDelayMs, 2_000),
    maxDelayMs: positiveInt(env, SETTINGS.pagingMaxDelayMs, 300_000),
    sendLeaseMs: positiveInt(env, SETTINGS.pagingSendLeaseMs, 60_000),
    console: env[SETTINGS.pagingConsole] === 'true',
    testCrashAfterSend: env[SETTINGS.testCrashAfterSend] === 'true',
  };
}

let cachedPaging: PagingConfig | undefined;
/** The process-wide paging configuration, read once. */
export function pagingConfig(): PagingConfig {
  return (cachedPaging ??= loadPagingConfig());
}
