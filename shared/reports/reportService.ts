/**
 * Making a report: every registered cluster's history for the period (historyBuilder.ts), the figures
 * (figures.ts), both formats stored (blobs.ts), and the summary delivered to the routes that take reports
 * (delivery.ts). A report of one cluster (GET /api/clusters/{sub}/{rg}/report) is computed and answered, not stored.
 */
import type { Outcome } from '../paging/delivery';
import type { NotificationRecord, PagingStore } from '../paging/store';
import type { NotificationRequest } from '../paging/request';
import type { Route } from '../paging/routes';
import type { ClusterRecord } from '../registry/clusterRecord';
import type { StoredReportInfo } from './blobs';
import { reportRequest, reportRouteSecret, reportRoutes } from './delivery';
import { buildReport, type HealthReport, type ReportPeriod } from './figures';
import { readClusterHistory, type HistorySources } from './historyBuilder';

export interface ReportDeps {
  registry: { list(): Promise<ClusterRecord[]> };
  sources: HistorySources;
  store: { save(report: HealthReport): Promise<StoredReportInfo> };
  /** The app's public URL (QWK_PUBLIC_URL): the report's link in summaries. */
  publicUrl?: string;
  now(): Date;
  delivery?: DeliveryDeps;
}

export interface DeliveryDeps {
  defaultRoutes(): Route[];
  secret(name: string): Promise<string | undefined>;
  send(req: NotificationRequest): Promise<Outcome>;
  records: Pick<PagingStore, 'getRecord' | 'insertRecord' | 'replaceRecord'>;
  log(message: string): void;
}

export interface RouteDelivery {
  route: string;
  status: 'sent' | 'failed' | 'already-sent';
  reason?: string;
}

export interface MadeReport {
  report: HealthReport;
  stored: StoredReportInfo;
  /** GET /api/reports/{id} on the public URL, when it is known. */
  link?: string;
  deliveries: RouteDelivery[];
}

/** The idempotency records of report deliveries live in the notifications table, in their own partition. */
export const REPORT_DELIVERY_PARTITION = { subscriptionId: 'reports', resourceGroup: 'fleet' } as const;

export function reportLink(publicUrl: string | undefined, id: string): string | undefined {
  return publicUrl ? `${publicUrl}/api/reports/${encodeURIComponent(id)}` : undefined;
}

/** Every registered cluster's history for the period, then the report (not stored). */
export async function computeReport(
  deps: Pick<ReportDeps, 'sources' | 'now'>,
  records: readonly ClusterRecord[],
  period: ReportPeriod,
  scope?: string,
): Promise<HealthReport> {
  const histories = await Promise.all(records.map((r) => readClusterHistory(deps.sources, r, period)));
  return buildReport(histories, period, {
    generatedAt: deps.now().toISOString(),
    ...(scope !== undefined ? { scope } : {}),
  });
}

/** The fleet report of the period: computed, stored, and its summary delivered to the routes that take reports. */
export async function makeReport(deps: ReportDeps, period: ReportPeriod): Promise<MadeReport> {
  const records = await deps.registry.list();
  const report = await computeReport(deps, records, period);
  const stored = await deps.store.save(report);
  const link = reportLink(deps.publicUrl, report.id);
  const deliveries = deps.delivery ? await deliverReport(deps.delivery, report, records, link, () => deps.now()) : [];
  return { report, stored, ...(link !== undefined ? { link } : {}), deliveries };
}

/**
 * Sends the summary once per (report, route): a route whose record says `sent` is skipped (a retried timer run or a
 * repeated POST of the same period sends nothing twice); a failed one is tried again by the next run of the period.
 */
export async function deliverReport(
  d: DeliveryDeps,
  report: HealthReport,
  records: readonly ClusterRecord[],
  link: string | undefined,
  now: () => Date,
): Promise<RouteDelivery[]> {
  const out: RouteDelivery[] = [];
  for (const route of reportRoutes(records, d.defaultRoutes())) {
    const eventId = `report:${report.id}`;
    const existing = await d.records.getRecord(REPORT_DELIVERY_PARTITION, eventId, route.id);
    if (existing?.value.status === 'sent') {
      out.push({ route: route.id, status: 'already-sent' });
      continue;
    }
    const at = now().toISOString();
    const record: NotificationRecord = {
      eventId,
      route: route.id,
      kind: route.route.kind,
      incidentKey: report.id,
      transitionId: report.id,
      status: 'sending',
      attempts: (existing?.value.attempts ?? 0) + 1,
      createdAt: existing?.value.createdAt ?? at,
      updatedAt: at,
      sendingAt: at,
      revision: 0,
    };
    let etag: string;
    if (existing) etag = await d.records.replaceRecord(REPORT_DELIVERY_PARTITION, record, existing.etag);
    else {
      const inserted = await d.records.insertRecord(REPORT_DELIVERY_PARTITION, record);
      if (!inserted) {
        out.push({ route: route.id, status: 'already-sent', reason: 'another run is sending it' });
        continue;
      }
      etag = inserted.etag;
    }
    const secretName = reportRouteSecret(route.route);
    const secret = secretName ? await d.secret(secretName) : undefined;
    let outcome: Outcome;
    if (secret === undefined) outcome = { kind: 'permanent', reason: `Key Vault secret "${secretName}" is missing` };
    else {
      const req = reportRequest(route, report, secret, { ...(link !== undefined ? { link } : {}), now: now() });
      outcome = req ? await d.send(req) : { kind: 'permanent', reason: 'this route kind takes no reports' };
    }
    const done = now().toISOString();
    const sent = outcome.kind === 'delivered';
    await d.records.replaceRecord(
      REPORT_DELIVERY_PARTITION,
      {
        ...record,
        status: sent ? 'sent' : 'failed',
        updatedAt: done,
        ...(sent ? { sentAt: done } : {}),
        ...('status' in outcome && outcome.status !== undefined ? { lastStatus: outcome.status } : {}),
        ...(outcome.kind !== 'delivered' ? { lastError: outcome.reason } : {}),
      },
      etag,
    );
    d.log(
      `report ${report.id} → route ${route.id}: ${sent ? 'sent' : `failed (${(outcome as { reason: string }).reason})`}`,
    );
    out.push({
      route: route.id,
      status: sent ? 'sent' : 'failed',
      ...(outcome.kind !== 'delivered' ? { reason: outcome.reason } : {}),
    });
  }
  return out;
}
