/** Alerting of the simulator: Microsoft.Insights alert rules and action groups, evaluation, webhook delivery. */
export { AlertsService, type FiredAlert } from './service';
export { RealClock, envClusterScale, type AlertClock } from './clock';
export {
  ManualSignalSource,
  simSignalSource,
  type AlertSignalSource,
  type DimensionFilter,
  type HealthStatus,
  type MetricPoint,
  type MetricSeries,
  type MetricSeriesQuery,
  type VmHealthEvent,
} from './signals';
export { RETRY_DELAYS_MS, SKIP_AFTER_FAILURE_MS, type DeliveryAttempt } from './delivery';

import type { ResourceStore } from '../../arm/store';
import type { VmRuntime } from '../../vm/runtime';
import type { MetricsService } from '../metrics';
import { AlertsService as Service } from './service';
import { RealClock as Clock, envClusterScale as clusterScale, type AlertClock as Clk } from './clock';
import { simSignalSource as simSignals, type AlertSignalSource as Signals } from './signals';

export interface AlertingOptions {
  /** The cluster clock alerts run on (default: real time × SIM_CLUSTER_TIME_SCALE). */
  clock?: Clk;
  /** Where metric series and VM health come from (default: the simulator's metrics API and VM power state). */
  signals?: Signals;
}

/** The simulator's alerting, wired to its store, metrics and VM runtime unless options say otherwise. */
export function createAlerting(
  deps: { store: ResourceStore; runtime: () => VmRuntime; metrics: MetricsService },
  options: AlertingOptions = {},
): Service {
  const clock = options.clock ?? new Clock(clusterScale);
  const signals = options.signals ?? simSignals({ ...deps, clock });
  return new Service(deps.store, signals, clock);
}
