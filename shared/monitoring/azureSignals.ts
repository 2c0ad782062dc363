/**
 * Signal adapters on the real Azure SDK clients (shared/azure/clients.ts builds them): the ILB rule's per-backend
 * probe health, DipAvailability/VipAvailability for up to 50 load balancers per call, and VM power states. Each
 * adapter is a thin call plus a PURE mapping function (exported and unit-tested) from the SDK's response to the
 * signal types of signals.ts. A failed read is the caller's to turn into a missing signal.
 */
import type { ComputeManagementClient, InstanceViewStatus } from '@azure/arm-compute';
import type { LoadBalancerHealthPerRule, NetworkManagementClient } from '@azure/arm-network';
import type { MetricsClient, MetricsQueryResult } from '@azure/monitor-query-metrics';
import { parseArmId } from '../azure/armIds';
import type { AvailabilityMetrics, MetricPoint, PowerState, ProbeHealth, ProbeState } from './signals';

// --- probe health ----------------------------------------------------------------------------------------------

/** Maps the rule health API's answer; entries without an IP are dropped, unknown states become `Unknown`. */
export function probeHealthFromRule(health: LoadBalancerHealthPerRule, observedAt: Date): ProbeHealth {
  const state = (s: string | undefined): ProbeState =>
    s?.toLowerCase() === 'up' ? 'Up' : s?.toLowerCase() === 'down' ? 'Down' : 'Unknown';
  return {
    observedAt: observedAt.toISOString(),
    backends: (health.loadBalancerBackendAddresses ?? [])
      .filter((b) => typeof b.ipAddress === 'string' && b.ipAddress !== '')
      .map((b) => ({ ipAddress: b.ipAddress!, state: state(b.state), ...(b.reason ? { reason: b.reason } : {}) })),
  };
}

/** `POST …/loadBalancingRules/{rule}/health` (a long-running operation) for one cluster's rule. */
export async function readProbeHealth(
  network: NetworkManagementClient,
  loadBalancerId: string,
  ruleName: string,
  clock: () => Date = () => new Date(),
): Promise<ProbeHealth> {
  const lb = parseArmId(loadBalancerId);
  if (!lb.name) throw new Error(`not a load balancer id: ${loadBalancerId}`);
  const health = await network.loadBalancerLoadBalancingRules.beginHealthAndWait(lb.resourceGroup, lb.name, ruleName);
  return probeHealthFromRule(health, clock());
}

// --- metrics ---------------------------------------------------------------------------------------------------

export const LB_NAMESPACE = 'Microsoft.Network/loadBalancers';
export const AVAILABILITY_METRICS = ['DipAvailability', 'VipAvailability'] as const;
/** The batch API takes at most 50 resources (of one subscription, region and type) per call. */
export const METRICS_BATCH_SIZE = 50;

const sameId = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

function points(data: { timeStamp: Date; average?: number }[] | undefined): MetricPoint[] {
  return (data ?? []).map((d) => ({
    timeStamp: d.timeStamp.toISOString(),
    ...(typeof d.average === 'number' ? { average: d.average } : {}),
  }));
}

/**
 * Maps one batch answer to availability per load balancer id (as requested). Results are matched to the
 * requested ids by `resourceId`, else by position; metrics to the requested names by their ARM id (which ends
 * in `/metrics/<name>`), else by position. Never by display name: the SDK returns the localized name ("Health
 * Probe Status") and its `getMetricByName` cannot be trusted with it.
 */
export function availabilityFromBatch(
  results: readonly MetricsQueryResult[],
  loadBalancerIds: readonly string[],
  metricNames: readonly string[] = AVAILABILITY_METRICS,
): Map<string, AvailabilityMetrics> {
  const out = new Map<string, AvailabilityMetrics>();
  loadBalancerIds.forEach((lbId, index) => {
    const result =
      results.find((r) => sameId(r.resourceId, lbId)) ?? (results[index]?.resourceId ? undefined : results[index]);
    // A resource Azure could not answer for (errorCode, e.g. ResourceNotFound) comes back without metrics.
    if (!result || result.metrics.length === 0) return;
    const metricOf = (name: string) =>
      result.metrics.find((m) => m.id?.toLowerCase().endsWith(`/metrics/${name.toLowerCase()}`)) ??
      (result.metrics.some((m) => m.id) ? undefined : result.metrics[metricNames.indexOf(name)]);
    const dip: Record<string, MetricPoint[]> = {};
    const dipMetric = metricOf('DipAvailability');
    for (const ts of dipMetric?.timeseries ?? []) {
      const dims = ts.metadatavalues ?? [];
      // Dimension names may come localized too ("Backend IP Address"): compare them without spaces or case.
      const dim = dims.find((d) => d.name?.replace(/\s+/g, '').toLowerCase() === 'backendipaddress');
      const ip = (dim ?? (dims.length === 1 ? dims[0] : undefined))?.value;
      if (ip) dip[ip] = points(ts.data);
    }
    const vipMetric = metricOf('VipAvailability');
    out.set(lbId, { dip, vip: points(vipMetric?.timeseries[0]?.data) });
  });
  return out;
}

/**
 * DipAvailability split by BackendIPAddress, PT1M average over the last `minutes`, for many load balancers of one
 * subscription and region: one call per 50. VipAvailability has no BackendIPAddress dimension, so it cannot share
 * that call's split filter; `includeVip` reads it with a second call per 50. A chunk whose call fails is left out.
 */
export async function readAvailability(
  metrics: MetricsClient,
  loadBalancerIds: readonly string[],
  options: { now?: Date; minutes?: number; includeVip?: boolean } = {},
): Promise<{ byLoadBalancer: Map<string, AvailabilityMetrics>; calls: number; errors: unknown[] }> {
  const end = options.now ?? new Date();
  const start = new Date(end.getTime() - (options.minutes ?? 10) * 60_000);
  const window = { startTime: start, endTime: end, interval: 'PT1M', aggregation: 'average' };
  const byLoadBalancer = new Map<string, AvailabilityMetrics>();
  const errors: unknown[] = [];
  let calls = 0;
  for (let i = 0; i < loadBalancerIds.length; i += METRICS_BATCH_SIZE) {
    const chunk = loadBalancerIds.slice(i, i + METRICS_BATCH_SIZE);
    calls++;
    try {
      const results = await metrics.queryResources([...chunk], ['DipAvailability'], LB_NAMESPACE, {
        ...window,
        filter: "BackendIPAddress eq '*'",
      });
      for (const [id, m] of availabilityFromBatch(results, chunk, ['DipAvailability'])) byLoadBalancer.set(id, m);
    } catch (err) {
      errors.push(err);
    }
    if (!options.includeVip) continue;
    calls++;
    try {
      const results = await metrics.queryResources([...chunk], ['VipAvailability'], LB_NAMESPACE, window);
      for (const [id, m] of availabilityFromBatch(results, chunk, ['VipAvailability']))
        byLoadBalancer.set(id, { dip: byLoadBalancer.get(id)?.dip ?? {}, vip: m.vip });
    } catch (err) {
      errors.push(err);
    }
  }
  return { byLoadBalancer, calls, errors };
}

// --- power state -----------------------------------------------------------------------------------------------

const POWER: Record<string, PowerState> = {
  running: 'running',
  starting: 'starting',
  stopping: 'stopping',
  stopped: 'stopped',
  deallocating: 'deallocating',
  deallocated: 'deallocated',
};

/** The `PowerState/<x>` status of an instance view; `unknown` when there is none or it is not one we know. */
export function powerStateFromStatuses(statuses: readonly InstanceViewStatus[] | undefined): PowerState {
  const code = statuses?.find((s) => s.code?.toLowerCase().startsWith('powerstate/'))?.code;
  return (code && POWER[code.slice('powerstate/'.length).toLowerCase()]) || 'unknown';
}

/** Power state per VM name from each VM's instance view (one ARM read per VM); a failed read is `unknown`. */
export async function readPowerStates(
  compute: ComputeManagementClient,
  vmIds: readonly string[],
): Promise<Record<string, PowerState>> {
  const entries = await Promise.all(
    vmIds.map(async (id): Promise<[string, PowerState]> => {
      const vm = parseArmId(id);
      try {
        const view = await compute.virtualMachines.instanceView(vm.resourceGroup, vm.name!);
        return [vm.name!, powerStateFromStatuses(view.statuses)];
      } catch {
        return [vm.name!, 'unknown'];
      }
    }),
  );
  return Object.fromEntries(entries);
}
