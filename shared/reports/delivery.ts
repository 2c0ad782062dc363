/**
 * Delivery of a report's short summary, with its link, to the paging routes (Monitoring 4/5) that opt in with
 * `reports: true`. Pure: which routes get which clusters, and each route's request. Sending reuses the paging
 * sender (shared/paging/send.ts) and its delivery policy; idempotency is per (report, route) (reportService.ts).
 *
 * - Teams: an Adaptive Card (1.4, the elements the incident cards use) in the Workflows envelope (paging/teams.ts).
 * - Webhook: a versioned JSON body (`ReportWebhookBody`), signed exactly like incident webhooks (paging/webhook.ts:
 *   X-Qwk-Event-Id `report:<report id>`, X-Qwk-Timestamp, X-Qwk-Signature = sha256 HMAC of "<timestamp>.<body>").
 * - PagerDuty: never. PagerDuty events open and resolve incidents; a report is not one. A cluster spec with a
 *   PagerDuty route with `reports: true` is refused (400); in the default-routes setting or a stored route it is
 *   ignored here.
 */
import type { ClusterRecord } from '../registry/clusterRecord';
import type { NotificationRequest } from '../paging/request';
import { effectiveRoutes, routeId, type Route } from '../paging/routes';
import { truncate } from '../paging/summary';
import { ADAPTIVE_CARD_VERSION, wrapCard, type AdaptiveCard, type TeamsMessage } from '../paging/teams';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from '../paging/webhook';
import type { FleetRow, HealthReport } from './figures';
import { formatPercent } from './html';

export const REPORT_WEBHOOK_VERSION = 1;

/** One route that takes reports, and the clusters whose report lines it gets. */
export interface ReportRoute {
  id: string;
  route: Route;
  /** `<subscription>/<resource group>`, lower-case. */
  clusters: string[];
}

const clusterKey = (c: { subscriptionId: string; resourceGroup: string }) =>
  `${c.subscriptionId.toLowerCase()}/${c.resourceGroup.toLowerCase()}`;

/**
 * The routes that take reports: over every cluster's routes (its own, else the app-wide defaults), those with
 * `reports: true` other than PagerDuty, each with the clusters that route it. Sorted by route id.
 */
export function reportRoutes(
  records: readonly Pick<ClusterRecord, 'subscriptionId' | 'resourceGroup' | 'paging'>[],
  defaults: readonly Route[],
): ReportRoute[] {
  const byId = new Map<string, ReportRoute>();
  for (const r of records) {
    for (const route of effectiveRoutes(defaults, r.paging?.routes)) {
      if (route.kind === 'pagerduty' || route.reports !== true) continue;
      const id = routeId(route);
      const entry = byId.get(id) ?? { id, route, clusters: [] };
      if (!entry.clusters.includes(clusterKey(r))) entry.clusters.push(clusterKey(r));
      byId.set(id, entry);
    }
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** The fleet rows a route gets (its clusters, in rank order). */
export function rowsFor(report: HealthReport, route: Pick<ReportRoute, 'clusters'>): FleetRow[] {
  const mine = new Set(route.clusters);
  return report.fleet.filter((r) => mine.has(clusterKey(r)));
}

function line(r: FleetRow): string {
  const parts = [
    `${r.name}: ${r.state}${r.activeNode ? ` on ${r.activeNode}` : ''}`,
    `availability ${formatPercent(r.availability)}`,
    `${r.failovers} failover(s)`,
    `${r.openIncidents} open incident(s)`,
  ];
  return `${parts.join(', ')}${r.action ? ` — ${r.action}` : ''}`;
}

/** The short summary: the period, then one line per cluster (most at risk first). */
export function reportSummary(report: HealthReport, rows: readonly FleetRow[]): string {
  const head = `QWK health report ${report.period.from} – ${report.period.to}: ${rows.length} cluster(s)`;
  const atRisk = rows.filter((r) => r.openIncidents > 0).length;
  return [
    `${head}${atRisk ? `, ${atRisk} with open incidents` : ', none with open incidents'}`,
    ...rows.map(line),
  ].join('\n');
}

/** The Teams card of a report's summary. */
export function reportTeamsCard(
  report: HealthReport,
  rows: readonly FleetRow[],
  link: string | undefined,
): AdaptiveCard {
  const atRisk = rows.some((r) => r.openIncidents > 0);
  const card: AdaptiveCard = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: ADAPTIVE_CARD_VERSION,
    body: [
      {
        type: 'Container',
        style: atRisk ? 'warning' : 'good',
        bleed: true,
        items: [
          {
            type: 'TextBlock',
            text: 'HEALTH REPORT',
            weight: 'Bolder',
            size: 'Small',
            color: atRisk ? 'Warning' : 'Good',
            wrap: true,
          },
          {
            type: 'TextBlock',
            text: `${report.period.from} – ${report.period.to}`,
            weight: 'Bolder',
            size: 'Medium',
            wrap: true,
          },
        ],
      },
      {
        type: 'FactSet',
        facts: rows.slice(0, 20).map((r) => ({
          title: truncate(r.name, 100),
          value: truncate(line(r).slice(r.name.length + 2), 500),
        })),
      },
      ...(rows.length > 20
        ? [{ type: 'TextBlock', text: `${rows.length - 20} more cluster(s) in the report`, wrap: true }]
        : []),
    ],
    msteams: { width: 'Full' },
  };
  if (link) card.actions = [{ type: 'Action.OpenUrl', title: 'Open the report', url: link }];
  return card;
}

export function reportTeamsMessage(report: HealthReport, rows: readonly FleetRow[], link?: string): TeamsMessage {
  return wrapCard(reportTeamsCard(report, rows, link));
}

/** The webhook's body for a report (version 1). */
export interface ReportWebhookBody {
  version: typeof REPORT_WEBHOOK_VERSION;
  kind: 'report';
  /** `report:<report id>`: the receiver's idempotency key, the same on every retry. */
  id: string;
  reportId: string;
  generatedAt: string;
  period: { from: string; to: string };
  link?: string;
  summary: string;
  clusters: FleetRow[];
}

export function reportWebhookBody(report: HealthReport, rows: readonly FleetRow[], link?: string): ReportWebhookBody {
  return {
    version: REPORT_WEBHOOK_VERSION,
    kind: 'report',
    id: `report:${report.id}`,
    reportId: report.id,
    generatedAt: report.generatedAt,
    period: { ...report.period },
    ...(link !== undefined ? { link } : {}),
    summary: reportSummary(report, rows),
    clusters: rows.map((r) => ({ ...r })),
  };
}

/** The request for one route; `secret` is the route's Key Vault secret (Workflows URL, HMAC key). */
export function reportRequest(
  route: ReportRoute,
  report: HealthReport,
  secret: string,
  o: { link?: string; now: Date },
): NotificationRequest | undefined {
  const rows = rowsFor(report, route);
  const base = { route: route.id, kind: route.route.kind, method: 'POST' as const };
  switch (route.route.kind) {
    case 'pagerduty':
      return undefined;
    case 'teams':
      return {
        ...base,
        url: secret,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(reportTeamsMessage(report, rows, o.link)),
      };
    case 'webhook': {
      const body = reportWebhookBody(report, rows, o.link);
      const raw = JSON.stringify(body);
      const ts = Math.floor(o.now.getTime() / 1000);
      return {
        ...base,
        url: route.route.url,
        headers: {
          'Content-Type': 'application/json',
          [EVENT_ID_HEADER]: body.id,
          [TIMESTAMP_HEADER]: String(ts),
          [SIGNATURE_HEADER]: webhookSignature(secret, ts, raw),
        },
        body: raw,
      };
    }
  }
}

/** The secret a report route needs. */
export function reportRouteSecret(route: Route): string | undefined {
  switch (route.kind) {
    case 'teams':
      return route.webhookUrlSecretName;
    case 'webhook':
      return route.hmacSecretName;
    case 'pagerduty':
      return undefined;
  }
}
