import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../local/azure-sim';
import { NoopVmRuntime } from '../../local/azure-sim/noopRuntime';
import { makeSimClients, type SimClients } from '../support/simClients';
import { createGroupAndVnet, createLoadBalancer, createNic, ids } from '../support/simTopology';

/** node1 answers the probe on 59999; node2 only after `switchAt` (a failover). */
class ProbeRuntime extends NoopVmRuntime {
  switchAt = Infinity;
  asked = new Set<string>();
  override probeAnswered(ip: string, port: number, at: Date): boolean {
    this.asked.add(`${ip}:${port}`);
    if (port !== 59999) return false;
    if (ip === '10.20.1.10') return at.getTime() < this.switchAt;
    if (ip === '10.20.1.11') return at.getTime() >= this.switchAt;
    return false;
  }
}

let sim: RunningSimulator;
let c: SimClients;
const runtime = new ProbeRuntime();
const logLines: string[] = [];
const RG = 'rg-mon';

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    timeScale: 0.001,
    // metric grains run on the cluster clock: compress it too, and read points as soon as their minute ends
    clusterTimeScale: 0.001,
    metricsDelayS: 0,
    stateDir: '.local/test-sim-monitor',
    vmRuntime: runtime,
    log: (l) => logLines.push(l),
  });
  c = makeSimClients(sim);
  await createGroupAndVnet(c, RG);
  await createLoadBalancer(c, RG);
  await createNic(c, RG, 'n1', 'service', '10.20.1.10', true);
  await createNic(c, RG, 'n2', 'service', '10.20.1.11', true);
});
afterAll(async () => {
  await sim?.stop();
});

describe('Azure Monitor metrics batch API', () => {
  it('answers DipAvailability split by BackendIPAddress and VipAvailability per (scaled) minute', async () => {
    const lbId = ids(c, RG).lb('ilb');
    // 10 scaled minutes (60 ms each at time scale 0.001), aligned to the grain like Azure's time stamps
    const end = new Date(Math.floor(Date.now() / 60) * 60);
    const start = new Date(end.getTime() - 600);
    runtime.switchAt = start.getTime() + 300;
    const [result] = await c.metrics.queryResources(
      [lbId],
      ['DipAvailability', 'VipAvailability'],
      'Microsoft.Network/loadBalancers',
      {
        startTime: start,
        endTime: end,
        interval: 'PT1M',
        aggregation: 'average',
        filter: "BackendIPAddress eq '*'",
      },
    );
    expect(result.resourceId).toBe(lbId);
    expect(result.granularity).toBe('PT1M');
    // @azure/monitor-query-metrics 1.0.0 names a metric by its localizedValue when there is one, as Azure sends
    // for these metrics: DipAvailability is "Health Probe Status", VipAvailability "Data Path Availability".
    expect(result.metrics.map((m) => m.name)).toEqual(['Health Probe Status', 'Data Path Availability']);
    const dip = result.getMetricByName('Health Probe Status')!;
    expect(dip.unit).toBe('Count');
    const byIp = Object.fromEntries(
      dip.timeseries.map((ts) => [ts.metadatavalues![0].value, ts.data!.map((d) => d.average)]),
    );
    expect(Object.keys(byIp).sort()).toEqual(['10.20.1.10', '10.20.1.11']);
    expect(byIp['10.20.1.10']).toHaveLength(10);
    expect(byIp['10.20.1.10'].slice(0, 5)).toEqual([100, 100, 100, 100, 100]);
    // the load balancer sees the switch at its next probe (every 5 s): at most one sample of the minute lags
    expect(byIp['10.20.1.10'][5]).toBeLessThanOrEqual(100 / 6);
    expect(byIp['10.20.1.10'].slice(6)).toEqual([0, 0, 0, 0]);
    expect(byIp['10.20.1.11'].slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(byIp['10.20.1.11'][5]).toBeGreaterThanOrEqual(100 - 100 / 6);
    expect(byIp['10.20.1.11'].slice(6)).toEqual([100, 100, 100, 100]);
    const vip = result.getMetricByName('Data Path Availability')!;
    // data path availability pings every 25 s: around the switch, a ping may find neither backend Up yet
    const vipAvg = vip.timeseries[0].data!.map((d) => d.average!);
    expect(vipAvg.filter((_, i) => i !== 5)).toEqual(Array(9).fill(100));
    expect(vipAvg[5]).toBeGreaterThanOrEqual(50);
    expect(runtime.asked.has('10.20.1.10:59999')).toBe(true);
    const ts = dip.timeseries[0].data!.map((d) => d.timeStamp.getTime());
    expect(ts[0]).toBe(start.getTime());
    expect(ts[1] - ts[0]).toBe(60); // one scaled minute
  });

  it('shows VipAvailability 0 when no backend answers, and rejects unknown metrics', async () => {
    runtime.switchAt = 0;
    const lbId = ids(c, RG).lb('ilb');
    await c.network.networkInterfaces.beginDeleteAndWait(RG, 'n2');
    const end = new Date(Math.floor(Date.now() / 60) * 60);
    const [r] = await c.metrics.queryResources([lbId], ['VipAvailability'], 'Microsoft.Network/loadBalancers', {
      startTime: new Date(end.getTime() - 240),
      endTime: end,
      interval: 'PT1M',
    });
    expect(r.metrics[0].timeseries[0].data!.map((d) => d.average)).toEqual([0, 0, 0, 0]);
    await expect(c.metrics.queryResources([lbId], ['Nope'], 'Microsoft.Network/loadBalancers')).rejects.toMatchObject({
      statusCode: 400,
    });
  });
});

describe('Key Vault secrets', () => {
  it('round-trips secrets with the SDK challenge flow: set, versions, get, list, delete, purge', async () => {
    const s = c.secrets;
    const v1 = await s.setSecret('lk-license', 'first-value-123');
    expect(v1.value).toBe('first-value-123');
    expect(v1.properties.id).toBe(`${sim.url}/secrets/lk-license/${v1.properties.version}`);
    const v2 = await s.setSecret('lk-license', 'second-value-456', { contentType: 'text/plain' });
    expect(v2.properties.version).not.toBe(v1.properties.version);
    expect((await s.getSecret('lk-license')).value).toBe('second-value-456');
    expect((await s.getSecret('lk-license', { version: v1.properties.version })).value).toBe('first-value-123');
    const names: string[] = [];
    for await (const p of s.listPropertiesOfSecrets()) names.push(p.name);
    expect(names).toEqual(['lk-license']);
    const versions: string[] = [];
    for await (const p of s.listPropertiesOfSecretVersions('lk-license')) versions.push(p.version!);
    expect(versions.sort()).toEqual([v1.properties.version, v2.properties.version].sort());
    await expect(s.getSecret('missing')).rejects.toMatchObject({ statusCode: 404, code: 'SecretNotFound' });
    const poller = await s.beginDeleteSecret('lk-license');
    const deleted = await poller.pollUntilDone();
    expect(deleted.recoveryId).toBe(`${sim.url}/deletedsecrets/lk-license`);
    await expect(s.getSecret('lk-license')).rejects.toMatchObject({ statusCode: 404 });
    await s.purgeDeletedSecret('lk-license');
    expect((await s.setSecret('lk-license', 'third-value-789')).value).toBe('third-value-789');
    // values never reach the journal or the log
    const seen = JSON.stringify(sim.journal()) + logLines.join('\n');
    for (const v of ['first-value-123', 'second-value-456', 'third-value-789']) expect(seen).not.toContain(v);
    expect(sim.journal().filter((o) => o.op === 'secrets.set')).toHaveLength(3);
  });
});
