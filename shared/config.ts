/**
 * The app's configuration, read from app settings (environment variables). This is the only place that reads
 * them, and the only thing that differs between Azure and the local stand-ins: endpoints, credential kind, CA.
 */
import { readFileSync } from 'node:fs';
import { TABLES } from './names';

/** How the app authenticates to Azure: DefaultAzureCredential, or a placeholder token for the local simulator. */
export type AzureCredentialMode = 'default' | 'local-simulator';

/** Backoff of transient failures (orchestrators retry after durable timers); also the pace of polling waits. */
export interface RetryPolicy {
  /** First backoff; doubles per attempt up to capMs; Retry-After wins when longer. */
  baseMs: number;
  capMs: number;
  /** Attempts of one step before a transient error becomes fatal. */
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 2_000, capMs: 60_000, maxAttempts: 8 };

export interface AppConfig {
  /** ARM endpoint (Azure: https://management.azure.com). */
  armEndpoint: string;
  /** Key Vault URL holding the clusters' generated secrets, e.g. https://myvault.vault.azure.net. */
  keyVaultUrl: string | undefined;
  /** Azure Monitor metrics endpoint; undefined = the regional endpoint for the cluster's location. */
  metricsEndpoint: string | undefined;
  /** DefaultAzureCredential in Azure; a placeholder bearer token for the local simulator. */
  credential: AzureCredentialMode;
  /** PEM of an extra CA to trust (the local simulator's self-signed CA). */
  caPem: string | undefined;
  /** Used when a cluster spec names no subscription. */
  defaultSubscriptionId: string | undefined;
  /** Connection setting of the storage account holding the deployment registry (AzureWebJobsStorage). */
  storageConnection: string | undefined;
  /** Table of the deployment locks (default TABLES.deployments). */
  deploymentsTable: string;
  /** Backoff of transient failures in deployments (tests shorten it). */
  retry: RetryPolicy;
  /**
   * The app's public base URL as the cluster VMs reach it (https://…, no trailing slash): where the QWK relay posts.
   * QWK_PUBLIC_URL, else https://<WEBSITE_HOSTNAME> in Azure; undefined when neither is set.
   */
  publicUrl: string | undefined;
  /**
   * Name of the Key Vault secret holding the function key of `POST /api/alerts`, which the deployment puts into the
   * cluster's action group webhook (`?code=`). Undefined: the deployment creates no Azure alerts (its step says so).
   */
  alertsFunctionKeySecretName: string | undefined;
}

export const SETTINGS = {
  armEndpoint: 'QWK_ARM_ENDPOINT',
  keyVaultUrl: 'QWK_KEYVAULT_URL',
  metricsEndpoint: 'QWK_METRICS_ENDPOINT',
  credential: 'QWK_CREDENTIAL',
  caFile: 'QWK_CA_FILE',
  defaultSubscriptionId: 'QWK_DEFAULT_SUBSCRIPTION_ID',
  deploymentsTable: 'QWK_DEPLOYMENTS_TABLE',
  retryBaseMs: 'QWK_RETRY_BASE_MS',
  retryCapMs: 'QWK_RETRY_CAP_MS',
  retryMaxAttempts: 'QWK_RETRY_MAX_ATTEMPTS',
  storage: 'AzureWebJobsStorage',
  publicUrl: 'QWK_PUBLIC_URL',
  /** Key Vault secret NAME of the alert route's function key (the deployment's action group webhook). */
  alertsFunctionKeySecret: 'QWK_ALERTS_FUNCTION_KEY_SECRET',
  /** Six-field NCRONTAB of the monitoring sweep (default every 10 s). */
  monitorSchedule: 'QWK_MONITOR_SCHEDULE',
  /** How far back received Azure Monitor alerts are kept as evidence of an evaluation, in minutes (default 60). */
  monitorAlertLookbackMinutes: 'QWK_MONITOR_ALERT_LOOKBACK_MINUTES',
  /** Set by App Service: the app's default host name (<app>.azurewebsites.net). */
  websiteHostname: 'WEBSITE_HOSTNAME',
  pagerDutyUrl: 'QWK_PAGERDUTY_URL',
  defaultRoutes: 'QWK_PAGING_DEFAULT_ROUTES',
  pagingMaxAttempts: 'QWK_PAGING_MAX_ATTEMPTS',
  pagingBaseDelayMs: 'QWK_PAGING_BASE_DELAY_MS',
  pagingMaxDelayMs: 'QWK_PAGING_MAX_DELAY_MS',
  pagingSendLeaseMs: 'QWK_PAGING_SEND_LEASE_MS',
  pagingConsole: 'QWK_PAGING_CONSOLE',
  testCrashAfterSend: 'QWK_TEST_CRASH_AFTER_SEND',
  /** Six-field NCRONTAB of the scheduled health report (default daily at 08:00 UTC). */
  reportSchedule: 'QWK_REPORT_SCHEDULE',
  /** Hours a scheduled report covers, ending at its run (default 24). */
  reportPeriodHours: 'QWK_REPORT_PERIOD_HOURS',
  /** Safety bound of a deployment's or drill's maintenance window and silence, in minutes (default 240). */
  maintenanceMaxMinutes: 'QWK_MAINTENANCE_MAX_MINUTES',
  /** How long maintenance outlasts the operation so monitoring sees the switched cluster settle (default 30 s). */
  maintenanceSettleSeconds: 'QWK_MAINTENANCE_SETTLE_SECONDS',
} as const;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const credential = (env[SETTINGS.credential] ?? 'default') as AzureCredentialMode;
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
  const publicUrl = env[SETTINGS.publicUrl]
    ? trimSlash(env[SETTINGS.publicUrl]!)
    : env[SETTINGS.websiteHostname]
      ? `https://${env[SETTINGS.websiteHostname]}`
      : undefined;
  if (publicUrl !== undefined && !/^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~/-]*)?$/.test(publicUrl)) {
    throw new ConfigError(`${SETTINGS.publicUrl} must be an https:// URL such as https://myapp.azurewebsites.net`);
  }
  const alertsKeySecret = env[SETTINGS.alertsFunctionKeySecret]?.trim() || undefined;
  if (alertsKeySecret !== undefined && !/^[0-9A-Za-z-]{1,127}$/.test(alertsKeySecret)) {
    throw new ConfigError(
      `${SETTINGS.alertsFunctionKeySecret} must be a Key Vault secret name (1-127 letters, digits and dashes)`,
    );
  }
  return {
    armEndpoint: trimSlash(env[SETTINGS.armEndpoint] || 'https://management.azure.com'),
    keyVaultUrl: env[SETTINGS.keyVaultUrl] ? trimSlash(env[SETTINGS.keyVaultUrl]!) : undefined,
    metricsEndpoint: env[SETTINGS.metricsEndpoint] ? trimSlash(env[SETTINGS.metricsEndpoint]!) : undefined,
    credential,
    caPem,
    defaultSubscriptionId: env[SETTINGS.defaultSubscriptionId] || undefined,
    storageConnection: env[SETTINGS.storage] || undefined,
    deploymentsTable: env[SETTINGS.deploymentsTable] || TABLES.deployments,
    retry: retryPolicy(env),
    publicUrl,
    alertsFunctionKeySecretName: alertsKeySecret,
  };
}

/** A positive number, else the default (an unset or malformed setting keeps the default, as before). */
function retryPolicy(env: Record<string, string | undefined>): RetryPolicy {
  const num = (name: string, fallback: number) => {
    const v = Number(env[name]);
    return Number.isFinite(v) && v > 0 ? v : fallback;
  };
  return {
    baseMs: num(SETTINGS.retryBaseMs, DEFAULT_RETRY.baseMs),
    capMs: num(SETTINGS.retryCapMs, DEFAULT_RETRY.capMs),
    maxAttempts: num(SETTINGS.retryMaxAttempts, DEFAULT_RETRY.maxAttempts),
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Monitoring settings (read at function registration too: never throws, a malformed value keeps the default). */
export interface MonitoringConfig {
  /** Six-field NCRONTAB ({second} {minute} {hour} {day} {month} {day-of-week}) of the sweep. */
  schedule: string;
  alertLookbackMinutes: number;
}

export const DEFAULT_MONITOR_SCHEDULE = '*/10 * * * * *';

export function monitoringConfig(env: Record<string, string | undefined> = process.env): MonitoringConfig {
  const schedule = env[SETTINGS.monitorSchedule]?.trim();
  const lookback = Number(env[SETTINGS.monitorAlertLookbackMinutes]);
  return {
    schedule: schedule && schedule.split(/\s+/).length === 6 ? schedule : DEFAULT_MONITOR_SCHEDULE,
    alertLookbackMinutes: Number.isFinite(lookback) && lookback > 0 ? lookback : 60,
  };
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

/** Settings of the scheduled health reports (Monitoring 5/5). Read at registration too: never throws. */
export interface ReportsConfig {
  /** Six-field NCRONTAB ({second} {minute} {hour} {day} {month} {day-of-week}). */
  schedule: string;
  /** Hours a scheduled report covers, ending at the minute it runs. */
  periodHours: number;
}

export const DEFAULT_REPORT_SCHEDULE = '0 0 8 * * *';

/** A malformed value keeps the default (a schedule must have six fields; the period 1–744 hours). */
export function reportsConfig(env: Record<string, string | undefined> = process.env): ReportsConfig {
  const schedule = env[SETTINGS.reportSchedule]?.trim();
  const hours = Number(env[SETTINGS.reportPeriodHours]);
  return {
    schedule: schedule && schedule.split(/\s+/).length === 6 ? schedule : DEFAULT_REPORT_SCHEDULE,
    periodHours: Number.isInteger(hours) && hours >= 1 && hours <= 744 ? hours : 24,
  };
}

/** Maintenance of a cluster while a deployment or drill of it runs (docs/PAGING.md "Silences"). */
export interface MaintenanceConfig {
  /** The window's and the silence's `until`, from their start: a crashed operation cannot silence forever. */
  maxMinutes: number;
  /** The window ends this long after the operation (its silence at once), so the switch settles unobserved. */
  settleSeconds: number;
}

export function loadMaintenanceConfig(env: Record<string, string | undefined> = process.env): MaintenanceConfig {
  const settle = env[SETTINGS.maintenanceSettleSeconds];
  const settleSeconds = settle === undefined || settle === '' ? 30 : Number(settle);
  if (!Number.isInteger(settleSeconds) || settleSeconds < 0 || settleSeconds > 600)
    throw new ConfigError(`${SETTINGS.maintenanceSettleSeconds} must be an integer from 0 to 600, got "${settle}"`);
  const maxMinutes = positiveInt(env, SETTINGS.maintenanceMaxMinutes, 240);
  if (maxMinutes > 7 * 24 * 60)
    throw new ConfigError(`${SETTINGS.maintenanceMaxMinutes} must be at most 10080 (7 days)`);
  return { maxMinutes, settleSeconds };
}
