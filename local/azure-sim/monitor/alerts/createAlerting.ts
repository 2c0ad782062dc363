/** Wiring of the simulator's alerting. */
import type { ResourceStore } from '../../arm/store';
import type { VmRuntime } from '../../vm/runtime';
import type { MetricsService } from '../metrics';
import { AlertsService } from './service';
import { RealClock, envClusterScale, type AlertClock } from './clock';
import { simSignalSource, type AlertSignalSource } from './signals';

export interface AlertingOptions {
  /** The cluster clock alerts run on (default: real time × SIM_CLUSTER_TIME_SCALE). */
  clock?: AlertClock;
  /** Where metric series and VM health come from (default: the simulator's metrics API and VM power state). */
  signals?: AlertSignalSource;
}

/** The simulator's alerting, wired to its store, metrics and VM runtime unless options say otherwise. */
export function createAlerting(
  deps: { store: ResourceStore; runtime: () => VmRuntime; metrics: MetricsService },
  options: AlertingOptions = {},
): AlertsService {
  const clock = options.clock ?? new RealClock(envClusterScale);
  const signals = options.signals ?? simSignalSource({ ...deps, clock });
  return new AlertsService(deps.store, signals, clock);
}
