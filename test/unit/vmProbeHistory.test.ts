import { describe, expect, it } from 'vitest';
import { ProbeHistory } from '../../local/azure-sim/vm/probeHistory';

describe('ILB probe history', () => {
  it('answers for past instants from the recorded changes', () => {
    const h = new ProbeHistory();
    h.update(new Set(['10.5.1.11:12345']), 1000);
    h.update(new Set(['10.5.1.11:12345']), 1500);
    h.update(new Set(['10.5.1.12:12345']), 2000);
    h.update(new Set(), 3000);
    expect(h.answered('10.5.1.11', 12345, 999)).toBe(false);
    expect(h.answered('10.5.1.11', 12345, 1000)).toBe(true);
    expect(h.answered('10.5.1.11', 12345, 1999)).toBe(true);
    expect(h.answered('10.5.1.11', 12345, 2000)).toBe(false);
    expect(h.answered('10.5.1.12', 12345, 2500)).toBe(true);
    expect(h.answered('10.5.1.12', 12345, 3000)).toBe(false);
    expect(h.answered('10.5.1.12', 80, 2500)).toBe(false);
    expect(h.changesOf('10.5.1.11', 12345)).toEqual([
      { at: 1000, up: true },
      { at: 2000, up: false },
    ]);
  });
});
