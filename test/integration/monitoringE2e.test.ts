/**
 * Cluster health end to end on ONE local stack (issue 12 "What it must show", issue 13): the app and the simulator
 * with its VM runtime; default clusters deployed through POST /api/deployments, each in its own resource group and
 * with paging routes to the simulator's PagerDuty / Teams stand-ins, so that the scenarios run at the same time.
 * The control plane runs fast (time scale 0.005); the cluster clock (LifeKeeper, QWK, the load balancer's probes)
 * and the app's evaluation (a sweep every 10 s, snapshots from the relay every 5 s) run in real time.
 * Each scenario injects one of the simulator's cluster faults, polls GET /api/clusters/{sub}/{rg} and prints the
 * measured latencies (fault → first incident, fault → page). The paging proofs that need real minutes (PagerDuty
 * down for 120 s during §9.3; a flapping cluster for 2 minutes) and the maintenance of a re-deployment and a failover
 * drill run on clusters of their own, at the same time as the others.
 */
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SUBSCRIPTION_ID } from '../../local/stack';
import type { Incident } from '../../shared/monitoring/contracts';
import { QUEUES } from '../../shared/names';
import { pagerDutyDedupKey } from '../../shared/paging/pagerduty';
import { notificationLog } from '../../shared/paging/pipeline';
import type { Silence } from '../../shared/paging/silences';
import { PagingStore } from '../../shared/paging/store';
import { ClusterRegistry } from '../../shared/registry/clusterRegistry';
import { post, seedSpec, startConfigStack, waitForDeployment, type Api } from '../support/deployments';
import { makeSimClients } from '../support/simClients';
import { simFetch } from '../support/simHttp';
import { waitFor as poll } from '../support/poll';

const KEY = 'monitoring-e2e-function-key';
const SUB = LOCAL_SUBSCRIPTION_ID;
const PD_SECRET = 'pd-e2e-routing-key';
/** The PagerDuty integration of the cluster whose PagerDuty goes down (the stand-in's fault hits this key only). */
const PD_DOWN_SECRET = 'pd-e2e-down-routing-key';
const PD_DOWN_KEY = 'pd-e2e-down-integration-key';
const RGS = {
  isolate: 'mon-isolate',
  comm: 'mon-commpaths',
  witness: 'mon-witness',
  split: 'mon-splitbrain',
  pdDown: 'mon-pddown',
  flap: 'mon-flap',
  maint: 'mon-maint',
};
/**
 * Retries of a failed page wait at most this long here (default 5 min), so that the PagerDuty-down proof ends soon
 * after PagerDuty is back; with that shorter cap 12 attempts (the default) may not outlast 120 s down, so more.
 */
const PAGING_MAX_DELAY_MS = 15_000;
const PAGING_MAX_ATTEMPTS = 30;

let stack: Awaited<ReturnType<typeof startConfigStack>>;
let api: Api;
const deployFailures: Record<string, string> = {};

interface ClusterView {
  state: string | null;
  activeNode: string | null;
  lastEvaluatedAt: string | null;
  maintenance: boolean;
  incidents: Incident[];
  conditions: { kind: string }[];
  notes: string[];
  nodes?: { name: string; qwk?: { commstat: string } }[];
}

interface PagerEvent {
  receivedAt: string;
  channel: 'pagerduty' | 'teams' | 'webhook';
  path: string;
  status: number;
  body: any;
  cardErrors?: string[];
  fault?: string;
  alert?: { id?: number; effect: string };
}

const sim = () => ({ url: stack.sim.url, caPem: stack.sim.caPem });
const storage = () => stack.settings.AzureWebJobsStorage;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function cluster(rg: string): Promise<ClusterView | undefined> {
  const res = await fetch(`${api.baseUrl}/api/clusters/${SUB}/${rg}`, { headers: { 'x-functions-key': KEY } });
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET cluster ${rg}: ${res.status} ${await res.text()}`);
  return (await res.json()) as ClusterView;
}

const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number) =>
  poll(what, probe, timeoutMs, 500);

/** The accepted pages of one cluster (PagerDuty by the resource group in the dedup key, Teams by the URL path). */
async function pages(rg: string) {
  const all = ((await simFetch(sim(), 'GET', '/_sim/pager/events')).json as PagerEvent[]).filter(
    (e) => e.status >= 200 && e.status < 300,
  );
  const pd = all.filter(
    (e) => e.channel === 'pagerduty' && String(e.body.dedup_key).toLowerCase().includes(`/${rg.toLowerCase()}/`),
  );
  return {
    triggers: pd.filter((e) => e.body.event_action === 'trigger'),
    resolves: pd.filter((e) => e.body.event_action === 'resolve'),
    teams: all.filter((e) => e.channel === 'teams' && e.path.endsWith(`/teams/${rg}`)),
  };
}

/** A Teams card of the failover incident (its summary says who took over); a resolve card's starts "Resolved: ". */
const failoverCard = (kind: 'opened' | 'resolved') => (e: PagerEvent) => {
  const text = JSON.stringify(e.body);
  return text.includes('took over') && text.includes('Resolved: ') === (kind === 'resolved');
};

const faultsPath = (rg: string) => `/_sim/clusters/${SUB}/${rg}/faults`;

async function inject(rg: string, body: Record<string, unknown>): Promise<number> {
  const t0 = Date.now();
  const res = await simFetch(sim(), 'POST', faultsPath(rg), body);
  if (res.status !== 201 && res.status !== 200) throw new Error(`fault ${JSON.stringify(body)}: ${res.status}`);
  return t0;
}

/**
 * The cluster's pages are all out: no incident transition waits on the queue (shared by every cluster, but emptied
 * within seconds) and no notification of this cluster is still pending or being sent (the delivery queue is not
 * looked at: other scenarios' retries wait there for minutes).
 */
async function drained(rg: string): Promise<boolean> {
  const q = QueueServiceClient.fromConnectionString(storage()).getQueueClient(QUEUES.incidentTransitions);
  if ((await q.exists()) && ((await q.getProperties()).approximateMessagesCount ?? 0) > 0) return false;
  const log = await notificationLog(
    { subscriptionId: SUB, resourceGroup: rg },
    PagingStore.fromConnectionString(storage()),
  );
  return log.every((r) => r.status !== 'pending' && r.status !== 'sending');
}

const ms = (from: number, to: string | number) => (typeof to === 'string' ? Date.parse(to) : to) - from;
const report = (label: string, value: number) => console.log(`[latency] ${label}: ${(value / 1000).toFixed(1)} s`);

/** Waits until the cluster is healthy and out of its deployment's maintenance; returns the view. */
async function healthy(rg: string) {
  return waitFor(
    `${rg} Healthy`,
    async () => {
      const v = await cluster(rg);
      return v?.state === 'Healthy' && v.activeNode && !v.maintenance ? v : undefined;
    },
    180_000,
  );
}

/** Polls the cluster until an open incident satisfies `match`; every view seen goes to `seen`. */
async function waitForIncident(rg: string, match: (i: Incident) => boolean, seen: ClusterView[], timeoutMs = 120_000) {
  return waitFor(
    `${rg}: incident`,
    async () => {
      const v = await cluster(rg);
      if (v) seen.push(v);
      return v?.incidents.find(match);
    },
    timeoutMs,
  );
}

/** Each cluster's spec: the seed's, with PagerDuty and Teams routes of its own. */
const clusterSpec = (rg: string, routes?: unknown[], extra: Record<string, unknown> = {}) =>
  seedSpec({
    ...extra,
    resourceGroup: rg,
    monitoring: {
      routes: routes ?? [
        {
          kind: 'pagerduty',
          name: 'pd',
          routingKeySecretName: rg === RGS.pdDown ? PD_DOWN_SECRET : PD_SECRET,
          minSeverity: 'warning',
        },
        { kind: 'teams', name: 'teams', webhookUrlSecretName: `teams-url-${rg}`, minSeverity: 'warning' },
      ],
    },
  });

const incidentsBefore: Record<string, Incident[]> = {};
const pagesBefore: Record<string, number> = {};

beforeAll(async () => {
  stack = await startConfigStack({
    timeScale: 0.005,
    functionKey: KEY,
    settings: {
      QWK_PAGING_MAX_DELAY_MS: String(PAGING_MAX_DELAY_MS),
      QWK_PAGING_MAX_ATTEMPTS: String(PAGING_MAX_ATTEMPTS),
    },
  });
  api = { baseUrl: stack.host!.baseUrl, key: KEY };
  const vault = makeSimClients(stack.sim, SUB).secrets;
  await vault.setSecret(PD_SECRET, 'pd-e2e-integration-key');
  await vault.setSecret(PD_DOWN_SECRET, PD_DOWN_KEY);
  const rgs = Object.values(RGS);
  for (const rg of rgs) await vault.setSecret(`teams-url-${rg}`, `${stack.sim.url}/_pager/teams/${rg}`);
  const started = Date.now();
  await Promise.all(
    rgs.map(async (rg) => {
      const res = await post(api, clusterSpec(rg));
      if (res.status !== 202) {
        deployFailures[rg] = `POST ${res.status} ${JSON.stringify(res.json)}`;
        return;
      }
      const view = await waitForDeployment(api, res.json.id as string, 900_000);
      if (view.runtimeStatus !== 'Completed' || view.error)
        deployFailures[rg] = `${view.runtimeStatus} ${JSON.stringify(view.error)}`;
    }),
  );
  console.log(`[deploy] ${rgs.length} default clusters deployed concurrently in ${(Date.now() - started) / 1000} s`);
  // The deployment's own verification switchover must have opened no incident (maintenance).
  await Promise.all(
    rgs
      .filter((rg) => !deployFailures[rg])
      .map(async (rg) => {
        const v = await healthy(rg);
        incidentsBefore[rg] = v.incidents;
        const p = await pages(rg);
        pagesBefore[rg] = p.triggers.length + p.resolves.length + p.teams.length;
      }),
  );
}, 1_200_000);

const fileStarted = Date.now();
afterAll(async () => {
  console.log(`[wall] monitoringE2e: ${((Date.now() - fileStarted) / 1000).toFixed(0)} s from the stack's start`);
  await stack?.stop();
});

function ready(rg: string) {
  expect(deployFailures[rg], `deployment of ${rg}`).toBeUndefined();
  expect(incidentsBefore[rg], `${rg}: incidents after the deployment (its switchover is maintenance)`).toEqual([]);
  expect(pagesBefore[rg], `${rg}: pages before any fault`).toBe(0);
}

describe.concurrent('cluster health end to end (one stack, one cluster per scenario)', () => {
  it('§9.3 isolateNode on nodeA: FailedOver nodeA → nodeB, activeNode nodeB, one page; heal resolves', async () => {
    const rg = RGS.isolate;
    ready(rg);
    const before = await cluster(rg);
    expect(before!.activeNode).toBe('Clstr-nodeA');
    const seen: ClusterView[] = [];
    const t0 = await inject(rg, { kind: 'isolateNode', vm: 'Clstr-nodeA' });
    const first = await waitForIncident(rg, () => true, seen);
    report(
      `isolateNode: fault → first incident (${first.kind}${first.node ? ` ${first.node}` : ''})`,
      ms(t0, first.openedAt),
    );
    const failover = await waitForIncident(rg, (i) => i.kind === 'FailedOver', seen);
    report('isolateNode: fault → FailedOver incident', ms(t0, failover.openedAt));
    expect([failover.from, failover.to]).toEqual(['Clstr-nodeA', 'Clstr-nodeB']);
    const active = await waitFor(
      `${rg} activeNode nodeB`,
      async () => ((await cluster(rg))?.activeNode === 'Clstr-nodeB' ? true : undefined),
      60_000,
    );
    expect(active).toBe(true);

    const dedup = pagerDutyDedupKey(failover.key);
    const paged = await waitFor(
      `${rg}: the failover's PagerDuty trigger and Teams card`,
      async () => {
        const p = await pages(rg);
        const triggers = p.triggers.filter((e) => e.body.dedup_key === dedup);
        const cards = p.teams.filter(failoverCard('opened'));
        return triggers.length && cards.length ? { triggers, cards } : undefined;
      },
      90_000,
    );
    report('isolateNode: fault → PagerDuty trigger', ms(t0, paged.triggers[0].receivedAt));
    report('isolateNode: fault → Teams card', ms(t0, paged.cards[0].receivedAt));
    expect(paged.cards[0].cardErrors ?? []).toEqual([]);
    expect(ms(t0, first.openedAt)).toBeLessThanOrEqual(35_000);
    expect(ms(t0, paged.triggers[0].receivedAt)).toBeLessThanOrEqual(35_000);
    expect(ms(t0, paged.cards[0].receivedAt)).toBeLessThanOrEqual(35_000);

    // heal: the operator's repair
    const t1 = Date.now();
    expect((await simFetch(sim(), 'DELETE', faultsPath(rg))).status).toBeLessThan(300);
    const resolved = await waitFor(
      `${rg}: incidents resolved`,
      async () => {
        const v = await cluster(rg);
        return v && v.incidents.length === 0 ? v : undefined;
      },
      180_000,
    );
    report(`heal: DELETE faults → no open incident (state ${resolved.state})`, Date.now() - t1);
    const resolve = await waitFor(
      `${rg}: the PagerDuty resolve`,
      async () => (await pages(rg)).resolves.find((e) => e.body.dedup_key === dedup),
      90_000,
    );
    report('heal: DELETE faults → PagerDuty resolve', ms(t1, resolve.receivedAt));
    await waitFor('the paging queues to drain', () => drained(rg), 60_000);
    const end = await pages(rg);
    expect(end.triggers.filter((e) => e.body.dedup_key === dedup)).toHaveLength(1);
    expect(end.resolves.filter((e) => e.body.dedup_key === dedup)).toHaveLength(1);
    expect(end.teams.filter(failoverCard('opened'))).toHaveLength(1);
    expect(end.teams.filter(failoverCard('resolved'))).toHaveLength(1);
  }, 600_000);

  /** Polls for `kind`, then keeps watching for a while: the active node must never change and nothing fail over. */
  async function noFailover(rg: string, fault: string, kind: string, boundMs: number | undefined) {
    ready(rg);
    const before = await cluster(rg);
    const activeBefore = before!.activeNode;
    expect(activeBefore).toMatch(/^Clstr-node[AB]$/);
    const seen: ClusterView[] = [];
    const t0 = await inject(rg, { kind: fault });
    const inc = await waitForIncident(rg, (i) => i.kind === kind, seen);
    report(`${fault}: fault → ${kind} incident`, ms(t0, inc.openedAt));
    // LifeKeeper would take over after HBEATTIME × NUMHBEATS (24 s): watch past that
    const watchUntil = t0 + 45_000;
    while (Date.now() < watchUntil) {
      const v = await cluster(rg);
      if (v) seen.push(v);
      await sleep(1_000);
    }
    const actives = [...new Set(seen.map((v) => v.activeNode))];
    const kinds = [...new Set(seen.flatMap((v) => v.incidents.map((i) => i.kind)))];
    console.log(`[${fault}] active nodes seen: ${actives.join(', ')}; incidents seen: ${kinds.join(', ')}`);
    expect(actives).toEqual([activeBefore]);
    expect(kinds).not.toContain('FailedOver');
    const p = await pages(rg);
    const trig = p.triggers.find((e) => e.body.dedup_key === pagerDutyDedupKey(inc.key));
    if (trig) report(`${fault}: fault → PagerDuty trigger`, ms(t0, trig.receivedAt));
    if (boundMs !== undefined) expect(ms(t0, inc.openedAt)).toBeLessThanOrEqual(boundMs);
  }

  it(
    'commPathsDown: CommPathsDown, no failover',
    () => noFailover(RGS.comm, 'commPathsDown', 'CommPathsDown', undefined),
    600_000,
  );

  it(
    'witnessDown: WitnessLost within 35 s, no failover',
    () => noFailover(RGS.witness, 'witnessDown', 'WitnessLost', 35_000),
    600_000,
  );

  it('splitBrain: SplitBrain within 15 s of both nodes serving', async () => {
    const rg = RGS.split;
    ready(rg);
    const seen: ClusterView[] = [];
    const t0 = await inject(rg, { kind: 'splitBrain' });
    // When the split brain begins: both nodes have the load balancer health check (lbhc) In Service, so both answer
    // the probe. LifeKeeper's comm-path timeout (15 s) comes first; no monitor can see a split brain before it is one.
    let bothAt: number | undefined;
    const inc = await waitFor(
      `${rg}: SplitBrain`,
      async () => {
        if (bothAt === undefined) {
          const m = (await simFetch(sim(), 'GET', faultsPath(rg))).json.model as {
            nodes: { lkRunning: boolean; resources: { type: string; state: string }[] }[];
          };
          const serving = m.nodes.filter(
            (n) => n.lkRunning && n.resources.some((r) => r.type === 'lbhc' && r.state === 'ISP'),
          );
          if (serving.length >= 2) bothAt = Date.now();
        }
        const v = await cluster(rg);
        if (v) seen.push(v);
        return v?.incidents.find((i) => i.kind === 'SplitBrain');
      },
      120_000,
    );
    report('splitBrain: fault → SplitBrain incident', ms(t0, inc.openedAt));
    expect(bothAt, 'both nodes served before the incident').toBeDefined();
    report('splitBrain: fault → both nodes serve (the split brain begins)', bothAt! - t0);
    report('splitBrain: both nodes serve → SplitBrain incident', ms(bothAt!, inc.openedAt));
    expect(ms(bothAt!, inc.openedAt)).toBeLessThanOrEqual(15_000);
  }, 600_000);
  it('PagerDuty down for 120 s during §9.3: the page arrives after it returns, 0 lost, 0 duplicates', async () => {
    const rg = RGS.pdDown;
    ready(rg);
    const downSeconds = 120;
    const fault = await simFetch(sim(), 'POST', '/_sim/pager/faults', {
      channel: 'pagerduty',
      kind: 'down',
      seconds: downSeconds,
      routingKey: PD_DOWN_KEY,
    });
    expect(fault.status).toBe(201);
    const upAt = Date.now() + downSeconds * 1000;
    const t0 = await inject(rg, { kind: 'isolateNode', vm: 'Clstr-nodeA' });
    const failover = await waitForIncident(rg, (i) => i.kind === 'FailedOver', []);
    report('pagerDuty down: fault → FailedOver incident', ms(t0, failover.openedAt));
    const dedup = pagerDutyDedupKey(failover.key);
    const ofIncident = async () =>
      ((await simFetch(sim(), 'GET', '/_sim/pager/events')).json as PagerEvent[]).filter(
        (e) => e.channel === 'pagerduty' && e.body?.dedup_key === dedup,
      );
    const accepted = await waitFor(
      `${rg}: the trigger accepted once PagerDuty is back`,
      async () => (await ofIncident()).find((e) => e.status === 202 && e.body.event_action === 'trigger'),
      (downSeconds + 120) * 1000,
    ).catch(async (err: unknown) => {
      const log = await notificationLog(
        { subscriptionId: SUB, resourceGroup: rg },
        PagingStore.fromConnectionString(storage()),
      );
      console.log(`[pagerDuty down] delivery log: ${JSON.stringify(log.filter((r) => r.route === 'pd'))}`);
      throw err;
    });
    report('pagerDuty down: fault → PagerDuty trigger accepted', ms(t0, accepted.receivedAt));
    report('pagerDuty down: PagerDuty back → trigger accepted', ms(upAt, accepted.receivedAt));
    const teams = (await pages(rg)).teams.filter(failoverCard('opened'));
    expect(teams, 'the Teams card is not held up by PagerDuty').toHaveLength(1);
    report('pagerDuty down: fault → Teams card', ms(t0, teams[0].receivedAt));
    // Longer than any retry delay: a duplicate would have arrived by now.
    const settleUntil = Date.now() + PAGING_MAX_DELAY_MS + 5_000;
    await waitFor('the retry window to pass', async () => Date.now() > settleUntil, PAGING_MAX_DELAY_MS + 10_000);
    const events = await ofIncident();
    const refused = events.filter((e) => e.fault === 'down');
    const triggers = events.filter((e) => e.status === 202 && e.body.event_action === 'trigger');
    console.log(
      `[pagerDuty down] ${refused.length} attempts refused while down, then ${triggers.length} accepted trigger(s)`,
    );
    expect(refused.length, 'attempts made while PagerDuty was down').toBeGreaterThan(0);
    expect(Date.parse(accepted.receivedAt)).toBeGreaterThanOrEqual(upAt - 1_000);
    expect(triggers, '0 lost, 0 duplicates').toHaveLength(1);
    const alerts = ((await simFetch(sim(), 'GET', '/_sim/pager/alerts')).json as { dedupKey: string }[]).filter(
      (a) => a.dedupKey === dedup,
    );
    expect(alerts, 'one PagerDuty alert').toHaveLength(1);
    const log = await notificationLog(
      { subscriptionId: SUB, resourceGroup: rg },
      PagingStore.fromConnectionString(storage()),
    );
    const record = log.find((r) => r.route === 'pd' && r.incidentKey === failover.key && r.event === 'trigger');
    expect(record).toMatchObject({ status: 'sent' });
    expect(record!.attempts).toBeGreaterThan(1);
  }, 600_000);

  it('a flapping cluster (failed and healed 10 times in 2 minutes) sends at most 2 triggers', async () => {
    const rg = RGS.flap;
    ready(rg);
    // The probe cannot flap into an incident within 12 s cycles (Outage needs HBEATTIME × NUMHBEATS + 10 s of no
    // answer), so the comm paths flap: commstat=DOWN shows in the QWK objects at their next write (≤ 6 s).
    const seen: ClusterView[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const v = await cluster(rg);
        if (v) seen.push(v);
        await sleep(1_000);
      }
    })();
    const t0 = Date.now();
    const cycleMs = 12_000;
    const failMs = 8_000;
    const at = async (t: number) =>
      waitFor('the next step of the flapping schedule', async () => Date.now() >= t, cycleMs * 2);
    for (let i = 0; i < 10; i++) {
      await at(t0 + i * cycleMs);
      await inject(rg, { kind: 'commPathsDown' });
      await at(t0 + i * cycleMs + failMs);
      expect((await simFetch(sim(), 'DELETE', faultsPath(rg))).status).toBeLessThan(300);
    }
    console.log(`[flap] 10 fail/heal cycles in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    watching = false;
    await watcher;
    const down = seen.filter((v) => v.nodes?.some((n) => n.qwk?.commstat.toUpperCase() === 'DOWN')).length;
    const noted = seen.filter(
      (v) => v.conditions.some((c) => c.kind === 'CommPathsDown') || v.notes.some((n) => n.includes('CommPathsDown')),
    ).length;
    console.log(
      `[flap] ${seen.length} views of the cluster while it flapped: commstat DOWN in ${down}, CommPathsDown seen (condition or settling) in ${noted}`,
    );
    expect(down, 'the flapping reached monitoring').toBeGreaterThan(0);
    await waitFor(
      `${rg}: healthy again, nothing open`,
      async () => {
        const v = await cluster(rg);
        return v?.state === 'Healthy' && v.incidents.length === 0 ? v : undefined;
      },
      120_000,
    );
    await waitFor('the paging queues to drain', () => drained(rg), 120_000);
    const log = await notificationLog(
      { subscriptionId: SUB, resourceGroup: rg },
      PagingStore.fromConnectionString(storage()),
    );
    const pd = log.filter((r) => r.route === 'pd');
    const p = await pages(rg);
    const opened = new Set(pd.map((r) => r.transitionId)).size;
    console.log(
      `[flap] ${opened} incident transitions on the PagerDuty route; ${p.triggers.length} trigger(s), ${p.resolves.length} resolve(s) sent; ${pd.filter((r) => r.reason?.startsWith('flapping')).length} held by the flapping guard`,
    );
    expect(p.triggers.length).toBeLessThanOrEqual(2);
    expect(p.teams.filter((e) => !JSON.stringify(e.body).includes('Resolved: ')).length).toBeLessThanOrEqual(2);
  }, 600_000);

  it('a re-deployment and a failover drill switch the cluster over in maintenance: no incident, no page', async () => {
    const rg = RGS.maint;
    ready(rg);
    const registry = ClusterRegistry.fromConnectionString(storage());
    const routesBefore = (await registry.get(SUB, rg))!.paging;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${api.baseUrl}/api/clusters/${SUB}/${path}`, {
        method,
        headers: { 'x-functions-key': KEY, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, any> };
    };
    const silences = async () => ((await call('GET', `${rg}/silences`)).json.silences ?? []) as Silence[];
    // Watch the cluster for the whole scenario.
    const seen: ClusterView[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const v = await cluster(rg);
        if (v) seen.push(v);
        await sleep(1_000);
      }
    })();

    // 1. The spec re-POSTed: a deployment of a registered cluster, whose verification switches it over and back
    // (verify.switchover "always": by default a re-run of a verified cluster does not switch it over).
    const res = await post(api, clusterSpec(rg, undefined, { verify: { switchover: 'always' } }));
    expect(res.status).toBe(202);
    const deploymentId = res.json.id as string;
    // While it runs: a spec with other routes is refused and changes nothing; so is a drill.
    const again = await post(api, clusterSpec(rg, []));
    expect(again.status).toBe(409);
    expect((await registry.get(SUB, rg))!.paging).toEqual(routesBefore);
    expect((await call('POST', `${rg}/drills`, {})).status).toBe(409);
    expect((await silences()).map((x) => x.id)).toContain(`maintenance-${deploymentId}`);
    const deployed = await waitForDeployment(api, deploymentId, 600_000);
    expect(deployed.runtimeStatus).toBe('Completed');
    expect((await silences()).map((x) => x.id)).not.toContain(`maintenance-${deploymentId}`);

    // 2. A failover drill: to the standby and back, once the deployment's maintenance has settled (409 before).
    if ((await cluster(rg))?.maintenance) expect((await call('POST', `${rg}/drills`, {})).status).toBe(409);
    await waitFor(`${rg}: out of maintenance`, async () => (await cluster(rg))?.maintenance === false, 120_000);
    expect((await call('POST', 'mon-not-registered/drills', {})).status).toBe(404);
    expect((await call('POST', `${rg}/drills`, { switchBack: 'yes' })).status).toBe(400);
    const drill = await call('POST', `${rg}/drills`, {});
    expect(drill.status, JSON.stringify(drill.json)).toBe(202);
    const drillId = drill.json.id as string;
    expect(drill.json.statusUrl).toContain(`/drills/${drillId}`);
    expect((await call('POST', `${rg}/drills`, {})).status).toBe(409);
    const t0 = Date.now();
    const done = await waitFor(
      'the drill to end',
      async () => {
        const v = await call('GET', `${rg}/drills/${drillId}`);
        return ['Completed', 'Failed', 'Terminated'].includes(v.json.runtimeStatus) ? v.json : undefined;
      },
      300_000,
    );
    report('drill: to the standby and back', Date.now() - t0);
    console.log(`[drill] ${JSON.stringify(done.steps.map((x: any) => [x.name, x.status, x.detail]))}`);
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.steps.map((x: any) => [x.name, x.status])).toEqual([
      ['switchover:Clstr-nodeB', 'succeeded'],
      ['switchover:Clstr-nodeA', 'succeeded'],
    ]);
    expect(done.result).toEqual({ activeNode: 'Clstr-nodeA', switchovers: 2 });
    expect(done.steps[0].detail).toContain('switched the hierarchy over to Clstr-nodeB');
    expect((await silences()).map((x) => x.id)).not.toContain(`maintenance-${drillId}`);
    expect((await call('GET', `mon-isolate/drills/${drillId}`)).status).toBe(404);

    // 3. Maintenance ends a settle time after the drill; then the cluster is watched a little longer.
    await waitFor(`${rg}: out of maintenance`, async () => (await cluster(rg))?.maintenance === false, 120_000);
    const afterUntil = Date.now() + 15_000;
    await waitFor('15 s more of watching', async () => Date.now() > afterUntil, 30_000);
    watching = false;
    await watcher;
    const kinds = [...new Set(seen.flatMap((v) => v.incidents.map((i) => i.kind)))];
    const actives = [...new Set(seen.map((v) => v.activeNode))];
    console.log(
      `[maintenance] ${seen.length} views; in maintenance in ${seen.filter((v) => v.maintenance).length}; active nodes seen: ${actives.join(', ')}; incidents: ${kinds.join(', ') || 'none'}`,
    );
    expect(seen.some((v) => v.maintenance)).toBe(true);
    expect(kinds).toEqual([]);
    const p = await pages(rg);
    expect(p.triggers.length + p.resolves.length + p.teams.length, 'pages').toBe(0);
    expect((await cluster(rg))!.activeNode).toBe('Clstr-nodeA');
  }, 900_000);
});
