/**
 * The incident lifecycle of one cluster: PURE. From the cluster's incidents (the latest revision of each key, open
 * or resolved), the conditions the diagnosis reports now, the time and maintenance, to the incidents' new versions
 * and the transitions between them: opened → updated (severity or evidence changed) → resolved. Every transition
 * bumps the incident's revision; its id is `${key}#${revision}` (contracts.transitionId), so a reopened incident
 * continues its key's revisions and ids never repeat.
 */
import {
  incidentKey,
  transitionId,
  type ClusterState,
  type Condition,
  type Evidence,
  type Incident,
  type IncidentTransition,
} from './contracts';

export interface LifecycleInput {
  subscriptionId: string;
  resourceGroup: string;
  /** The latest revision of every incident of the cluster, open or resolved. */
  incidents: readonly Incident[];
  /** The conditions reported now (the diagnosis' `health.conditions`). */
  conditions: readonly Condition[];
  now: string;
  /** The cluster is in maintenance: nothing opens (open incidents still update and resolve). */
  maintenance: boolean;
  /** Cluster facts carried by each transition. */
  cluster: { activeNode?: string; state: ClusterState; serviceTag?: string; link?: string };
}

export interface LifecycleResult {
  /** Every incident of the cluster after this evaluation (changed ones with their new revision). */
  incidents: Incident[];
  /** The transitions, in key order; empty when nothing changed. */
  transitions: IncidentTransition[];
}

/**
 * What an incident's evidence says, without its changing figures: the facts (source + `data.fact`), not the ages
 * in seconds. Metrics are history and confirmation, so a new minute's value is no change either.
 */
export function evidenceSignature(evidence: readonly Evidence[]): string {
  const facts = new Set<string>();
  for (const e of evidence) {
    if (e.source === 'metrics') continue;
    facts.add(`${e.source}:${typeof e.data?.fact === 'string' ? e.data.fact : e.text}`);
  }
  return [...facts].sort().join('|');
}

export function incidentLifecycle(input: LifecycleInput): LifecycleResult {
  const { subscriptionId, resourceGroup, now } = input;
  const byKey = new Map(input.incidents.map((i) => [i.key, i]));
  const seen = new Set<string>();
  const transitions: IncidentTransition[] = [];
  const cluster = {
    subscriptionId,
    resourceGroup,
    state: input.cluster.state,
    ...(input.cluster.activeNode !== undefined ? { activeNode: input.cluster.activeNode } : {}),
    ...(input.cluster.serviceTag !== undefined ? { serviceTag: input.cluster.serviceTag } : {}),
    ...(input.cluster.link !== undefined ? { link: input.cluster.link } : {}),
  };
  const emit = (kind: IncidentTransition['kind'], incident: Incident, previousSeverity?: Incident['severity']) => {
    byKey.set(incident.key, incident);
    transitions.push({
      id: transitionId(incident),
      kind,
      at: now,
      ...(previousSeverity ? { previousSeverity } : {}),
      incident,
      cluster,
    });
  };

  for (const c of input.conditions) {
    const key = incidentKey(subscriptionId, resourceGroup, c.kind, c.node);
    if (seen.has(key)) continue;
    seen.add(key);
    const current = byKey.get(key);
    if (current?.status === 'open') {
      const changed =
        current.severity !== c.severity ||
        current.from !== c.from ||
        current.to !== c.to ||
        evidenceSignature(current.lastEvidence) !== evidenceSignature(c.evidence);
      if (!changed) continue;
      emit(
        'updated',
        {
          ...current,
          severity: c.severity,
          updatedAt: now,
          revision: current.revision + 1,
          lastEvidence: c.evidence,
          ...fromTo(c),
        },
        current.severity,
      );
      continue;
    }
    if (input.maintenance || c.maintenance) continue;
    const opened: Incident = {
      key,
      subscriptionId,
      resourceGroup,
      kind: c.kind,
      ...(c.node !== undefined ? { node: c.node } : {}),
      severity: c.severity,
      status: 'open',
      openedAt: now,
      updatedAt: now,
      revision: (current?.revision ?? 0) + 1,
      firstEvidence: c.evidence,
      lastEvidence: c.evidence,
      maintenance: false,
      ...fromTo(c),
    };
    emit('opened', opened);
  }

  for (const i of input.incidents) {
    if (i.status !== 'open' || seen.has(i.key)) continue;
    const { resolvedAt: _r, ...rest } = i;
    emit('resolved', { ...rest, status: 'resolved', updatedAt: now, resolvedAt: now, revision: i.revision + 1 });
  }

  transitions.sort((a, b) => (a.incident.key < b.incident.key ? -1 : a.incident.key > b.incident.key ? 1 : 0));
  return { incidents: [...byKey.values()], transitions };
}

function fromTo(c: Condition): Pick<Incident, 'from' | 'to'> {
  return { ...(c.from !== undefined ? { from: c.from } : {}), ...(c.to !== undefined ? { to: c.to } : {}) };
}
