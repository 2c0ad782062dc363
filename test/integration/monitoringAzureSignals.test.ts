import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../local/azure-sim';
import { NoopVmRuntime } from '../../local/azure-sim/noopRuntime';
import { readAvailability } from '../../shared/monitoring/azureSignals';
import { makeSimClients, type SimClients } from '../support/simClients';
import { createGroupAndVnet, createLoadBalancer, createNic, ids } from '../support/simTopology';

/** In each cluster one node answers the probe: 10.20.1.10 in the first, 10.20.1.21 in the second. */
class TwoClusters extends NoopVmRuntime {
  override probeAnswered(ip: string, port: number): boolean {
    return port === 59999 && (ip === '10.20.1.10' || ip === '10.20.1.21');
  }
}

let sim: RunningSimulator;
let c: SimClients;

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    timeScale: 0.001,
    // metric grains run on the cluster clock: compressed like the control plane, minutes readable at once
    clusterTimeScale: 0.001,
    metricsDelayS: 0,
    stateDir: '.local/test-sim-monitoring-signals',
    vmRuntime: new TwoClusters(),
    log: () => undefined,
  });
  c = makeSimClients(sim);
  for (const [rg, ips] of [
    ['rg-sig-1', ['10.20.1.10', '10.20.1.11']],
    ['rg-sig-2', ['10.20.1.20', '10.20.1.21']],
  ] as const) {
    await createGroupAndVnet(c, rg);
    await createLoadBalancer(c, rg);
    await createNic(c, rg, 'n1', 'service', ips[0], true);
    await createNic(c, rg, 'n2', 'service', ips[1], true);
  }
});
afterAll(async () => {
  await sim?.stop();
});

describe('readAvailability with the real MetricsClient (simulator)', () => {
  it('reads many load balancers in one batch call and maps each one to its own backends', async () => {
    const lbs = [ids(c, 'rg-sig-1').lb('ilb'), ids(c, 'rg-sig-2').lb('ilb'), ids(c, 'rg-missing').lb('ilb')];
    // at time scale 0.001 a metric minute lasts 60 ms: 0.01 "minutes" of window = 10 buckets
    const { byLoadBalancer, calls, errors } = await readAvailability(c.metrics, lbs, { minutes: 0.01 });
    expect(errors).toEqual([]);
    expect(calls).toBe(1);
    expect([...byLoadBalancer.keys()]).toEqual(lbs.slice(0, 2));
    const complete = (xs: { average?: number }[]) => xs.filter((p) => p.average !== undefined).map((p) => p.average);
    const one = byLoadBalancer.get(lbs[0])!;
    expect(Object.keys(one.dip).sort()).toEqual(['10.20.1.10', '10.20.1.11']);
    expect(new Set(complete(one.dip['10.20.1.10']))).toEqual(new Set([100]));
    expect(new Set(complete(one.dip['10.20.1.11']))).toEqual(new Set([0]));
    const two = byLoadBalancer.get(lbs[1])!;
    expect(Object.keys(two.dip).sort()).toEqual(['10.20.1.20', '10.20.1.21']);
    expect(new Set(complete(two.dip['10.20.1.21']))).toEqual(new Set([100]));
    expect(two.vip).toEqual([]);
  });

  it('reads VipAvailability with a second call per 50 when asked', async () => {
    const lbs = [ids(c, 'rg-sig-1').lb('ilb'), ids(c, 'rg-sig-2').lb('ilb')];
    const { byLoadBalancer, calls, errors } = await readAvailability(c.metrics, lbs, {
      minutes: 0.01,
      includeVip: true,
    });
    expect(errors).toEqual([]);
    expect(calls).toBe(2);
    for (const id of lbs) {
      const m = byLoadBalancer.get(id)!;
      expect(Object.keys(m.dip)).toHaveLength(2);
      const vip = m.vip.filter((p) => p.average !== undefined).map((p) => p.average);
      expect(vip.length).toBeGreaterThan(5);
      expect(new Set(vip)).toEqual(new Set([100]));
    }
  });
});
