/** The failover drill's pure parts (shared/drills/drill.ts). */
import { describe, expect, it } from 'vitest';
import { drillSteps, drillTarget, drillView, parseDrillBody } from '../../shared/drills/drill';

describe('parseDrillBody', () => {
  it.each([
    [undefined, { switchBack: true }],
    [{}, { switchBack: true }],
    [{ switchBack: true }, { switchBack: true }],
    [{ switchBack: false }, { switchBack: false }],
  ])('accepts %j', (body, expected) => {
    expect(parseDrillBody(body)).toEqual({ ok: true, value: expected });
  });

  it.each([
    [[], ['']],
    ['yes', ['']],
    [{ switchBack: 'no' }, ['switchBack']],
    [{ switchback: false }, ['switchback']],
    [{ switchBack: 1, to: 'Clstr-nodeB' }, ['to', 'switchBack']],
  ])('refuses %j', (body, paths) => {
    const r = parseDrillBody(body);
    if (r.ok) throw new Error('accepted');
    expect(r.errors.map((e) => e.path)).toEqual(paths);
  });
});

describe('drillTarget and drillSteps', () => {
  const nodes = [{ name: 'Clstr-nodeA' }, { name: 'Clstr-nodeB' }];
  it.each([
    ['Clstr-nodeA', { ok: true, from: 'Clstr-nodeA', to: 'Clstr-nodeB' }],
    ['Clstr-nodeB', { ok: true, from: 'Clstr-nodeB', to: 'Clstr-nodeA' }],
  ])('active %s', (active, expected) => {
    expect(drillTarget(nodes, active)).toEqual(expected);
  });

  it('refuses an unknown active node or a cluster without two nodes', () => {
    expect(drillTarget(nodes, undefined)).toMatchObject({ ok: false, message: expect.stringContaining('not known') });
    expect(drillTarget(nodes, 'Witness-node')).toMatchObject({ ok: false });
    expect(drillTarget(nodes.slice(0, 1), 'Clstr-nodeA')).toMatchObject({
      ok: false,
      message: expect.stringContaining('two nodes'),
    });
  });

  it('to the standby and back, or to the standby only', () => {
    expect(drillSteps('Clstr-nodeA', 'Clstr-nodeB', true)).toEqual([
      { name: 'switchover:Clstr-nodeB', node: 'Clstr-nodeB' },
      { name: 'switchover:Clstr-nodeA', node: 'Clstr-nodeA' },
    ]);
    expect(drillSteps('Clstr-nodeA', 'Clstr-nodeB', false)).toEqual([
      { name: 'switchover:Clstr-nodeB', node: 'Clstr-nodeB' },
    ]);
  });
});

describe('drillView', () => {
  const base = {
    instanceId: 'drl-1',
    createdTime: '2026-11-25T12:00:00Z',
    lastUpdatedTime: new Date('2026-11-25T12:01:00Z'),
  };
  const custom = {
    drillId: 'drl-1',
    cluster: { subscriptionId: 's', resourceGroup: 'rg', location: 'japaneast' },
    from: 'Clstr-nodeA',
    to: 'Clstr-nodeB',
    switchBack: true,
    phase: 'completed',
    steps: [{ name: 'switchover:Clstr-nodeB', status: 'succeeded', attempts: 1 }],
  };
  it('a completed drill: steps, result, times', () => {
    const v = drillView({
      ...base,
      runtimeStatus: 'Completed',
      customStatus: custom,
      output: { activeNode: 'Clstr-nodeA', switchovers: 2 },
    });
    expect(v).toMatchObject({
      id: 'drl-1',
      phase: 'completed',
      from: 'Clstr-nodeA',
      to: 'Clstr-nodeB',
      result: { activeNode: 'Clstr-nodeA', switchovers: 2 },
      createdAt: '2026-11-25T12:00:00.000Z',
      updatedAt: '2026-11-25T12:01:00.000Z',
    });
    expect(v.steps).toHaveLength(1);
  });
  it('pending before the first status; cancelled when terminated; no result unless completed', () => {
    expect(drillView({ ...base, runtimeStatus: 'Pending' })).toMatchObject({
      phase: 'pending',
      cluster: null,
      steps: [],
    });
    const t = drillView({
      ...base,
      runtimeStatus: 'Terminated',
      customStatus: JSON.stringify({ ...custom, phase: 'switching' }),
    });
    expect(t.phase).toBe('cancelled');
    expect(t.result).toBeUndefined();
    expect(drillView({ ...base, runtimeStatus: 'Failed', customStatus: { ...custom, phase: 'switching' } }).phase).toBe(
      'failed',
    );
  });
});
