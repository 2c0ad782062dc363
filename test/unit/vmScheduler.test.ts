import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../local/azure-sim/vm/scheduler';

describe('runtime scheduler', () => {
  it('runs periodic tasks from one timer and stops them on cancel/close', async () => {
    const s = new Scheduler();
    let a = 0;
    let b = 0;
    s.every('a', 10, () => void a++);
    s.every('b', 25, () => void b++);
    await new Promise((r) => setTimeout(r, 120));
    expect(a).toBeGreaterThanOrEqual(5);
    expect(b).toBeGreaterThanOrEqual(2);
    expect(a).toBeGreaterThan(b);
    s.cancel('a');
    const frozen = a;
    await new Promise((r) => setTimeout(r, 40));
    expect(a).toBe(frozen);
    s.close();
    const bFrozen = b;
    await new Promise((r) => setTimeout(r, 60));
    expect(b).toBe(bFrozen);
    expect(s.keys()).toEqual([]);
  });
});
