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
export { RETRY_DELAYS_MS, SKIP_AFTER_FAILURE_MS, type DeliveryAttempt, type PublicEndpoint } from './delivery';
export { createAlerting, type AlertingOptions } from './createAlerting';
