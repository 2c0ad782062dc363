/**
 * The health report's input: what monitoring recorded about ONE cluster over a period. A plain, JSON-serialisable
 * value (ISO strings, arrays, no Dates or Maps) that the cluster-health store (Monitoring 3/5) and the paging
 * delivery log (Monitoring 4/5) can produce; `figures.ts` turns it into the report's figures. Pure, no I/O.
 *
 * Conventions: every time is an ISO-8601 UTC string; every list is sorted by time (the figures sort defensively);
 * an interval `{from, to}` is half-open [from, to), and an interval without `to` is still running at the end of the
 * history. Node names are the LifeKeeper/VM names (e.g. "Clstr-nodeA").
 */
import type { ClusterState, ConditionKind, Severity } from '../monitoring/contracts';

/** Version of this shape; bump on an incompatible change. */
export const HISTORY_VERSION = 1;

/** The cluster's facts, as the registry holds them. */
export interface HistoryCluster {
  subscriptionId: string;
  resourceGroup: string;
  /** Display name; defaults to the resource group. */
  name?: string;
  /** The two LifeKeeper nodes, in priority order (primary first). */
  nodes: string[];
  /** The witness VM's name (e.g. "Witness-node"). */
  witness: string;
  /** When monitoring started watching it; minutes before this are not part of any figure. */
  registeredAt: string;
  /** The protected service's tag, e.g. "pgsql-5432". */
  serviceTag?: string;
  /** The app's URL of the cluster's page (GET /api/clusters/{sub}/{rg}), if known. */
  link?: string;
}

/** One change of the cluster's diagnosed state (the `clustertimeline` table). */
export interface StateChange {
  at: string;
  state: ClusterState;
  /** The node whose resources are In Service after this change (as the probe / hierarchy shows), if known. */
  activeNode?: string;
}

/** One fast observation of the load balancer's per-backend probe health (rule health API, every sweep). */
export interface ProbeObservation {
  at: string;
  /** Names of the nodes whose health probe answered. */
  answering: string[];
}

/**
 * One minute of probe history (e.g. DipAvailability per BackendIPAddress at PT1M grain, a backend counting as
 * answering when its average is at least 50 %): which nodes answered during the minute starting at `minute`.
 */
export interface ProbeMinute {
  /** Start of the minute (seconds and milliseconds zero). */
  minute: string;
  answering: string[];
}

/** A stretch in which a node's QWK object did not advance (longer than the relay's normal interval). */
export interface QwkGap {
  node: string;
  /** The object's last advance before the gap. */
  from: string;
  /** Its next advance; absent while it still does not advance. */
  to?: string;
}

/** A stretch in which no relay snapshot arrived (longer than the relay's expected interval). */
export interface RelayGap {
  from: string;
  to?: string;
}

/** A maintenance window (deployment switchover test, failover drill, silence for maintenance). */
export interface MaintenanceWindow {
  from: string;
  to?: string;
  reason: string;
}

/** An incident as the incidents table holds it (the fields the report uses). */
export interface IncidentRecord {
  key: string;
  kind: ConditionKind;
  node?: string;
  severity: Severity;
  openedAt: string;
  /** Absent while open. */
  resolvedAt?: string;
  /** Opened during maintenance: recorded, never paged. */
  maintenance?: boolean;
  /** FailedOver: from → to. */
  from?: string;
  to?: string;
}

/** One delivery outcome of the paging pipeline, per (transition, route). */
export interface NotificationRecord {
  /** The transition's id, `${incidentKey}#${revision}`. */
  transitionId: string;
  incidentKey: string;
  /** The route's name (e.g. "pagerduty", "teams-dba"). */
  route: string;
  status: 'sent' | 'failed';
  at: string;
}

/** Everything the report knows about one cluster for [from, to). */
export interface ClusterHistory {
  version: typeof HISTORY_VERSION;
  cluster: HistoryCluster;
  /**
   * State changes in the period, preceded by the last change before `from` (so the state and active node at
   * `from` are known). Empty: the cluster's state is unknown.
   */
  states: StateChange[];
  /** Fast probe observations in the period (used for the effective RTO of failovers). */
  probes: ProbeObservation[];
  /**
   * Per-minute probe history (used for service availability). When absent it is derived from `probes` by
   * `minutesFromObservations`. A minute without a record has no data.
   */
  probeMinutes?: ProbeMinute[];
  /** QWK object gaps that overlap the period. */
  qwkGaps: QwkGap[];
  /** Relay silences that overlap the period. */
  relayGaps: RelayGap[];
  /** Maintenance windows that overlap the period. */
  maintenance: MaintenanceWindow[];
  /** Incidents open at any time in the period (opened before and still open, opened or resolved in it). */
  incidents: IncidentRecord[];
  /** Notification outcomes in the period. */
  notifications: NotificationRecord[];
}

const MINUTE = 60_000;

/** Start of the UTC minute containing `ms`. */
export function minuteFloor(ms: number): number {
  return Math.floor(ms / MINUTE) * MINUTE;
}

/**
 * Per-minute records from fast observations: a node answered in a minute when it answered in at least half of
 * that minute's observations. Minutes without observations get no record (no data).
 */
export function minutesFromObservations(observations: readonly ProbeObservation[]): ProbeMinute[] {
  const byMinute = new Map<number, { total: number; counts: Map<string, number> }>();
  for (const o of observations) {
    const m = minuteFloor(Date.parse(o.at));
    let slot = byMinute.get(m);
    if (!slot) byMinute.set(m, (slot = { total: 0, counts: new Map() }));
    slot.total += 1;
    for (const node of new Set(o.answering)) slot.counts.set(node, (slot.counts.get(node) ?? 0) + 1);
  }
  return [...byMinute.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([m, slot]) => ({
      minute: new Date(m).toISOString(),
      answering: [...slot.counts.entries()]
        .filter(([, n]) => n * 2 >= slot.total)
        .map(([node]) => node)
        .sort(),
    }));
}
