/**
 * The health report's figures, computed from recorded histories (history.ts) for a period [from, to). Pure and
 * deterministic: the same histories and period give the same figures. How each figure is computed is documented
 * on its field and in docs/REPORTS.md.
 */
import { SEVERITY_RANK, type ClusterState, type ConditionKind, type Severity } from '../monitoring/contracts';
import { minuteFloor, minutesFromObservations, type ClusterHistory, type IncidentRecord } from './history';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

export interface ReportPeriod {
  from: string;
  to: string;
}

/** A stretch of time, clipped to the watched part of the period. */
export interface Span {
  from: string;
  to: string;
  seconds: number;
  /** Still running at the end of the period. */
  open: boolean;
}

/** How one whole minute of the watched period is counted. */
export type MinuteClass = 'up' | 'outage' | 'splitBrain' | 'noData' | 'maintenance';

export interface AvailabilityFigures {
  /** Whole minutes of the period from registration on. */
  watchedMinutes: number;
  /** Whole minutes of the period before the cluster was registered (in no figure). */
  notWatchedMinutes: number;
  /** Exactly one backend answered. */
  upMinutes: number;
  /** No backend answered. */
  outageMinutes: number;
  /** Both backends answered. */
  splitBrainMinutes: number;
  /** No probe record for the minute (monitoring blind). */
  noDataMinutes: number;
  /** The minute overlaps a maintenance window (planned; excluded from availability). */
  maintenanceMinutes: number;
  /** up / (up + outage + splitBrain); null when no minute was measured. */
  availability: number | null;
}

export interface FailoverFigure {
  from: string;
  to: string;
  /** When the state timeline recorded the new active node. */
  at: string;
  /** The old node's last probe answer at or before `at`. */
  oldLastAnswer: string | null;
  /** The new node's first probe answer after `oldLastAnswer`. */
  newFirstAnswer: string | null;
  /** Effective RTO: newFirstAnswer − oldLastAnswer, in seconds; null when either is unknown. */
  rtoSeconds: number | null;
  /** Happened inside a maintenance window (a planned switchover). */
  planned: boolean;
}

export interface QwkNodeFigure {
  node: string;
  gaps: number;
  totalSeconds: number;
  longest: Span | null;
}

export interface IncidentFigure {
  key: string;
  kind: ConditionKind;
  node?: string;
  severity: Severity;
  openedAt: string;
  resolvedAt?: string;
  /** resolvedAt − openedAt, for incidents resolved in the period. */
  secondsToResolve?: number;
  maintenance: boolean;
}

export interface RouteFigure {
  route: string;
  sent: number;
  failed: number;
}

export interface OpenCondition {
  kind: ConditionKind;
  node?: string;
  severity: Severity;
  since: string;
}

export interface PresentFigure {
  /** The state at the end of the period; 'Unknown' when nothing was recorded. */
  state: ClusterState | 'Unknown';
  activeNode: string | null;
  /** When that state began (the last state change before the end). */
  since: string | null;
  /** Incidents still open at the end, most severe first. */
  open: OpenCondition[];
  /** True while a FailedOver or NodeLost incident is open: the cluster runs on one node. */
  unprotected: boolean;
  /** What needs doing now, most urgent first. */
  actions: string[];
}

export interface RiskFigure {
  score: number;
  /** The terms that make up the score, e.g. "open critical incident WitnessLost: +100". */
  reasons: string[];
}

/** Runs for the timeline drawing (the same data as the figures, in drawing order). */
export interface TimelineFigure {
  activeBands: Array<{ node: string | null; state: ClusterState; from: string; to: string }>;
  probeRuns: Array<{ class: MinuteClass; from: string; to: string }>;
  qwkGaps: Array<{ node: string } & Span>;
  witnessLost: Span[];
  relaySilent: Span[];
  maintenance: Array<{ reason: string } & Span>;
}

export interface ClusterFigures {
  cluster: {
    subscriptionId: string;
    resourceGroup: string;
    name: string;
    nodes: string[];
    witness: string;
    registeredAt: string;
    serviceTag?: string;
    link?: string;
  };
  period: ReportPeriod & {
    /** max(from, registeredAt); null when the cluster was registered after the period. */
    watchedFrom: string | null;
  };
  availability: AvailabilityFigures;
  failovers: FailoverFigure[];
  /** Union of FailedOver and NodeLost incidents: the cluster ran on one node. */
  withoutStandby: { seconds: number; spans: Span[] };
  /** Union of WitnessLost incidents; availability = 1 − lost / watched time. */
  witness: { availability: number | null; lostSeconds: number; spans: Span[] };
  /** Union of relay gaps; availability = 1 − silent / watched time. */
  relay: { availability: number | null; silentSeconds: number; spans: Span[] };
  qwk: QwkNodeFigure[];
  incidents: {
    /** Opened in the period. */
    opened: number;
    /** Resolved in the period. */
    resolved: number;
    /** Still open at the end of the period. */
    openAtEnd: number;
    /** Over the incidents resolved in the period. */
    medianSecondsToResolve: number | null;
    maxSecondsToResolve: number | null;
    list: IncidentFigure[];
  };
  pages: { sent: number; failed: number; byRoute: RouteFigure[] };
  present: PresentFigure;
  risk: RiskFigure;
  timeline: TimelineFigure;
}

export interface FleetRow {
  rank: number;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  state: ClusterState | 'Unknown';
  activeNode: string | null;
  availability: number | null;
  failovers: number;
  openIncidents: number;
  riskScore: number;
  /** The most urgent action, if any. */
  action: string | null;
}

// ---------- interval helpers ----------

interface MsInterval {
  from: number;
  to: number;
  open: boolean;
}

function ms(iso: string): number {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`not an ISO time: ${JSON.stringify(iso)}`);
  return t;
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

/** Clips [from, to ?? end) to [start, end); `open` when it had no end or ends at/after `end`. Null when empty. */
function clip(from: string, to: string | undefined, start: number, end: number): MsInterval | null {
  const a = Math.max(ms(from), start);
  const rawEnd = to === undefined ? Infinity : ms(to);
  const b = Math.min(rawEnd, end);
  if (b <= a) return null;
  return { from: a, to: b, open: to === undefined || rawEnd > end };
}

/** Union of intervals (sorted, overlapping or touching ones merged). */
function union(intervals: MsInterval[]): MsInterval[] {
  const sorted = [...intervals].sort((x, y) => x.from - y.from);
  const out: MsInterval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.from <= last.to) {
      if (i.to > last.to) last.open = i.open;
      else if (i.to === last.to) last.open = last.open || i.open;
      last.to = Math.max(last.to, i.to);
    } else out.push({ ...i });
  }
  return out;
}

function span(i: MsInterval): Span {
  return { from: iso(i.from), to: iso(i.to), seconds: (i.to - i.from) / SECOND, open: i.open };
}

function totalSeconds(intervals: MsInterval[]): number {
  return intervals.reduce((s, i) => s + (i.to - i.from), 0) / SECOND;
}

function median(values: number[]): number | null {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const upper = s[mid];
  if (upper === undefined) return null; // no values
  if (s.length % 2) return upper;
  const lower = s[mid - 1]; // an even, non-zero count: mid ≥ 1
  return lower === undefined ? upper : (lower + upper) / 2;
}

/** Sorted by time (stable); time strings are parsed once, and an already sorted list is only copied. */
function byTime<T>(items: readonly T[], at: (t: T) => string): T[] {
  const keyed = items.map((item, k) => ({ item, k, t: ms(at(item)) }));
  const sorted = keyed.every((e, k) => {
    const before = keyed[k - 1];
    return before === undefined || before.t <= e.t;
  });
  if (sorted) return [...items];
  return keyed.sort((a, b) => a.t - b.t || a.k - b.k).map((e) => e.item);
}

// ---------- what needs doing ----------

/** The action an open condition asks for (guide sections where they apply). */
export function actionFor(c: OpenCondition, h: Pick<ClusterHistory, 'cluster'>, activeNode: string | null): string {
  const other = (node?: string) => h.cluster.nodes.find((n) => n !== node) ?? 'the other node';
  switch (c.kind) {
    case 'SplitBrain':
      return `Stop the service on one node now: both nodes answer the load balancer's probe (split brain); keep the one with the newer data`;
    case 'Outage':
      return `Restore the service: no node answers the probe — check both nodes and bring the hierarchy In Service on one`;
    case 'WitnessLost':
      return `Restore ${h.cluster.witness} (QWK storage) now: guide §9.4 — with the witness down, a comm-path failure stops resources on every node`;
    case 'FailedOver': {
      const back = c.node ?? (activeNode ? other(activeNode) : 'the failed node');
      return `Bring ${back} back as standby: the cluster runs on ${activeNode ?? other(back)} without a standby`;
    }
    case 'NodeLost':
      return `Bring ${c.node ?? 'the lost node'} back (power, network, LifeKeeper) so that it rejoins as standby`;
    case 'CommPathsDown':
      return `Restore the communication paths between ${h.cluster.nodes.join(' and ')}: one more failure stops every node (guide §9.4)`;
    case 'MonitoringBlind':
      return `Restore the missing monitoring signals (relay, probe health, metrics): the cluster's health is unknown`;
  }
}

// ---------- risk ----------

/** Points per open incident, by severity. */
export const RISK_OPEN: Record<Severity, number> = { critical: 100, error: 50, warning: 10, info: 0 };
/** Cap of the history part, so that any open critical or error incident outranks any past. */
export const RISK_PAST_CAP = 49;

function riskOf(f: Omit<ClusterFigures, 'risk'>): RiskFigure {
  const reasons: string[] = [];
  let present = 0;
  for (const c of f.present.open) {
    present += RISK_OPEN[c.severity];
    if (RISK_OPEN[c.severity]) reasons.push(`open ${c.severity} incident ${c.kind}: +${RISK_OPEN[c.severity]}`);
  }
  const terms: Array<[string, number]> = [
    [`${f.availability.outageMinutes} outage minute(s) × 2`, 2 * f.availability.outageMinutes],
    [`${f.availability.splitBrainMinutes} split-brain minute(s) × 3`, 3 * f.availability.splitBrainMinutes],
    [
      `${f.failovers.filter((x) => !x.planned).length} unplanned failover(s) × 10`,
      10 * f.failovers.filter((x) => !x.planned).length,
    ],
    [
      `${Math.floor(f.withoutStandby.seconds / 3600)} hour(s) without standby × 1`,
      Math.floor(f.withoutStandby.seconds / 3600),
    ],
    [
      `${Math.floor(f.witness.lostSeconds / 600)} × 10 minutes without witness × 1`,
      Math.floor(f.witness.lostSeconds / 600),
    ],
    [`${f.pages.failed} failed page(s) × 5`, 5 * f.pages.failed],
    [
      `${Math.floor(f.availability.noDataMinutes / 30)} × 30 minutes without probe data × 1`,
      Math.floor(f.availability.noDataMinutes / 30),
    ],
  ];
  let past = 0;
  for (const [text, points] of terms) {
    if (points > 0) {
      past += points;
      reasons.push(`${text}: +${points}`);
    }
  }
  if (past > RISK_PAST_CAP) reasons.push(`history capped at ${RISK_PAST_CAP}`);
  return { score: present + Math.min(past, RISK_PAST_CAP), reasons };
}

// ---------- one cluster ----------

export function clusterFigures(h: ClusterHistory, period: ReportPeriod): ClusterFigures {
  const from = ms(period.from);
  const to = ms(period.to);
  if (!(to > from)) throw new Error(`the period must end after it starts: [${period.from}, ${period.to})`);
  const registered = ms(h.cluster.registeredAt);
  const start = Math.max(from, registered);
  const watched = start < to;
  const watchedMs = watched ? to - start : 0;

  // Availability over whole minutes.
  const firstMinute = Math.ceil(from / MINUTE) * MINUTE;
  const endMinute = minuteFloor(to);
  const watchedFirst = Math.ceil(start / MINUTE) * MINUTE;
  const totalMinutes = Math.max(0, (endMinute - firstMinute) / MINUTE);
  const records = new Map<number, string[]>();
  for (const m of h.probeMinutes ?? minutesFromObservations(h.probes)) {
    records.set(minuteFloor(ms(m.minute)), m.answering);
  }
  const maintenance = h.maintenance
    .map((w) => ({ w, i: clip(w.from, w.to, start, to) }))
    .filter((x): x is { w: (typeof h.maintenance)[number]; i: MsInterval } => x.i !== null);
  const av: AvailabilityFigures = {
    watchedMinutes: 0,
    notWatchedMinutes: 0,
    upMinutes: 0,
    outageMinutes: 0,
    splitBrainMinutes: 0,
    noDataMinutes: 0,
    maintenanceMinutes: 0,
    availability: null,
  };
  const probeRuns: TimelineFigure['probeRuns'] = [];
  for (let m = Math.max(watchedFirst, firstMinute); m + MINUTE <= endMinute; m += MINUTE) {
    let cls: MinuteClass;
    if (maintenance.some(({ i }) => i.from < m + MINUTE && i.to > m)) cls = 'maintenance';
    else {
      const answering = records.get(m);
      if (answering === undefined) cls = 'noData';
      else {
        const n = new Set(answering).size;
        cls = n === 0 ? 'outage' : n === 1 ? 'up' : 'splitBrain';
      }
    }
    av.watchedMinutes += 1;
    const key = (
      {
        up: 'upMinutes',
        outage: 'outageMinutes',
        splitBrain: 'splitBrainMinutes',
        noData: 'noDataMinutes',
        maintenance: 'maintenanceMinutes',
      } as const
    )[cls];
    av[key] += 1;
    const last = probeRuns[probeRuns.length - 1];
    if (last && last.class === cls && ms(last.to) === m) last.to = iso(m + MINUTE);
    else probeRuns.push({ class: cls, from: iso(m), to: iso(m + MINUTE) });
  }
  av.notWatchedMinutes = totalMinutes - av.watchedMinutes;
  const measured = av.upMinutes + av.outageMinutes + av.splitBrainMinutes;
  av.availability = measured ? av.upMinutes / measured : null;

  // State timeline: bands of the active node, failovers.
  const states = byTime(h.states, (s) => s.at);
  const probes = byTime(h.probes, (p) => p.at).map((p) => ({ at: p.at, t: ms(p.at), answering: p.answering }));
  const activeBands: TimelineFigure['activeBands'] = [];
  const failovers: FailoverFigure[] = [];
  let previousActive: string | undefined;
  let previousFailoverAt = -Infinity;
  for (const [k, s] of states.entries()) {
    const at = ms(s.at);
    if (at >= to) break;
    const band = clip(s.at, states[k + 1]?.at, start, to);
    if (band) activeBands.push({ node: s.activeNode ?? null, state: s.state, from: iso(band.from), to: iso(band.to) });
    if (s.activeNode && previousActive && s.activeNode !== previousActive && at >= start) {
      const old = previousActive;
      const neu = s.activeNode;
      // The last probe up to the failover (after the previous one) that the old node answered, and the first
      // later probe that the new node answered.
      let lastOld: { k: number; at: string; t: number } | undefined;
      for (let j = probes.length - 1; j >= 0; j--) {
        const p = probes[j];
        if (p !== undefined && p.t <= at && p.t > previousFailoverAt && p.answering.includes(old)) {
          lastOld = { k: j, at: p.at, t: p.t };
          break;
        }
      }
      let firstNew: { at: string; t: number } | undefined;
      if (lastOld !== undefined) {
        for (let j = lastOld.k + 1; j < probes.length; j++) {
          const p = probes[j];
          if (p !== undefined && p.t > lastOld.t && p.answering.includes(neu)) {
            firstNew = p;
            break;
          }
        }
      }
      failovers.push({
        from: old,
        to: neu,
        at: s.at,
        oldLastAnswer: lastOld !== undefined ? lastOld.at : null,
        newFirstAnswer: firstNew !== undefined ? firstNew.at : null,
        rtoSeconds: lastOld !== undefined && firstNew !== undefined ? (firstNew.t - lastOld.t) / SECOND : null,
        planned: maintenance.some(({ i }) => i.from <= at && at < i.to),
      });
      previousFailoverAt = at;
    }
    if (s.activeNode) previousActive = s.activeNode;
  }

  // Incident-derived spans.
  const incidentSpans = (kinds: ConditionKind[]) =>
    union(
      h.incidents
        .filter((i) => kinds.includes(i.kind))
        .map((i) => clip(i.openedAt, i.resolvedAt, start, to))
        .filter((i): i is MsInterval => i !== null),
    );
  const noStandby = incidentSpans(['FailedOver', 'NodeLost']);
  const witnessLost = incidentSpans(['WitnessLost']);
  const relaySilent = union(
    h.relayGaps.map((g) => clip(g.from, g.to, start, to)).filter((i): i is MsInterval => i !== null),
  );
  const share = (lost: MsInterval[]) => (watchedMs ? 1 - (totalSeconds(lost) * SECOND) / watchedMs : null);

  // QWK gaps per node (every node listed, even without gaps).
  const qwkClipped = h.qwkGaps
    .map((g) => ({ node: g.node, i: clip(g.from, g.to, start, to) }))
    .filter((x): x is { node: string; i: MsInterval } => x.i !== null);
  const qwk: QwkNodeFigure[] = h.cluster.nodes.map((node) => {
    const mine = union(qwkClipped.filter((g) => g.node === node).map((g) => g.i));
    const longest = mine.reduce<MsInterval | null>(
      (best, i) => (!best || i.to - i.from > best.to - best.from ? i : best),
      null,
    );
    return { node, gaps: mine.length, totalSeconds: totalSeconds(mine), longest: longest ? span(longest) : null };
  });

  // Incidents.
  const inPeriod = (t: string | undefined) => t !== undefined && ms(t) >= start && ms(t) < to;
  const relevant = byTime(
    h.incidents.filter((i) => clip(i.openedAt, i.resolvedAt, start, to) !== null || inPeriod(i.resolvedAt)),
    (i) => i.openedAt,
  );
  const list: IncidentFigure[] = relevant.map((i) => ({
    key: i.key,
    kind: i.kind,
    ...(i.node !== undefined ? { node: i.node } : {}),
    severity: i.severity,
    openedAt: i.openedAt,
    ...(i.resolvedAt !== undefined ? { resolvedAt: i.resolvedAt } : {}),
    ...(inPeriod(i.resolvedAt) ? { secondsToResolve: (ms(i.resolvedAt!) - ms(i.openedAt)) / SECOND } : {}),
    maintenance: i.maintenance ?? false,
  }));
  const resolvedTimes = list.flatMap((i) => (i.secondsToResolve !== undefined ? [i.secondsToResolve] : []));
  const openAtEnd = (i: IncidentRecord) =>
    ms(i.openedAt) < to && (i.resolvedAt === undefined || ms(i.resolvedAt) >= to);

  // Pages.
  const routes = new Map<string, RouteFigure>();
  for (const n of h.notifications) {
    if (!inPeriod(n.at)) continue;
    const r = routes.get(n.route) ?? { route: n.route, sent: 0, failed: 0 };
    r[n.status] += 1;
    routes.set(n.route, r);
  }
  const byRoute = [...routes.values()].sort((a, b) => a.route.localeCompare(b.route));

  // Present state.
  const last = [...states].reverse().find((s) => ms(s.at) < to && watched);
  const lastActive = [...states].reverse().find((s) => ms(s.at) < to && s.activeNode)?.activeNode ?? null;
  const open: OpenCondition[] = watched
    ? h.incidents
        .filter(openAtEnd)
        .map((i) => ({
          kind: i.kind,
          ...(i.node !== undefined ? { node: i.node } : {}),
          severity: i.severity,
          since: i.openedAt,
        }))
        .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || ms(a.since) - ms(b.since))
    : [];
  const activeNode = watched ? lastActive : null;
  const actions = [...new Set(open.map((c) => actionFor(c, h, activeNode)))];
  const present: PresentFigure = {
    state: last?.state ?? 'Unknown',
    activeNode,
    since: last?.at ?? null,
    open,
    unprotected: open.some((c) => c.kind === 'FailedOver' || c.kind === 'NodeLost'),
    actions,
  };

  const withoutRisk: Omit<ClusterFigures, 'risk'> = {
    cluster: {
      subscriptionId: h.cluster.subscriptionId,
      resourceGroup: h.cluster.resourceGroup,
      name: h.cluster.name ?? h.cluster.resourceGroup,
      nodes: [...h.cluster.nodes],
      witness: h.cluster.witness,
      registeredAt: h.cluster.registeredAt,
      ...(h.cluster.serviceTag !== undefined ? { serviceTag: h.cluster.serviceTag } : {}),
      ...(h.cluster.link !== undefined ? { link: h.cluster.link } : {}),
    },
    period: { from: period.from, to: period.to, watchedFrom: watched ? iso(start) : null },
    availability: av,
    failovers,
    withoutStandby: { seconds: totalSeconds(noStandby), spans: noStandby.map(span) },
    witness: { availability: share(witnessLost), lostSeconds: totalSeconds(witnessLost), spans: witnessLost.map(span) },
    relay: { availability: share(relaySilent), silentSeconds: totalSeconds(relaySilent), spans: relaySilent.map(span) },
    qwk,
    incidents: {
      opened: list.filter((i) => inPeriod(i.openedAt)).length,
      resolved: resolvedTimes.length,
      openAtEnd: watched ? h.incidents.filter(openAtEnd).length : 0,
      medianSecondsToResolve: median(resolvedTimes),
      maxSecondsToResolve: resolvedTimes.length ? Math.max(...resolvedTimes) : null,
      list,
    },
    pages: {
      sent: byRoute.reduce((s, r) => s + r.sent, 0),
      failed: byRoute.reduce((s, r) => s + r.failed, 0),
      byRoute,
    },
    present,
    timeline: {
      activeBands,
      probeRuns,
      qwkGaps: qwkClipped.map((g) => ({ node: g.node, ...span(g.i) })),
      witnessLost: witnessLost.map(span),
      relaySilent: relaySilent.map(span),
      maintenance: maintenance.map(({ w, i }) => ({ reason: w.reason, ...span(i) })),
    },
  };
  return { ...withoutRisk, risk: riskOf(withoutRisk) };
}

// ---------- the fleet ----------

/**
 * Ranks clusters by risk score (highest first); ties by lower availability (unknown last), then by name.
 */
export function fleetSummary(clusters: readonly ClusterFigures[]): FleetRow[] {
  const sorted = [...clusters].sort(
    (a, b) =>
      b.risk.score - a.risk.score ||
      (a.availability.availability ?? 2) - (b.availability.availability ?? 2) ||
      a.cluster.name.localeCompare(b.cluster.name),
  );
  return sorted.map((c, k) => ({
    rank: k + 1,
    name: c.cluster.name,
    subscriptionId: c.cluster.subscriptionId,
    resourceGroup: c.cluster.resourceGroup,
    state: c.present.state,
    activeNode: c.present.activeNode,
    availability: c.availability.availability,
    failovers: c.failovers.length,
    openIncidents: c.incidents.openAtEnd,
    riskScore: c.risk.score,
    action: c.present.actions[0] ?? null,
  }));
}

/** A whole report's data: the fleet summary and each cluster's figures. */
export interface HealthReport {
  id: string;
  generatedAt: string;
  period: ReportPeriod;
  fleet: FleetRow[];
  clusters: ClusterFigures[];
}

const COMPACT = (t: string) =>
  t
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
    .replace(/Z$/, 'Z');

/**
 * The report's id: `hr-<from>-<to>` in compact UTC (e.g. hr-20261124T080000Z-20261125T080000Z), plus
 * `-<scope>` for a single-cluster report. The same period gives the same id, so a retried run overwrites.
 */
export function reportId(period: ReportPeriod, scope?: string): string {
  const base = `hr-${COMPACT(iso(ms(period.from)))}-${COMPACT(iso(ms(period.to)))}`;
  if (scope === undefined) return base;
  const clean = scope
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return clean ? `${base}-${clean}` : base;
}

/** Builds a report from each cluster's history (clusters in the order given; the fleet table ranks them). */
export function buildReport(
  histories: readonly ClusterHistory[],
  period: ReportPeriod,
  o: { generatedAt: string; scope?: string },
): HealthReport {
  const clusters = histories.map((h) => clusterFigures(h, period));
  const fleet = fleetSummary(clusters);
  const order = new Map(fleet.map((r) => [`${r.subscriptionId}/${r.resourceGroup}`, r.rank]));
  clusters.sort(
    (a, b) =>
      (order.get(`${a.cluster.subscriptionId}/${a.cluster.resourceGroup}`) ?? 0) -
      (order.get(`${b.cluster.subscriptionId}/${b.cluster.resourceGroup}`) ?? 0),
  );
  return { id: reportId(period, o.scope), generatedAt: o.generatedAt, period: { ...period }, fleet, clusters };
}
