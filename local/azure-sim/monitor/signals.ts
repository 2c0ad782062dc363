import type { SimClocks } from '../clocks';
import type { ClusterEvent } from '../vm/clusterModel';
import type { MetricResult, MetricsService } from './metrics';
import type { Aggregation } from './sampling';
import type { VmHealthEvent, VmHealthTracker } from './vmHealth';

export type { VmHealthEvent, VmAvailability } from './vmHealth';
export type { MetricResult, MetricSeries } from './metrics';
export type { Point as MetricPoint, Aggregation } from './sampling';

/**
 * What the simulator's alert evaluation (monitor/alerts/) reads, in process: the same metric series that
 * `metrics:getBatch` serves (same sampling, same ingestion delay, cluster clock), and VM health changes as Resource
 * Health reports them.
 */
export interface SimSignals {
  /** The clocks: alert evaluation runs on `clocks.cluster` (windowSize PT5M lasts 5 min × cluster scale). */
  readonly clocks: SimClocks;
  /**
   * One metric of one resource (DipAvailability / VipAvailability of a load balancer, VmAvailabilityMetric of a VM),
   * grain PT1M by default, points aligned to the grain; a point not yet ingested has only its timeStamp.
   * `dimensionFilter`: `{ BackendIPAddress: '*' }` splits by backend, `{ BackendIPAddress: '10.5.1.11' }` keeps one.
   * Throws (ArmError 400/404) for an unknown metric or resource.
   */
  metricSeries(
    resourceId: string,
    metricName: string,
    opts: {
      from: Date;
      to: Date;
      grain?: string;
      dimensionFilter?: Record<string, string>;
      aggregations?: Aggregation[];
    },
  ): MetricResult;
  /** Subscribes to VM health changes (Available / Unavailable / Degraded / Unknown); returns the unsubscribe. */
  onVmHealth(listener: (e: VmHealthEvent) => void): () => void;
  /** The VM's current health (undefined before the first observation). */
  vmHealth(vmId: string): VmHealthEvent | undefined;
  /** Every health change of the VM, oldest first. */
  vmHealthHistory(vmId: string): VmHealthEvent[];
  /** Subscribes to the LifeKeeper model's events of every cluster (failover, quorumLost, fault, healed…). */
  onClusterEvent(listener: (e: ClusterEvent & { subscriptionId: string; resourceGroup: string }) => void): () => void;
}

export function createSignals(
  clocks: SimClocks,
  metrics: MetricsService,
  vmHealth: VmHealthTracker,
  clusterEvents: { on(l: (e: ClusterEvent & { subscriptionId: string; resourceGroup: string }) => void): () => void },
): SimSignals {
  return {
    clocks,
    metricSeries: (resourceId, metricName, o) =>
      metrics.series(resourceId, metricName, {
        from: o.from.getTime(),
        to: o.to.getTime(),
        grain: o.grain,
        dimensionFilter: o.dimensionFilter,
        aggregations: o.aggregations,
      }),
    onVmHealth: (l) => vmHealth.on(l),
    vmHealth: (id) => vmHealth.current(id),
    vmHealthHistory: (id) => vmHealth.historyOf(id),
    onClusterEvent: (l) => clusterEvents.on(l),
  };
}
