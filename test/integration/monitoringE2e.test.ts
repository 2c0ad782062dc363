/**
 * Cluster health end to end on ONE local stack (issue 12 "What it must show", issue 13): the app and the simulator
 * with its VM runtime; default clusters deployed through POST /api/deployments, each in its own resource group and
 * with paging routes to the simulator's PagerDuty / Teams stand-ins, so that the scenarios run at the same time.
 * The control plane runs fast (time scale 0.005); the cluster clock (LifeKeeper, QWK, the load balancer's probes)
 * and the app's evaluation (a sweep every 10 s, snapshots from the relay every 5 s) run in real time.
 * Each scenario injects one of the simulator's cluster faults, polls GET /api/clusters/{sub}/{rg} and prints the
 * measured latencies (fault → first incident, fault → page).
 */
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SUBSCRIPTION_ID } from '../../local/stack';
import type { Incident } from '../../shared/monitoring/contracts';
import { QUEUES } from '../../shared/names';
import { pagerDutyDedupKey } from '../../shared/paging/pagerduty';
import { post, seedSpec, startConfigStack, waitForDeployment, type Api } from '../support/deployments';
import { makeSimClients } from '../support/simClients';
import { simFetch } from '../support/simHttp';

const KEY = 'monitoring-e2e-function-key';
const SUB = LOCAL_SUBSCRIPTION_ID;
const PD_SECRET = 'pd-e2e-routing-key';
const RGS = { isolate: 'mon-isolate', comm: 'mon-commpaths', witness: 'mon-witness', split: 'mon-splitbrain' };

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
}

interface PagerEvent {
  receivedAt: string;
  channel: 'pagerduty' | 'teams' | 'webhook';
  path: string;
  status: number;
  body: any;
  cardErrors?: string[];
}

const sim = () => ({ url: stack.sim.url, caPem: stack.sim.caPem });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function cluster(rg: string): Promise<ClusterView | undefined> {
  const res = await fetch(`${api.baseUrl}/api/clusters/${SUB}/${rg}`, { headers: { 'x-functions-key': KEY } });
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET cluster ${rg}: ${res.status} ${await res.text()}`);
  return (await res.json()) as ClusterView;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(500);
  }
}

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

async function drained(): Promise<boolean> {
  const svc = QueueServiceClient.fromConnectionString(stack.settings.AzureWebJobsStorage);
  for (const name of [QUEUES.incidentTransitions, QUEUES.notificationDeliveries]) {
    const q = svc.getQueueClient(name);
    if (!(await q.exists())) continue;
    if (((await q.getProperties()).approximateMessagesCount ?? 0) > 0) return false;
  }
  return true;
}

const ms = (from: number, to: string | number) => (typeof to === 'string' ? Date.parse(to) : to) - from;
const report = (label: string, value: number) => console.log(`[latency] ${label}: ${(value / 1000).toFixed(1)} s`);

/** Waits until the cluster's first evaluation found it healthy; returns the view. */
async function healthy(rg: string) {
  return waitFor(
    `${rg} Healthy`,
    async () => {
      const v = await cluster(rg);
      return v?.state === 'Healthy' && v.activeNode ? v : undefined;
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

const incidentsBefore: Record<string, Incident[]> = {};
const pagesBefore: Record<string, number> = {};

beforeAll(async () => {
  stack = await startConfigStack({ timeScale: 0.005, functionKey: KEY });
  api = { baseUrl: stack.host!.baseUrl, key: KEY };
  const vault = makeSimClients(stack.sim, SUB).secrets;
  await vault.setSecret(PD_SECRET, 'pd-e2e-integration-key');
  const rgs = Object.values(RGS);
  for (const rg of rgs) await vault.setSecret(`teams-url-${rg}`, `${stack.sim.url}/_pager/teams/${rg}`);
  const started = Date.now();
  await Promise.all(
    rgs.map(async (rg) => {
      const res = await post(
        api,
        seedSpec({
          resourceGroup: rg,
          monitoring: {
            routes: [
              { kind: 'pagerduty', name: 'pd', routingKeySecretName: PD_SECRET, minSeverity: 'warning' },
              { kind: 'teams', name: 'teams', webhookUrlSecretName: `teams-url-${rg}`, minSeverity: 'warning' },
            ],
          },
        }),
      );
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

afterAll(async () => {
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
    await waitFor('the paging queues to drain', () => drained(), 60_000);
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
});
