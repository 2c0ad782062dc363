/**
 * What GET /api/clusters and GET /api/clusters/{subscriptionId}/{resourceGroup} answer (PURE): the registry row
 * joined with the cluster's stored health (the last evaluation), its open incidents and its timeline. These are the
 * figures a person reads when paged; docs/MONITORING.md explains how to read them.
 */
import type { ClusterRecord } from '../registry/clusterRecord';
import type { ClusterState, Incident } from './contracts';
import type { ClusterHealth, NodeView, TimelineEntry } from './diagnosis';

export interface ClusterSummary {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  /** null until the cluster's first evaluation. */
  state: ClusterState | null;
  activeNode: string | null;
  /** When `state` last changed. */
  since: string | null;
  openIncidents: number;
  lastEvaluatedAt: string | null;
}

export interface ClusterDetail extends ClusterSummary {
  loadBalancerId: string;
  frontendIp: string;
  probePort: number;
  maintenance: boolean;
  maintenanceReason?: string;
  /** Signals the last evaluation lacked. */
  missingSignals: string[];
  /** What is settling and not yet a condition. */
  notes: string[];
  /** The last failover, while the cluster runs without a standby. */
  failover: { from: string; to: string; at: string } | null;
  /** Per node: probe, QWK sequence and last advance (witness clock), commstat, power. */
  nodes: (NodeView & { active: boolean })[];
  witness: ClusterHealth['witness'];
  conditions: ClusterHealth['conditions'];
  incidents: Incident[];
  /** The last 50 state and active-node changes, newest first. */
  timeline: TimelineEntry[];
}

export function clusterSummary(
  record: ClusterRecord,
  health: { health?: ClusterHealth; incidents: Incident[] } | undefined,
): ClusterSummary {
  const h = health?.health;
  return {
    subscriptionId: record.subscriptionId,
    resourceGroup: record.resourceGroup,
    location: record.location,
    state: h?.state ?? null,
    activeNode: h ? (h.activeNode ?? null) : record.activeNode,
    since: h?.since ?? null,
    openIncidents: (health?.incidents ?? []).filter((i) => i.status === 'open').length,
    lastEvaluatedAt: h?.lastEvaluatedAt ?? null,
  };
}

/** Every registered cluster with its health (joined case-insensitively), in subscription / resource group order. */
export function clusterList(
  records: readonly ClusterRecord[],
  healths: readonly { health?: ClusterHealth; incidents: Incident[] }[],
): ClusterSummary[] {
  const key = (sub: string, rg: string) => `${sub.toLowerCase()}/${rg.toLowerCase()}`;
  const byKey = new Map(
    healths.filter((h) => h.health).map((h) => [key(h.health!.subscriptionId, h.health!.resourceGroup), h]),
  );
  return records
    .map((r) => clusterSummary(r, byKey.get(key(r.subscriptionId, r.resourceGroup))))
    .sort((a, b) => key(a.subscriptionId, a.resourceGroup).localeCompare(key(b.subscriptionId, b.resourceGroup)));
}

export function clusterDetail(
  record: ClusterRecord,
  health: { health?: ClusterHealth; incidents: Incident[] } | undefined,
  timeline: readonly TimelineEntry[],
): ClusterDetail {
  const summary = clusterSummary(record, health);
  const h = health?.health;
  const nodes: (NodeView & { active: boolean })[] = h
    ? h.nodes.map((n) => ({ ...n, active: n.name === summary.activeNode }))
    : record.nodes.map((n) => ({
        name: n.name,
        serviceIp: n.serviceIp,
        probe: 'missing',
        active: n.name === summary.activeNode,
      }));
  return {
    ...summary,
    loadBalancerId: record.loadBalancerId,
    frontendIp: record.frontendIp,
    probePort: record.probePort,
    maintenance: h?.maintenance ?? false,
    ...(h?.maintenanceReason ? { maintenanceReason: h.maintenanceReason } : {}),
    missingSignals: h?.missingSignals ?? [],
    notes: h?.notes ?? [],
    failover: h?.failover ?? null,
    nodes,
    witness: h?.witness ?? { name: record.witness.name },
    conditions: h?.conditions ?? [],
    incidents: (health?.incidents ?? [])
      .filter((i) => i.status === 'open')
      .sort((a, b) => a.openedAt.localeCompare(b.openedAt)),
    timeline: [...timeline].sort((a, b) => b.at.localeCompare(a.at)).slice(0, 50),
  };
}
