/**
 * Static-threshold metric alert evaluation (pure). Azure's rules, from "Understand how metric alerts work":
 * every evaluationFrequency the rule aggregates each monitored time series over the last windowSize with the
 * criterion's timeAggregation and compares it with the threshold. Stateful rules (autoMitigate, the default) notify
 * once when the condition becomes true (Fired) and once when it has been false for three consecutive evaluations
 * (Resolved); stateless rules (autoMitigate false) notify Fired on every evaluation where the condition is true and
 * never resolve.
 */
import type { MetricPoint, MetricSeries } from './signals';

export const OPERATORS = ['Equals', 'GreaterThan', 'GreaterThanOrEqual', 'LessThan', 'LessThanOrEqual'] as const;
export type Operator = (typeof OPERATORS)[number];
export const AGGREGATIONS = ['Average', 'Minimum', 'Maximum', 'Total', 'Count'] as const;
export type TimeAggregation = (typeof AGGREGATIONS)[number];

/** Evaluations in a row without the condition before a stateful alert resolves. */
export const RESOLVE_AFTER_EVALUATIONS = 3;

export function compare(value: number, operator: Operator, threshold: number): boolean {
  switch (operator) {
    case 'Equals':
      return value === threshold;
    case 'GreaterThan':
      return value > threshold;
    case 'GreaterThanOrEqual':
      return value >= threshold;
    case 'LessThan':
      return value < threshold;
    case 'LessThanOrEqual':
      return value <= threshold;
  }
}

/**
 * Aggregates the points of a window. Average = total of the grains' totals / total of their counts when the points
 * carry them (Azure's average over the raw samples), else the mean of the grains' averages; Minimum/Maximum of the
 * grains'; Total and Count summed. undefined when the window holds no data.
 */
export function aggregate(points: MetricPoint[], how: TimeAggregation): number | undefined {
  const has = (k: keyof MetricPoint) => points.filter((p) => typeof p[k] === 'number').map((p) => p[k] as number);
  switch (how) {
    case 'Average': {
      const withCounts = points.filter(
        (p) => typeof p.total === 'number' && typeof p.count === 'number' && p.count > 0,
      );
      if (withCounts.length === points.length && points.length) {
        const n = withCounts.reduce((s, p) => s + p.count!, 0);
        return withCounts.reduce((s, p) => s + p.total!, 0) / n;
      }
      const avgs = has('average');
      return avgs.length ? avgs.reduce((a, b) => a + b, 0) / avgs.length : undefined;
    }
    case 'Minimum': {
      const v = has('minimum');
      return v.length ? Math.min(...v) : undefined;
    }
    case 'Maximum': {
      const v = has('maximum');
      return v.length ? Math.max(...v) : undefined;
    }
    case 'Total': {
      const v = has('total');
      return v.length ? v.reduce((a, b) => a + b, 0) : undefined;
    }
    case 'Count': {
      const v = has('count');
      return v.length ? v.reduce((a, b) => a + b, 0) : undefined;
    }
  }
}

export interface StaticCriterion {
  name: string;
  metricName: string;
  metricNamespace?: string;
  operator: Operator;
  threshold: number;
  timeAggregation: TimeAggregation;
  dimensions?: { name: string; operator: 'Include' | 'Exclude'; values: string[] }[];
}

export interface SeriesResult {
  dimensions: Record<string, string>;
  /** Aggregated value over the window (undefined: no data). */
  metricValue?: number;
  met: boolean;
}

/** One criterion over the series of a window [from, to): each series' aggregate compared with the threshold. */
export function evaluateCriterion(
  c: StaticCriterion,
  series: MetricSeries[],
  from: number,
  to: number,
): SeriesResult[] {
  return series.map((s) => {
    const inWindow = s.points.filter((p) => p.timeStamp.getTime() >= from && p.timeStamp.getTime() < to);
    const metricValue = aggregate(inWindow, c.timeAggregation);
    return {
      dimensions: s.dimensions,
      metricValue,
      met: metricValue !== undefined && compare(metricValue, c.operator, c.threshold),
    };
  });
}

/** The monitor state of one alert instance (rule × scope × dimension combination). */
export interface InstanceState {
  fired: boolean;
  /** Consecutive evaluations without the condition while fired. */
  clearStreak: number;
}

export type Transition = 'Fired' | 'Resolved' | undefined;

/** One evaluation step of an alert instance: the next state and the notification it causes, if any. */
export function step(
  state: InstanceState | undefined,
  met: boolean,
  autoMitigate: boolean,
): { state: InstanceState; notify: Transition } {
  const s = state ?? { fired: false, clearStreak: 0 };
  if (!autoMitigate) return { state: { fired: met, clearStreak: 0 }, notify: met ? 'Fired' : undefined };
  if (met) return { state: { fired: true, clearStreak: 0 }, notify: s.fired ? undefined : 'Fired' };
  if (!s.fired) return { state: s, notify: undefined };
  const clearStreak = s.clearStreak + 1;
  if (clearStreak >= RESOLVE_AFTER_EVALUATIONS) return { state: { fired: false, clearStreak: 0 }, notify: 'Resolved' };
  return { state: { fired: true, clearStreak }, notify: undefined };
}

/** ISO 8601 durations metric alerts accept, in ms. */
export const FREQUENCIES: Record<string, number> = {
  PT1M: 60_000,
  PT5M: 300_000,
  PT15M: 900_000,
  PT30M: 1_800_000,
  PT1H: 3_600_000,
};
export const WINDOW_SIZES: Record<string, number> = {
  ...FREQUENCIES,
  PT6H: 6 * 3_600_000,
  PT12H: 12 * 3_600_000,
  P1D: 24 * 3_600_000,
};
