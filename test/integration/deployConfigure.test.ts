/**
 * Issue 5 end to end: POST /api/deployments on the local host + Durable engine + Azure simulator with its VM
 * runtime yields a configured, verified, registered cluster. Evidence is read from outside the app: the VMs' stub
 * journals (what ran on each VM, when), the ARM journal (each Run Command), the witness share (QWK objects), the
 * simulator's LifeKeeper model (probe), the registry table (@azure/data-tables), Key Vault.
 */
import { TableClient } from '@azure/data-tables';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { parseQwkObject, type SimVmRuntime } from '../../local/azure-sim/vm';
import type { DeliveryAttempt } from '../../local/azure-sim/monitor/alerts';
import { LOCAL_PUBLIC_URL, LOCAL_SUBSCRIPTION_ID } from '../../local/stack';
import { post, seedSpec, startConfigStack, TEST_LICENSE, waitForDeployment, type Api } from '../support/deployments';
import { makeSimClients, type SimClients } from '../support/simClients';
import { simFetch } from '../support/simHttp';
import { makeMonitorClient } from '../support/simMonitorClient';
import {
  pollMeasuring,
  readProcessLoops,
  resetProcessLoops,
  type ProcessLoops,
  type Responsiveness,
} from '../support/responsiveness';
import { removeShims } from '../support/vmShims';

const KEY = 'configure-function-key';
/** Key Vault secret holding the alert route's function key (QWK_ALERTS_FUNCTION_KEY_SECRET): the action group's. */
const ALERTS_KEY_SECRET = 'qwk-alerts-function-key';
const OPERATOR_EMAIL = 'lk-oncall@example.com';
const RG = 'qwk-configure';
const FAIL_RG = 'qwk-configure-fail';
const SUB = LOCAL_SUBSCRIPTION_ID;
const vmId = (rg: string, name: string) =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;
/**
 * A plain file where the QWK relay's configuration directory belongs: witness-qwk-relay — the last step of the last
 * stage — cannot create /etc/qwk-relay on the witness and fails with its own message.
 */
const BLOCKED_RELAY_DIR = { 'etc/qwk-relay': 'not a directory\n' };
const OS_STEPS = [
  'os-hosts',
  'os-firewall',
  'os-nic-pinning',
  'os-sshd',
  'os-ssh-keys',
  'packages-source',
  'os-selinux',
];
/** Steps that check live state and run on every deployment (no completion marker). */
const LIVE = new Set(['os-selinux', 'lifekeeper-start', 'lk-in-service']);
const SWITCHOVER_STEPS = new Set([
  'configure:Clstr-nodeB:verify-switchover',
  'configure:Witness-node:verify-client-standby',
  'configure:Clstr-nodeA:verify-switchover',
]);

let stack: Awaited<ReturnType<typeof startConfigStack>>;
let api: Api;
let arm: SimClients;
let rt: SimVmRuntime;
const timings: Record<string, number> = {};

beforeAll(async () => {
  let rejected = false; // once: a re-PUT of the VM must not bring the fault back
  // Run Command ≥ 20 s × 0.005 = 0.1 s; QWK objects written every 6 s × 0.005.
  stack = await startConfigStack({
    timeScale: 0.005,
    functionKey: KEY,
    settings: {
      QWK_RETRY_BASE_MS: '50',
      QWK_RETRY_CAP_MS: '500',
      QWK_ALERTS_FUNCTION_KEY_SECRET: ALERTS_KEY_SECRET,
    },
    secrets: { [ALERTS_KEY_SECRET]: KEY },
    shimOverrides: (id) =>
      id === vmId(FAIL_RG, 'Witness-node') && !rejected && (rejected = true) ? BLOCKED_RELAY_DIR : {},
  });
  api = { baseUrl: stack.host!.baseUrl, key: KEY };
  arm = makeSimClients(stack.sim, SUB);
  rt = stack.runtime;
}, 120_000);

afterAll(async () => {
  console.log('deployConfigure timings (s):', JSON.stringify(timings));
  await stack?.stop();
});

async function waitUntil<T>(what: string, f: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

type Call = { t: string; cmd: string; argv: string[] };
const calls = (rg: string, vm: string, match: (c: Call) => boolean) => rt.journal(vmId(rg, vm)).filter(match);
const firstAt = (rg: string, vm: string, match: (c: Call) => boolean) => {
  const found = calls(rg, vm, match)[0];
  expect(found, `${vm}: no matching call`).toBeDefined();
  return found.t;
};
const has = (c: Call, ...words: string[]) => words.every((w) => c.argv.includes(w));

describe('POST /api/deployments configures the cluster', () => {
  let view: Record<string, any>;
  let measured: Responsiveness | undefined;
  let loops: ProcessLoops | undefined;

  it('ends Completed with every configuration step succeeded', async () => {
    const started = Date.now();
    const endpoints = { sim: stack.sim, host: stack.host! };
    await resetProcessLoops(endpoints);
    const res = await post(
      api,
      seedSpec({ resourceGroup: RG, monitoring: { azureAlerts: { operatorEmail: OPERATOR_EMAIL } } }),
    );
    expect(res.status).toBe(202);
    // Polled like a user's curl, every 250 ms, measuring each status GET and this process's event loop (the stack
    // runs in it: host, Durable engine, simulator, VM sandboxes' creation and Run Commands).
    ({ view, measured } = await pollMeasuring(api, res.json.id, 600_000));
    loops = await readProcessLoops(endpoints);
    timings.deployment = (Date.now() - started) / 1000;
    expect(view.error).toBeUndefined();
    expect(view).toMatchObject({ runtimeStatus: 'Completed', phase: 'completed' });
    expect(view.progress.done).toBe(view.progress.total);
    const names: string[] = view.steps.map((s: any) => s.name);
    expect(names.slice(20)).toEqual([
      'configure:cluster:prepare',
      ...OS_STEPS.map((s) => `configure:Clstr-nodeA:${s}`),
      ...OS_STEPS.map((s) => `configure:Clstr-nodeB:${s}`),
      ...OS_STEPS.map((s) => `configure:Witness-node:${s}`),
      'configure:Witness-node:witness-nfs-server',
      'configure:Witness-node:witness-postgres-client',
      ...['postgres-server', 'lifekeeper-install', 'lifekeeper-license', 'lifekeeper-start', 'qwk-config'].map(
        (s) => `configure:Clstr-nodeA:${s}`,
      ),
      ...['postgres-server', 'lifekeeper-install', 'lifekeeper-license', 'lifekeeper-start', 'qwk-config'].map(
        (s) => `configure:Clstr-nodeB:${s}`,
      ),
      'configure:Clstr-nodeA:node-nfs-mount',
      'configure:Clstr-nodeA:qwk-storage-init',
      'configure:Clstr-nodeA:lk-comm-paths',
      'configure:Clstr-nodeB:node-nfs-mount',
      'configure:Clstr-nodeB:qwk-storage-init',
      'configure:Clstr-nodeB:lk-comm-paths',
      ...['lk-datakeeper', 'postgres-primary', 'lk-pgsql', 'lk-lbhc', 'lk-ip', 'lk-dependencies', 'lk-in-service'].map(
        (s) => `configure:Clstr-nodeA:${s}`,
      ),
      'configure:Clstr-nodeB:verify-switchover',
      'configure:Witness-node:verify-client-standby',
      'configure:Clstr-nodeA:verify-switchover',
      'configure:Witness-node:qwk-check',
      'configure:Witness-node:verify-client',
      'configure:Witness-node:witness-qwk-relay',
      'register',
      'alerts',
    ]);
    for (const s of view.steps) expect([s.name, s.status], JSON.stringify(s)).toEqual([s.name, 'succeeded']);
    // Each step's own times (from its result line inside its batch): ordered on each VM, none still running.
    for (const vm of ['Clstr-nodeA', 'Clstr-nodeB', 'Witness-node']) {
      const own = view.steps.filter((s: any) => s.name.startsWith(`configure:${vm}:`));
      for (const [i, s] of own.entries()) {
        expect(Date.parse(s.endedAt) >= Date.parse(s.startedAt), s.name).toBe(true);
        if (i > 0) expect(Date.parse(s.startedAt) >= Date.parse(own[i - 1].endedAt) - 1000, s.name).toBe(true);
      }
    }
    expect(view.runCommands.length).toBeGreaterThan(0);
    for (const rc of view.runCommands) expect(rc.status, JSON.stringify(rc)).toBe('succeeded');
    // SELinux was enforcing in the image: its step asked for the reboot, done through ARM.
    for (const vm of ['Clstr-nodeA', 'Clstr-nodeB', 'Witness-node']) {
      expect(view.steps.find((s: any) => s.name === `configure:${vm}:os-selinux`).detail).toMatch(
        /restarted; answering again/,
      );
    }
  }, 600_000);

  it('answers status GETs while it works: none slower than 500 ms, the event loop never blocked for 100 ms', () => {
    expect(measured, 'the deployment test ran first').toBeDefined();
    // The simulator and the host report their own event-loop delay (GET /_sim/stats/event-loop,
    // GET /admin/host/event-loop, reset before the POST); here both run in this process. That raw delay, and so a
    // GET's latency, also counts time the OS gave to other processes (the other test workers, other work on the
    // machine): it is printed, not asserted. maxBlockedMs is the loop's own busy time within one late tick
    // (main-thread CPU), asserted < 100 ms on any machine. PERFORMANCE.md records the figures.
    const cores = availableParallelism();
    // the function's own time (host log "Executed 'Functions.deploymentsGet' (…, Duration=N ms)": the Durable client's
    // request to the host's Durable API and its read in Azurite) against the whole GET's
    const fnMs = stack
      .host!.logs.filter((l) => l.message.startsWith("Executed 'Functions.deploymentsGet'"))
      .map((l) => Number(/Duration=(\d+)ms/.exec(l.message)?.[1] ?? 0));
    console.log(
      'deployConfigure responsiveness during the deployment:',
      JSON.stringify({
        statusGets: {
          n: measured!.gets,
          maxMs: measured!.maxGetMs,
          p50Ms: measured!.p50GetMs,
          p99Ms: measured!.p99GetMs,
          slowest: measured!.slowestGets,
          over500ms: measured!.slowGets,
        },
        functionMs: {
          n: fnMs.length,
          p50Ms: [...fnMs].sort((a, b) => a - b)[Math.floor(fnMs.length / 2)] ?? 0,
          maxMs: Math.max(0, ...fnMs),
        },
        blockedMaxMs: measured!.maxBlockedMs,
        simulatorLoop: { maxMs: loops!.simulator.maxMs, p99Ms: loops!.simulator.p99Ms },
        hostLoop: { maxMs: loops!.host.maxMs, p99Ms: loops!.host.p99Ms },
        cores,
        load1: loadavg()[0],
      }),
    );
    expect(measured!.gets).toBeGreaterThan(10);
    expect(loops!.simulator.samples).toBeGreaterThan(0);
    expect(loops!.host.samples).toBeGreaterThan(0);
    expect(measured!.maxBlockedMs).toBeLessThan(100);
    // issue 9 item 6: no status GET slower than 500 ms during a deployment (before: unanswered for over 10 s). On a
    // machine whose 1-minute load average exceeded OVERLOADED_PER_CORE runnable processes per core when the GET was
    // sent, the stack's processes wait for a core however little they do: such a GET is reported, and only the 5 s
    // bound holds for it.
    const OVERLOADED_PER_CORE = 2;
    const unexplained = measured!.slowGets.filter((g) => g.load1 <= OVERLOADED_PER_CORE * cores);
    expect(unexplained, 'status GETs over 500 ms on a machine that was not overloaded').toEqual([]);
    expect(measured!.maxGetMs).toBeLessThan(5_000);
  });

  it('ran each Run Command on the VMs in a valid order', () => {
    const runs = stack.sim
      .journal()
      .filter(
        (o) => o.op === 'virtualMachines.runCommand' && o.resourceId.toLowerCase().includes(`/resourcegroups/${RG}/`),
      );
    const restarts = stack.sim
      .journal()
      .filter(
        (o) => o.op === 'virtualMachines.restart' && o.resourceId.toLowerCase().includes(`/resourcegroups/${RG}/`),
      );
    expect(restarts).toHaveLength(3);
    // one Run Command per VM and stage (its steps in one batch), plus one "are you back" ping per restart
    console.log(`deployConfigure: ${runs.length} Run Commands for ${view.progress.total} steps`);
    expect(runs.length).toBe(view.runCommands.length + 3);
    expect(view.runCommands).toHaveLength(15);
    expect(runs.length).toBeLessThanOrEqual(20);
    // one at a time per VM
    for (const vm of ['Clstr-nodeA', 'Clstr-nodeB', 'Witness-node']) {
      const own = runs.filter((o) => o.resourceId.endsWith(`/${vm}`)).sort((a, b) => a.start.localeCompare(b.start));
      for (let i = 1; i < own.length; i++) expect(own[i].start >= own[i - 1].end!).toBe(true);
    }

    const mount = (c: Call) => c.cmd === 'mount' && c.argv.some((a) => a.includes('qwkmnt'));
    const exportfs = (c: Call) => c.cmd === 'exportfs';
    for (const node of ['Clstr-nodeA', 'Clstr-nodeB'])
      expect(firstAt(RG, 'Witness-node', exportfs) < firstAt(RG, node, mount)).toBe(true);

    const qwkInit = (c: Call) => c.cmd === 'qwk_storage_init';
    expect(firstAt(RG, 'Clstr-nodeA', qwkInit) < firstAt(RG, 'Clstr-nodeB', qwkInit)).toBe(true);

    const lkstart = (c: Call) => c.cmd === 'lkstart';
    const commpath = (c: Call) => c.cmd === 'lkcli' && has(c, 'commpath', 'create');
    const firstCommpath = firstAt(RG, 'Clstr-nodeA', commpath);
    for (const node of ['Clstr-nodeA', 'Clstr-nodeB']) expect(firstAt(RG, node, lkstart) < firstCommpath).toBe(true);

    for (const tag of ['datarep-data', 'pgsql-5432', 'lbhc-12345', 'ip-10.5.1.100']) {
      const create = firstAt(RG, 'Clstr-nodeA', (c) => c.cmd === 'lkcli' && has(c, 'resource', 'create', tag));
      const extend = firstAt(RG, 'Clstr-nodeA', (c) => c.cmd === 'lkcli' && has(c, 'resource', 'extend', tag));
      expect(create < extend, tag).toBe(true);
    }
    const initdb = firstAt(RG, 'Clstr-nodeA', (c) => c.cmd === 'initdb');
    expect(firstAt(RG, 'Clstr-nodeA', (c) => c.cmd === 'lkcli' && has(c, 'create', 'datarep-data')) < initdb).toBe(
      true,
    );

    // verification: over to the standby, psql from the witness, back to the primary, psql again
    const restore = (c: Call) => c.cmd === 'perform_action' && has(c, 'restore');
    const toStandby = firstAt(RG, 'Clstr-nodeB', restore);
    const back = firstAt(RG, 'Clstr-nodeA', restore);
    const psqls = calls(RG, 'Witness-node', (c) => c.cmd === 'psql' && has(c, '10.5.1.100')).map((c) => c.t);
    expect(psqls.some((t) => t > toStandby && t < back)).toBe(true);
    expect(psqls.some((t) => t > back)).toBe(true);
  });

  it('leaves both QWK objects updating in the witness share and the probe answered by the primary', async () => {
    const share = path.join(rt.sandboxPath(vmId(RG, 'Witness-node')), 'root/qwkshare');
    const read = (node: string) => parseQwkObject(readFileSync(path.join(share, node), 'utf8'));
    const before = { a: read('Clstr_nodeA'), b: read('Clstr_nodeB') };
    expect(before.a).toMatchObject({ localNode: 'Clstr-nodeA' });
    expect(before.b).toMatchObject({ localNode: 'Clstr-nodeB' });
    // QWK objects are written every HBEATTIME (6 s) of the cluster clock, which runs in real time
    const deadline = Date.now() + 60_000;
    const advanced = () =>
      read('Clstr_nodeA')!.sequence > before.a!.sequence && read('Clstr_nodeB')!.sequence > before.b!.sequence;
    while (!advanced() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const after = { a: read('Clstr_nodeA')!, b: read('Clstr_nodeB')! };
    expect(after.a.sequence).toBeGreaterThan(before.a!.sequence);
    expect(after.b.sequence).toBeGreaterThan(before.b!.sequence);

    const model = rt.clusterModel(vmId(RG, 'Clstr-nodeA'));
    expect(model.probeAnswering).toContain('10.5.1.11:12345');
    expect(model.probeAnswering).not.toContain('10.5.1.12:12345');
    const nodeA = model.nodes.find((n) => n.vmName === 'Clstr-nodeA')!;
    expect(
      nodeA.resources
        .filter((r) => r.state === 'ISP')
        .map((r) => r.tag)
        .sort(),
    ).toEqual(['/data', 'datarep-data', 'ip-10.5.1.100', 'lbhc-12345', 'pgsql-5432']);
  });

  it('registers the cluster in the registry table', async () => {
    const table = TableClient.fromConnectionString(stack.azurite.connectionString, 'clusters', {
      allowInsecureConnection: true,
    });
    const row = await table.getEntity<Record<string, any>>(SUB, RG);
    expect(row).toMatchObject({
      deploymentId: view.id,
      resourceGroup: RG,
      activeNode: 'Clstr-nodeA',
      frontendIp: '10.5.1.100',
      probePort: 12345,
      loadBalancerId: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/loadBalancers/LKL-QWK-storage-ILB`,
    });
    expect(JSON.parse(row.nodes)).toEqual([
      {
        name: 'Clstr-nodeA',
        vmId: vmId(RG, 'Clstr-nodeA'),
        serviceIp: '10.5.1.11',
        replicationIp: '10.5.2.11',
        priority: 1,
        qwkObject: 'Clstr_nodeA',
      },
      {
        name: 'Clstr-nodeB',
        vmId: vmId(RG, 'Clstr-nodeB'),
        serviceIp: '10.5.1.12',
        replicationIp: '10.5.2.12',
        priority: 10,
        qwkObject: 'Clstr_nodeB',
      },
    ]);
    expect(JSON.parse(row.qwk)).toEqual({
      sharePath: '/root/qwkshare',
      mountPoint: '/mnt/qwkmnt',
      hbeatTime: 6,
      numHbeats: 4,
      quorumLossAction: 'fastkill',
    });
  });

  it('creates the Azure alerts (step alerts): the action group to POST /api/alerts and the rules on the cluster', async () => {
    const monitor = makeMonitorClient(stack.sim, SUB);
    const step = view.steps.find((s: any) => s.name === 'alerts');
    expect(step).toMatchObject({
      status: 'succeeded',
      detail: expect.stringMatching(/^action group qwk-qwk-configure-ops/),
    });
    const group = await monitor.actionGroups.get(RG, 'qwk-qwk-configure-ops');
    expect(group.webhookReceivers).toEqual([
      expect.objectContaining({
        name: 'qwk-ops',
        serviceUri: `${LOCAL_PUBLIC_URL}/api/alerts?code=${KEY}`,
        useCommonAlertSchema: true,
      }),
    ]);
    expect(group.emailReceivers).toEqual([
      expect.objectContaining({ emailAddress: OPERATOR_EMAIL, useCommonAlertSchema: true }),
    ]);
    const groupId = (id: string | undefined) => id?.toLowerCase();
    const lb = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/loadBalancers/LKL-QWK-storage-ILB`;
    const rules: Record<string, any> = {};
    for await (const r of monitor.metricAlerts.listByResourceGroup(RG)) rules[r.name!] = r;
    const criterion = (name: string) => {
      const r = rules[`qwk-${RG}-${name}`];
      expect(r, name).toBeDefined();
      expect(r).toMatchObject({ evaluationFrequency: 'PT1M', windowSize: 'PT5M', enabled: true });
      expect(groupId(r.actions[0].actionGroupId)).toBe(groupId(group.id));
      const c = r.criteria.allOf[0];
      return [r.scopes, c.metricName, c.operator, c.threshold, c.timeAggregation, c.dimensions ?? []];
    };
    expect(criterion('outage')).toEqual([[lb], 'DipAvailability', 'LessThan', 25, 'Average', []]);
    expect(criterion('split-brain')).toEqual([[lb], 'DipAvailability', 'GreaterThan', 75, 'Average', []]);
    expect(criterion('vip')).toEqual([[lb], 'VipAvailability', 'LessThan', 90, 'Average', []]);
    expect(criterion('witness-availability')).toEqual([
      [vmId(RG, 'Witness-node')],
      'VmAvailabilityMetric',
      'LessThan',
      1,
      'Average',
      [],
    ]);
    const health: any[] = [];
    for await (const a of monitor.activityLogAlerts.listByResourceGroup(RG)) health.push(a);
    expect(health.map((a) => a.scopes[0]).sort()).toEqual(
      ['Clstr-nodeA', 'Clstr-nodeB', 'Witness-node'].map((vm) => vmId(RG, vm)).sort(),
    );
    for (const a of health) {
      expect(a.condition.allOf).toEqual([
        { field: 'category', equals: 'ResourceHealth' },
        { field: 'resourceId', equals: a.scopes[0] },
      ]);
      expect(groupId(a.actions.actionGroups[0].actionGroupId)).toBe(groupId(group.id));
    }
  });

  it('a Resource Health alert (the witness stopped) reaches POST /api/alerts and an evaluation follows at once', async () => {
    const t0 = new Date().toISOString();
    await arm.compute.virtualMachines.beginPowerOffAndWait(RG, 'Witness-node');
    // The re-POST tests below need the witness running again, whatever this test finds.
    onTestFinished(() => arm.compute.virtualMachines.beginStartAndWait(RG, 'Witness-node'));
    const delivery = await waitUntil(
      'the Resource Health alert delivered to the app',
      async () =>
        ((await simFetch(stack.sim, 'GET', '/_sim/alerts/deliveries')).json as DeliveryAttempt[]).find(
          (d) => d.alertRule === `qwk-${RG}-health-Witness-node` && d.outcome === 'delivered',
        ),
      120_000,
    );
    expect(delivery.status).toBe(200);
    expect(delivery.url).toBe(`${LOCAL_PUBLIC_URL}/api/alerts?code=${KEY}`);
    const alerts = TableClient.fromConnectionString(stack.azurite.connectionString, 'alerts', {
      allowInsecureConnection: true,
    });
    const receipt = await waitUntil(
      'the alert receipt',
      async () => {
        for await (const row of alerts.listEntities<{ receivedAt: string; receipt: string }>({
          queryOptions: { filter: `PartitionKey eq 'received' and receivedAt ge '${t0}'` },
        }))
          return JSON.parse(row.receipt) as { receivedAt: string; processedAt: string; clusters: string[] };
        return undefined;
      },
      30_000,
    );
    expect(receipt.clusters).toEqual([`${SUB}/${RG}`.toLowerCase()]);
    const latency = Date.parse(receipt.processedAt) - Date.parse(receipt.receivedAt);
    console.log(
      `Resource Health alert of the deployment's rule: received ${receipt.receivedAt} → evaluation committed ` +
        `${receipt.processedAt}: ${latency} ms (the simulator saw the 200 at ${delivery.at})`,
    );
    const page = await fetch(`${api.baseUrl}/api/clusters/${SUB}/${RG}`, { headers: { 'x-functions-key': KEY } });
    expect(Date.parse(((await page.json()) as { lastEvaluatedAt: string }).lastEvaluatedAt)).toBeGreaterThanOrEqual(
      Date.parse(receipt.receivedAt),
    );
    expect(latency).toBeLessThan(5_000);
  }, 180_000);

  it('no secret (SSH private key, PostgreSQL password, license, alert route key) in status, history, logs or journals', async () => {
    const priv = (await arm.secrets.getSecret(`${RG}-admin-ssh-key`)).value!;
    const pgPassword = (await arm.secrets.getSecret(`${RG}-postgres-password`)).value!;
    const needles = { ssh: priv.split('\n')[1], pgPassword, license: TEST_LICENSE };
    const host = stack.host!;
    const historyOf = async (id: string) =>
      (
        await fetch(
          `${api.baseUrl}/runtime/webhooks/durabletask/instances/${encodeURIComponent(id)}?showHistory=true&showHistoryOutput=true&showInput=true&code=${host.systemKey}`,
        )
      ).text();
    const parent = await historyOf(view.id);
    const children = [...new Set([...parent.matchAll(/"InstanceId":"([^"]+)"/g)].map((m) => m[1]))].filter(
      (id) => id !== view.id,
    );
    expect(children.length).toBe(15); // one configureNode per VM and stage
    const history = [parent, ...(await Promise.all(children.map(historyOf)))].join('\n');
    expect(history).toContain('runConfigBatch'); // the children's histories are real
    const vmJournals = ['Clstr-nodeA', 'Clstr-nodeB', 'Witness-node']
      .map((vm) => JSON.stringify(rt.journal(vmId(RG, vm))))
      .join('\n');
    const haystacks = {
      status: JSON.stringify(view),
      history,
      logs: host.logs.map((l) => JSON.stringify(l)).join('\n'),
      arm: JSON.stringify(stack.sim.journal()),
      vmJournals,
    };
    for (const [where, text] of Object.entries(haystacks)) {
      for (const [what, needle] of Object.entries(needles))
        expect(text.includes(needle), `${what} found in ${where}`).toBe(false);
    }
    // The alert route's function key reaches Azure in the action group (the ARM journal holds that PUT) and nothing
    // of the app's own: not the status, the history or the logs.
    for (const where of ['status', 'history', 'logs'] as const)
      expect(haystacks[where].includes(KEY), `the alert route's key found in ${where}`).toBe(false);
  });
});

describe('a re-POST of the Completed cluster', () => {
  it('completes without a switchover or a restart; every step already done or a live check', async () => {
    const before = new Date().toISOString();
    const started = Date.now();
    const res = await post(api, seedSpec({ resourceGroup: RG }));
    expect(res.status).toBe(202);
    const again = await waitForDeployment(api, res.json.id, 600_000);
    timings.rePost = (Date.now() - started) / 1000;
    expect(again.error).toBeUndefined();
    expect(again).toMatchObject({ runtimeStatus: 'Completed', phase: 'completed' });
    expect(again.progress.done).toBe(again.progress.total);
    for (const s of again.steps.filter((x: any) => x.name.startsWith('configure:') && !x.name.endsWith(':prepare'))) {
      const id = s.name.split(':')[2];
      if (SWITCHOVER_STEPS.has(s.name))
        expect([s.name, s.status, s.detail]).toEqual([s.name, 'skipped', expect.stringMatching(/not needed/)]);
      else if (LIVE.has(id))
        expect([s.name, s.status, s.detail]).toEqual([s.name, 'succeeded', expect.not.stringMatching(/skipped/)]);
      else
        expect([s.name, s.status, s.detail]).toEqual([
          s.name,
          'succeeded',
          expect.stringMatching(/^skipped: already done/),
        ]);
    }
    // 0 switchovers: no perform_action restore anywhere since the re-POST; no restart; nothing changed on the VMs
    for (const vm of ['Clstr-nodeA', 'Clstr-nodeB'])
      expect(calls(RG, vm, (c) => c.t > before && c.cmd === 'perform_action')).toEqual([]);
    const restarts = stack.sim
      .journal()
      .filter(
        (o) => o.op === 'virtualMachines.restart' && o.resourceId.toLowerCase().includes(`/resourcegroups/${RG}/`),
      );
    expect(restarts).toHaveLength(3);
    const runs = stack.sim
      .journal()
      .filter(
        (o) =>
          o.op === 'virtualMachines.runCommand' &&
          o.resourceId.toLowerCase().includes(`/resourcegroups/${RG}/`) &&
          o.start > before,
      );
    console.log(`deployConfigure re-POST: ${timings.rePost} s, ${runs.length} Run Commands`);
    expect(runs.length).toBe(again.runCommands.length);
  }, 600_000);
});

describe('a re-POST after both nodes were restarted', () => {
  it('completes: the hierarchy is found (or brought) In Service, nothing else runs again', async () => {
    // Both nodes restarted at once through ARM (the "both nodes restarted" case; before, a re-POST then
    // failed at lk-datakeeper with "/data is not mounted on the primary").
    await Promise.all(
      ['Clstr-nodeA', 'Clstr-nodeB'].map((vm) => arm.compute.virtualMachines.beginRestartAndWait(RG, vm)),
    );
    const res = await post(api, seedSpec({ resourceGroup: RG }));
    expect(res.status).toBe(202);
    const again = await waitForDeployment(api, res.json.id, 600_000);
    expect(again.error).toBeUndefined();
    expect(again).toMatchObject({ runtimeStatus: 'Completed', phase: 'completed' });
    const inService = again.steps.find((s: any) => s.name === 'configure:Clstr-nodeA:lk-in-service');
    console.log(`deployConfigure after both nodes restarted: lk-in-service: ${inService.detail}`);
    expect(inService.detail).toMatch(/In Service on Clstr-node[AB]|brought the hierarchy In Service on Clstr-nodeA/);
    expect(again.steps.find((s: any) => s.name === 'configure:Clstr-nodeA:lk-datakeeper').detail).toMatch(
      /^skipped: already done/,
    );
    // The SELinux steps found SELinux disabled at runtime after the restart: no further restart by the app.
    const restarts = stack.sim
      .journal()
      .filter(
        (o) => o.op === 'virtualMachines.restart' && o.resourceId.toLowerCase().includes(`/resourcegroups/${RG}/`),
      );
    expect(restarts).toHaveLength(5); // 3 SELinux restarts of the first deployment + the 2 above
  }, 600_000);
});

describe('a script failing at the last stage', () => {
  it('stops the deployment with that VM, step and message; retry runs only the failed and later steps', async () => {
    let started = Date.now();
    const first = await post(api, seedSpec({ resourceGroup: FAIL_RG }));
    const failed = await waitForDeployment(api, first.json.id, 600_000);
    timings.failing = (Date.now() - started) / 1000;
    expect(failed).toMatchObject({
      runtimeStatus: 'Failed',
      phase: 'failed',
      error: { step: 'configure:Witness-node:witness-qwk-relay', code: 'ScriptFailed' },
    });
    expect(failed.error.message).toMatch(/qwk-relay/);
    expect(failed.steps.find((s: any) => s.name === 'configure:Witness-node:witness-qwk-relay')).toMatchObject({
      status: 'failed',
      attempts: 1,
    });
    expect(failed.steps.find((s: any) => s.name === 'configure:Witness-node:verify-client').status).toBe('succeeded');
    expect(failed.steps.find((s: any) => s.name === 'register').status).toBe('skipped');

    // 409 while it is not failed; 404 unknown
    const retryOf = (id: string) =>
      fetch(`${api.baseUrl}/api/deployments/${encodeURIComponent(id)}/retry`, {
        method: 'POST',
        headers: { 'x-functions-key': KEY },
      });
    expect((await retryOf('dpl-00000000-0000-0000-0000-000000000000')).status).toBe(404);

    removeShims(rt.sandboxPath(vmId(FAIL_RG, 'Witness-node')), BLOCKED_RELAY_DIR); // the operator fixes it
    const before = new Date().toISOString();
    started = Date.now();
    const res = await retryOf(first.json.id);
    expect(res.status).toBe(202);
    const second = (await res.json()) as { id: string; statusUrl: string; retryOf: string };
    expect(second.retryOf).toBe(first.json.id);
    expect(second.statusUrl).toMatch(new RegExp(`/api/deployments/${second.id}$`));
    expect((await retryOf(second.id)).status).toBe(409); // running (or Completed): not retryable
    const done = await waitForDeployment(api, second.id, 600_000);
    timings.retry = (Date.now() - started) / 1000;
    expect(done.error).toBeUndefined();
    expect(done).toMatchObject({ runtimeStatus: 'Completed', phase: 'completed' });
    expect((await retryOf(second.id)).status).toBe(409); // Completed: nothing to retry
    // Only the failed step (and what follows it) ran again; the rest was already done (live checks excepted).
    for (const s of done.steps.filter((x: any) => x.name.startsWith('configure:') && !x.name.endsWith(':prepare'))) {
      const id = s.name.split(':')[2];
      if (s.name === 'configure:Witness-node:witness-qwk-relay')
        expect([s.status, s.detail]).toEqual(['succeeded', expect.not.stringMatching(/skipped/)]);
      else if (LIVE.has(id)) expect([s.name, s.status]).toEqual([s.name, 'succeeded']);
      else
        expect([s.name, s.status, s.detail]).toEqual([
          s.name,
          'succeeded',
          expect.stringMatching(/^skipped: already done/),
        ]);
    }
    for (const vm of ['Clstr-nodeA', 'Clstr-nodeB'])
      expect(calls(FAIL_RG, vm, (c) => c.t > before && c.cmd === 'perform_action')).toEqual([]);
    const restarts = stack.sim
      .journal()
      .filter(
        (o) => o.op === 'virtualMachines.restart' && o.resourceId.toLowerCase().includes(`/resourcegroups/${FAIL_RG}/`),
      );
    expect(restarts).toHaveLength(3);
    const table = TableClient.fromConnectionString(stack.azurite.connectionString, 'clusters', {
      allowInsecureConnection: true,
    });
    expect((await table.getEntity<Record<string, any>>(SUB, FAIL_RG)).deploymentId).toBe(second.id);
  }, 900_000);
});
