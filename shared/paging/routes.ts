/**
 * Where a cluster's pages go (Monitoring 4/5): the route model, its zod schema (the `monitoring.routes` piece of the
 * cluster spec and the app-wide default routes from settings), how the two combine, and which Key Vault secrets a set
 * of routes needs. Pure; no I/O.
 *
 * Secrets never appear in a route: a PagerDuty routing key, a Teams Workflows URL (the URL itself is the credential)
 * and a webhook's HMAC key are stored in Key Vault first and referenced by secret name. The fields end in
 * `SecretName`, the cluster spec's convention for references to secrets.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type Severity, SEVERITY_RANK } from '../monitoring/contracts';
import { formatPath } from '../spec/crossChecks';
import { int } from '../spec/zodInt';
import { DEFAULT_RENOTIFY_MINUTES, DEFAULT_REPEAT_MINUTES } from './flapGuard';
import { nameProblem } from '../spec/azureNames';

export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const satisfies readonly Severity[];

/** Default minimum severity of a route: pages for critical and error incidents, not for warnings. */
export const DEFAULT_MIN_SEVERITY: Severity = 'error';

const severitySchema = z.enum(SEVERITIES);

const secretNameSchema = z.string().superRefine((value, ctx) => {
  const problem = nameProblem('keyVaultSecret', value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const routeNameSchema = z.string().superRefine((value, ctx) => {
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/.test(value)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a route name of 1–63 letters, digits and '-', starting with a letter or digit, got "${value}"`,
    });
  }
});

/** An https URL, or http on a loopback address (the local stand-ins). No credentials or SAS in it. */
const webhookUrlSchema = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `expected an absolute https:// URL, got "${value}"` });
    return;
  }
  const loopback = /^(127(\.\d{1,3}){3}|localhost|\[::1\])$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected an https:// URL (http only on a loopback address), got "${value}"`,
    });
  } else if (url.username || url.password) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected a URL without user name or password (sign with hmacSecretName)',
    });
  }
});

const common = {
  /** Names the route in the delivery log and in idempotency records; default derived from the secret name. */
  name: routeNameSchema.optional(),
  /** Incidents below this severity are not sent on this route. */
  minSeverity: severitySchema.default(DEFAULT_MIN_SEVERITY),
  /** Also send the periodic health reports (Monitoring 5/5) on this route. */
  reports: z.boolean().optional(),
};

export const pagerDutyRouteSchema = z.strictObject({
  kind: z.literal('pagerduty'),
  /** Key Vault secret holding the Events API v2 routing (integration) key. */
  routingKeySecretName: secretNameSchema,
  ...common,
});

export const teamsRouteSchema = z.strictObject({
  kind: z.literal('teams'),
  /** Key Vault secret holding the Teams Workflows webhook URL (the URL is the credential). */
  webhookUrlSecretName: secretNameSchema,
  ...common,
});

export const webhookRouteSchema = z.strictObject({
  kind: z.literal('webhook'),
  /** Where the signed JSON body is POSTed. */
  url: webhookUrlSchema,
  /** Key Vault secret holding the HMAC-SHA256 key that signs the body (X-Qwk-Signature). */
  hmacSecretName: secretNameSchema,
  ...common,
});

export const routeSchema = z.discriminatedUnion('kind', [pagerDutyRouteSchema, teamsRouteSchema, webhookRouteSchema]);

/** The `monitoring.routes` piece of the cluster spec, and the shape of the app-wide default routes. */
export const routesSchema = z
  .array(routeSchema)
  .max(20)
  .superRefine((routes, ctx) => {
    const seen = new Map<string, number>();
    routes.forEach((route, i) => {
      const id = routeId(route);
      const first = seen.get(id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `duplicate route "${id}" (same as routes[${first}]); give one of them a different name`,
        });
      } else seen.set(id, i);
    });
  });

/**
 * A cluster spec's routes: as `routesSchema`, and a PagerDuty route may not take health reports (PagerDuty events open
 * incidents; a report is not one): a 400 at `routes[i].reports`. The app-wide default routes setting is not refused
 * for it (a setting that breaks every page would be worse): there, as in any stored route, it is ignored.
 */
function specRoutesSchema() {
  return routesSchema.superRefine((routes, ctx) => {
    routes.forEach((route, i) => {
      if (route.kind === 'pagerduty' && route.reports === true) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'reports'],
          message:
            'a PagerDuty route cannot take health reports (PagerDuty events open incidents); send reports to a teams or webhook route',
        });
      }
    });
  });
}

/**
 * The paging fields of the spec's `monitoring` object, to spread into its schema:
 * `z.strictObject({ ...monitoringPagingFields, … })`. `routes` absent = the app-wide default routes.
 */
export const monitoringPagingFields = {
  routes: specRoutesSchema().optional(),
  /** Flapping guard: at most one trigger per incident and route in this many minutes, unless the severity rises. */
  renotifyMinutes: int(1, 1440).default(DEFAULT_RENOTIFY_MINUTES),
  /** Reminder interval for a critical incident still open. */
  repeatMinutes: int(5, 1440).default(DEFAULT_REPEAT_MINUTES),
};

export type PagerDutyRoute = z.output<typeof pagerDutyRouteSchema>;
export type TeamsRoute = z.output<typeof teamsRouteSchema>;
export type WebhookRoute = z.output<typeof webhookRouteSchema>;
export type Route = z.output<typeof routeSchema>;
export type RouteInput = z.input<typeof routeSchema>;
export type RouteKind = Route['kind'];

/**
 * A route's stable id: its name, else derived from what it points at. Safe as an Azure Table key (letters, digits,
 * '-'), so it can key the (transition, route) idempotency records and the rate-limiter and flap-guard state.
 */
export function routeId(route: Route): string {
  if (route.name) return route.name;
  const r = route;
  switch (r.kind) {
    case 'pagerduty':
      return `pagerduty-${r.routingKeySecretName}`;
    case 'teams':
      return `teams-${r.webhookUrlSecretName}`;
    case 'webhook':
      return `webhook-${r.hmacSecretName}-${createHash('sha256').update(r.url).digest('hex').slice(0, 8)}`;
  }
}

/** Whether an incident of `severity` is sent on `route` (its minimum severity or above). */
export function routeAccepts(route: Pick<Route, 'minSeverity'>, severity: Severity): boolean {
  return SEVERITY_RANK[severity] <= SEVERITY_RANK[route.minSeverity];
}

/**
 * The routes a cluster's pages take. A cluster that names its routes (`monitoring.routes`, even `[]`) uses exactly
 * those: its list replaces the defaults. A cluster that names none uses the app-wide defaults.
 */
export function effectiveRoutes(defaults: readonly Route[], clusterRoutes: readonly Route[] | undefined): Route[] {
  return [...(clusterRoutes ?? defaults)];
}

export interface RouteError {
  path: string;
  message: string;
}

export type ParseRoutesResult = { ok: true; routes: Route[] } | { ok: false; errors: RouteError[] };

/** Validates a list of routes (e.g. the spec's `monitoring.routes`, or the parsed default-routes setting). */
export function parseRoutes(input: unknown, pathPrefix: readonly PropertyKey[] = []): ParseRoutesResult {
  const parsed = routesSchema.safeParse(input);
  if (parsed.success) return { ok: true, routes: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => ({
      path: formatPath([...pathPrefix, ...issue.path]),
      message: issue.message,
    })),
  };
}

/** Parses the app-wide default routes setting: a JSON array of routes; empty or unset = no default routes. */
export function parseDefaultRoutesSetting(value: string | undefined, settingName: string): ParseRoutesResult {
  if (value === undefined || value.trim() === '') return { ok: true, routes: [] };
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (e) {
    return { ok: false, errors: [{ path: settingName, message: `expected a JSON array of routes: ${String(e)}` }] };
  }
  const result = parseRoutes(json);
  if (result.ok) return result;
  return {
    ok: false,
    errors: result.errors.map((e) => ({
      path: e.path ? `${settingName}${e.path.startsWith('[') ? '' : '.'}${e.path}` : settingName,
      message: e.message,
    })),
  };
}

/** One Key Vault secret a route needs, and who needs it (for the POST-time "missing secret" 400). */
export interface RequiredSecret {
  secretName: string;
  route: string;
  field: 'routingKeySecretName' | 'webhookUrlSecretName' | 'hmacSecretName';
}

/** Every Key Vault secret the routes need, in route order (a secret shared by two routes appears twice). */
export function requiredSecrets(routes: readonly Route[]): RequiredSecret[] {
  return routes.map((route): RequiredSecret => {
    const id = routeId(route);
    switch (route.kind) {
      case 'pagerduty':
        return { secretName: route.routingKeySecretName, route: id, field: 'routingKeySecretName' };
      case 'teams':
        return { secretName: route.webhookUrlSecretName, route: id, field: 'webhookUrlSecretName' };
      case 'webhook':
        return { secretName: route.hmacSecretName, route: id, field: 'hmacSecretName' };
    }
  });
}

/** The distinct secret names the routes need, sorted. */
export function requiredSecretNames(routes: readonly Route[]): string[] {
  return [...new Set(requiredSecrets(routes).map((s) => s.secretName))].sort();
}

/**
 * The "missing secret" errors for a spec's routes, given which secret names exist in Key Vault: one error per route
 * whose secret is missing, naming the secret. `pathPrefix` is where the routes sit in the request body.
 */
export function missingSecretErrors(
  routes: readonly Route[],
  exists: (secretName: string) => boolean,
  pathPrefix: readonly PropertyKey[] = ['monitoring', 'routes'],
): RouteError[] {
  return requiredSecrets(routes).flatMap((need, i) =>
    exists(need.secretName)
      ? []
      : [
          {
            path: formatPath([...pathPrefix, i, need.field]),
            message: `Key Vault secret "${need.secretName}" does not exist; store it before routing pages to "${need.route}"`,
          },
        ],
  );
}
