/**
 * Azure Monitor's per-grain sampling, as the simulator reproduces it (pure functions; unit-tested).
 *
 * A metric point of grain G aggregates the samples taken in [t, t + G). Health Probe Status (DipAvailability) gets
 * a sample from each backend about every 60/6.5 s (6 or 7 per minute, at a phase of its own): a steady 50 % split
 * over two backends can therefore read 6/13 = 46.15 % in a minute, as Azure's does. Data Path Availability
 * (VipAvailability) is a TCP ping every 25 s per frontend (Azure's troubleshooting guide): 2 or 3 per minute.
 * Points are aligned to the grain (whole minutes for PT1M) and appear only once ingested (`delayMs` after the end
 * of their grain); Azure publishes no figure for that delay (SIM_METRICS_DELAY_S, default 60).
 */
export const DIP_SAMPLE_S = 60 / 6.5;
export const VIP_SAMPLE_S = 25;
export const VM_AVAILABILITY_SAMPLE_S = 15;

export type Aggregation = 'average' | 'minimum' | 'maximum' | 'total' | 'count';
export const AGGREGATIONS: readonly Aggregation[] = ['average', 'minimum', 'maximum', 'total', 'count'];

export interface Point {
  timeStamp: string;
  average?: number;
  minimum?: number;
  maximum?: number;
  total?: number;
  count?: number;
}

/** Instants (epoch ms) of a sampler with period `periodMs` and phase `phase` (0..1) within [from, to). */
export function sampleTimes(from: number, to: number, periodMs: number, phase: number): number[] {
  const offset = phase * periodMs;
  const out: number[] = [];
  for (let k = Math.ceil((from - offset) / periodMs); offset + k * periodMs < to; k++) out.push(offset + k * periodMs);
  return out;
}

/** Grain starts (epoch ms) from `start` to `end`, aligned to the grain, at most `max` (the latest ones). */
export function grainStarts(start: number, end: number, grainMs: number, max = 1440): number[] {
  const first = Math.floor(Math.max(start, end - max * grainMs) / grainMs) * grainMs;
  const out: number[] = [];
  for (let t = first; t < end; t += grainMs) out.push(t);
  return out;
}

/** Aggregates 0/100 (or 0/1) sample values into a point. */
export function aggregate(timeStamp: number, values: number[], aggregations: readonly Aggregation[]): Point {
  const p: Point = { timeStamp: new Date(timeStamp).toISOString() };
  if (!values.length) return p;
  const total = values.reduce((a, b) => a + b, 0);
  for (const a of aggregations) {
    if (a === 'average') p.average = Math.round((total / values.length) * 100) / 100;
    else if (a === 'minimum') p.minimum = Math.min(...values);
    else if (a === 'maximum') p.maximum = Math.max(...values);
    else if (a === 'total') p.total = total;
    else p.count = values.length;
  }
  return p;
}

/** Whether a grain starting at `t` has been ingested at `now`. */
export function ingested(t: number, grainMs: number, delayMs: number, now: number): boolean {
  return t + grainMs + delayMs <= now;
}
