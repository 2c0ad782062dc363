import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type Route,
  effectiveRoutes,
  monitoringPagingFields,
  missingSecretErrors,
  parseDefaultRoutesSetting,
  parseRoutes,
  requiredSecretNames,
  requiredSecrets,
  routeAccepts,
  routeId,
} from '../../shared/paging/routes';

const PD = { kind: 'pagerduty', routingKeySecretName: 'pd-routing-key' };
const TEAMS = { kind: 'teams', webhookUrlSecretName: 'teams-ops-url', minSeverity: 'warning' };
const HOOK = { kind: 'webhook', url: 'https://hooks.example.net/qwk', hmacSecretName: 'hook-hmac' };

function routes(input: unknown): Route[] {
  const r = parseRoutes(input);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.routes;
}

describe('route schema', () => {
  it('accepts the three kinds, with the default minimum severity', () => {
    const r = routes([PD, TEAMS, HOOK]);
    expect(r.map((x) => x.kind)).toEqual(['pagerduty', 'teams', 'webhook']);
    expect(r[0].minSeverity).toBe('error');
    expect(r[1].minSeverity).toBe('warning');
  });

  it('accepts http on loopback (the local stand-ins)', () => {
    expect(parseRoutes([{ ...HOOK, url: 'http://127.0.0.1:7071/_sim/pager/webhook' }]).ok).toBe(true);
  });

  it.each([
    ['a route is not an object', ['x'], '[0]'],
    ['unknown kind', [{ kind: 'slack', url: 'x' }], '[0].kind'],
    ['missing routing key secret', [{ kind: 'pagerduty' }], '[0].routingKeySecretName'],
    ['secret name with bad characters', [{ ...PD, routingKeySecretName: 'pd_key' }], '[0].routingKeySecretName'],
    ['the routing key itself instead of a secret name', [{ ...PD, routingKey: 'R0123' }], '[0]'],
    ['unknown severity', [{ ...PD, minSeverity: 'fatal' }], '[0].minSeverity'],
    ['http on a public host', [{ ...HOOK, url: 'http://hooks.example.net/qwk' }], '[0].url'],
    ['not a URL', [{ ...HOOK, url: 'hooks' }], '[0].url'],
    ['credentials in the URL', [{ ...HOOK, url: 'https://u:p@hooks.example.net/' }], '[0].url'],
    ['missing HMAC secret', [{ kind: 'webhook', url: HOOK.url }], '[0].hmacSecretName'],
    ['bad route name', [{ ...PD, name: 'on call!' }], '[0].name'],
    ['reports not a boolean', [{ ...PD, reports: 'yes' }], '[0].reports'],
    ['duplicate routes', [PD, { ...PD, minSeverity: 'critical' }], '[1]'],
    ['not a list', PD, ''],
  ])('refuses %s at %s', (_n, input, path) => {
    const r = parseRoutes(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.path)).toContain(path);
  });

  it('errors carry the path inside the spec', () => {
    const r = parseRoutes([{ kind: 'pagerduty' }], ['monitoring', 'routes']);
    expect(!r.ok && r.errors[0].path).toBe('monitoring.routes[0].routingKeySecretName');
  });
});

describe('routeId', () => {
  it('is the name when given, else derived from the secret; table-key safe', () => {
    const [pd, teams, hook] = routes([PD, TEAMS, HOOK]);
    expect(routeId(pd)).toBe('pagerduty-pd-routing-key');
    expect(routeId(teams)).toBe('teams-teams-ops-url');
    expect(routeId(hook)).toMatch(/^webhook-hook-hmac-[0-9a-f]{8}$/);
    expect(routeId(routes([{ ...PD, name: 'oncall' }])[0])).toBe('oncall');
    for (const r of [pd, teams, hook]) expect(routeId(r)).toMatch(/^[A-Za-z0-9-]+$/);
    // Two webhooks sharing a key but not a URL are two routes.
    const [a, b] = routes([HOOK, { ...HOOK, url: 'https://other.example.net/' }]);
    expect(routeId(a)).not.toBe(routeId(b));
  });
});

describe('routeAccepts', () => {
  it.each([
    ['error', 'critical', true],
    ['error', 'error', true],
    ['error', 'warning', false],
    ['critical', 'error', false],
    ['info', 'info', true],
    ['warning', 'info', false],
  ] as const)('min %s, incident %s → %s', (minSeverity, severity, ok) => {
    expect(routeAccepts({ minSeverity }, severity)).toBe(ok);
  });
});

describe('effectiveRoutes (cluster routes override the defaults)', () => {
  const defaults = routes([PD, TEAMS]);
  it.each([
    ['cluster names none → defaults', undefined, ['pagerduty-pd-routing-key', 'teams-teams-ops-url']],
    ['cluster names its own → only those', routes([HOOK]), [expect.stringMatching(/^webhook-/)]],
    ['cluster names [] → no paging', [], []],
  ])('%s', (_n, cluster, ids) => {
    expect(effectiveRoutes(defaults, cluster).map(routeId)).toEqual(ids);
  });
});

describe('default routes setting', () => {
  it('empty or unset → no routes; JSON list → routes; bad JSON or route → errors naming the setting', () => {
    expect(parseDefaultRoutesSetting(undefined, 'QWK_DEFAULT_ROUTES')).toEqual({ ok: true, routes: [] });
    expect(parseDefaultRoutesSetting('  ', 'QWK_DEFAULT_ROUTES')).toEqual({ ok: true, routes: [] });
    const good = parseDefaultRoutesSetting(JSON.stringify([PD]), 'QWK_DEFAULT_ROUTES');
    expect(good.ok && good.routes[0].kind).toBe('pagerduty');
    const bad = parseDefaultRoutesSetting('[{', 'QWK_DEFAULT_ROUTES');
    expect(!bad.ok && bad.errors[0].path).toBe('QWK_DEFAULT_ROUTES');
    const badRoute = parseDefaultRoutesSetting(JSON.stringify([{ kind: 'pagerduty' }]), 'QWK_DEFAULT_ROUTES');
    expect(!badRoute.ok && badRoute.errors[0].path).toBe('QWK_DEFAULT_ROUTES[0].routingKeySecretName');
  });
});

describe('required secrets', () => {
  const r = routes([PD, TEAMS, HOOK, { ...PD, name: 'second', minSeverity: 'critical' }]);
  it('lists every secret with the route and field that need it', () => {
    expect(requiredSecrets(r)).toEqual([
      { secretName: 'pd-routing-key', route: 'pagerduty-pd-routing-key', field: 'routingKeySecretName' },
      { secretName: 'teams-ops-url', route: 'teams-teams-ops-url', field: 'webhookUrlSecretName' },
      { secretName: 'hook-hmac', route: expect.stringMatching(/^webhook-hook-hmac-/), field: 'hmacSecretName' },
      { secretName: 'pd-routing-key', route: 'second', field: 'routingKeySecretName' },
    ]);
    expect(requiredSecretNames(r)).toEqual(['hook-hmac', 'pd-routing-key', 'teams-ops-url']);
  });

  it('the "missing secret" errors name the secret and its place in the spec', () => {
    const existing = new Set(['pd-routing-key', 'hook-hmac']);
    const errors = missingSecretErrors(r, (n) => existing.has(n));
    expect(errors).toEqual([
      { path: 'monitoring.routes[1].webhookUrlSecretName', message: expect.stringContaining('"teams-ops-url"') },
    ]);
    expect(missingSecretErrors(r, () => true)).toEqual([]);
    expect(missingSecretErrors(r, () => false)).toHaveLength(4);
  });
});

describe('monitoring paging fields (the spec piece)', () => {
  const monitoring = z.strictObject({ ...monitoringPagingFields });
  it('defaults: no routes (→ app defaults), renotify 5 min, repeat 60 min', () => {
    expect(monitoring.parse({})).toEqual({ renotifyMinutes: 5, repeatMinutes: 60 });
  });
  it.each([
    [{ renotifyMinutes: 0 }, 'renotifyMinutes'],
    [{ renotifyMinutes: 2.5 }, 'renotifyMinutes'],
    [{ repeatMinutes: 1 }, 'repeatMinutes'],
    [{ routes: [{ kind: 'pagerduty' }] }, 'routes'],
  ])('refuses %j at %s', (input, field) => {
    const r = monitoring.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path[0]).toBe(field);
  });
  it('accepts routes and intervals', () => {
    const r = monitoring.parse({ routes: [PD], renotifyMinutes: 10, repeatMinutes: 30 });
    expect(r.routes?.[0].kind).toBe('pagerduty');
    expect(r.repeatMinutes).toBe(30);
  });
});
