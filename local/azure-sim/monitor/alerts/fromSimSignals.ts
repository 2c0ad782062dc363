/**
 * The alert engine's signal source on the simulator's own signals (monitor/signals.ts): the metric series that
 * `metrics:getBatch` serves (same sampling, same ingestion delay, cluster clock) and the VM health changes that
 * Resource Health reports.
 */
import type { SimSignals } from '../signals';
import { passesFilter, type AlertSignalSource, type MetricSeries } from './signals';

export function alertSignalsFrom(signals: SimSignals, ingestionDelayAzureMs: () => number): AlertSignalSource {
  return {
    async metricSeries(resourceId, metricName, q): Promise<MetricSeries[]> {
      // split by every dimension a criterion names; Include/Exclude lists are applied to the split series
      const dimensionFilter = Object.fromEntries((q.dimensionFilter ?? []).map((f) => [f.name, '*']));
      const result = signals.metricSeries(resourceId, metricName, { from: q.from, to: q.to, dimensionFilter });
      return result.series
        .filter((s) => passesFilter(s.dimensions, q.dimensionFilter))
        .map((s) => ({
          dimensions: s.dimensions,
          points: s.data.map((p) => ({ ...p, timeStamp: new Date(p.timeStamp) })),
        }));
    },
    onVmHealth(cb) {
      return signals.onVmHealth((e) =>
        cb({
          resourceId: e.vmId,
          currentHealthStatus: e.state,
          previousHealthStatus: e.previousState,
          at: e.at,
          title: e.reason,
          cause: e.cause,
          type: e.state === 'Available' ? undefined : 'Downtime',
        }),
      );
    },
    ingestionDelayAzureMs,
  };
}
