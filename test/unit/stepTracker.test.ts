import { describe, expect, it } from 'vitest';
import { StepTracker } from '../../shared/deployments/stepTracker';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:00:10Z');

function diamond() {
  return new StepTracker([
    { name: 'rg', dependsOn: [] },
    { name: 'vnet', dependsOn: ['rg'] },
    { name: 'lb', dependsOn: ['vnet'] },
    { name: 'nic', dependsOn: ['vnet', 'lb'] },
    { name: 'key', dependsOn: [] },
  ]);
}

describe('StepTracker', () => {
  it('releases a step only when all its dependencies succeeded', () => {
    const t = diamond();
    expect(t.ready()).toEqual(['rg', 'key']);
    t.start('rg', t0);
    t.start('key', t0);
    expect(t.ready()).toEqual([]);
    t.succeed('rg', t1);
    expect(t.ready()).toEqual(['vnet']);
    t.start('vnet', t1);
    t.succeed('vnet', t1);
    expect(t.ready()).toEqual(['lb']);
    t.start('lb', t1);
    t.succeed('lb', t1);
    expect(t.ready()).toEqual(['nic']);
  });

  it('counts attempts and keeps the first start time', () => {
    const t = diamond();
    t.start('rg', t0);
    t.retrying('rg', '429 TooManyRequests');
    t.start('rg', t1);
    t.succeed('rg', t1, 'Succeeded');
    expect(t.views()[0]).toEqual({
      name: 'rg',
      status: 'succeeded',
      attempts: 2,
      startedAt: t0.toISOString(),
      endedAt: t1.toISOString(),
      detail: 'Succeeded',
    });
    expect(t.done).toBe(1);
    expect(t.total).toBe(5);
  });

  it('counts a step skipped as not needed as done, and keeps its reason; steps abandoned after a failure do not count', () => {
    const t = diamond();
    t.skip('key', t1, 'not needed: verified before');
    expect(t.views().find((v) => v.name === 'key')).toEqual({
      name: 'key',
      status: 'skipped',
      attempts: 0,
      startedAt: t1.toISOString(),
      endedAt: t1.toISOString(),
      detail: 'not needed: verified before',
    });
    expect(t.done).toBe(1);
    t.start('rg', t0);
    t.fail('rg', t1, 'x');
    t.abandon(t1);
    expect(t.status('vnet')).toBe('skipped');
    expect(t.done).toBe(1);
  });

  it('marks in-flight steps interrupted and pending ones skipped after a failure', () => {
    const t = diamond();
    t.start('rg', t0);
    t.start('key', t0);
    t.fail('rg', t1, 'AuthorizationFailed');
    t.abandon(t1);
    expect(Object.fromEntries(t.views().map((v) => [v.name, v.status]))).toEqual({
      rg: 'failed',
      vnet: 'skipped',
      lb: 'skipped',
      nic: 'skipped',
      key: 'interrupted',
    });
    expect(t.allSucceeded).toBe(false);
  });

  it('refuses unknown dependencies and duplicate names', () => {
    expect(() => new StepTracker([{ name: 'a', dependsOn: ['b'] }])).toThrow(/unknown step 'b'/);
    expect(
      () =>
        new StepTracker([
          { name: 'a', dependsOn: [] },
          { name: 'a', dependsOn: [] },
        ]),
    ).toThrow(/duplicate/);
  });
});
