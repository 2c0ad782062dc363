/**
 * The monitoring half's shared vocabulary: what the diagnosis produces, what incidents and their transitions look
 * like, and what the paging pipeline and the reports consume. Pure types and small constants; no I/O.
 */

/** A cluster's overall state, the worst of its conditions (Healthy when it has none). */
export type ClusterState =
  'Healthy' | 'NodeLost' | 'FailedOver' | 'SplitBrain' | 'Outage' | 'CommPathsDown' | 'WitnessLost' | 'MonitoringBlind';

/** A condition the diagnosis can find; a cluster may have several at once. */
export type ConditionKind = Exclude<ClusterState, 'Healthy'>;

export type Severity = 'critical' | 'error' | 'warning' | 'info';

/** Severity of each condition (issue Monitoring 3/5). */
export const CONDITION_SEVERITY: Record<ConditionKind, Severity> = {
  SplitBrain: 'critical',
  Outage: 'critical',
  WitnessLost: 'critical',
  FailedOver: 'error',
  NodeLost: 'error',
  CommPathsDown: 'warning',
  MonitoringBlind: 'warning',
};

/** Order of severities, most severe first. */
export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, error: 1, warning: 2, info: 3 };

/** One fact that supports a condition, as a person reads it when paged. */
export interface Evidence {
  /** Where the fact comes from. */
  source: 'probe' | 'qwk' | 'relay' | 'metrics' | 'power' | 'alert';
  /** Short text, e.g. "Clstr-nodeA's QWK object has not advanced for 31 s (limit 24 s)". */
  text: string;
  /** ISO time the fact was observed. */
  observedAt: string;
  /**
   * Machine-readable figures behind the text. `data.fact` names what the fact is (e.g. "qwk.stale"), so that a
   * changing figure (an age in seconds) is not a changed fact.
   */
  data?: Record<string, string | number | boolean | null>;
}

/** A condition found by one evaluation. */
export interface Condition {
  kind: ConditionKind;
  /** The node it is about (NodeLost, FailedOver: the node that was lost / failed from), if any. */
  node?: string;
  severity: Severity;
  /** FailedOver: from → to. */
  from?: string;
  to?: string;
  /** MonitoringBlind: which signals are missing. */
  missingSignals?: string[];
  evidence: Evidence[];
  /** Found while the cluster was in maintenance (its own switchover, a drill): recorded, opens no incident. */
  maintenance?: boolean;
}

/** Stable deduplication key of an incident: cluster + condition + node. At most 255 characters. */
export function incidentKey(subscriptionId: string, resourceGroup: string, kind: ConditionKind, node?: string): string {
  return `qwk/${subscriptionId}/${resourceGroup.toLowerCase()}/${kind}${node ? `/${node}` : ''}`;
}

export type IncidentStatus = 'open' | 'resolved';

export interface Incident {
  key: string;
  subscriptionId: string;
  resourceGroup: string;
  kind: ConditionKind;
  node?: string;
  severity: Severity;
  status: IncidentStatus;
  openedAt: string;
  updatedAt: string;
  resolvedAt?: string;
  /** Increases with every transition of this incident; a transition's id is `${key}#${revision}`. */
  revision: number;
  firstEvidence: Evidence[];
  lastEvidence: Evidence[];
  /** Opened while the cluster was in maintenance: recorded, never paged. */
  maintenance: boolean;
  from?: string;
  to?: string;
}

export type TransitionKind = 'opened' | 'updated' | 'resolved';

/** One incident transition, as put on the incident-transitions queue for the paging pipeline. */
export interface IncidentTransition {
  /** Unique and stable: `${incident.key}#${incident.revision}`. */
  id: string;
  kind: TransitionKind;
  at: string;
  /** Severity before the transition (updated: to detect a rise). */
  previousSeverity?: Severity;
  incident: Incident;
  /** Cluster facts a page needs. */
  cluster: {
    subscriptionId: string;
    resourceGroup: string;
    activeNode?: string;
    state: ClusterState;
    /** The protected service's tag, e.g. "pgsql-5432". */
    serviceTag?: string;
    /** The app's URL of the cluster's page (GET /api/clusters/{sub}/{rg}), if known. */
    link?: string;
  };
}

export function transitionId(incident: Pick<Incident, 'key' | 'revision'>): string {
  return `${incident.key}#${incident.revision}`;
}
