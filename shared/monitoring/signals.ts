/**
 * The inputs of one evaluation of one cluster (pure types and defaults, no I/O). Every signal may be missing:
 * adapters leave it undefined when they could not read it, and the diagnosis says which ones it lacked.
 *
 * Times are ISO 8601 strings. Each one says whose clock it is on: the app's (`now`, `receivedAt`, `observedAt`) or
 * the witness's (`witnessTime`, `lastAdvancedAt`). The diagnosis only ever subtracts times of the same clock.
 */

/** Probe state of one backend, from the load-balancing rule health API (`loadBalancerBackendAddresses[].state`). */
export type ProbeState = 'Up' | 'Down' | 'Unknown';

export interface ProbeBackend {
  ipAddress: string;
  state: ProbeState;
  /** Azure's reason text, if any (e.g. "Probe failed"). */
  reason?: string;
}

/** One read of the ILB rule's per-backend probe health (the fast signal). */
export interface ProbeHealth {
  /** When the health API answered (app clock). */
  observedAt: string;
  /** A stopped VM's entries come back empty: a node without an entry does not answer. */
  backends: ProbeBackend[];
}

/** One node's QWK object as the relay last reported it (stored by the ingest route, Monitoring 2/5). */
export interface RelayNode {
  /** `local_node=` of the object, e.g. "Clstr-nodeA". */
  node: string;
  sequence: number;
  /** When `sequence` last changed, by the WITNESS's clock (file mtime / the snapshot's witness time). */
  lastAdvancedAt: string;
  /** `commstat=` of the object: the node's view of its comm paths to the peer, `UP` or `DOWN` (other values kept). */
  commstat: string;
  /** `node=` of the object: the peer it reports about. */
  peer?: string;
}

/** The latest relay snapshot of a cluster. */
export interface RelaySnapshot {
  /** When the app received it (app clock). */
  receivedAt: string;
  /** The witness's clock when it sent the snapshot. */
  witnessTime: string;
  /** The relay's counter (advances with every POST). */
  counter: number;
  nodes: RelayNode[];
}

/** One minute of a PT1M availability metric; `average` in percent (0–100), absent when Azure has no value yet. */
export interface MetricPoint {
  timeStamp: string;
  average?: number;
}

/** Load balancer metrics: history and confirmation, minutes late; never the fast signal. */
export interface AvailabilityMetrics {
  /** DipAvailability split by BackendIPAddress: per backend IP, per minute. */
  dip: Record<string, MetricPoint[]>;
  /** VipAvailability per minute (not split). */
  vip: MetricPoint[];
}

export type PowerState = 'running' | 'starting' | 'stopping' | 'stopped' | 'deallocating' | 'deallocated' | 'unknown';

/** An Azure Monitor alert about this cluster's resources (from the alert intake, kept as evidence). */
export interface ClusterAlert {
  alertId: string;
  /** Alert rule name. */
  rule: string;
  /** The condition / metric text of the rule, e.g. "DipAvailability < 25". */
  condition: string;
  monitorCondition: 'Fired' | 'Resolved';
  firedAt: string;
  resolvedAt?: string;
  /** ARM ids the alert is about (alertTargetIDs). */
  targets: string[];
  severity?: string;
}

/** The registry facts the diagnosis needs (a `ClusterRecord` from shared/registry satisfies this). */
export interface ClusterFacts {
  subscriptionId: string;
  resourceGroup: string;
  loadBalancerId?: string;
  probePort: number;
  nodes: { name: string; vmId?: string; serviceIp: string; priority: number }[];
  witness: { name: string; vmId?: string };
  qwk: { hbeatTime: number; numHbeats: number };
  /** The node the deployment left active: the starting point before the first evaluation. */
  activeNode?: string;
  /** The relay's interval (spec `monitoring.relayIntervalSeconds`), default 5. */
  relayIntervalSeconds?: number;
}

/** A maintenance window: the deployment's own switchover test, a failover drill, an operator's silence. */
export interface MaintenanceWindow {
  from: string;
  until: string;
  reason: string;
  /** The operation that opened it (a deployment or drill id), so that it ends that window only. */
  by?: string;
}

/** Everything one evaluation of one cluster looks at. */
export interface ClusterSignals {
  /** The evaluation's time (app clock). */
  now: string;
  facts: ClusterFacts;
  probe?: ProbeHealth;
  relay?: RelaySnapshot;
  metrics?: AvailabilityMetrics;
  /** Power state per VM name (nodes and witness). */
  power?: Record<string, PowerState>;
  alerts?: ClusterAlert[];
  maintenance?: MaintenanceWindow[];
}

/** Thresholds of the diagnosis (docs/MONITORING.md explains each). */
export interface DiagnosisOptions {
  /** Added to HBEATTIME × NUMHBEATS before "nobody answers" is an Outage, so a normal failover is not one. */
  outageMarginSeconds: number;
  /** Both nodes must answer in observations at least this far apart to be a SplitBrain. */
  splitBrainMinGapSeconds: number;
  /** The relay is silent after this many of its intervals without a snapshot … */
  relaySilentIntervals: number;
  /** … plus this slack (network, retries). */
  relaySlackSeconds: number;
  /** A probe read older than this is missing. */
  probeMaxAgeSeconds: number;
  /** Observations closer than this count as one for hysteresis (a snapshot and a sweep at the same moment). */
  observationMinGapSeconds: number;
  /** Observations a new condition (or its end) must hold before the reported state changes. */
  hysteresisObservations: number;
}

export const DEFAULT_DIAGNOSIS_OPTIONS: DiagnosisOptions = {
  outageMarginSeconds: 10,
  splitBrainMinGapSeconds: 5,
  relaySilentIntervals: 3,
  relaySlackSeconds: 5,
  probeMaxAgeSeconds: 30,
  observationMinGapSeconds: 2,
  hysteresisObservations: 2,
};

export const DEFAULT_RELAY_INTERVAL_SECONDS = 5;

/**
 * The QWK gap threshold: two missed heartbeats and one relay interval (the relay sees advances at its pace). An
 * object still for longer has a gap (reports); every object still for longer together is the witness's storage gone
 * (WitnessLost: a lost node leaves its peer's object advancing).
 */
export function qwkGapSeconds(hbeatTime: number, relayIntervalSeconds: number): number {
  return 2 * hbeatTime + relayIntervalSeconds;
}
