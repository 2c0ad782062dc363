/**
 * What the health reports (Monitoring 5/5) need and the health row alone does not keep: a compact, bounded history
 * recorded by the evaluation path. PURE: from the previous accumulator (kept in the cluster's health row, written by
 * every evaluation anyway) and the new health, the next accumulator and the rows to add to TABLES.clusterHistory.
 *
 * Rows (one partition per cluster; row keys sort by time within each kind):
 * - `m~<minute>`  one per minute with probe observations: how many, and how often each node answered (written once,
 *   when the next minute's first observation arrives);
 * - `p~<at>`      one per change of the set of answering nodes: the observation before and the one after (the
 *   effective RTO of a failover is measured between them);
 * - `q~<from>~<node>` a QWK object gap: written when it opens (no `to`) and again when it closes;
 * - `r~<from>`    a relay gap (no snapshot for longer than the diagnosis allows), the same way;
 * - `w~<from>`    a maintenance window, the same way.
 * Writes happen only on a change or once per minute per cluster.
 */
import type { ClusterHealth } from './diagnosis';

/** One probe observation: the nodes whose health probe answered. */
export interface ProbeObservationRecord {
  at: string;
  answering: string[];
}

export interface MinuteRow {
  kind: 'minute';
  /** Start of the UTC minute. */
  minute: string;
  observations: number;
  /** Per node, in how many of the minute's observations it answered. */
  counts: Record<string, number>;
}

export interface ProbeChangeRow {
  kind: 'probeChange';
  before: ProbeObservationRecord;
  after: ProbeObservationRecord;
}

export interface QwkGapRow {
  kind: 'qwkGap';
  node: string;
  from: string;
  to?: string;
}

export interface RelayGapRow {
  kind: 'relayGap';
  from: string;
  to?: string;
}

export interface MaintenanceRow {
  kind: 'maintenance';
  from: string;
  to?: string;
  reason: string;
}

export type HistoryRow = MinuteRow | ProbeChangeRow | QwkGapRow | RelayGapRow | MaintenanceRow;

/** Kept in the health row between evaluations (small: a few fields per node). */
export interface HistoryAccumulator {
  /** The minute being counted. */
  minute?: { minute: string; observations: number; counts: Record<string, number> };
  /** The last probe observation. */
  lastProbe?: ProbeObservationRecord;
  /** Per node: its object's last advance, and the start of an open gap. */
  qwk: Record<string, { lastAdvancedAt: string; gapFrom?: string }>;
  /** Start of an open relay gap (the last snapshot's receipt). */
  relayGapFrom?: string;
  /** An open maintenance window. */
  maintenance?: { from: string; reason: string };
}

export interface HistoryThresholds {
  /** A node's object not advancing for longer than this is a QWK gap (seconds). */
  qwkGapSeconds: number;
}

const MINUTE = 60_000;
const minuteOf = (iso: string) => new Date(Math.floor(Date.parse(iso) / MINUTE) * MINUTE).toISOString();
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, k) => x === b[k]);

/** The row key of a history row in its cluster's partition. */
export function historyRowKey(row: HistoryRow): string {
  switch (row.kind) {
    case 'minute':
      return `m~${row.minute}`;
    case 'probeChange':
      return `p~${row.after.at}`;
    case 'qwkGap':
      return `q~${row.from}~${encodeURIComponent(row.node)}`;
    case 'relayGap':
      return `r~${row.from}`;
    case 'maintenance':
      return `w~${row.from}`;
  }
}

/**
 * The next accumulator and the rows to write, from the previous accumulator, the previous and the new health.
 * A probe observation is counted only when the health carries a new probe read (`lastProbeAt` changed).
 */
export function recordHistory(
  previous: HistoryAccumulator | undefined,
  health: ClusterHealth,
  previousHealth: ClusterHealth | undefined,
  thresholds: HistoryThresholds,
): { history: HistoryAccumulator; rows: HistoryRow[] } {
  const rows: HistoryRow[] = [];
  const acc: HistoryAccumulator = {
    ...(previous?.minute ? { minute: { ...previous.minute, counts: { ...previous.minute.counts } } } : {}),
    ...(previous?.lastProbe ? { lastProbe: previous.lastProbe } : {}),
    qwk: { ...(previous?.qwk ?? {}) },
    ...(previous?.relayGapFrom ? { relayGapFrom: previous.relayGapFrom } : {}),
    ...(previous?.maintenance ? { maintenance: previous.maintenance } : {}),
  };

  // Probe: a new read with every node's answer known.
  const probeAt = health.lastProbeAt;
  const known = health.nodes.every((n) => n.probe === 'Up' || n.probe === 'Down');
  if (probeAt && probeAt !== previousHealth?.lastProbeAt && known && probeAt !== acc.lastProbe?.at) {
    const answering = health.nodes
      .filter((n) => n.probe === 'Up')
      .map((n) => n.name)
      .sort();
    const obs = { at: probeAt, answering };
    const m = minuteOf(probeAt);
    if (acc.minute && acc.minute.minute !== m) {
      if (acc.minute.minute < m) rows.push({ kind: 'minute', ...acc.minute });
      delete acc.minute;
    }
    acc.minute ??= { minute: m, observations: 0, counts: {} };
    acc.minute.observations += 1;
    for (const n of answering) acc.minute.counts[n] = (acc.minute.counts[n] ?? 0) + 1;
    if (acc.lastProbe && !sameSet(acc.lastProbe.answering, answering)) {
      rows.push({ kind: 'probeChange', before: acc.lastProbe, after: obs });
    }
    acc.lastProbe = obs;
  }

  // QWK objects: consecutive advances further apart than the threshold, or an object that has not advanced since.
  const limitMs = thresholds.qwkGapSeconds * 1000;
  for (const n of health.nodes) {
    const q = n.qwk;
    if (!q) continue;
    const kept = acc.qwk[n.name];
    if (!kept) {
      acc.qwk[n.name] = { lastAdvancedAt: q.lastAdvancedAt };
    } else if (q.lastAdvancedAt !== kept.lastAdvancedAt) {
      if (Date.parse(q.lastAdvancedAt) - Date.parse(kept.lastAdvancedAt) > limitMs || kept.gapFrom !== undefined)
        rows.push({ kind: 'qwkGap', node: n.name, from: kept.gapFrom ?? kept.lastAdvancedAt, to: q.lastAdvancedAt });
      acc.qwk[n.name] = { lastAdvancedAt: q.lastAdvancedAt };
    } else if (kept.gapFrom === undefined && q.ageSeconds * 1000 > limitMs) {
      rows.push({ kind: 'qwkGap', node: n.name, from: kept.lastAdvancedAt });
      acc.qwk[n.name] = { ...kept, gapFrom: kept.lastAdvancedAt };
    }
  }

  // Relay: a gap opens when the diagnosis finds it silent, and closes with the next snapshot.
  const relay = health.witness.relay;
  if (relay) {
    if (!relay.fresh && acc.relayGapFrom === undefined) {
      acc.relayGapFrom = relay.receivedAt;
      rows.push({ kind: 'relayGap', from: relay.receivedAt });
    } else if (acc.relayGapFrom !== undefined && relay.receivedAt !== acc.relayGapFrom) {
      rows.push({ kind: 'relayGap', from: acc.relayGapFrom, to: relay.receivedAt });
      delete acc.relayGapFrom;
      if (!relay.fresh) {
        acc.relayGapFrom = relay.receivedAt;
        rows.push({ kind: 'relayGap', from: relay.receivedAt });
      }
    }
  }

  // Maintenance windows, as the diagnosis found them.
  if (health.maintenance && !acc.maintenance) {
    acc.maintenance = { from: health.lastEvaluatedAt, reason: health.maintenanceReason ?? 'maintenance' };
    rows.push({ kind: 'maintenance', ...acc.maintenance });
  } else if (!health.maintenance && acc.maintenance) {
    rows.push({ kind: 'maintenance', ...acc.maintenance, to: health.lastEvaluatedAt });
    delete acc.maintenance;
  }
  return { history: acc, rows };
}
