import { describe, expect, it } from 'vitest';
import {
  RESOLVE_AFTER_EVALUATIONS,
  aggregate,
  compare,
  evaluateCriterion,
  step,
  type InstanceState,
  type Operator,
  type StaticCriterion,
  type TimeAggregation,
} from '../../local/azure-sim/monitor/alerts/evaluator';
import type { MetricPoint } from '../../local/azure-sim/monitor/alerts/signals';

const pt = (minute: number, v: number, count = 1): MetricPoint => ({
  timeStamp: new Date(minute * 60_000),
  average: v,
  minimum: v,
  maximum: v,
  total: v * count,
  count,
});

describe('compare', () => {
  const cases: [number, Operator, number, boolean][] = [
    [5, 'GreaterThan', 4, true],
    [4, 'GreaterThan', 4, false],
    [4, 'GreaterThanOrEqual', 4, true],
    [3, 'GreaterThanOrEqual', 4, false],
    [3, 'LessThan', 4, true],
    [4, 'LessThan', 4, false],
    [4, 'LessThanOrEqual', 4, true],
    [5, 'LessThanOrEqual', 4, false],
    [4, 'Equals', 4, true],
    [4.5, 'Equals', 4, false],
  ];
  it.each(cases)('%d %s %d → %s', (v, op, t, want) => expect(compare(v, op, t)).toBe(want));
});

describe('aggregate over a window', () => {
  const points = [pt(0, 100, 6), pt(1, 50, 6), pt(2, 0, 6)];
  const cases: [TimeAggregation, MetricPoint[], number | undefined][] = [
    ['Average', points, 50],
    ['Minimum', points, 0],
    ['Maximum', points, 100],
    ['Total', points, 900],
    ['Count', points, 18],
    // weighted by samples: 100 × 2 samples, 0 × 6 samples → 25
    ['Average', [pt(0, 100, 2), pt(1, 0, 6)], 25],
    // points without total/count: mean of the averages
    [
      'Average',
      [
        { timeStamp: new Date(0), average: 10 },
        { timeStamp: new Date(60_000), average: 20 },
      ],
      15,
    ],
    ['Average', [], undefined],
    ['Maximum', [], undefined],
  ];
  it.each(cases)('%s of %j → %s', (how, pts, want) => expect(aggregate(pts, how)).toBe(want));
});

describe('evaluateCriterion: thresholds, windows and series', () => {
  const crit = (o: Partial<StaticCriterion>): StaticCriterion => ({
    name: 'c',
    metricName: 'DipAvailability',
    operator: 'LessThan',
    threshold: 50,
    timeAggregation: 'Average',
    ...o,
  });
  const series = [
    { dimensions: { BackendIPAddress: '10.0.0.4' }, points: [pt(0, 100), pt(1, 100), pt(2, 0), pt(3, 0), pt(4, 0)] },
    { dimensions: { BackendIPAddress: '10.0.0.5' }, points: [pt(0, 0), pt(1, 0), pt(2, 100), pt(3, 100), pt(4, 100)] },
  ];
  const cases: { what: string; c: Partial<StaticCriterion>; from: number; to: number; want: (boolean | number)[][] }[] =
    [
      {
        what: 'PT1M window at the last minute',
        c: {},
        from: 4,
        to: 5,
        want: [
          [true, 0],
          [false, 100],
        ],
      },
      {
        what: 'PT5M window averages both halves',
        c: {},
        from: 0,
        to: 5,
        want: [
          [true, 40],
          [false, 60],
        ],
      },
      {
        what: 'threshold 60 LessThanOrEqual',
        c: { operator: 'LessThanOrEqual', threshold: 60 },
        from: 0,
        to: 5,
        want: [
          [true, 40],
          [true, 60],
        ],
      },
      {
        what: 'Minimum over PT5M',
        c: { timeAggregation: 'Minimum', operator: 'Equals', threshold: 0 },
        from: 0,
        to: 5,
        want: [
          [true, 0],
          [true, 0],
        ],
      },
      {
        what: 'Maximum over first 2 min',
        c: { timeAggregation: 'Maximum', operator: 'GreaterThan', threshold: 50 },
        from: 0,
        to: 2,
        want: [
          [true, 100],
          [false, 0],
        ],
      },
    ];
  it.each(cases)('$what', ({ c, from, to, want }) => {
    const r = evaluateCriterion(crit(c), series, from * 60_000, to * 60_000);
    expect(r.map((x) => [x.met, x.metricValue])).toEqual(want);
    expect(r.map((x) => x.dimensions.BackendIPAddress)).toEqual(['10.0.0.4', '10.0.0.5']);
  });
  it('a series without data in the window is not met', () => {
    const r = evaluateCriterion(crit({}), series, 10 * 60_000, 11 * 60_000);
    expect(r.map((x) => [x.met, x.metricValue])).toEqual([
      [false, undefined],
      [false, undefined],
    ]);
  });
});

describe('step: Fired / Resolved state (autoMitigate)', () => {
  const run = (mets: boolean[], autoMitigate: boolean) => {
    let s: InstanceState | undefined;
    return mets.map((m) => {
      const r = step(s, m, autoMitigate);
      s = r.state;
      return r.notify ?? '-';
    });
  };
  const cases: { what: string; mets: boolean[]; auto: boolean; want: string[] }[] = [
    {
      what: 'stateful: fires once while the condition holds',
      mets: [false, true, true, true],
      auto: true,
      want: ['-', 'Fired', '-', '-'],
    },
    {
      what: `stateful: resolves after ${RESOLVE_AFTER_EVALUATIONS} evaluations without the condition`,
      mets: [true, false, false, false, false],
      auto: true,
      want: ['Fired', '-', '-', 'Resolved', '-'],
    },
    {
      what: 'stateful: a flap does not resolve',
      mets: [true, false, false, true, false, false, false],
      auto: true,
      want: ['Fired', '-', '-', '-', '-', '-', 'Resolved'],
    },
    {
      what: 'stateful: fires again after resolving',
      mets: [true, false, false, false, true],
      auto: true,
      want: ['Fired', '-', '-', 'Resolved', 'Fired'],
    },
    {
      what: 'stateless: fires on every evaluation with the condition, never resolves',
      mets: [true, true, false, false, false, true],
      auto: false,
      want: ['Fired', 'Fired', '-', '-', '-', 'Fired'],
    },
  ];
  it.each(cases)('$what', ({ mets, auto, want }) => expect(run(mets, auto)).toEqual(want));
});
