import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type * as AdaptiveCards from 'adaptivecards';
import { describe, expect, it } from 'vitest';
import { monitoringPagingFields, parseRoutes, type Route } from '../../shared/paging/routes';
import type { Etagged, NotificationRecord } from '../../shared/paging/store';
import type { AdaptiveCard } from '../../shared/paging/teams';
import { verifyWebhook } from '../../shared/paging/webhook';
import { DEFAULT_REPORT_SCHEDULE, reportsConfig } from '../../shared/config';
import {
  reportRequest,
  reportRoutes,
  reportSummary,
  reportTeamsCard,
  rowsFor,
  type ReportWebhookBody,
} from '../../shared/reports/delivery';
import { buildReport } from '../../shared/reports/figures';
import { parsePeriod, scheduledPeriod, wantsJson } from '../../shared/reports/period';
import { deliverReport, REPORT_DELIVERY_PARTITION } from '../../shared/reports/reportService';
import type { ClusterRecord } from '../../shared/registry/clusterRecord';
import { fleetNeighbours, scriptedDay } from '../support/reportHistories';

const AC = createRequire(resolve('package.json'))('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCards;

function validate(card: AdaptiveCard) {
  const ac = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  ac.parse(card, ctx);
  const parseEvents: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) parseEvents.push(ctx.getEventAt(i).message);
  return { parseEvents, validation: ac.validateProperties().validationEvents.map((e) => e.message), json: ac.toJSON() };
}

const routes = (input: unknown[]): Route[] => {
  const r = parseRoutes(input);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.routes;
};
const TEAMS = { kind: 'teams', webhookUrlSecretName: 'teams-url', name: 'teams-dba', reports: true };
const HOOK = { kind: 'webhook', url: 'https://hooks.example/qwk', hmacSecretName: 'hook-key', reports: true };
const PD = { kind: 'pagerduty', routingKeySecretName: 'pd-key' };

function report() {
  const day = scriptedDay();
  return buildReport([day.history, ...fleetNeighbours(day.period)], day.period, {
    generatedAt: day.period.to,
  });
}

function record(h: { subscriptionId: string; resourceGroup: string }, r?: Route[]) {
  return {
    subscriptionId: h.subscriptionId,
    resourceGroup: h.resourceGroup,
    ...(r ? { paging: { routes: r, renotifyMinutes: 30, repeatMinutes: 60 } } : {}),
  };
}

describe('report routes', () => {
  it('a PagerDuty route cannot take reports (400 in a cluster spec), teams and webhook can', () => {
    const r = monitoringPagingFields.routes.safeParse([TEAMS, { ...PD, reports: true }]);
    expect(r.success).toBe(false);
    expect(r.error?.issues).toMatchObject([{ path: [1, 'reports'], message: expect.stringMatching(/PagerDuty/) }]);
    expect(monitoringPagingFields.routes.safeParse([TEAMS, HOOK, { ...PD, reports: false }]).success).toBe(true);
    // The default-routes setting is not refused for it (ignored, as below).
    expect(parseRoutes([{ ...PD, reports: true }]).ok).toBe(true);
  });

  it('collects the opted-in routes over clusters (their own, else the defaults), with the clusters of each', () => {
    const rep = report();
    const [c1, c2, c3] = rep.fleet;
    const out = reportRoutes(
      [
        record(c1, routes([TEAMS, { ...PD, reports: true }])),
        record(c2), // the defaults
        record(c3, routes([{ ...TEAMS, reports: false }])),
      ],
      routes([HOOK, TEAMS]),
    );
    const key = (c: { subscriptionId: string; resourceGroup: string }) =>
      `${c.subscriptionId.toLowerCase()}/${c.resourceGroup.toLowerCase()}`;
    expect(out.map((r) => [r.id, r.clusters])).toEqual([
      ['teams-dba', [key(c1), key(c2)]],
      [expect.stringMatching(/^webhook-hook-key-/), [key(c2)]],
    ]);
    expect(rowsFor(rep, out[0]).map((r) => r.rank)).toEqual([c1.rank, c2.rank]);
  });
});

describe('report summaries', () => {
  it('the summary names the period and one line per cluster with its state, availability and action', () => {
    const rep = report();
    const text = reportSummary(rep, rep.fleet);
    const lines = text.split('\n');
    expect(lines[0]).toContain(`${rep.period.from} – ${rep.period.to}: ${rep.fleet.length} cluster(s)`);
    expect(lines).toHaveLength(rep.fleet.length + 1);
    expect(lines[1]).toContain(rep.fleet[0].name);
    expect(lines[1]).toContain('availability');
  });

  it('the Teams card validates with the adaptivecards library and links to the report', () => {
    const rep = report();
    const card = reportTeamsCard(rep, rep.fleet, 'https://app.example/api/reports/x');
    const v = validate(card);
    expect(v.parseEvents).toEqual([]);
    expect(v.validation).toEqual([]);
    const { msteams: _m, ...standard } = card;
    expect(v.json).toEqual(standard);
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open the report', url: 'https://app.example/api/reports/x' },
    ]);
  });

  it('the webhook body is signed like incident webhooks and verifies with the route key', () => {
    const rep = report();
    const [route] = reportRoutes([record(rep.fleet[0], routes([HOOK]))], []);
    const now = new Date('2026-11-25T08:00:05Z');
    const req = reportRequest(route, rep, 'the-key', { link: 'https://app.example/r', now })!;
    expect(req.url).toBe('https://hooks.example/qwk');
    expect(verifyWebhook(req.body, req.headers, 'the-key', now)).toMatchObject({ ok: true });
    expect(verifyWebhook(req.body, req.headers, 'other-key', now)).toMatchObject({ ok: false });
    const body = JSON.parse(req.body) as ReportWebhookBody;
    expect(body).toMatchObject({ version: 1, kind: 'report', id: `report:${rep.id}`, link: 'https://app.example/r' });
    expect(body.clusters).toHaveLength(1);
    expect(req.headers['X-Qwk-Event-Id']).toBe(`report:${rep.id}`);
  });
});

describe('deliverReport', () => {
  /** The paging store's record operations in memory (create-if-absent, replace with ETag). */
  function memoryRecords() {
    const rows = new Map<string, Etagged<NotificationRecord>>();
    let n = 0;
    const k = (id: string, route: string) => `${id}|${route}`;
    return {
      rows,
      getRecord: (_c: unknown, id: string, route: string) => Promise.resolve(rows.get(k(id, route))),
      insertRecord: (_c: unknown, r: NotificationRecord) => {
        if (rows.has(k(r.eventId, r.route))) return Promise.resolve(undefined);
        const e = { value: r, etag: String(++n) };
        rows.set(k(r.eventId, r.route), e);
        return Promise.resolve(e);
      },
      replaceRecord: (_c: unknown, r: NotificationRecord, etag: string) => {
        const cur = rows.get(k(r.eventId, r.route));
        if (cur?.etag !== etag) return Promise.reject(new Error('etag'));
        const e = { value: r, etag: String(++n) };
        rows.set(k(r.eventId, r.route), e);
        return Promise.resolve(e.etag);
      },
    };
  }

  it('sends once per (report, route); a failed route is tried again by the next run, a sent one is not', async () => {
    const rep = report();
    const records = [record(rep.fleet[0], routes([TEAMS, HOOK])) as unknown as ClusterRecord];
    const store = memoryRecords();
    const sent: string[] = [];
    let hookUp = false;
    const deps = {
      defaultRoutes: () => [],
      secret: (name: string) => Promise.resolve(name === 'teams-url' ? 'https://teams.example/wf' : 'k'),
      send: (req: { route: string }) => {
        sent.push(req.route);
        return Promise.resolve(
          req.route === 'teams-dba' || hookUp
            ? ({ kind: 'delivered', status: 200 } as const)
            : ({ kind: 'retryable', status: 503, reason: 'server error (503)' } as const),
        );
      },
      records: store,
      log: () => undefined,
    };
    const now = () => new Date('2026-11-25T08:00:00Z');
    const first = await deliverReport(deps, rep, records, undefined, now);
    expect(first.map((d) => d.status)).toEqual(['sent', 'failed']);
    hookUp = true;
    const second = await deliverReport(deps, rep, records, undefined, now);
    expect(second.map((d) => d.status)).toEqual(['already-sent', 'sent']);
    expect(sent).toEqual(['teams-dba', first[1].route, first[1].route]);
    expect([...store.rows.values()].map((r) => [r.value.status, r.value.attempts])).toEqual([
      ['sent', 1],
      ['sent', 2],
    ]);
    expect(REPORT_DELIVERY_PARTITION.subscriptionId).toBe('reports');
  });
});

describe('report period', () => {
  const now = new Date('2026-11-25T08:00:30.000Z');
  it.each([
    [{}, { from: '2026-11-24T08:00:00.000Z', to: '2026-11-25T08:00:00.000Z' }],
    [{ to: '2026-11-25T06:00:00Z' }, { from: '2026-11-24T06:00:00.000Z', to: '2026-11-25T06:00:00.000Z' }],
    [
      { from: '2026-11-25T07:00:00+01:00', to: '2026-11-25T07:30:00Z' },
      { from: '2026-11-25T06:00:00.000Z', to: '2026-11-25T07:30:00.000Z' },
    ],
  ])('%j → %j', (input, period) => {
    expect(parsePeriod(input, now)).toEqual({ ok: true, period });
  });

  it.each([
    [[], '', /JSON object/],
    [{ from: 'yesterday' }, 'from', /ISO-8601/],
    [{ from: '2026-11-24T08:00:00' }, 'from', /zone/],
    [{ from: '2026-02-30T08:00:00Z' }, 'from', /not a valid/],
    [{ from: '2026-11-25T08:00:00Z', to: '2026-11-25T07:00:00Z' }, 'from', /before "to"/],
    [{ to: '2026-11-26T08:00:00Z' }, 'to', /future/],
    [{ from: '2026-09-01T00:00:00Z', to: '2026-11-01T00:00:00Z' }, 'from', /31 days/],
    [{ from: '2026-11-24T08:00:00Z', days: 3 }, '', /unknown field.*"days"/],
  ])('%j is a 400 at %s', (input, path, message) => {
    const r = parsePeriod(input, now);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ path, message: expect.stringMatching(message) });
  });

  it('a scheduled run covers the hours ending at its minute', () => {
    expect(scheduledPeriod(now, 24)).toEqual({ from: '2026-11-24T08:00:00.000Z', to: '2026-11-25T08:00:00.000Z' });
  });

  it.each([
    [undefined, false],
    ['text/html', false],
    ['application/json', true],
    ['text/html, application/json', false],
    ['application/json;q=0.9, text/html', true],
    ['*/*', false],
  ])('Accept %s → JSON %s', (accept, json) => {
    expect(wantsJson(accept)).toBe(json);
  });
});

describe('reportsConfig', () => {
  it.each([
    [{}, DEFAULT_REPORT_SCHEDULE, 24],
    [{ QWK_REPORT_SCHEDULE: '0 0 */6 * * *', QWK_REPORT_PERIOD_HOURS: '6' }, '0 0 */6 * * *', 6],
    [{ QWK_REPORT_SCHEDULE: '0 8 * * *', QWK_REPORT_PERIOD_HOURS: '0' }, DEFAULT_REPORT_SCHEDULE, 24],
  ])('%j → %s, %i h', (env, schedule, hours) => {
    expect(reportsConfig(env)).toEqual({ schedule, periodHours: hours });
  });
  it('the default is daily at 08:00 UTC', () => {
    expect(DEFAULT_REPORT_SCHEDULE).toBe('0 0 8 * * *');
  });
});
