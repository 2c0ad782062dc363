/**
 * The history builder: from what monitoring records to the report's `ClusterHistory` of one cluster for a period.
 * `assembleHistory` is PURE (unit-tested on recorded rows); `readClusterHistory` reads the tables it needs:
 *
 * | history field   | from |
 * |---|---|
 * | cluster         | the registry row (nodes in priority order, witness, registeredAt, activeNode at deployment) |
 * | states          | `clustertimeline` (state and active-node entries, merged into state changes) |
 * | probes          | `clusterhistory` probe changes (the observation before and after each change of who answers) |
 * | probeMinutes    | `clusterhistory` minutes (a node answered a minute when it answered ≥ half its observations) |
 * | qwkGaps         | `clusterhistory` QWK gaps (open ones until they close) |
 * | relayGaps       | `clusterhistory` relay gaps |
 * | maintenance     | `clusterhistory` maintenance windows (as the diagnosis found them) |
 * | incidents       | `incidents` transition rows (every revision: one episode per key and openedAt), and incident rows |
 * | notifications   | `notifications` records (paging's delivery log): `sent` and `failed`, test pages left out |
 */
import type { ClusterRecord } from '../registry/clusterRecord';
import type { Incident, IncidentTransition } from '../monitoring/contracts';
import type { TimelineEntry } from '../monitoring/diagnosis';
import type { HistoryRow } from '../monitoring/historyRecord';
import type { NotificationRecord as PagingRecord } from '../paging/store';
import {
  HISTORY_VERSION,
  type ClusterHistory,
  type IncidentRecord,
  type NotificationRecord,
  type ProbeObservation,
  type StateChange,
} from './history';
import type { ReportPeriod } from './figures';
import type { ClusterState } from '../monitoring/contracts';

export interface RecordedCluster {
  record: Pick<ClusterRecord, 'subscriptionId' | 'resourceGroup' | 'nodes' | 'witness' | 'registeredAt' | 'activeNode'>;
  timeline: readonly TimelineEntry[];
  historyRows: readonly HistoryRow[];
  transitions: readonly IncidentTransition[];
  incidents: readonly Incident[];
  notifications: readonly PagingRecord[];
  /** The app's public URL, for the cluster page's link. */
  publicUrl?: string;
}

const t = (iso: string) => Date.parse(iso);

/** State changes from timeline entries: each entry time gives the state and active node after it. */
export function statesFromTimeline(
  entries: readonly TimelineEntry[],
  initialActive: string | undefined,
  period: ReportPeriod,
): StateChange[] {
  const sorted = [...entries].sort((a, b) => t(a.at) - t(b.at) || (a.kind === 'state' ? -1 : 1));
  let state: ClusterState | undefined;
  let active = initialActive;
  const out: StateChange[] = [];
  for (const e of sorted) {
    if (t(e.at) >= t(period.to)) break;
    if (e.kind === 'state') state = e.to as ClusterState;
    else active = e.to;
    if (state === undefined) continue;
    const change: StateChange = { at: e.at, state, ...(active !== undefined ? { activeNode: active } : {}) };
    const last = out[out.length - 1];
    if (last && last.at === e.at) out[out.length - 1] = change;
    else out.push(change);
  }
  // Keep the last change before the period and the ones in it.
  const firstIn = out.findIndex((s) => t(s.at) >= t(period.from));
  const cut = firstIn === -1 ? out.length - 1 : firstIn - 1;
  return out.slice(Math.max(0, cut));
}

/** Incident episodes (one per key and openedAt, at its latest revision) that overlap the period. */
export function incidentsFromRecords(
  transitions: readonly IncidentTransition[],
  incidents: readonly Incident[],
  period: ReportPeriod,
): IncidentRecord[] {
  const latest = new Map<string, Incident>();
  for (const i of [...transitions.map((x) => x.incident), ...incidents]) {
    const k = `${i.key}|${i.openedAt}`;
    const kept = latest.get(k);
    if (!kept || i.revision > kept.revision) latest.set(k, i);
  }
  const out: IncidentRecord[] = [];
  for (const i of latest.values()) {
    const resolvedAt = i.status === 'resolved' ? i.resolvedAt : undefined;
    if (t(i.openedAt) >= t(period.to)) continue;
    if (resolvedAt !== undefined && t(resolvedAt) < t(period.from)) continue;
    out.push({
      key: i.key,
      kind: i.kind,
      ...(i.node !== undefined ? { node: i.node } : {}),
      severity: i.severity,
      openedAt: i.openedAt,
      ...(resolvedAt !== undefined && t(resolvedAt) < t(period.to) ? { resolvedAt } : {}),
      ...(i.maintenance ? { maintenance: true } : {}),
      ...(i.from !== undefined ? { from: i.from } : {}),
      ...(i.to !== undefined ? { to: i.to } : {}),
    });
  }
  return out.sort((a, b) => t(a.openedAt) - t(b.openedAt) || a.key.localeCompare(b.key));
}

/** Paging outcomes in the period: sent (at sentAt) and failed (at its last update); test pages left out. */
export function notificationsFromRecords(records: readonly PagingRecord[], period: ReportPeriod): NotificationRecord[] {
  const out: NotificationRecord[] = [];
  for (const r of records) {
    if (r.event === 'test' || (r.status !== 'sent' && r.status !== 'failed')) continue;
    const at = r.status === 'sent' ? (r.sentAt ?? r.updatedAt) : r.updatedAt;
    if (t(at) < t(period.from) || t(at) >= t(period.to)) continue;
    out.push({ transitionId: r.transitionId, incidentKey: r.incidentKey, route: r.route, status: r.status, at });
  }
  return out.sort((a, b) => t(a.at) - t(b.at));
}

/** Gaps and windows overlapping the period; a row written when it opened is superseded by its closed version. */
function intervals<R extends { from: string; to?: string }>(
  rows: readonly R[],
  key: (r: R) => string,
  p: ReportPeriod,
) {
  const byKey = new Map<string, R>();
  for (const r of rows) {
    const k = key(r);
    const kept = byKey.get(k);
    if (!kept || (kept.to === undefined && r.to !== undefined)) byKey.set(k, r);
  }
  return [...byKey.values()]
    .filter((r) => t(r.from) < t(p.to) && (r.to === undefined || t(r.to) > t(p.from)))
    .sort((a, b) => t(a.from) - t(b.from));
}

export function assembleHistory(c: RecordedCluster, period: ReportPeriod): ClusterHistory {
  const r = c.record;
  const nodes = [...r.nodes].sort((a, b) => a.priority - b.priority).map((n) => n.name);
  const probes: ProbeObservation[] = [];
  const seen = new Set<string>();
  const rows = c.historyRows;
  for (const row of rows) {
    if (row.kind !== 'probeChange') continue;
    for (const o of [row.before, row.after]) {
      if (seen.has(o.at)) continue;
      seen.add(o.at);
      probes.push({ at: o.at, answering: [...o.answering] });
    }
  }
  probes.sort((a, b) => t(a.at) - t(b.at));
  const probeMinutes = rows
    .flatMap((row) => (row.kind === 'minute' ? [row] : []))
    .filter((m) => t(m.minute) >= t(period.from) && t(m.minute) < t(period.to))
    .sort((a, b) => t(a.minute) - t(b.minute))
    .map((m) => ({
      minute: m.minute,
      answering: Object.entries(m.counts)
        .filter(([, n]) => n * 2 >= m.observations)
        .map(([node]) => node)
        .sort(),
    }));
  const qwkGaps = intervals(
    rows.flatMap((row) => (row.kind === 'qwkGap' ? [row] : [])),
    (g) => `${g.node}|${g.from}`,
    period,
  ).map((g) => ({ node: g.node, from: g.from, ...(g.to !== undefined ? { to: g.to } : {}) }));
  const relayGaps = intervals(
    rows.flatMap((row) => (row.kind === 'relayGap' ? [row] : [])),
    (g) => g.from,
    period,
  ).map((g) => ({ from: g.from, ...(g.to !== undefined ? { to: g.to } : {}) }));
  const maintenance = intervals(
    rows.flatMap((row) => (row.kind === 'maintenance' ? [row] : [])),
    (g) => g.from,
    period,
  ).map((g) => ({ from: g.from, ...(g.to !== undefined ? { to: g.to } : {}), reason: g.reason }));
  const link = c.publicUrl
    ? `${c.publicUrl}/api/clusters/${encodeURIComponent(r.subscriptionId)}/${encodeURIComponent(r.resourceGroup)}`
    : undefined;
  return {
    version: HISTORY_VERSION,
    cluster: {
      subscriptionId: r.subscriptionId,
      resourceGroup: r.resourceGroup,
      nodes,
      witness: r.witness.name,
      registeredAt: r.registeredAt,
      ...(link !== undefined ? { link } : {}),
    },
    states: statesFromTimeline(c.timeline, r.activeNode, period),
    probes,
    probeMinutes,
    qwkGaps,
    relayGaps,
    maintenance,
    incidents: incidentsFromRecords(c.transitions, c.incidents, period),
    notifications: notificationsFromRecords(c.notifications, period),
  };
}

/** What `readClusterHistory` reads from. */
export interface HistorySources {
  timeline(sub: string, rg: string, from: string, to: string): Promise<TimelineEntry[]>;
  history(sub: string, rg: string, from: string, to: string): Promise<HistoryRow[]>;
  transitions(sub: string, rg: string): Promise<IncidentTransition[]>;
  incidents(sub: string, rg: string): Promise<Incident[]>;
  notifications(sub: string, rg: string): Promise<PagingRecord[]>;
  publicUrl?: string;
}

/** Reads one cluster's records and assembles its history for the period. */
export async function readClusterHistory(
  sources: HistorySources,
  record: RecordedCluster['record'],
  period: ReportPeriod,
): Promise<ClusterHistory> {
  const { subscriptionId: s, resourceGroup: g } = record;
  const [timeline, historyRows, transitions, incidents, notifications] = await Promise.all([
    sources.timeline(s, g, period.from, period.to),
    sources.history(s, g, period.from, period.to),
    sources.transitions(s, g),
    sources.incidents(s, g),
    sources.notifications(s, g),
  ]);
  return assembleHistory(
    {
      record,
      timeline,
      historyRows,
      transitions,
      incidents,
      notifications,
      ...(sources.publicUrl !== undefined ? { publicUrl: sources.publicUrl } : {}),
    },
    period,
  );
}
