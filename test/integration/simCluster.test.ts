/**
 * Monitoring 1/5: default clusters deployed through the app (local stack, control-plane scale 0.005, cluster clock
 * real), faulted through /_sim/clusters/{sub}/{rg}/faults, observed through the real SDK clients: the load-balancing
 * rule health API (@azure/arm-network), metrics:getBatch (@azure/monitor-query-metrics), the VM instance view
 * (@azure/arm-compute). Three clusters with the same private IPs run their scenarios concurrently; each sees only
 * its own nodes.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SUBSCRIPTION_ID } from '../../local/stack';
import { getDeployment, post, seedSpec, startConfigStack, TERMINAL, type Api } from '../support/deployments';
import { makeSimClients, type SimClients } from '../support/simClients';
import { simFetch } from '../support/simHttp';

const KEY = 'sim-cluster-key';
const SUB = LOCAL_SUBSCRIPTION_ID;
const LB = 'LKL-QWK-storage-ILB';
const RULE = 'LKL-QWK-storage-rule';
const A_IP = '10.5.1.11';
const B_IP = '10.5.1.12';
/** HBEATTIME × NUMHBEATS of the default spec (6 s × 4), in real seconds. */
const WITNESS_CHECK_S = 24;
const RG = { iso: 'simc-isolate', net: 'simc-network', misc: 'simc-misc' };

let stack: Awaited<ReturnType<typeof startConfigStack>>;
let api: Api;
let arm: SimClients;
const measured: Record<string, number> = {};

const vmId = (rg: string, name: string) =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;
const lbId = (rg: string) =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Network/loadBalancers/${LB}`;

const sim = async (method: string, path: string, body?: unknown) => simFetch(stack.sim, method, path, body);

const faults = (rg: string) => `/_sim/clusters/${SUB}/${rg}/faults`;
const inject = async (rg: string, kind: string, vm?: string) => {
  const r = await sim('POST', faults(rg), { kind, ...(vm ? { vm } : {}) });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json;
};
const state = async (rg: string) => {
  const r = await sim('GET', faults(rg));
  expect(r.status).toBe(200);
  return r.json;
};
const heal = async (rg: string) => {
  const r = await sim('DELETE', faults(rg));
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json;
};

/** The rule health API through @azure/arm-network (an LRO). */
const health = (rg: string) => arm.network.loadBalancerLoadBalancingRules.beginHealthAndWait(rg, LB, RULE);
const stateOf = (h: Awaited<ReturnType<typeof health>>, ip: string) =>
  h.loadBalancerBackendAddresses?.find((b) => b.ipAddress === ip)?.state;

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what}: not met in ${ms} ms; last: ${JSON.stringify(last)?.slice(0, 1500)}`);
}

const nodeView = (s: any, vm: string) => s.model.nodes.find((n: any) => n.vmName === vm);
const ispOn = (s: any, vm: string) => nodeView(s, vm).resources.filter((r: any) => r.state === 'ISP').length;
const activeNodes = (s: any) =>
  s.model.nodes.filter((n: any) => n.resources.some((r: any) => r.type === 'lbhc' && r.state === 'ISP'));
const qwkObject = (s: any, node: string) => s.model.qwkObjects.find((o: any) => o.node === node);

async function expectOneActive(rg: string): Promise<void> {
  const s = await until(
    'one active node',
    () => state(rg),
    (v) => activeNodes(v).length === 1,
    30_000,
  );
  expect(s.faults).toEqual([]);
  const h = await until(
    'one backend Up',
    () => health(rg),
    (v) => v.up === 1 && v.down === 1,
    30_000,
  );
  expect(h.loadBalancerBackendAddresses).toHaveLength(2);
}

/** Polls the deployment until it is terminal (a status GET that fails under load is retried). */
async function deployed(id: string): Promise<Record<string, any>> {
  return until(
    `deployment ${id}`,
    async () => {
      try {
        return (await getDeployment(api, id)).json;
      } catch {
        return {};
      }
    },
    (v) => TERMINAL.has(v.runtimeStatus),
    900_000,
  );
}

beforeAll(async () => {
  // metric points are ingested 5 s after their minute (default 60 s), to keep the wall time low
  process.env.SIM_METRICS_DELAY_S = '5';
  delete process.env.SIM_CLUSTER_TIME_SCALE;
  stack = await startConfigStack({
    timeScale: 0.005,
    functionKey: KEY,
    settings: { QWK_RETRY_BASE_MS: '50', QWK_RETRY_CAP_MS: '500' },
  });
  api = { baseUrl: stack.host!.baseUrl, key: KEY };
  arm = makeSimClients(stack.sim, SUB);
  const ids = await Promise.all(
    Object.values(RG).map(async (rg) => {
      const res = await post(api, seedSpec({ resourceGroup: rg }));
      expect(res.status).toBe(202);
      return res.json.id as string;
    }),
  );
  const views = await Promise.all(ids.map((id) => deployed(id)));
  for (const v of views) expect(v, JSON.stringify(v.error)).toMatchObject({ runtimeStatus: 'Completed' });
}, 960_000);

afterAll(async () => {
  console.log('simCluster measured (s):', JSON.stringify(measured));
  await stack?.stop();
});

describe('time scales', () => {
  it('GET/PUT /_sim/time-scale reads and changes both clocks; a bad value changes nothing', async () => {
    expect((await sim('GET', '/_sim/time-scale')).json).toEqual({ controlPlane: 0.005, cluster: 1 });
    const bad = await sim('PUT', '/_sim/time-scale', { controlPlane: 0.01, cluster: 0 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('InvalidTimeScale');
    expect((await sim('PUT', '/_sim/time-scale', { controlPlane: 0.004 })).json).toEqual({
      controlPlane: 0.004,
      cluster: 1,
    });
    expect((await sim('PUT', '/_sim/time-scale', { controlPlane: 0.005 })).status).toBe(200);
  });

  it('refuses an unknown kind and an unknown VM with nothing changed', async () => {
    expect((await sim('POST', faults(RG.iso), { kind: 'meteorStrike' })).status).toBe(400);
    expect((await sim('POST', faults(RG.iso), { kind: 'crashNode', vm: 'nope' })).status).toBe(404);
    expect((await sim('GET', `/_sim/clusters/${SUB}/no-such-rg/faults`)).status).toBe(404);
    expect((await state(RG.iso)).faults).toEqual([]);
  });
});

describe('clusters are independent', () => {
  it('each cluster’s rule health and metrics show only its own nodes', async () => {
    for (const rg of Object.values(RG)) {
      const h = await health(rg);
      expect(h.loadBalancerBackendAddresses?.map((b) => b.ipAddress).sort()).toEqual([A_IP, B_IP]);
      for (const b of h.loadBalancerBackendAddresses ?? [])
        expect(b.networkInterfaceIPConfigurationId).toContain(`/resourceGroups/${rg}/`);
      expect(stateOf(h, A_IP)).toBe('Up');
      expect(stateOf(h, B_IP)).toBe('Down');
    }
  });
});

describe('faults (three clusters concurrently)', () => {
  it.concurrent(
    'isolateNode (§9.3): the standby takes over within HBEATTIME × NUMHBEATS + 10 s; signals follow; DELETE heals',
    async () => {
      const rg = RG.iso;
      const t0 = Date.now();
      const f = await inject(rg, 'isolateNode');
      expect(f).toMatchObject({ kind: 'isolateNode', vm: 'Clstr-nodeA' });
      const h = await until(
        'standby Up',
        () => health(rg),
        (v) => stateOf(v, B_IP) === 'Up',
        90_000,
      );
      // the standby is Up from here on: the next complete metric minute after this moment shows it at 100 %
      const takeover = Date.now();
      measured.isolateToStandbyUp = (takeover - t0) / 1000;
      expect(measured.isolateToStandbyUp).toBeLessThanOrEqual(WITNESS_CHECK_S + 10);
      expect(stateOf(h, A_IP)).toBe('Down');
      const s = await state(rg);
      expect(s.faults.map((x: any) => x.kind)).toEqual(['isolateNode']);
      expect(ispOn(s, 'Clstr-nodeA')).toBe(0);
      expect(nodeView(s, 'Clstr-nodeA')).toMatchObject({ downInterfaces: ['eth0', 'eth1'] });
      expect(s.model.events.some((e: any) => e.kind === 'quorumLost' && e.node === 'Clstr-nodeA')).toBe(true);
      // the isolated node's QWK object stops advancing while the peer's goes on
      const before = { a: qwkObject(s, 'Clstr-nodeA').sequence, b: qwkObject(s, 'Clstr-nodeB').sequence };
      const later = await until(
        'nodeB object advances',
        () => state(rg),
        (v) => qwkObject(v, 'Clstr-nodeB').sequence > before.b + 1,
        30_000,
      );
      expect(qwkObject(later, 'Clstr-nodeA').sequence).toBe(before.a);
      // the next complete metric minute shows the new backend available (counted from the takeover, not from now:
      // the wait above may have crossed a minute boundary already)
      const nextMinute = Math.ceil(takeover / 60_000) * 60_000;
      const dip = await until(
        'a complete minute with nodeB at 100 %',
        async () => {
          const [r] = await arm.metrics.queryResources(
            [lbId(rg)],
            ['DipAvailability'],
            'Microsoft.Network/loadBalancers',
            {
              startTime: new Date(nextMinute - 120_000),
              endTime: new Date(),
              interval: 'PT1M',
              filter: "BackendIPAddress eq '*'",
            },
          );
          return r.metrics[0];
        },
        (m) =>
          m.timeseries?.some(
            (t) =>
              t.metadatavalues?.some((d) => d.value === B_IP) &&
              t.data?.some((p) => p.timeStamp.getTime() >= nextMinute && p.average === 100),
          ) ?? false,
        150_000,
      );
      expect(dip.name).toBe('Health Probe Status');
      const seriesA = dip.timeseries.find((t) => t.metadatavalues?.some((d) => d.value === A_IP))!;
      expect(seriesA.data!.find((p) => p.timeStamp.getTime() >= nextMinute)?.average).toBe(0);
      // the current minute is not ingested yet: its point has no value
      expect(dip.timeseries[0].data!.at(-1)!.average).toBeUndefined();
      // DELETE heals: one active node again
      await heal(rg);
      await expectOneActive(rg);
    },
    360_000,
  );

  it.concurrent(
    'commPathsDown: no failover, commstat=DOWN in both objects; witnessDown + commPathsDown (§9.4): all stop; crashNode; stopVm',
    async () => {
      const rg = RG.net;
      await inject(rg, 'commPathsDown');
      const s = await until(
        'commstat DOWN in both objects',
        () => state(rg),
        (v) =>
          qwkObject(v, 'Clstr-nodeA').peers?.[0]?.commstat === 'DOWN' &&
          qwkObject(v, 'Clstr-nodeB').peers?.[0]?.commstat === 'DOWN',
        60_000,
      );
      expect(s.model.commPathsCut).toBe(true);
      // longer than the witness check: still no failover (both objects keep advancing)
      const seqA = qwkObject(s, 'Clstr-nodeA').sequence;
      await until(
        'nodeA object advances past the witness check',
        () => state(rg),
        (v) => qwkObject(v, 'Clstr-nodeA').sequence >= seqA + 5,
        60_000,
      );
      const after = await state(rg);
      expect(ispOn(after, 'Clstr-nodeA')).toBe(5);
      expect(ispOn(after, 'Clstr-nodeB')).toBe(0);
      const h1 = await health(rg);
      expect([h1.up, stateOf(h1, A_IP), stateOf(h1, B_IP)]).toEqual([1, 'Up', 'Down']);
      await heal(rg);
      await expectOneActive(rg);

      // §9.4: the witness fails, then the comm paths: resources stop on every node
      await inject(rg, 'witnessDown');
      await inject(rg, 'commPathsDown');
      // each node finds its comm paths and its QWK storage gone: quorum lost on both (QUORUM_LOSS_ACTION fastkill)
      const lostOn = (v: any) =>
        [...new Set(v.model.events.filter((e: any) => e.kind === 'quorumLost').map((e: any) => e.node))].sort();
      const stopped = await until(
        'quorum lost and resources stopped on both nodes',
        () => state(rg),
        (v) =>
          lostOn(v).length === 2 &&
          ispOn(v, 'Clstr-nodeA') === 0 &&
          ispOn(v, 'Clstr-nodeB') === 0 &&
          !nodeView(v, 'Clstr-nodeA').lkRunning &&
          !nodeView(v, 'Clstr-nodeB').lkRunning,
        60_000,
      );
      expect(lostOn(stopped)).toEqual(['Clstr-nodeA', 'Clstr-nodeB']);
      expect(stopped.model.nodes.filter((n: any) => n.vmName !== 'Witness-node').map((n: any) => n.lkRunning)).toEqual([
        false,
        false,
      ]);
      const h2 = await until(
        'no backend Up',
        () => health(rg),
        (v) => v.up === 0,
        30_000,
      );
      expect(h2.down).toBe(2);
      await heal(rg);
      await expectOneActive(rg);

      // crashNode: ARM still says running, the guest agent is silent; the standby takes over
      const active = activeNodes(await state(rg))[0].vmName as string;
      const other = active === 'Clstr-nodeA' ? 'Clstr-nodeB' : 'Clstr-nodeA';
      await inject(rg, 'crashNode');
      const iv = await arm.compute.virtualMachines.instanceView(rg, active);
      expect(iv.statuses?.map((x) => x.code)).toContain('PowerState/running');
      expect(iv.vmAgent?.statuses?.[0]?.displayStatus).toBe('Not Ready');
      const otherIp = other === 'Clstr-nodeA' ? A_IP : B_IP;
      await until(
        'standby Up after the crash',
        () => health(rg),
        (v) => stateOf(v, otherIp) === 'Up',
        90_000,
      );
      await heal(rg);
      await expectOneActive(rg);
      expect((await arm.compute.virtualMachines.instanceView(rg, active)).vmAgent?.statuses?.[0]?.displayStatus).toBe(
        'Ready',
      );

      // stopVm: ARM power off; the stopped VM's health entry is empty
      const active2 = activeNodes(await state(rg))[0].vmName as string;
      const ip2 = active2 === 'Clstr-nodeA' ? A_IP : B_IP;
      await inject(rg, 'stopVm');
      const iv2 = await arm.compute.virtualMachines.instanceView(rg, active2);
      expect(iv2.statuses?.map((x) => x.code)).toContain('PowerState/stopped');
      const h3 = await health(rg);
      const entry = h3.loadBalancerBackendAddresses?.find((b) => b.ipAddress === ip2);
      expect(entry?.networkInterfaceIPConfigurationId).toBeDefined();
      expect(entry?.state).toBeUndefined();
      expect((h3.up ?? 0) + (h3.down ?? 0)).toBe(1);
      await heal(rg);
      await expectOneActive(rg);
    },
    600_000,
  );

  it.concurrent(
    'splitBrain: both backends Up; stopLifeKeeper; probeListenerDown: local recovery fails, then failover; relayDown',
    async () => {
      const rg = RG.misc;
      // the other clusters' faults do not touch this one
      expect((await health(rg)).up).toBe(1);
      await inject(rg, 'splitBrain');
      const both = await until(
        'both Up',
        () => health(rg),
        (v) => v.up === 2,
        90_000,
      );
      expect([stateOf(both, A_IP), stateOf(both, B_IP)]).toEqual(['Up', 'Up']);
      const s = await state(rg);
      expect(ispOn(s, 'Clstr-nodeA')).toBe(5);
      expect(ispOn(s, 'Clstr-nodeB')).toBe(5);
      expect(s.model.probeAnswering).toEqual(expect.arrayContaining([`${A_IP}:12345`, `${B_IP}:12345`]));
      await heal(rg);
      await expectOneActive(rg);

      // stopLifeKeeper on the active node: its resources go out of service, nothing moves (default shutdown strategy)
      const active = activeNodes(await state(rg))[0].vmName as string;
      await inject(rg, 'stopLifeKeeper');
      const s2 = await state(rg);
      expect(nodeView(s2, active)).toMatchObject({ lkRunning: false });
      expect(ispOn(s2, active)).toBe(0);
      await until(
        'no backend Up',
        () => health(rg),
        (v) => v.up === 0,
        30_000,
      );
      await heal(rg);
      await expectOneActive(rg);

      // probeListenerDown: lkcheck (LKCHECKINTERVAL, set to 10 s here by Run Command) finds the daemon gone
      for (const vm of ['Clstr-nodeA', 'Clstr-nodeB']) {
        await arm.compute.virtualMachines.beginRunCommandAndWait(rg, vm, {
          commandId: 'RunShellScript',
          script: ['echo LKCHECKINTERVAL=10 >> /etc/default/LifeKeeper'],
        });
      }
      const active3 = activeNodes(await state(rg))[0].vmName as string;
      const ip3 = active3 === 'Clstr-nodeA' ? A_IP : B_IP;
      const otherIp = ip3 === A_IP ? B_IP : A_IP;
      await inject(rg, 'probeListenerDown');
      await until(
        'active backend Down',
        () => health(rg),
        (v) => stateOf(v, ip3) === 'Down',
        30_000,
      );
      await until(
        'standby Up after the failover',
        () => health(rg),
        (v) => stateOf(v, otherIp) === 'Up',
        60_000,
      );
      const kinds = (await state(rg)).model.events.map((e: any) => e.kind);
      const i = kinds.lastIndexOf('lbhcQuickCheckFailed');
      expect(i).toBeGreaterThanOrEqual(0);
      expect(kinds.slice(i)).toEqual(expect.arrayContaining(['localRecoveryFailed', 'failover']));
      await heal(rg);
      await expectOneActive(rg);

      // relayDown: reserved; recorded (and qwk-relay* services on the witness stopped, if any)
      const relay = await inject(rg, 'relayDown');
      expect(relay).toMatchObject({ kind: 'relayDown', vm: 'Witness-node' });
      expect(relay.note).toBeTypeOf('string');
      await heal(rg);
      await expectOneActive(rg);
    },
    600_000,
  );
});

describe('resource group deletion', () => {
  it('stops the model and removes the sandboxes of a deleted resource group', async () => {
    const dir = stack.runtime.clusterPath(vmId(RG.misc, 'Clstr-nodeA'));
    await arm.resources.resourceGroups.beginDeleteAndWait(RG.misc);
    expect(stack.runtime.modelOf({ subscriptionId: SUB, resourceGroup: RG.misc })).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
    expect((await sim('GET', faults(RG.misc))).status).toBe(404);
    // the other clusters go on
    expect((await health(RG.iso)).up).toBe(1);
  }, 120_000);
});
