import { describe, expect, it } from 'vitest';
import {
  aggregate,
  DIP_SAMPLE_S,
  grainStarts,
  ingested,
  sampleTimes,
  VIP_SAMPLE_S,
} from '../../local/azure-sim/monitor/sampling';
import { phaseOf } from '../../local/azure-sim/monitor/probeView';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('metric sampling', () => {
  it('aligns grains to the minute and keeps the latest ones', () => {
    expect(grainStarts(T0 + 25_000, T0 + 3 * MIN + 1, MIN)).toEqual([T0, T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN]);
    expect(grainStarts(T0, T0 + 10 * MIN, MIN, 3)).toEqual([T0 + 7 * MIN, T0 + 8 * MIN, T0 + 9 * MIN]);
  });

  it.each(['10.5.1.11', '10.5.1.12', '10.0.0.4', 'x'])(
    'health probe status takes 6 or 7 samples a minute from backend %s',
    (ip) => {
      const phase = phaseOf(ip);
      const counts = Array.from(
        { length: 30 },
        (_, i) => sampleTimes(T0 + i * MIN, T0 + (i + 1) * MIN, DIP_SAMPLE_S * 1000, phase).length,
      );
      expect(new Set(counts)).toEqual(new Set([6, 7]));
      // 13 samples every 2 minutes on average
      expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(194);
      expect(counts.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(196);
    },
  );

  it('data path availability pings every 25 s: 2 or 3 samples a minute', () => {
    const counts = Array.from(
      { length: 10 },
      (_, i) => sampleTimes(T0 + i * MIN, T0 + (i + 1) * MIN, VIP_SAMPLE_S * 1000, 0.3).length,
    );
    expect(Math.min(...counts)).toBe(2);
    expect(Math.max(...counts)).toBe(3);
  });

  it('samples lie inside their grain', () => {
    for (const t of sampleTimes(T0, T0 + MIN, 7_000, 0.9)) {
      expect(t).toBeGreaterThanOrEqual(T0);
      expect(t).toBeLessThan(T0 + MIN);
    }
  });

  it('a steady 50 % over two backends reads 46.15 when one backend got 6 samples and the other 7', () => {
    const up = Array(6).fill(100);
    const down = Array(7).fill(0);
    expect(aggregate(T0, [...up, ...down], ['average', 'count', 'total', 'minimum', 'maximum'])).toEqual({
      timeStamp: new Date(T0).toISOString(),
      average: 46.15,
      count: 13,
      total: 600,
      minimum: 0,
      maximum: 100,
    });
  });

  it('a point without samples has only its time stamp', () => {
    expect(aggregate(T0, [], ['average'])).toEqual({ timeStamp: new Date(T0).toISOString() });
  });

  it.each([
    [T0, T0 + MIN + 60_000, true],
    [T0, T0 + MIN + 59_999, false],
    [T0 + MIN, T0 + MIN + 30_000, false],
  ])('grain %s with a 60 s ingestion delay is there at %s: %s', (t, now, there) => {
    expect(ingested(t, MIN, 60_000, now)).toBe(there);
  });
});
