/** Incident transitions for the paging tests, built the way the incident store builds them. */
import {
  CONDITION_SEVERITY,
  type ConditionKind,
  type Evidence,
  type Incident,
  type IncidentTransition,
  type Severity,
  type TransitionKind,
  incidentKey,
  transitionId,
} from '../../shared/monitoring/contracts';

export const SUB = '0b8f5d2e-3c4a-4e1b-9d6f-7a8b9c0d1e2f';
export const RG = 'LKL-QWK-storage';

export const EVIDENCE: Evidence[] = [
  {
    source: 'qwk',
    text: "Clstr-nodeA's QWK object has not advanced for 31 s (limit 24 s)",
    observedAt: '2026-11-25T10:00:05.000Z',
    data: { node: 'Clstr-nodeA', ageSeconds: 31, limitSeconds: 24 },
  },
  {
    source: 'probe',
    text: 'Only Clstr-nodeB answers the load balancer probe on 5432',
    observedAt: '2026-11-25T10:00:06.000Z',
    data: { answering: 'Clstr-nodeB' },
  },
];

export interface TransitionOptions {
  kind?: TransitionKind;
  condition?: ConditionKind;
  node?: string;
  severity?: Severity;
  previousSeverity?: Severity;
  revision?: number;
  at?: string;
  evidence?: Evidence[];
  maintenance?: boolean;
  resourceGroup?: string;
  link?: string | null;
}

export function transition(o: TransitionOptions = {}): IncidentTransition {
  const condition = o.condition ?? 'FailedOver';
  const kind = o.kind ?? 'opened';
  const rg = o.resourceGroup ?? RG;
  const node = o.node ?? (condition === 'FailedOver' || condition === 'NodeLost' ? 'Clstr-nodeA' : undefined);
  const at = o.at ?? '2026-11-25T10:00:07.000Z';
  const incident: Incident = {
    key: incidentKey(SUB, rg, condition, node),
    subscriptionId: SUB,
    resourceGroup: rg,
    kind: condition,
    ...(node ? { node } : {}),
    severity: o.severity ?? CONDITION_SEVERITY[condition],
    status: kind === 'resolved' ? 'resolved' : 'open',
    openedAt: '2026-11-25T10:00:07.000Z',
    updatedAt: at,
    ...(kind === 'resolved' ? { resolvedAt: at } : {}),
    revision: o.revision ?? (kind === 'opened' ? 1 : kind === 'updated' ? 2 : 3),
    firstEvidence: EVIDENCE,
    lastEvidence: o.evidence ?? EVIDENCE,
    maintenance: o.maintenance ?? false,
    ...(condition === 'FailedOver' ? { from: 'Clstr-nodeA', to: 'Clstr-nodeB' } : {}),
  };
  return {
    id: transitionId(incident),
    kind,
    at,
    ...(o.previousSeverity ? { previousSeverity: o.previousSeverity } : {}),
    incident,
    cluster: {
      subscriptionId: SUB,
      resourceGroup: rg,
      activeNode: 'Clstr-nodeB',
      state: kind === 'resolved' ? 'Healthy' : condition,
      serviceTag: 'pgsql-5432',
      ...(o.link === null ? {} : { link: o.link ?? `https://qwk-ops.example.net/api/clusters/${SUB}/${rg}` }),
    },
  };
}
