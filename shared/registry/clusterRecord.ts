/** The cluster registry's record: what monitoring needs to watch one cluster (pure). */
import type { MaintenanceWindow } from '../monitoring/signals';
import type { Route } from '../paging/routes';
import type { DeploymentPlan } from '../plan';
import { primaryAndStandby, qwkObjectName, type ScriptParams } from '../scripts';

export interface RegisteredNode {
  name: string;
  vmId: string;
  serviceIp: string;
  replicationIp: string;
  priority: number;
  /** The node's QWK object file name in the witness share. */
  qwkObject: string;
}

export interface ClusterRecord {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  deploymentId: string;
  loadBalancerId: string;
  /**
   * The ILB's load-balancing rule whose per-backend probe health monitoring reads (`beginHealthAndWait`). Absent in
   * rows registered before it was recorded: the probe signal is then missing (MonitoringBlind) until re-registered.
   */
  loadBalancingRule?: string;
  frontendIp: string;
  servicePort: number;
  probePort: number;
  nodes: RegisteredNode[];
  witness: { name: string; vmId: string; serviceIp: string };
  qwk: { sharePath: string; mountPoint: string; hbeatTime: number; numHbeats: number; quorumLossAction: string };
  /** The node where the hierarchy is In Service (as the deployment left it). */
  activeNode: string;
  /** The QWK relay's interval (spec monitoring.relayIntervalSeconds): how soon a silent relay is noticed. */
  relayIntervalSeconds?: number;
  registeredAt: string;
  /** Where the cluster's pages go (the spec's `monitoring`); absent on rows written before paging existed. */
  paging?: ClusterPaging;
  /**
   * Maintenance windows of deployments and drills running on the cluster (shared/monitoring/maintenance.ts): the
   * diagnosis records conditions inside one and opens no incident. Kept when the cluster is registered again.
   */
  maintenance?: MaintenanceWindow[];
}

/** The paging part of the spec's `monitoring` (routes absent = the app-wide default routes). */
export interface ClusterPaging {
  routes?: Route[];
  renotifyMinutes: number;
  repeatMinutes: number;
}

/** The paging settings of a spec's `monitoring` object. */
export function clusterPaging(monitoring: {
  routes?: Route[];
  renotifyMinutes: number;
  repeatMinutes: number;
}): ClusterPaging {
  return {
    ...(monitoring.routes ? { routes: monitoring.routes } : {}),
    renotifyMinutes: monitoring.renotifyMinutes,
    repeatMinutes: monitoring.repeatMinutes,
  };
}

function resourceId(plan: DeploymentPlan, kind: DeploymentPlan['resources'][number]['kind'], name?: string): string {
  const r = plan.resources.find((x) => x.kind === kind && (name === undefined || x.name === name));
  if (!r) throw new Error(`the plan has no ${kind}${name ? ` named ${name}` : ''}`);
  return r.id;
}

/** The name of the load balancer's (single) load-balancing rule, as planned. */
function ruleOf(plan: DeploymentPlan): { loadBalancingRule?: string } {
  const lb = plan.resources.find((x) => x.kind === 'loadBalancer');
  const body = lb?.body;
  const name = body?.loadBalancingRules?.[0]?.name;
  return name ? { loadBalancingRule: name } : {};
}

export function clusterRecord(
  plan: DeploymentPlan,
  p: ScriptParams,
  o: { deploymentId: string; registeredAt: string; paging?: ClusterPaging },
): ClusterRecord {
  const { primary } = primaryAndStandby(p);
  return {
    subscriptionId: plan.subscriptionId,
    resourceGroup: plan.resourceGroup,
    location: plan.location,
    deploymentId: o.deploymentId,
    loadBalancerId: resourceId(plan, 'loadBalancer'),
    ...ruleOf(plan),
    frontendIp: p.loadBalancer.frontendIp,
    servicePort: p.loadBalancer.port,
    probePort: p.loadBalancer.probePort,
    nodes: p.nodes.map((n) => ({
      name: n.name,
      vmId: resourceId(plan, 'virtualMachine', n.name),
      serviceIp: n.serviceIp,
      replicationIp: n.replicationIp,
      priority: n.priority,
      qwkObject: qwkObjectName(n.name),
    })),
    witness: {
      name: p.witness.name,
      vmId: resourceId(plan, 'virtualMachine', p.witness.name),
      serviceIp: p.witness.serviceIp,
    },
    qwk: {
      sharePath: p.qwk.sharePath,
      mountPoint: p.qwk.mountPoint,
      hbeatTime: p.qwk.hbeatTime,
      numHbeats: p.qwk.numHbeats,
      quorumLossAction: p.qwk.quorumLossAction,
    },
    activeNode: primary.name,
    ...(p.monitoring?.relayIntervalSeconds !== undefined
      ? { relayIntervalSeconds: p.monitoring.relayIntervalSeconds }
      : {}),
    registeredAt: o.registeredAt,
    ...(o.paging ? { paging: o.paging } : {}),
  };
}
