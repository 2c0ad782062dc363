import { describe, expect, it } from 'vitest';
import { SimClocks, parseTimeScale, scaledLimitMs } from '../../local/azure-sim/clocks';
import { RUN_COMMAND_LIMIT_FLOOR_MS, RUN_COMMAND_TIMEOUT_MS } from '../../local/azure-sim/vm';

describe('SimClocks', () => {
  it('keeps the control-plane and cluster factors apart', () => {
    const c = new SimClocks(0.002, 1);
    expect(c.controlPlaneMs(90_000)).toBeCloseTo(180);
    expect(c.clusterMs(6_000)).toBe(6_000);
    expect(c.get()).toEqual({ controlPlane: 0.002, cluster: 1 });
  });

  it('changes at run time, tells listeners, and changes nothing on a bad value', () => {
    const c = new SimClocks(1, 1);
    const seen: unknown[] = [];
    c.onChange((s) => seen.push(s));
    expect(c.set({ cluster: 0.5 })).toEqual({ controlPlane: 1, cluster: 0.5 });
    expect(() => c.set({ controlPlane: 0.01, cluster: -1 })).toThrow(/cluster/);
    expect(c.get()).toEqual({ controlPlane: 1, cluster: 0.5 });
    expect(seen).toEqual([{ controlPlane: 1, cluster: 0.5 }]);
  });

  it.each([
    [0, false],
    [-1, false],
    ['abc', false],
    [Number.NaN, false],
    [1000, false],
    [0.000001, false],
    [0.001, true],
    ['0.25', true],
    [1, true],
  ])('parseTimeScale(%s) valid: %s', (value, ok) => {
    if (ok) expect(parseTimeScale(value, 'x')).toBeGreaterThan(0);
    else expect(() => parseTimeScale(value, 'x')).toThrow(RangeError);
  });
});

describe('scaled limits have floors', () => {
  it.each([0.001, 0.002, 0.005, 0.01, 0.1, 0.5, 1])(
    'the Run Command limit at control-plane scale %s never cuts a script before the floor',
    (scale) => {
      const limit = scaledLimitMs(RUN_COMMAND_TIMEOUT_MS, scale, RUN_COMMAND_LIMIT_FLOOR_MS);
      expect(limit).toBeGreaterThanOrEqual(RUN_COMMAND_LIMIT_FLOOR_MS);
      expect(limit).toBeLessThanOrEqual(RUN_COMMAND_TIMEOUT_MS);
      expect(limit).toBe(Math.max(RUN_COMMAND_TIMEOUT_MS * scale, RUN_COMMAND_LIMIT_FLOOR_MS));
    },
  );

  it('is never longer than the unscaled limit', () => {
    expect(scaledLimitMs(1000, 1, 5000)).toBe(1000);
    expect(scaledLimitMs(1000, 2, 0)).toBe(1000);
  });
});
