/**
 * The diagnosis of one cluster: a PURE function of one evaluation's signals and the cluster's previous health to
 * its new health (state, active node, conditions with evidence, hysteresis bookkeeping) and the timeline entries
 * of what changed. No I/O, no clock: time comes from `signals.now`. docs/MONITORING.md explains every rule.
 */
import {
  CONDITION_SEVERITY,
  SEVERITY_RANK,
  type ClusterState,
  type Condition,
  type ConditionKind,
  type Evidence,
} from './contracts';
import {
  DEFAULT_DIAGNOSIS_OPTIONS,
  DEFAULT_RELAY_INTERVAL_SECONDS,
  qwkGapSeconds,
  type AvailabilityMetrics,
  type ClusterAlert,
  type ClusterSignals,
  type DiagnosisOptions,
  type PowerState,
  type ProbeState,
  type RelayNode,
} from './signals';

/** What one node looked like in the last evaluation (the cluster page's per-node line). */
export interface NodeView {
  name: string;
  serviceIp: string;
  /** `missing` when there was no usable probe read. */
  probe: ProbeState | 'missing';
  qwk?: {
    sequence: number;
    lastAdvancedAt: string;
    /** Seconds since the object last advanced, by the witness's clock, at the snapshot's time. */
    ageSeconds: number;
    fresh: boolean;
    commstat: string;
    peer?: string;
  };
  power?: PowerState;
}

/** Hysteresis bookkeeping of one condition (by kind and node). */
export interface ConditionTrack {
  key: string;
  /** The condition with its latest evidence. */
  condition: Condition;
  /** Reported (the state shows it, an incident may be open). */
  reported: boolean;
  /** Consecutive observations with the condition while not yet reported. */
  seen: number;
  /** Consecutive observations without it while reported. */
  missed: number;
  firstSeenAt: string;
  lastSeenAt: string;
  /** Time of the last observation that counted (observations closer than the minimum gap count once). */
  lastCountedAt: string;
}

/** A cluster's health after an evaluation: what is stored per cluster and read back by the next evaluation. */
export interface ClusterHealth {
  subscriptionId: string;
  resourceGroup: string;
  state: ClusterState;
  /** When `state` last changed. */
  since: string;
  /** The node that answers the probe alone (confirmed over two observations). */
  activeNode?: string;
  activeCandidate?: { node: string; seen: number; firstSeenAt: string; lastCountedAt: string };
  /** The last failover, kept until the old node is back as standby (the cluster is Unprotected meanwhile). */
  failover?: { from: string; to: string; at: string };
  /** Probe bookkeeping (probe observation times): the first of consecutive reads with both / no node answering. */
  bothUpSince?: string;
  noneUpSince?: string;
  lastProbeAt?: string;
  tracks: ConditionTrack[];
  /** The conditions reported now (those found in maintenance carry `maintenance: true`). */
  conditions: Condition[];
  maintenance: boolean;
  maintenanceReason?: string;
  /** Every signal this evaluation lacked (the essential ones also make a MonitoringBlind condition). */
  missingSignals: string[];
  /** What is settling and not yet a condition, e.g. "no node answers the probe for 12 s (Outage after 34 s)". */
  notes: string[];
  nodes: NodeView[];
  witness: {
    name: string;
    power?: PowerState;
    relay?: { receivedAt: string; witnessTime: string; counter: number; ageSeconds: number; fresh: boolean };
  };
  lastEvaluatedAt: string;
  evaluations: number;
}

/** One change of a cluster's state or active node: its timeline. */
export interface TimelineEntry {
  at: string;
  kind: 'state' | 'activeNode';
  from?: string;
  to: string;
  maintenance: boolean;
  text: string;
}

export interface DiagnosisResult {
  health: ClusterHealth;
  timeline: TimelineEntry[];
}

/** Kinds reported at once, without waiting for a second observation. */
const IMMEDIATE: ReadonlySet<ConditionKind> = new Set<ConditionKind>([
  'SplitBrain',
  'Outage',
  // Its confirmation is the active node's, which already takes two observations.
  'FailedOver',
  // Never report Healthy while blind, not even for one observation.
  'MonitoringBlind',
]);

/** Order among conditions of the same severity, for the cluster's overall state. */
const KIND_ORDER: ConditionKind[] = [
  'SplitBrain',
  'Outage',
  'WitnessLost',
  'FailedOver',
  'NodeLost',
  'CommPathsDown',
  'MonitoringBlind',
];

export function conditionKey(c: Pick<Condition, 'kind' | 'node'>): string {
  return `${c.kind}/${c.node ?? ''}`;
}

/** The worst of some conditions: the cluster's state (Healthy when there are none). */
export function worstState(conditions: readonly Condition[]): ClusterState {
  let worst: Condition | undefined;
  for (const c of conditions) {
    if (
      !worst ||
      SEVERITY_RANK[c.severity] < SEVERITY_RANK[worst.severity] ||
      (c.severity === worst.severity && KIND_ORDER.indexOf(c.kind) < KIND_ORDER.indexOf(worst.kind))
    )
      worst = c;
  }
  return worst?.kind ?? 'Healthy';
}

const ms = (iso: string) => Date.parse(iso);
const seconds = (n: number) => Math.round(n * 10) / 10;
/** QWK writes node names with '-' as '_' in object names; compare names loosely. */
const sameNode = (a: string, b: string) => a.toLowerCase().replace(/_/g, '-') === b.toLowerCase().replace(/_/g, '-');

export function diagnose(
  signals: ClusterSignals,
  previous: ClusterHealth | undefined,
  options: DiagnosisOptions = DEFAULT_DIAGNOSIS_OPTIONS,
): DiagnosisResult {
  const { facts } = signals;
  const nowIso = signals.now;
  const now = ms(nowIso);
  if (Number.isNaN(now)) throw new Error(`signals.now is not a time: ${nowIso}`);
  const failoverS = facts.qwk.hbeatTime * facts.qwk.numHbeats;
  const outageS = failoverS + options.outageMarginSeconds;
  const relayIntervalS = facts.relayIntervalSeconds ?? DEFAULT_RELAY_INTERVAL_SECONDS;
  const relaySilentS = relayIntervalS * options.relaySilentIntervals + options.relaySlackSeconds;
  const window = (signals.maintenance ?? []).find((w) => ms(w.from) <= now && now < ms(w.until));
  const maintenance = window !== undefined;
  const essentialMissing: string[] = [];
  const auxMissing: string[] = [];
  const notes: string[] = [];

  // --- probe ---------------------------------------------------------------------------------------------------
  const probe = signals.probe;
  let probeUsable = false;
  if (!probe) essentialMissing.push('probe');
  else if ((now - ms(probe.observedAt)) / 1000 > options.probeMaxAgeSeconds)
    essentialMissing.push(`probe (last read ${seconds((now - ms(probe.observedAt)) / 1000)} s ago)`);
  else probeUsable = true;
  const probeOf = (ip: string): ProbeState | 'missing' => {
    if (!probeUsable || !probe) return 'missing';
    return probe.backends.find((b) => b.ipAddress === ip)?.state ?? 'Down';
  };
  const upNodes = probeUsable ? facts.nodes.filter((n) => probeOf(n.serviceIp) === 'Up').map((n) => n.name) : [];

  // --- relay and QWK objects (every age by the witness's clock) ------------------------------------------------
  const relay = signals.relay;
  let relayAgeS: number | undefined;
  let relayFresh = false;
  if (!relay) essentialMissing.push('relay');
  else {
    relayAgeS = Math.max(0, (now - ms(relay.receivedAt)) / 1000);
    relayFresh = relayAgeS <= relaySilentS;
  }
  const objectOf = (name: string): RelayNode | undefined => relay?.nodes.find((o) => sameNode(o.node, name));
  const objectAgeS = (o: RelayNode) => Math.max(0, (ms(relay!.witnessTime) - ms(o.lastAdvancedAt)) / 1000);
  const fresh = (name: string) => {
    const o = objectOf(name);
    return relay !== undefined && o !== undefined && objectAgeS(o) <= failoverS;
  };

  // --- power and metrics ---------------------------------------------------------------------------------------
  if (!signals.power) auxMissing.push('power');
  if (!signals.metrics) auxMissing.push('metrics');
  const powerOf = (name: string): PowerState | undefined => signals.power?.[name];
  const powerOff = (name: string) => ['stopped', 'deallocated', 'deallocating'].includes(powerOf(name) ?? '');

  const nodes: NodeView[] = facts.nodes.map((n) => {
    const o = objectOf(n.name);
    return {
      name: n.name,
      serviceIp: n.serviceIp,
      probe: probeOf(n.serviceIp),
      ...(o && relay
        ? {
            qwk: {
              sequence: o.sequence,
              lastAdvancedAt: o.lastAdvancedAt,
              ageSeconds: seconds(objectAgeS(o)),
              fresh: objectAgeS(o) <= failoverS,
              commstat: o.commstat,
              ...(o.peer !== undefined ? { peer: o.peer } : {}),
            },
          }
        : {}),
      ...(powerOf(n.name) ? { power: powerOf(n.name) } : {}),
    };
  });

  // --- probe bookkeeping: consecutive reads with both / no node answering --------------------------------------
  let bothUpSince = previous?.bothUpSince;
  let noneUpSince = previous?.noneUpSince;
  let lastProbeAt = previous?.lastProbeAt;
  /** A read not seen by an earlier evaluation (a cached read counts once). */
  const newProbeRead = probeUsable && probe !== undefined && probe.observedAt !== previous?.lastProbeAt;
  if (!probeUsable) {
    bothUpSince = noneUpSince = undefined;
  } else if (newProbeRead && probe) {
    lastProbeAt = probe.observedAt;
    bothUpSince = upNodes.length >= 2 ? (bothUpSince ?? probe.observedAt) : undefined;
    noneUpSince = upNodes.length === 0 ? (noneUpSince ?? probe.observedAt) : undefined;
  }

  // --- active node (confirmed over two observations) -----------------------------------------------------------
  const timeline: TimelineEntry[] = [];
  let activeNode = previous ? previous.activeNode : facts.activeNode;
  let activeCandidate = previous?.activeCandidate;
  let failover = previous?.failover;
  const counts = (lastCountedAt: string) => now - ms(lastCountedAt) >= options.observationMinGapSeconds * 1000;
  const [alone] = upNodes;
  if (newProbeRead && upNodes.length === 1 && alone !== undefined) {
    if (activeNode === undefined) {
      activeNode = alone;
      activeCandidate = undefined;
    } else if (alone === activeNode) {
      activeCandidate = undefined;
    } else {
      if (activeCandidate?.node !== alone)
        activeCandidate = { node: alone, seen: 1, firstSeenAt: nowIso, lastCountedAt: nowIso };
      else if (counts(activeCandidate.lastCountedAt))
        activeCandidate = { ...activeCandidate, seen: activeCandidate.seen + 1, lastCountedAt: nowIso };
      if (activeCandidate.seen >= options.hysteresisObservations) {
        failover = { from: activeNode, to: alone, at: nowIso };
        timeline.push({
          at: nowIso,
          kind: 'activeNode',
          from: activeNode,
          to: alone,
          maintenance,
          text: `active node ${activeNode} → ${alone} (${alone} alone answers the probe since ${activeCandidate.firstSeenAt})`,
        });
        activeNode = alone;
        activeCandidate = undefined;
      }
    }
  }

  // --- raw conditions of this observation ----------------------------------------------------------------------
  const raw: Condition[] = [];
  const add = (kind: ConditionKind, evidence: Evidence[], extra: Partial<Condition> = {}) =>
    raw.push({ kind, severity: CONDITION_SEVERITY[kind], evidence, ...extra });
  const ev = (source: Evidence['source'], fact: string, text: string, observedAt: string, data = {}): Evidence => ({
    source,
    text,
    observedAt,
    data: { fact, ...data },
  });
  const probeText = () =>
    facts.nodes.map((n) => `${n.name} ${probeOf(n.serviceIp)}`).join(', ') + ` (probe port ${facts.probePort})`;

  if (essentialMissing.length) {
    add(
      'MonitoringBlind',
      essentialMissing.map((m) =>
        ev(m.startsWith('probe') ? 'probe' : 'relay', `missing.${m.split(' ')[0]}`, `no ${m} signal`, nowIso),
      ),
      { missingSignals: [...essentialMissing] },
    );
  }

  // Witness: relay silent, objects stopped together while the service runs, witness VM off.
  const witnessEvidence: Evidence[] = [];
  if (relay && !relayFresh) {
    witnessEvidence.push(
      ev(
        'relay',
        'relay.silent',
        `no relay snapshot for ${seconds(relayAgeS!)} s (limit ${relaySilentS} s = ${options.relaySilentIntervals} × ${relayIntervalS} s + ${options.relaySlackSeconds} s)`,
        relay.receivedAt,
        { ageSeconds: seconds(relayAgeS!), limitSeconds: relaySilentS, counter: relay.counter },
      ),
    );
  }
  const objects = facts.nodes.map((n) => objectOf(n.name));
  let stoppedTogether = false;
  // Every object still for longer than a QWK gap (two missed heartbeats and a relay interval), together: the storage
  // is gone. A lost node leaves its peer advancing, so this need not wait for LifeKeeper's HBEATTIME × NUMHBEATS.
  const stoppedTogetherS = qwkGapSeconds(facts.qwk.hbeatTime, relayIntervalS);
  if (relay && relayFresh && objects.length >= 2 && objects.every((o) => o && objectAgeS(o) > stoppedTogetherS)) {
    const lasts = objects.map((o) => ms(o!.lastAdvancedAt));
    const spreadS = (Math.max(...lasts) - Math.min(...lasts)) / 1000;
    const serviceShown = upNodes.length > 0;
    if (serviceShown || spreadS <= facts.qwk.hbeatTime + 1) {
      stoppedTogether = true;
      witnessEvidence.push(
        ev(
          'qwk',
          'qwk.stoppedTogether',
          `every QWK object stopped advancing together (last advances ${seconds(spreadS)} s apart, oldest ${seconds(Math.max(...objects.map((o) => objectAgeS(o!))))} s ago by the witness's clock; limit ${stoppedTogetherS} s = 2 × HBEATTIME ${facts.qwk.hbeatTime} + relay interval ${relayIntervalS})${serviceShown ? ' while the probe shows service' : ''}`,
          relay.witnessTime,
          { spreadSeconds: seconds(spreadS), serviceShown, limitSeconds: stoppedTogetherS },
        ),
      );
    }
  }
  if (powerOff(facts.witness.name)) {
    witnessEvidence.push(
      ev('power', 'power.off', `${facts.witness.name} is ${powerOf(facts.witness.name)}`, nowIso, {
        vm: facts.witness.name,
      }),
    );
  }
  if (witnessEvidence.length) add('WitnessLost', witnessEvidence, { node: facts.witness.name });

  // Nodes: object not advanced for > HBEATTIME × NUMHBEATS by the witness's clock, or the VM is off.
  for (const n of facts.nodes) {
    const e: Evidence[] = [];
    const o = objectOf(n.name);
    if (relay && relayFresh && !stoppedTogether) {
      if (!o) e.push(ev('qwk', 'qwk.absent', `no QWK object of ${n.name} in the relay's snapshot`, relay.receivedAt));
      else if (objectAgeS(o) > failoverS)
        e.push(
          ev(
            'qwk',
            'qwk.stale',
            `${n.name}'s QWK object has not advanced for ${seconds(objectAgeS(o))} s by the witness's clock (limit ${failoverS} s = HBEATTIME ${facts.qwk.hbeatTime} × NUMHBEATS ${facts.qwk.numHbeats}); sequence ${o.sequence}`,
            relay.witnessTime,
            { ageSeconds: seconds(objectAgeS(o)), limitSeconds: failoverS, sequence: o.sequence },
          ),
        );
    }
    if (powerOff(n.name)) e.push(ev('power', 'power.off', `${n.name} is ${powerOf(n.name)}`, nowIso, { vm: n.name }));
    if (e.length) add('NodeLost', e, { node: n.name });
  }

  // Comm paths: both objects fresh and both say DOWN (§9.4: one more failure stops everything).
  if (
    relay &&
    relayFresh &&
    facts.nodes.length >= 2 &&
    facts.nodes.every((n) => fresh(n.name) && String(objectOf(n.name)!.commstat).toUpperCase() === 'DOWN')
  ) {
    add('CommPathsDown', [
      ev(
        'qwk',
        'qwk.commstatDown',
        `both QWK objects are fresh and report commstat=DOWN (${facts.nodes.map((n) => n.name).join(', ')})`,
        relay.witnessTime,
      ),
    ]);
  }

  // Split brain: both answer in consecutive reads at least splitBrainMinGap apart.
  if (probeUsable && probe && upNodes.length >= 2 && bothUpSince) {
    const heldS = (ms(probe.observedAt) - ms(bothUpSince)) / 1000;
    if (heldS >= options.splitBrainMinGapSeconds) {
      add('SplitBrain', [
        ev(
          'probe',
          'probe.bothUp',
          `${upNodes.join(' and ')} both answer the probe since ${bothUpSince} (${seconds(heldS)} s): ${probeText()}`,
          probe.observedAt,
          { heldSeconds: seconds(heldS) },
        ),
      ]);
    } else notes.push(`${upNodes.join(' and ')} both answer the probe for ${seconds(heldS)} s (SplitBrain at 5 s)`);
  }

  // Outage: nobody answers for longer than LifeKeeper's failover time plus a margin.
  if (probeUsable && probe && upNodes.length === 0 && noneUpSince) {
    const heldS = (ms(probe.observedAt) - ms(noneUpSince)) / 1000;
    if (heldS > outageS) {
      add('Outage', [
        ev(
          'probe',
          'probe.noneUp',
          `no node answers the probe since ${noneUpSince} (${seconds(heldS)} s; limit ${outageS} s = ${failoverS} s failover + ${options.outageMarginSeconds} s): ${probeText()}`,
          probe.observedAt,
          { heldSeconds: seconds(heldS), limitSeconds: outageS },
        ),
      ]);
    } else notes.push(`no node answers the probe for ${seconds(heldS)} s (Outage after ${outageS} s)`);
  }

  // Failed over: Unprotected until the old node is back as standby (object advancing, commstat UP, not answering).
  if (failover) {
    const from = failover.from;
    const o = objectOf(from);
    const standbyBack =
      relayFresh &&
      fresh(from) &&
      String(o?.commstat).toUpperCase() === 'UP' &&
      probeUsable &&
      !upNodes.includes(from) &&
      failover.at !== nowIso;
    if (!standbyBack) {
      add(
        'FailedOver',
        [
          ev(
            'probe',
            'probe.activeChanged',
            `the active node changed from ${from} to ${failover.to} at ${failover.at}; ${from} is not back as standby yet, so the cluster runs without one (Unprotected)`,
            failover.at,
            { from, to: failover.to },
          ),
        ],
        { node: from, from, to: failover.to },
      );
    }
  }

  attachMetricsEvidence(raw, signals.metrics, facts.nodes);
  attachAlertEvidence(raw, signals.alerts ?? [], facts);

  // --- hysteresis ----------------------------------------------------------------------------------------------
  const H = options.hysteresisObservations;
  const rawByKey = new Map(raw.map((c) => [conditionKey(c), c]));
  const tracks: ConditionTrack[] = [];
  for (const t of previous?.tracks ?? []) {
    const c = rawByKey.get(t.key);
    if (c) {
      rawByKey.delete(t.key);
      const next: ConditionTrack = { ...t, condition: c, lastSeenAt: nowIso, missed: 0 };
      if (!t.reported && maintenance) {
        next.seen = 0; // in maintenance nothing builds up towards an incident
      } else if (!t.reported) {
        if (t.seen === 0) Object.assign(next, { seen: 1, lastCountedAt: nowIso });
        else if (counts(t.lastCountedAt)) Object.assign(next, { seen: t.seen + 1, lastCountedAt: nowIso });
        if (next.seen >= H || IMMEDIATE.has(c.kind)) next.reported = true;
      } else if (t.reported && t.missed > 0) next.lastCountedAt = nowIso;
      tracks.push(next);
    } else if (t.reported) {
      // Reported: it must be absent for H observations before it ends.
      const next: ConditionTrack = { ...t };
      if (t.missed === 0 || counts(t.lastCountedAt))
        Object.assign(next, { missed: t.missed + 1, lastCountedAt: nowIso });
      if (next.missed < H) tracks.push(next);
    }
    // Not reported and absent now: the streak broke, forget it.
  }
  for (const c of rawByKey.values()) {
    const immediate = !maintenance && (IMMEDIATE.has(c.kind) || previous === undefined);
    tracks.push({
      key: conditionKey(c),
      condition: c,
      reported: immediate,
      seen: maintenance ? 0 : 1,
      missed: 0,
      firstSeenAt: nowIso,
      lastSeenAt: nowIso,
      lastCountedAt: nowIso,
    });
  }
  if (failover && !tracks.some((t) => t.key === conditionKey({ kind: 'FailedOver', node: failover!.from })))
    failover = undefined;

  const conditions: Condition[] = [];
  for (const t of tracks) {
    if (t.reported) conditions.push(t.condition);
    else if (maintenance && t.lastSeenAt === nowIso) conditions.push({ ...t.condition, maintenance: true });
    else notes.push(`${t.key} seen ${t.seen}× (reported after ${H})`);
  }
  conditions.sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      (a.node ?? '').localeCompare(b.node ?? ''),
  );

  const state = worstState(conditions);
  const since = previous && previous.state === state ? previous.since : nowIso;
  if (!previous || previous.state !== state) {
    timeline.push({
      at: nowIso,
      kind: 'state',
      ...(previous ? { from: previous.state } : {}),
      to: state,
      maintenance,
      text: conditions.length
        ? conditions.map((c) => describe(c)).join('; ')
        : `Healthy: ${activeNode ?? '?'} alone answers the probe, every QWK object advances, commstat UP, relay fresh`,
    });
  }

  return {
    health: {
      subscriptionId: facts.subscriptionId,
      resourceGroup: facts.resourceGroup,
      state,
      since,
      ...(activeNode !== undefined ? { activeNode } : {}),
      ...(activeCandidate ? { activeCandidate } : {}),
      ...(failover ? { failover } : {}),
      ...(bothUpSince ? { bothUpSince } : {}),
      ...(noneUpSince ? { noneUpSince } : {}),
      ...(lastProbeAt ? { lastProbeAt } : {}),
      tracks,
      conditions,
      maintenance,
      ...(window ? { maintenanceReason: window.reason } : {}),
      missingSignals: [...essentialMissing, ...auxMissing],
      notes,
      nodes,
      witness: {
        name: facts.witness.name,
        ...(powerOf(facts.witness.name) ? { power: powerOf(facts.witness.name) } : {}),
        ...(relay
          ? {
              relay: {
                receivedAt: relay.receivedAt,
                witnessTime: relay.witnessTime,
                counter: relay.counter,
                ageSeconds: seconds(relayAgeS!),
                fresh: relayFresh,
              },
            }
          : {}),
      },
      lastEvaluatedAt: nowIso,
      evaluations: (previous?.evaluations ?? 0) + 1,
    },
    timeline,
  };
}

/** One line about a condition, for timelines and pages. */
export function describe(c: Condition): string {
  const head =
    c.kind === 'FailedOver'
      ? `FailedOver ${c.from} → ${c.to} (Unprotected)`
      : c.kind === 'MonitoringBlind'
        ? `MonitoringBlind (missing: ${(c.missingSignals ?? []).join(', ')})`
        : c.node
          ? `${c.kind} ${c.node}`
          : c.kind;
  return `${head}${c.maintenance ? ' [maintenance]' : ''}`;
}

/** The last minute with a value of a PT1M series (metrics arrive minutes late; the current minute is absent). */
function lastComplete(points: readonly { timeStamp: string; average?: number }[]) {
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i];
    if (p !== undefined && typeof p.average === 'number') return p;
  }
  return undefined;
}

/** Metrics are history and confirmation: attached as evidence to probe-based conditions, never deciding one. */
function attachMetricsEvidence(
  conditions: Condition[],
  metrics: AvailabilityMetrics | undefined,
  nodes: { name: string; serviceIp: string }[],
) {
  if (!metrics) return;
  const parts: string[] = [];
  let at: string | undefined;
  const data: Record<string, number> = {};
  for (const n of nodes) {
    const p = lastComplete(metrics.dip[n.serviceIp] ?? []);
    if (p) {
      parts.push(`${n.name} ${seconds(p.average!)} %`);
      data[n.name] = p.average!;
      at = at && at > p.timeStamp ? at : p.timeStamp;
    }
  }
  const vip = lastComplete(metrics.vip);
  if (vip) {
    parts.push(`VipAvailability ${seconds(vip.average!)} %`);
    data.vip = vip.average!;
    at = at && at > vip.timeStamp ? at : vip.timeStamp;
  }
  if (!parts.length || !at) return;
  const evidence: Evidence = {
    source: 'metrics',
    text: `DipAvailability, last complete minute (${at}): ${parts.join(', ')}`,
    observedAt: at,
    data: { fact: 'metrics.availability', ...data },
  };
  for (const c of conditions)
    if (c.kind === 'Outage' || c.kind === 'SplitBrain' || c.kind === 'FailedOver') c.evidence.push(evidence);
}

/** Azure Monitor alerts that fired (and did not resolve) about a condition's resources, kept as its evidence. */
function attachAlertEvidence(conditions: Condition[], alerts: ClusterAlert[], facts: ClusterSignals['facts']) {
  const lower = (s: string | undefined) => (s ?? '').toLowerCase();
  const vmOf = (name: string | undefined) =>
    lower(name === facts.witness.name ? facts.witness.vmId : facts.nodes.find((n) => n.name === name)?.vmId);
  for (const a of alerts) {
    if (a.monitorCondition !== 'Fired') continue;
    const targets = a.targets.map(lower);
    const evidence: Evidence = {
      source: 'alert',
      text: `Azure Monitor alert "${a.rule}" fired at ${a.firedAt}: ${a.condition}`,
      observedAt: a.firedAt,
      data: { fact: `alert.${a.alertId}`, alertId: a.alertId, ...(a.severity ? { severity: a.severity } : {}) },
    };
    for (const c of conditions) {
      const aboutLb =
        (c.kind === 'Outage' || c.kind === 'SplitBrain' || c.kind === 'FailedOver') &&
        facts.loadBalancerId !== undefined &&
        targets.includes(lower(facts.loadBalancerId));
      const vm = vmOf(c.node);
      const aboutVm = (c.kind === 'NodeLost' || c.kind === 'WitnessLost' || c.kind === 'FailedOver') && vm !== '';
      if (aboutLb || (aboutVm && targets.includes(vm))) c.evidence.push(evidence);
    }
  }
}
