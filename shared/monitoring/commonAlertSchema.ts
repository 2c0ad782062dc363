/**
 * Azure Monitor Common Alert Schema payloads (Monitoring 3/5 alert intake, `POST /api/alerts`). Pure.
 *
 * A payload is `{"schemaId":"azureMonitorCommonAlertSchema","data":{"essentials":…,"alertContext":…,
 * "customProperties":…}}` (Microsoft Learn, "Common alert schema" and "Sample alert payloads"):
 * - `essentials` is the same for every alert: alertId, alertRule, severity Sev0–Sev4, signalType, monitorCondition
 *   Fired / Resolved, alertTargetIDs, firedDateTime, resolvedDateTime (resolved metric alerts), configurationItems…
 *   `signalType` is documented as "Metric", "Log" or "Activity Log", but service health samples spell it
 *   "ActivityLog"; both are accepted and normalised.
 * - `alertContext` depends on the alert type; it is recognised (metric, log, activity log, resource health, service
 *   health, Prometheus, and Cost Management budget alerts, whose essentials are mostly null) and the fields that
 *   identify the variant are checked, the rest kept as sent.
 * Unknown fields are kept (Azure adds fields over time); wrong types and missing essentials are refused with the path.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { formatPath } from '../spec/crossChecks';

export const COMMON_ALERT_SCHEMA_ID = 'azureMonitorCommonAlertSchema';
/** Azure Monitor caps a common-schema alert at 256 KB; a larger body is not one (413). */
export const MAX_ALERT_BODY_BYTES = 256 * 1024;

export type AlertSeverity = 'Sev0' | 'Sev1' | 'Sev2' | 'Sev3' | 'Sev4';
export type SignalType = 'Metric' | 'Log' | 'ActivityLog';
export type MonitorCondition = 'Fired' | 'Resolved';
export type SignalVariant = 'metric' | 'log' | 'activityLog' | 'resourceHealth' | 'serviceHealth' | 'prometheus';
export type AlertVariant = SignalVariant | 'costBudget';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const dateTime = z.string().superRefine((v, ctx) => {
  if (!ISO_DATE.test(v) || Number.isNaN(Date.parse(v))) {
    ctx.addIssue({
      code: 'custom',
      message: `expected an ISO 8601 date-time such as 2019-03-22T13:58:24.371Z, got "${v}"`,
    });
  }
});
const nonEmpty = z.string().min(1, 'expected a non-empty string');
const looseRecord = z.record(z.string(), z.unknown());

const essentialsSchema = z.looseObject({
  alertId: nonEmpty,
  alertRule: nonEmpty,
  severity: z.enum(['Sev0', 'Sev1', 'Sev2', 'Sev3', 'Sev4']),
  signalType: z.enum(['Metric', 'Log', 'Activity Log', 'ActivityLog']),
  monitorCondition: z.enum(['Fired', 'Resolved']),
  monitoringService: z.string().nullish(),
  alertTargetIDs: z.array(nonEmpty),
  configurationItems: z.array(z.string()).nullish(),
  originAlertId: z.string().nullish(),
  firedDateTime: dateTime,
  resolvedDateTime: dateTime.nullish(),
  description: z.string().nullish(),
  essentialsVersion: z.string().nullish(),
  alertContextVersion: z.string().nullish(),
  alertRuleID: z.string().nullish(),
  alertRuleId: z.string().nullish(),
  targetResourceGroup: z.string().nullish(),
  targetResourceType: z.string().nullish(),
  investigationLink: z.string().nullish(),
});

/**
 * Cost Management budget alerts (monitoringService "CostAlerts", e.g. the action group's "Budget alert" test action)
 * send null alertRule, severity, signalType and alertTargetIDs: accepted, so testing the action group works, and
 * mapped to no cluster.
 */
const COST_ALERTS_SERVICE = 'CostAlerts';
const costEssentialsSchema = essentialsSchema.extend({
  alertRule: z.string().nullish(),
  severity: z.enum(['Sev0', 'Sev1', 'Sev2', 'Sev3', 'Sev4']).nullish(),
  signalType: z.enum(['Metric', 'Log', 'Activity Log', 'ActivityLog']).nullish(),
  alertTargetIDs: z.array(nonEmpty).nullish(),
});

const dataFields = {
  alertContext: looseRecord.nullish(),
  customProperties: z.record(z.string(), z.unknown()).nullish(),
};
const signalPayloadSchema = z.looseObject({
  schemaId: z.literal(COMMON_ALERT_SCHEMA_ID),
  data: z.looseObject({ essentials: essentialsSchema, ...dataFields }),
});
const costPayloadSchema = z.looseObject({
  schemaId: z.literal(COMMON_ALERT_SCHEMA_ID),
  data: z.looseObject({ essentials: costEssentialsSchema, ...dataFields }),
});

/** A condition of a metric (or log-v2) alert: the criteria list, each loosely typed. */
const criteriaCondition = z.looseObject({
  windowSize: z.string().nullish(),
  allOf: z.array(looseRecord).min(1, 'expected at least one criterion'),
  windowStartTime: z.string().nullish(),
  windowEndTime: z.string().nullish(),
});

const metricContext = z.looseObject({
  conditionType: nonEmpty,
  condition: criteriaCondition,
  properties: looseRecord.nullish(),
});

/** Log search alerts: the v2 API shape (conditionType LogQueryCriteria) or the older one (SearchQuery…). */
const logContext = z.union([
  z.looseObject({ conditionType: nonEmpty, condition: criteriaCondition }),
  z.looseObject({ SearchQuery: nonEmpty }),
]);

const activityLogContext = z.looseObject({
  operationName: nonEmpty,
  // Service health samples carry eventSource, level and channels as numbers (2, 3, 1): kept, not checked.
  properties: looseRecord.nullish(),
});

const resourceHealthContext = activityLogContext.extend({
  properties: z.looseObject({
    currentHealthStatus: nonEmpty,
    previousHealthStatus: z.string().nullish(),
    title: z.string().nullish(),
    type: z.string().nullish(),
    cause: z.string().nullish(),
  }),
});

const serviceHealthContext = activityLogContext.extend({
  properties: z.looseObject({
    title: nonEmpty,
    incidentType: nonEmpty,
    trackingId: z.string().nullish(),
    service: z.string().nullish(),
    region: z.string().nullish(),
    stage: z.string().nullish(),
  }),
});

const prometheusContext = z.looseObject({ expression: nonEmpty });

export interface CommonAlertEssentials {
  alertId: string;
  alertRule: string;
  severity: AlertSeverity;
  /** Normalised: "Activity Log" and "ActivityLog" are both `ActivityLog`. */
  signalType: SignalType;
  monitorCondition: MonitorCondition;
  monitoringService?: string;
  alertTargetIDs: string[];
  configurationItems: string[];
  originAlertId?: string;
  firedDateTime: string;
  resolvedDateTime?: string;
  description?: string;
  /** Every essentials field as sent, the unknown ones included. */
  raw: Record<string, unknown>;
}

/** An alert on a signal (metric, log, activity log…): the alerts that can concern a cluster. */
export interface SignalAlert {
  variant: SignalVariant;
  essentials: CommonAlertEssentials;
  /** The variant-specific part, as sent (checked only for the fields that identify the variant). */
  alertContext: Record<string, unknown>;
  customProperties: Record<string, unknown>;
}

/** A Cost Management budget alert: no rule, severity, signal or targets; concerns no cluster. */
export interface BudgetAlert {
  variant: 'costBudget';
  essentials: Pick<
    CommonAlertEssentials,
    'alertId' | 'monitorCondition' | 'firedDateTime' | 'configurationItems' | 'raw'
  > & {
    monitoringService: typeof COST_ALERTS_SERVICE;
    alertTargetIDs: string[];
    description?: string;
  };
  alertContext: Record<string, unknown>;
  customProperties: Record<string, unknown>;
}

export type CommonAlert = SignalAlert | BudgetAlert;

export interface AlertError {
  path: string;
  message: string;
}

export type ParseAlertResult = { ok: true; alert: CommonAlert } | { ok: false; errors: AlertError[] };

export type ParseAlertBodyResult = ParseAlertResult | { ok: false; tooLarge: true; errors: AlertError[] };

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `"${v.length > 60 ? `${v.slice(0, 60)}…` : v}"`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${v}`;
  return typeof v === 'object' ? 'an object' : typeof v;
}

function message(issue: z.core.$ZodIssue, input: unknown): string {
  const at = issue.path.reduce<unknown>(
    (o, k) => (o && typeof o === 'object' ? (o as Record<PropertyKey, unknown>)[k] : undefined),
    input,
  );
  switch (issue.code) {
    case 'invalid_type':
      return at === undefined
        ? `required: expected ${expectedName(issue.expected)}`
        : `expected ${expectedName(issue.expected)}, got ${describe(at)}`;
    case 'invalid_value': {
      const expected = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      const text = at === undefined ? `required: ${expected}` : `${expected}, got ${describe(at)}`;
      return issue.path.length === 1 && issue.path[0] === 'schemaId'
        ? `${text} (not a Common Alert Schema payload: turn on useCommonAlertSchema in the action group's webhook)`
        : text;
    }
    default:
      return issue.message;
  }
}

function errorsOf(error: z.ZodError, input: unknown, prefix: readonly PropertyKey[] = []): AlertError[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path];
    return { path: formatPath(path), message: message({ ...issue, path }, input) };
  });
}

function expectedName(expected: string): string {
  return expected === 'record' ? 'object' : expected;
}

/** Which alertContext variant an alert carries, from its signalType and monitoringService. */
function variantOf(
  signalType: SignalType,
  monitoringService: string | undefined,
  ctx: Record<string, unknown>,
): SignalVariant {
  const service = (monitoringService ?? '').replace(/\s+/g, '').toLowerCase();
  if (signalType === 'Log') return 'log';
  if (signalType === 'Metric') return service === 'prometheus' ? 'prometheus' : 'metric';
  const source = typeof ctx.eventSource === 'string' ? ctx.eventSource.toLowerCase() : '';
  if (service === 'resourcehealth' || source === 'resourcehealth') return 'resourceHealth';
  if (service === 'servicehealth' || source === 'servicehealth') return 'serviceHealth';
  return 'activityLog';
}

const CONTEXT_SCHEMA: Record<SignalVariant, z.ZodType> = {
  metric: metricContext,
  log: logContext,
  activityLog: activityLogContext,
  resourceHealth: resourceHealthContext,
  serviceHealth: serviceHealthContext,
  prometheus: prometheusContext,
};

/** Parses a decoded JSON body as a Common Alert Schema payload. */
export function parseCommonAlert(input: unknown): ParseAlertResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return {
      ok: false,
      errors: [{ path: '', message: `expected a JSON object (a Common Alert Schema payload), got ${describe(input)}` }],
    };
  }
  const service = (input as { data?: { essentials?: { monitoringService?: unknown } } }).data?.essentials
    ?.monitoringService;
  if (service === COST_ALERTS_SERVICE) return parseBudgetAlert(input);
  const parsed = signalPayloadSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: errorsOf(parsed.error, input) };
  const { essentials: e, alertContext, customProperties } = parsed.data.data;
  const signalType: SignalType = e.signalType === 'Activity Log' ? 'ActivityLog' : e.signalType;
  const context = alertContext ?? {};
  const variant = variantOf(signalType, e.monitoringService ?? undefined, context);
  const checked = CONTEXT_SCHEMA[variant].safeParse(context);
  if (!checked.success) {
    if (variant === 'log' && checked.error.issues.some((i) => i.code === 'invalid_union')) {
      return {
        ok: false,
        errors: [
          {
            path: 'data.alertContext',
            message:
              'a log alert needs conditionType and condition.allOf (log search alerts API 2021-08-01 and later) or ' +
              'SearchQuery (earlier API)',
          },
        ],
      };
    }
    return { ok: false, errors: errorsOf(checked.error, input, ['data', 'alertContext']) };
  }
  return {
    ok: true,
    alert: {
      variant,
      essentials: {
        alertId: e.alertId,
        alertRule: e.alertRule,
        severity: e.severity,
        signalType,
        monitorCondition: e.monitorCondition,
        ...(e.monitoringService ? { monitoringService: e.monitoringService } : {}),
        alertTargetIDs: e.alertTargetIDs,
        configurationItems: e.configurationItems ?? [],
        ...(e.originAlertId ? { originAlertId: e.originAlertId } : {}),
        firedDateTime: e.firedDateTime,
        ...(e.resolvedDateTime ? { resolvedDateTime: e.resolvedDateTime } : {}),
        ...(e.description ? { description: e.description } : {}),
        raw: e,
      },
      alertContext: context,
      customProperties: customProperties ?? {},
    },
  };
}

function parseBudgetAlert(input: unknown): ParseAlertResult {
  const parsed = costPayloadSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: errorsOf(parsed.error, input) };
  const { essentials: e, alertContext, customProperties } = parsed.data.data;
  return {
    ok: true,
    alert: {
      variant: 'costBudget',
      essentials: {
        alertId: e.alertId,
        monitorCondition: e.monitorCondition,
        monitoringService: COST_ALERTS_SERVICE,
        alertTargetIDs: e.alertTargetIDs ?? [],
        configurationItems: e.configurationItems ?? [],
        firedDateTime: e.firedDateTime,
        ...(e.description ? { description: e.description } : {}),
        raw: e,
      },
      alertContext: alertContext ?? {},
      customProperties: customProperties ?? {},
    },
  };
}

/** Byte length of a body as received. */
function byteLength(body: string | Uint8Array): number {
  return typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
}

/** Parses a raw request body: over 256 KiB → tooLarge (413); not JSON or not the schema → errors (400). */
export function parseCommonAlertBody(body: string | Uint8Array): ParseAlertBodyResult {
  const size = byteLength(body);
  if (size > MAX_ALERT_BODY_BYTES) {
    return {
      ok: false,
      tooLarge: true,
      errors: [
        { path: '', message: `body of ${size} bytes is over the ${MAX_ALERT_BODY_BYTES}-byte limit of an alert` },
      ],
    };
  }
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [{ path: '', message: `expected a JSON body: ${(err as Error).message}` }] };
  }
  return parseCommonAlert(json);
}

/**
 * The deduplication key of an alert notification: alertId + monitorCondition. Azure retries a webhook that failed
 * or timed out; the retry carries the same alertId and condition and is processed once. A fired and a resolved
 * notification of the same alert are two keys.
 */
export function alertDedupKey(alert: Pick<CommonAlert, 'essentials'>): string {
  return `${alert.essentials.alertId}|${alert.essentials.monitorCondition}`;
}

/** The dedup key as an Azure Table RowKey (alert ids contain '/', which keys may not): its SHA-256 in hex. */
export function alertDedupRowKey(alert: Pick<CommonAlert, 'essentials'>): string {
  return createHash('sha256').update(alertDedupKey(alert)).digest('hex');
}

/** The Azure Monitor severity as ours: Sev0 critical, Sev1 error, Sev2 warning, Sev3–Sev4 info. */
export function alertSeverity(severity: AlertSeverity): 'critical' | 'error' | 'warning' | 'info' {
  switch (severity) {
    case 'Sev0':
      return 'critical';
    case 'Sev1':
      return 'error';
    case 'Sev2':
      return 'warning';
    case 'Sev3':
    case 'Sev4':
      return 'info';
  }
}
