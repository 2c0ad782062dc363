/**
 * Evaluation of registered clusters end to end: gather each cluster's signals (registry facts, the relay's stored
 * snapshot, the ILB rule's probe health, VM power, the shard's metrics batch, recent Azure Monitor alerts), run the
 * pure evaluation (evaluation.ts) through the incident store (ETag commit + outbox → QUEUES.incidentTransitions).
 *
 * A signal that cannot be read is left out (the diagnosis reports it as MonitoringBlind) and logged; a cluster
 * whose evaluation fails is reported and never stops the others. The pure parts (sharding, target mapping,
 * snapshot → signals) are exported for tests.
 */
import { parseArmId } from '../azure/armIds';
import type { ClusterRecord } from '../registry/clusterRecord';
import type { AlertStore } from './alertStore';
import { readAvailability, readPowerStates, readProbeHealth } from './azureSignals';
import type { ClusterHealth } from './diagnosis';
import { evaluateCluster } from './evaluation';
import type { IncidentStore } from './incidentStore';
import type { QwkSnapshotRecord } from './qwkSnapshot';
import type {
  AvailabilityMetrics,
  ClusterAlert,
  ClusterFacts,
  ClusterSignals,
  PowerState,
  ProbeHealth,
  RelaySnapshot,
} from './signals';

/** At most this many clusters per shard: one metrics batch call serves them all. */
export const SHARD_SIZE = 50;

export interface ClusterRef {
  subscriptionId: string;
  resourceGroup: string;
}

/** One message of QUEUES.evaluateShard: up to 50 clusters of one subscription and region. */
export interface ShardMessage {
  subscriptionId: string;
  location: string;
  clusters: ClusterRef[];
  /** What asked for it: the sweep, a relay snapshot, an alert. */
  reason: 'sweep' | 'snapshot' | 'alert' | 'recheck';
  at: string;
}

const lc = (s: string) => s.toLowerCase();
export const clusterId = (c: ClusterRef) => `${lc(c.subscriptionId)}/${lc(c.resourceGroup)}`;

// --- pure ------------------------------------------------------------------------------------------------------

/** How soon a cluster whose evaluation left something settling is evaluated again (SplitBrain needs 5 s apart). */
export const RECHECK_SECONDS = 5;

/** One-cluster shards to evaluate again in RECHECK_SECONDS: the clusters of `results` where something is settling. */
export function recheckShards(
  shard: Pick<ShardMessage, 'subscriptionId' | 'location' | 'clusters'>,
  results: readonly ClusterResult[],
  at: string,
): ShardMessage[] {
  const settling = new Set(results.filter((r) => r.ok && r.settling).map((r) => r.cluster));
  return shard.clusters
    .filter((c) => settling.has(clusterId(c)))
    .map((c) => ({
      subscriptionId: shard.subscriptionId,
      location: shard.location,
      clusters: [c],
      reason: 'recheck',
      at,
    }));
}

/** Shards of ≤ `size` clusters, each of one subscription and region (ARM compares both case-insensitively). */
export function shardClusters(
  records: readonly Pick<ClusterRecord, 'subscriptionId' | 'resourceGroup' | 'location'>[],
  reason: ShardMessage['reason'],
  at: string,
  size = SHARD_SIZE,
): ShardMessage[] {
  const groups = new Map<string, { subscriptionId: string; location: string; members: (typeof records)[number][] }>();
  for (const r of records) {
    const key = `${lc(r.subscriptionId)}|${lc(r.location)}`;
    const group = groups.get(key) ?? { subscriptionId: lc(r.subscriptionId), location: lc(r.location), members: [] };
    group.members.push(r);
    groups.set(key, group);
  }
  const out: ShardMessage[] = [];
  for (const key of [...groups.keys()].sort()) {
    const group = groups.get(key)!;
    const members = group.members.sort((a, b) => (clusterId(a) < clusterId(b) ? -1 : 1));
    for (let i = 0; i < members.length; i += size) {
      out.push({
        subscriptionId: group.subscriptionId,
        location: group.location,
        clusters: members
          .slice(i, i + size)
          .map((m) => ({ subscriptionId: m.subscriptionId, resourceGroup: m.resourceGroup })),
        reason,
        at,
      });
    }
  }
  return out;
}

/** A queue message's body checked (the queue is ours, but a poison message must not crash the consumer). */
export function parseShardMessage(input: unknown): ShardMessage | undefined {
  const m = (typeof input === 'string' ? safeJson(input) : input) as Partial<ShardMessage> | undefined;
  if (!m || typeof m !== 'object' || typeof m.subscriptionId !== 'string' || typeof m.location !== 'string')
    return undefined;
  if (!Array.isArray(m.clusters) || m.clusters.length === 0 || m.clusters.length > SHARD_SIZE) return undefined;
  if (!m.clusters.every((c) => typeof c?.subscriptionId === 'string' && typeof c.resourceGroup === 'string'))
    return undefined;
  return {
    subscriptionId: m.subscriptionId,
    location: m.location,
    clusters: m.clusters.map((c) => ({ subscriptionId: c.subscriptionId, resourceGroup: c.resourceGroup })),
    reason: m.reason === 'snapshot' || m.reason === 'alert' || m.reason === 'recheck' ? m.reason : 'sweep',
    at: typeof m.at === 'string' ? m.at : '',
  };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/**
 * The registered clusters an alert's targets name: a target is a cluster's when it is (or lies under) its load
 * balancer, one of its VMs (nodes, witness), or its resource group. ARM ids compare case-insensitively.
 */
export function clustersForTargets(
  targets: readonly string[],
  records: readonly ClusterRecord[],
): { clusters: ClusterRecord[]; unknown: string[] } {
  const owners = new Map<string, ClusterRecord>();
  for (const r of records) {
    for (const id of [r.loadBalancerId, r.witness.vmId, ...r.nodes.map((n) => n.vmId)])
      if (id) owners.set(lc(id).replace(/\/+$/, ''), r);
    owners.set(`/subscriptions/${lc(r.subscriptionId)}/resourcegroups/${lc(r.resourceGroup)}`, r);
  }
  const found = new Map<string, ClusterRecord>();
  const unknown: string[] = [];
  for (const t of targets) {
    const id = lc(t.trim()).replace(/\/+$/, '');
    let owner: ClusterRecord | undefined;
    // the id itself, else its nearest registered ancestor (e.g. a VM's extension, the LB's frontend)
    for (let cut = id; cut.length > 0 && !owner; cut = cut.slice(0, Math.max(0, cut.lastIndexOf('/'))))
      owner = owners.get(cut);
    if (owner) found.set(clusterId(owner), owner);
    else unknown.push(t);
  }
  return { clusters: [...found.values()], unknown };
}

/** The registry record as the diagnosis' facts. */
export function factsFromRecord(r: ClusterRecord): ClusterFacts {
  return {
    subscriptionId: r.subscriptionId,
    resourceGroup: r.resourceGroup,
    loadBalancerId: r.loadBalancerId,
    probePort: r.probePort,
    nodes: r.nodes.map((n) => ({ name: n.name, vmId: n.vmId, serviceIp: n.serviceIp, priority: n.priority })),
    witness: { name: r.witness.name, vmId: r.witness.vmId },
    qwk: { hbeatTime: r.qwk.hbeatTime, numHbeats: r.qwk.numHbeats },
    activeNode: r.activeNode,
    ...(r.relayIntervalSeconds !== undefined ? { relayIntervalSeconds: r.relayIntervalSeconds } : {}),
  };
}

/**
 * The stored relay record as signals.ts' RelaySnapshot. A node's commstat is that of its first peer entry that has
 * one (a two-node cluster has one peer); `unknown` when the object names none.
 */
export function relayFromRecord(r: QwkSnapshotRecord): RelaySnapshot {
  return {
    receivedAt: r.receivedAt,
    witnessTime: r.witnessTime,
    counter: r.counter,
    nodes: r.nodes.map((n) => {
      const peer = n.peers.find((p) => p.commstat !== undefined) ?? n.peers[0];
      return {
        node: n.node,
        sequence: n.sequence,
        lastAdvancedAt: n.lastAdvancedAt,
        commstat: peer?.commstat ?? 'unknown',
        ...(peer ? { peer: peer.node } : {}),
      };
    }),
  };
}

/** Whether a new relay record changes anything an evaluation looks at (sequence, commstat, peers, node set). */
export function snapshotChanges(previous: QwkSnapshotRecord | undefined, next: QwkSnapshotRecord): boolean {
  if (!previous) return true;
  const sig = (r: QwkSnapshotRecord) =>
    JSON.stringify(
      [...r.nodes]
        .sort((a, b) => (a.node < b.node ? -1 : 1))
        .map((n) => [n.node, n.sequence, n.peers.map((p) => `${p.node}=${p.commstat ?? ''}`).join(',')]),
    );
  return sig(previous) !== sig(next);
}

/**
 * Whether a stored relay record calls for an evaluation now: it changed something (`snapshotChanges`), or it shows a
 * cluster settling into a condition — a registered node without an object, a comm path not UP, or an object that has
 * not advanced for more than half of HBEATTIME × NUMHBEATS by the witness's clock. An object that stopped does not
 * change the snapshot, yet it is exactly what NodeLost / WitnessLost (and the probe reads that confirm a failover)
 * are made of: evaluating only changed snapshots left their observations to the 10 s sweep, which put §9.3's first
 * incident and WitnessLost past the 35 s the issue allows. A healthy cluster still evaluates only on changes.
 */
export function snapshotCallsForEvaluation(
  previous: QwkSnapshotRecord | undefined,
  next: QwkSnapshotRecord,
  record: Pick<ClusterRecord, 'nodes' | 'qwk'>,
): boolean {
  if (snapshotChanges(previous, next)) return true;
  const limitS = record.qwk.hbeatTime * record.qwk.numHbeats;
  const norm = (name: string) => name.toLowerCase().replace(/_/g, '-');
  for (const n of record.nodes) {
    const o = next.nodes.find((x) => norm(x.node) === norm(n.name));
    if (!o) return true;
    if (o.peers.some((p) => (p.commstat ?? 'UP').toUpperCase() !== 'UP')) return true;
    if ((Date.parse(next.witnessTime) - Date.parse(o.lastAdvancedAt)) / 1000 > limitS / 2) return true;
  }
  return false;
}

/**
 * Whether an evaluation reads the VMs' power states (one instance view per VM): when the probe or the relay is
 * missing, not exactly one node answers, the relay is silent past one interval and its slack, or a node's object
 * is stale or its comm paths are not UP. A plainly healthy cluster is not read: its power cannot have changed
 * without one of these showing it within seconds (a stopped VM stops answering and stops advancing its object).
 */
export function needsPowerRead(
  facts: ClusterFacts,
  probe: ProbeHealth | undefined,
  relay: RelaySnapshot | undefined,
  nowMs: number,
): boolean {
  if (!probe || !relay) return true;
  const up = facts.nodes.filter((n) => probe.backends.some((b) => b.ipAddress === n.serviceIp && b.state === 'Up'));
  if (up.length !== 1) return true;
  const intervalS = facts.relayIntervalSeconds ?? 5;
  if ((nowMs - Date.parse(relay.receivedAt)) / 1000 > intervalS * 2 + 5) return true;
  const limitS = facts.qwk.hbeatTime * facts.qwk.numHbeats;
  for (const n of facts.nodes) {
    const o = relay.nodes.find(
      (x) => x.node.toLowerCase().replace(/_/g, '-') === n.name.toLowerCase().replace(/_/g, '-'),
    );
    if (!o || o.commstat.toUpperCase() !== 'UP') return true;
    if ((Date.parse(relay.witnessTime) - Date.parse(o.lastAdvancedAt)) / 1000 > limitS / 2) return true;
  }
  return false;
}

/** The power states the previous evaluation saw, for one that did not read them. */
function carriedPower(previous: ClusterHealth): Record<string, PowerState> | undefined {
  const power: Record<string, PowerState> = {};
  for (const n of previous.nodes) if (n.power) power[n.name] = n.power;
  if (previous.witness.power) power[previous.witness.name] = previous.witness.power;
  return Object.keys(power).length ? power : undefined;
}

// --- the service -----------------------------------------------------------------------------------------------

export interface SnapshotSource {
  get(subscriptionId: string, resourceGroup: string): Promise<{ record: QwkSnapshotRecord } | undefined>;
  /** Every snapshot of a subscription (one query); optional — else one read per cluster. */
  listBySubscription?(subscriptionId: string): Promise<QwkSnapshotRecord[]>;
}

export interface SignalReaders {
  probe(record: ClusterRecord): Promise<ProbeHealth>;
  power(record: ClusterRecord): Promise<Record<string, PowerState>>;
  /** One batch call for up to 50 load balancers of one subscription and region. */
  metrics(
    subscriptionId: string,
    location: string,
    loadBalancerIds: string[],
    now: Date,
  ): Promise<{ byLoadBalancer: Map<string, AvailabilityMetrics>; calls: number; errors: unknown[] }>;
}

export interface MonitorDeps {
  registry: {
    get(subscriptionId: string, resourceGroup: string): Promise<ClusterRecord | undefined>;
    list(): Promise<ClusterRecord[]>;
    /** Every cluster of a subscription (one query); optional — else one read per cluster. */
    listBySubscription?(subscriptionId: string): Promise<ClusterRecord[]>;
  };
  snapshots: SnapshotSource;
  store: IncidentStore;
  alerts: Pick<AlertStore, 'recentBySubscription'>;
  readers: SignalReaders;
  now(): Date;
  alertLookbackMinutes: number;
  /** The app's public URL, for the cluster page's link carried by transitions. */
  publicUrl?: string;
  warn(message: string, data: Record<string, unknown>): void;
}

export interface ClusterResult {
  cluster: string;
  ok: boolean;
  state?: string;
  transitions?: number;
  /** Signals that could not be read, with why. */
  signalErrors: string[];
  /** Something is settling but not yet a condition (the diagnosis' notes): worth a look again soon. */
  settling?: boolean;
  error?: string;
}

export interface ShardResult {
  results: ClusterResult[];
  metricsCalls: number;
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 300);

/** Signal readers on the real SDK clients. */
export function sdkSignalReaders(clients: {
  network(sub: string): Parameters<typeof readProbeHealth>[0];
  compute(sub: string): Parameters<typeof readPowerStates>[0];
  metrics(location: string): Parameters<typeof readAvailability>[0];
}): SignalReaders {
  return {
    probe: (r) => {
      if (!r.loadBalancingRule)
        return Promise.reject(new Error('the registry row names no load-balancing rule (register again)'));
      const lbSub = parseArmId(r.loadBalancerId).subscriptionId || r.subscriptionId;
      return readProbeHealth(clients.network(lbSub), r.loadBalancerId, r.loadBalancingRule);
    },
    power: (r) => readPowerStates(clients.compute(r.subscriptionId), [...r.nodes.map((n) => n.vmId), r.witness.vmId]),
    metrics: (_sub, location, ids, now) => readAvailability(clients.metrics(location), ids, { now }),
  };
}

export class ClusterMonitor {
  constructor(private readonly deps: MonitorDeps) {}

  /** Evaluates one shard's clusters: one metrics call for all, one alerts query, then each cluster. */
  async evaluateShard(shard: Pick<ShardMessage, 'subscriptionId' | 'location' | 'clusters'>): Promise<ShardResult> {
    const { deps } = this;
    const now = deps.now();
    // The shard's registry rows: one partition query for a shard of several clusters, else one read.
    let listed: Map<string, ClusterRecord> | undefined;
    if (deps.registry.listBySubscription && shard.clusters.length > 1) {
      try {
        const all = await deps.registry.listBySubscription(shard.subscriptionId);
        listed = new Map(all.map((r) => [clusterId(r), r]));
      } catch {
        listed = undefined; // fall back to one read per cluster
      }
    }
    const records = await Promise.all(
      shard.clusters.map(async (c) => {
        if (listed) return { ref: c, record: listed.get(clusterId(c)) };
        try {
          return { ref: c, record: await deps.registry.get(c.subscriptionId, c.resourceGroup) };
        } catch (err) {
          return { ref: c, error: errText(err) };
        }
      }),
    );
    const known = records.filter((r): r is { ref: ClusterRef; record: ClusterRecord } => r.record !== undefined);
    const ids = known.map((r) => r.record.loadBalancerId);
    let metrics: Map<string, AvailabilityMetrics> = new Map();
    let metricsCalls = 0;
    const shardErrors: string[] = [];
    if (ids.length) {
      try {
        const m = await deps.readers.metrics(shard.subscriptionId, shard.location, ids, now);
        metrics = m.byLoadBalancer;
        metricsCalls = m.calls;
        for (const e of m.errors) shardErrors.push(`metrics: ${errText(e)}`);
      } catch (err) {
        shardErrors.push(`metrics: ${errText(err)}`);
      }
    }
    let alerts = new Map<string, ClusterAlert[]>();
    try {
      const since = new Date(now.getTime() - deps.alertLookbackMinutes * 60_000).toISOString();
      alerts = await deps.alerts.recentBySubscription(shard.subscriptionId, since);
    } catch (err) {
      shardErrors.push(`alerts: ${errText(err)}`);
    }
    let snapshots: Map<string, QwkSnapshotRecord> | undefined;
    if (deps.snapshots.listBySubscription && known.length > 1) {
      try {
        const list = await deps.snapshots.listBySubscription(shard.subscriptionId);
        snapshots = new Map(list.map((s) => [clusterId(s), s]));
      } catch (err) {
        shardErrors.push(`relay snapshots: ${errText(err)}`);
      }
    }
    if (shardErrors.length)
      deps.warn('monitoring: shard signals missing', { shard: shard.subscriptionId, shardErrors });

    const results = await Promise.all(
      records.map(async (r): Promise<ClusterResult> => {
        const id = clusterId(r.ref);
        if (!r.record)
          return { cluster: id, ok: false, signalErrors: [], error: r.error ?? 'not a registered cluster' };
        return this.evaluateRecord(r.record, {
          now,
          metrics: metrics.get(r.record.loadBalancerId),
          alerts: alerts.get(lc(r.record.resourceGroup)) ?? [],
          ...(snapshots ? { snapshot: snapshots.get(id) ?? null } : {}),
          signalErrors: shardErrors,
        });
      }),
    );
    return { results, metricsCalls };
  }

  /** Evaluates one registered cluster with what the shard read for it. Never throws. */
  async evaluateRecord(
    record: ClusterRecord,
    shared: {
      now: Date;
      metrics?: AvailabilityMetrics;
      alerts: ClusterAlert[];
      /** The relay record if the shard already read it (null: read, none stored); undefined: read it here. */
      snapshot?: QwkSnapshotRecord | null;
      signalErrors?: string[];
    },
  ): Promise<ClusterResult> {
    const { deps } = this;
    const id = clusterId(record);
    const signalErrors = [...(shared.signalErrors ?? [])];
    const attempt = async <T>(name: string, read: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await read();
      } catch (err) {
        signalErrors.push(`${name}: ${errText(err)}`);
        return undefined;
      }
    };
    try {
      const [relayRecord, probe] = await Promise.all([
        shared.snapshot !== undefined
          ? Promise.resolve(shared.snapshot ?? undefined)
          : attempt(
              'relay',
              async () => (await deps.snapshots.get(record.subscriptionId, record.resourceGroup))?.record,
            ),
        attempt('probe', () => deps.readers.probe(record)),
      ]);
      const facts = factsFromRecord(record);
      const relay = relayRecord ? relayFromRecord(relayRecord) : undefined;
      // VM power (three instance views) only when something is not plainly healthy; else the last read is carried.
      const power = needsPowerRead(facts, probe, relay, shared.now.getTime())
        ? await attempt('power', () => deps.readers.power(record))
        : undefined;
      // Evaluation time: after the reads, so a probe read is never "in the future" of its evaluation.
      const now = new Date(Math.max(deps.now().getTime(), shared.now.getTime())).toISOString();
      const signals: ClusterSignals = {
        now,
        facts,
        ...(probe ? { probe } : {}),
        ...(relay ? { relay } : {}),
        ...(shared.metrics ? { metrics: shared.metrics } : {}),
        ...(power ? { power } : {}),
        alerts: shared.alerts,
        // A deployment or drill of ours running on the cluster (maintenance.ts): conditions open no incident.
        ...(record.maintenance?.length ? { maintenance: record.maintenance } : {}),
      };
      const link = deps.publicUrl
        ? `${deps.publicUrl}/api/clusters/${encodeURIComponent(record.subscriptionId)}/${encodeURIComponent(record.resourceGroup)}`
        : undefined;
      // Not read now: the previous evaluation's power states, else (a first evaluation) read once.
      let firstRead: Promise<Record<string, PowerState> | undefined> | undefined;
      const result = await deps.store.evaluate(record.subscriptionId, record.resourceGroup, now, async (memory) => {
        const p =
          power ??
          (memory.health ? carriedPower(memory.health) : undefined) ??
          (await (firstRead ??= attempt('power', () => deps.readers.power(record))));
        return evaluateCluster(p ? { ...signals, power: p } : signals, memory, link ? { link } : {});
      });
      if (signalErrors.length) deps.warn('monitoring: signals missing', { cluster: id, signalErrors });
      return {
        cluster: id,
        ok: true,
        state: result.health.state,
        transitions: result.transitions.length,
        signalErrors,
        settling: result.health.notes.length > 0,
      };
    } catch (err) {
      deps.warn('monitoring: evaluation failed', { cluster: id, error: errText(err) });
      return { cluster: id, ok: false, signalErrors, error: errText(err) };
    }
  }

  /** The sweep's shards over every registered cluster. */
  async sweepShards(): Promise<ShardMessage[]> {
    const records = await this.deps.registry.list();
    return shardClusters(records, 'sweep', this.deps.now().toISOString());
  }
}
