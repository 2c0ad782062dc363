/**
 * The paging pipeline end to end on the local stack: Azurite, the simulator's PagerDuty / Teams / webhook
 * stand-ins and Key Vault, and the built app in a child host. Transitions are put on the incident-transitions queue
 * the way the incident store puts them (base64 JSON); clusters are written straight into the registry.
 * Each test prints the latency it measured (transition enqueued → page accepted at the stand-in).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type RunningStack } from '../../local/stack';
import type { IncidentTransition } from '../../shared/monitoring/contracts';
import { QUEUES } from '../../shared/names';
import { loadPagingConfig } from '../../shared/config';
import { type DeliveryMessage, notificationLog, type PipelineDeps, sweep } from '../../shared/paging/pipeline';
import type { RouteInput } from '../../shared/paging/routes';
import { PagingStore } from '../../shared/paging/store';
import type { ClusterRecord } from '../../shared/registry/clusterRecord';
import { ClusterRegistry } from '../../shared/registry/clusterRegistry';
import { startChildHost, type ChildHost } from '../support/childHost';
import { makeSimClients } from '../support/simClients';
import { seedInfraSpec } from '../support/deployments';
import { simFetch } from '../support/simHttp';
import { SUB, transition } from '../unit/pagingFixture';
import { waitFor as poll } from '../support/poll';

const KEY = 'paging-function-key';
let stack: RunningStack;
let host: ChildHost | undefined;
let env: Record<string, string>;

interface PagerEvent {
  receivedAt: string;
  channel: 'pagerduty' | 'teams' | 'webhook';
  path: string;
  status: number;
  headers: Record<string, string>;
  body: any;
  cardErrors?: string[];
  fault?: string;
}

const sim = () => ({ url: stack.sim.url, caPem: stack.sim.caPem });
const pagerEvents = async (): Promise<PagerEvent[]> => (await simFetch(sim(), 'GET', '/_sim/pager/events')).json;

/** The accepted events of one cluster (by its resource group in the dedup key / path). */
async function clusterEvents(rg: string) {
  const all = (await pagerEvents()).filter((e) => e.status >= 200 && e.status < 300);
  const mine = (e: PagerEvent) =>
    e.channel === 'pagerduty' ? String(e.body.dedup_key).includes(`/${rg.toLowerCase()}/`) : e.path.endsWith(`/${rg}`);
  const events = all.filter(mine);
  return {
    triggers: events.filter((e) => e.channel === 'pagerduty' && e.body.event_action === 'trigger'),
    resolves: events.filter((e) => e.channel === 'pagerduty' && e.body.event_action === 'resolve'),
    teams: events.filter((e) => e.channel === 'teams'),
    webhooks: events.filter((e) => e.channel === 'webhook'),
  };
}

const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 90_000) =>
  poll(what, probe, timeoutMs, 200);

function queues() {
  const svc = QueueServiceClient.fromConnectionString(stack.settings.AzureWebJobsStorage);
  return {
    transitions: svc.getQueueClient(QUEUES.incidentTransitions),
    deliveries: svc.getQueueClient(QUEUES.notificationDeliveries),
    poison: svc.getQueueClient(QUEUES.notificationDeliveriesPoison),
  };
}

/** Puts a transition on the queue as the incident store does (base64 JSON); returns when it was put. */
async function put(t: IncidentTransition): Promise<number> {
  const q = queues().transitions;
  await q.createIfNotExists();
  await q.sendMessage(Buffer.from(JSON.stringify(t)).toString('base64'));
  return Date.now();
}

/** Every queue of the pipeline is empty: each message was processed (a message is deleted after its function). */
async function drained(onlyDeliveries = false): Promise<boolean> {
  const q0 = queues();
  for (const q of onlyDeliveries ? [q0.deliveries] : [q0.transitions, q0.deliveries]) {
    await q.createIfNotExists();
    const props = await q.getProperties();
    if ((props.approximateMessagesCount ?? 0) > 0) return false;
  }
  return true;
}

const registry = () => ClusterRegistry.fromConnectionString(stack.settings.AzureWebJobsStorage);
const store = () => PagingStore.fromConnectionString(stack.settings.AzureWebJobsStorage);

function routesFor(rg: string): RouteInput[] {
  return [
    { kind: 'pagerduty', name: 'pd', routingKeySecretName: 'pd-routing-key' },
    { kind: 'teams', name: 'teams', webhookUrlSecretName: `teams-url-${rg.toLowerCase()}` },
    { kind: 'webhook', name: 'hook', url: `${stack.sim.url}/_pager/webhook/${rg}`, hmacSecretName: 'hook-key' },
  ];
}

/** Registers a cluster with routes to the stand-ins (no VM deployment needed for paging). */
async function registerCluster(rg: string, routes: RouteInput[] = routesFor(rg), renotifyMinutes = 5) {
  const vault = makeSimClients(stack.sim).secrets;
  await vault.setSecret(`teams-url-${rg.toLowerCase()}`, `${stack.sim.url}/_pager/teams/${rg}`);
  const record: ClusterRecord = {
    subscriptionId: SUB,
    resourceGroup: rg,
    location: 'eastus',
    deploymentId: `test-${rg}`,
    loadBalancerId: `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Network/loadBalancers/lb`,
    frontendIp: '10.20.1.200',
    servicePort: 5432,
    probePort: 59999,
    nodes: [],
    witness: { name: 'Witness-node', vmId: 'w', serviceIp: '10.20.1.30' },
    qwk: { sharePath: '/qwk', mountPoint: '/qwk', hbeatTime: 6, numHbeats: 4, quorumLossAction: 'fastkill' },
    activeNode: 'Clstr-nodeA',
    registeredAt: new Date().toISOString(),
    paging: {
      routes: routes.map((r) => ({ minSeverity: 'error', ...r })) as never,
      renotifyMinutes,
      repeatMinutes: 60,
    },
  };
  await registry().upsert(record);
}

async function api(method: string, p: string, body?: unknown) {
  const res = await fetch(`${host!.baseUrl}/api/${p}`, {
    method,
    headers: { 'x-functions-key': KEY, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const latency = (label: string, from: number, to: string) =>
  console.log(`[latency] ${label}: ${Date.parse(to) - from} ms`);

beforeAll(async () => {
  stack = await startStack({
    startHost: false,
    sim: { port: 0, withVmRuntime: false, stateDir: mkdtempSync(path.join(tmpdir(), 'qwk-paging-')) },
    seedSecrets: { 'pd-routing-key': 'pd-test-routing-key', 'hook-key': 'webhook-test-hmac-key' },
  });
  env = {
    ...stack.settings,
    QWK_LOCAL_FUNCTION_KEY: KEY,
    // A compressed backoff: 10 attempts, waits up to 100 ms, 200 ms … capped at 2 s (Azure: 12, 2 s … 5 min).
    QWK_PAGING_MAX_ATTEMPTS: '10',
    QWK_PAGING_BASE_DELAY_MS: '100',
    QWK_PAGING_MAX_DELAY_MS: '2000',
    QWK_PAGING_SEND_LEASE_MS: '2000',
    // These tests put incident transitions on the queue themselves: the health sweep, which would diagnose the
    // VM-less clusters registered here and page their (real) conditions too, stays off.
    'AzureWebJobs.monitorSweep.Disabled': 'true',
  };
  host = await startChildHost(env);
}, 120_000);

afterAll(async () => {
  await host?.kill();
  await stack?.stop();
});

describe('paging pipeline', () => {
  it('an opened transition gives one trigger, one Teams card and one webhook; resolved gives one resolve', async () => {
    const rg = 'pg-basic';
    await registerCluster(rg);
    const opened = transition({ resourceGroup: rg, kind: 'opened', revision: 1 });
    const t0 = await put(opened);
    const first = await waitFor('the pages', async () => {
      const e = await clusterEvents(rg);
      return e.triggers.length && e.teams.length && e.webhooks.length ? e : undefined;
    });
    latency('opened → PagerDuty trigger', t0, first.triggers[0].receivedAt);
    latency('opened → Teams card', t0, first.teams[0].receivedAt);
    expect(first.teams[0].cardErrors).toEqual([]);
    expect(first.triggers[0].body.payload.summary).toBe(
      'Clstr-nodeA lost; Clstr-nodeB took over pgsql-5432 (pg-basic)',
    );
    expect(first.webhooks[0].headers['x-qwk-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);

    const t1 = await put(transition({ resourceGroup: rg, kind: 'resolved', revision: 2 }));
    const after = await waitFor('the resolve', async () => {
      const e = await clusterEvents(rg);
      return e.resolves.length && e.teams.length >= 2 ? e : undefined;
    });
    latency('resolved → PagerDuty resolve', t1, after.resolves[0].receivedAt);
    await waitFor('the queues to drain', () => drained());
    const end = await clusterEvents(rg);
    expect(end.triggers).toHaveLength(1);
    expect(end.resolves).toHaveLength(1);
    expect(end.resolves[0].body.dedup_key).toBe(end.triggers[0].body.dedup_key);
    expect(end.teams).toHaveLength(2);
    expect(end.webhooks).toHaveLength(2);

    const log = await notificationLog({ subscriptionId: SUB, resourceGroup: rg }, store());
    expect(log.map((r) => `${r.route}:${r.event}:${r.status}`).sort()).toEqual([
      'hook:resolve:sent',
      'hook:trigger:sent',
      'pd:resolve:sent',
      'pd:trigger:sent',
      'teams:resolve:sent',
      'teams:trigger:sent',
    ]);
  }, 120_000);

  it('the same message delivered twice sends nothing twice', async () => {
    const rg = 'pg-twice';
    await registerCluster(rg);
    const t = transition({ resourceGroup: rg, kind: 'opened', revision: 1 });
    const t0 = await put(t);
    await put(t);
    const e = await waitFor('the pages', async () => {
      const x = await clusterEvents(rg);
      return x.triggers.length && x.teams.length && x.webhooks.length ? x : undefined;
    });
    latency('opened (twice) → PagerDuty trigger', t0, e.triggers[0].receivedAt);
    await waitFor('the queues to drain', () => drained());
    const end = await clusterEvents(rg);
    expect([end.triggers.length, end.teams.length, end.webhooks.length]).toEqual([1, 1, 1]);
  }, 120_000);

  it('PagerDuty down during an incident: the page arrives once it is back, 0 lost, 0 duplicates', async () => {
    const rg = 'pg-down';
    await registerCluster(rg, [{ kind: 'pagerduty', name: 'pd', routingKeySecretName: 'pd-routing-key' }]);
    const down = await simFetch(sim(), 'POST', '/_sim/pager/faults', {
      channel: 'pagerduty',
      kind: 'down',
      seconds: 10,
    });
    expect(down.status).toBe(201);
    const t0 = await put(transition({ resourceGroup: rg, kind: 'opened', revision: 1 }));
    const e = await waitFor('the trigger after the outage', async () => {
      const x = await clusterEvents(rg);
      return x.triggers.length ? x : undefined;
    });
    const refused = (await pagerEvents()).filter((x) => x.fault === 'down' && String(x.body?.dedup_key).includes(rg));
    expect(refused.length).toBeGreaterThan(0);
    latency('opened → PagerDuty trigger through a 10 s outage', t0, e.triggers[0].receivedAt);
    await waitFor('the queues to drain', () => drained());
    expect((await clusterEvents(rg)).triggers).toHaveLength(1);
    const log = await notificationLog({ subscriptionId: SUB, resourceGroup: rg }, store());
    expect(log).toHaveLength(1);
    expect(log[0].status).toBe('sent');
    expect(log[0].attempts).toBe(refused.length + 1);
  }, 120_000);

  it('a flapping incident (10 cycles) sends at most 2 triggers', async () => {
    const rg = 'pg-flap';
    await registerCluster(rg, [{ kind: 'pagerduty', name: 'pd', routingKeySecretName: 'pd-routing-key' }]);
    const t0 = Date.now();
    for (let cycle = 0; cycle < 10; cycle++) {
      await put(transition({ resourceGroup: rg, kind: 'opened', revision: 2 * cycle + 1 }));
      await waitFor('processing', () => drained());
      await put(transition({ resourceGroup: rg, kind: 'resolved', revision: 2 * cycle + 2 }));
      await waitFor('processing', () => drained());
    }
    const e = await clusterEvents(rg);
    console.log(`[latency] 10 flap cycles processed in ${Date.now() - t0} ms`);
    expect(e.triggers.length).toBeGreaterThanOrEqual(1);
    expect(e.triggers.length).toBeLessThanOrEqual(2);
    expect(e.resolves.length).toBe(e.triggers.length);
    const log = await notificationLog({ subscriptionId: SUB, resourceGroup: rg }, store());
    expect(log.filter((r) => r.status === 'skipped' && r.reason?.startsWith('flapping')).length).toBeGreaterThan(0);
  }, 240_000);

  it('a silence suppresses pages and keeps the records; the silences API validates', async () => {
    const rg = 'pg-silence';
    await registerCluster(rg);
    const base = `clusters/${SUB}/${rg}/silences`;
    expect((await api('POST', `clusters/${SUB}/pg-unknown/silences`, { until: 'x', reason: 'y' })).status).toBe(404);
    const bad = await api('POST', base, { until: '2000-01-01T00:00:00Z' });
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((x: { path: string }) => x.path).sort()).toEqual(['reason', 'until']);
    const tooLong = await api('POST', base, {
      until: new Date(Date.now() + 8 * 86_400_000).toISOString(),
      reason: 'x',
    });
    expect(tooLong.status).toBe(400);
    const created = await api('POST', base, {
      until: new Date(Date.now() + 3_600_000).toISOString(),
      reason: 'patching',
    });
    expect(created.status).toBe(201);
    expect((await api('GET', base)).json.silences.map((s: { id: string }) => s.id)).toEqual([created.json.id]);

    const t0 = await put(transition({ resourceGroup: rg, kind: 'opened', revision: 1 }));
    await waitFor('the silenced records', async () => {
      const log = await notificationLog({ subscriptionId: SUB, resourceGroup: rg }, store());
      return log.length === 3 && log.every((r) => r.status === 'skipped' && r.reason?.startsWith('silenced'));
    });
    console.log(`[latency] opened → silenced records: ${Date.now() - t0} ms`);
    await waitFor('the queues to drain', () => drained());
    const e = await clusterEvents(rg);
    expect([e.triggers.length, e.teams.length, e.webhooks.length]).toEqual([0, 0, 0]);

    expect((await api('DELETE', `${base}/${created.json.id}`)).status).toBe(204);
    expect((await api('DELETE', `${base}/${created.json.id}`)).status).toBe(404);
    expect((await api('GET', base)).json.silences).toEqual([]);
  }, 120_000);

  it('test-page sends a test notification on each route and reports each result', async () => {
    const rg = 'pg-testpage';
    await registerCluster(rg);
    expect((await api('POST', `clusters/${SUB}/pg-unknown/test-page`)).status).toBe(404);
    const t0 = Date.now();
    const res = await api('POST', `clusters/${SUB}/${rg}/test-page`);
    console.log(`[latency] test-page round trip: ${Date.now() - t0} ms`);
    expect(res.status).toBe(200);
    expect(res.json.routes.map((r: { route: string; status: string }) => `${r.route}:${r.status}`).sort()).toEqual([
      'hook:sent',
      'pd:sent',
      'teams:sent',
    ]);
    const all = await pagerEvents();
    const pd = all.filter((x) => x.channel === 'pagerduty' && String(x.body.dedup_key).includes(`/${rg}/`));
    // The test alert is resolved at once, so that it does not stay open in PagerDuty.
    expect(pd.map((x) => x.body.event_action)).toEqual(['trigger', 'resolve']);
    expect(pd[1].body.dedup_key).toBe(pd[0].body.dedup_key);
    expect(pd[0].body.payload.summary).toContain('TEST page from qwk-ops');
    expect(all.filter((x) => x.path.endsWith(`/teams/${rg}`))).toHaveLength(1);
  }, 60_000);

  it('a refused route fails at once, a failing one after its attempts: poison queue and a failed record', async () => {
    const rg = 'pg-poison';
    await registerCluster(rg, [
      { kind: 'webhook', name: 'hook', url: `${stack.sim.url}/_pager/webhook/${rg}`, hmacSecretName: 'hook-key' },
      // Teams answers 404 for a path it does not know: a 4xx is not retried.
      { kind: 'teams', name: 'teams', webhookUrlSecretName: `teams-url-${rg}` },
    ]);
    await makeSimClients(stack.sim).secrets.setSecret(`teams-url-${rg}`, `${stack.sim.url}/_pager/teams/${rg}/extra`);
    const fault = await simFetch(sim(), 'POST', '/_sim/pager/faults', { channel: 'webhook', kind: 'serverError' });
    expect(fault.status).toBe(201);
    try {
      const t0 = await put(transition({ resourceGroup: rg, kind: 'opened', revision: 1 }));
      const log = await waitFor('both records failed', async () => {
        const l = await notificationLog({ subscriptionId: SUB, resourceGroup: rg }, store());
        return l.length === 2 && l.every((r) => r.status === 'failed') ? l : undefined;
      });
      console.log(`[latency] opened → both records failed: ${Date.now() - t0} ms`);
      const hook = log.find((r) => r.route === 'hook')!;
      const teams = log.find((r) => r.route === 'teams')!;
      expect(hook.attempts).toBe(10);
      expect(hook.lastError).toContain('gave up after 10 attempts');
      expect(teams.attempts).toBe(1);
      expect(teams.lastStatus).toBe(404);
      const poisoned = await waitFor('the poison messages', async () => {
        const q = queues().poison;
        await q.createIfNotExists();
        const peek = await q.peekMessages({ numberOfMessages: 32 });
        const mine = peek.peekedMessageItems
          .map(
            (m) =>
              JSON.parse(Buffer.from(m.messageText, 'base64').toString()) as {
                route: { name: string };
                transition: IncidentTransition;
              },
          )
          .filter((m) => m.transition.cluster.resourceGroup === rg);
        return mine.length === 2 ? mine : undefined;
      });
      expect(poisoned.map((m) => m.route.name).sort()).toEqual(['hook', 'teams']);
    } finally {
      await simFetch(sim(), 'DELETE', '/_sim/pager/faults');
    }
  }, 180_000);

  it('a host SIGKILLed between sending and recording: delivered exactly once', async () => {
    const rg = 'pg-crash';
    await registerCluster(rg);
    await host!.kill('SIGTERM');
    host = await startChildHost({ ...env, QWK_TEST_CRASH_AFTER_SEND: 'true' });
    const crashing = host;
    const t = transition({ resourceGroup: rg, kind: 'opened', revision: 1 });
    const t0 = await put(t);
    await waitFor(
      'the host to kill itself after a send',
      async () => crashing.child.signalCode === 'SIGKILL' || undefined,
    );
    const before = await clusterEvents(rg);
    console.log(
      `[crash] sent before the crash: ${before.triggers.length} trigger(s), ${before.teams.length} card(s), ${before.webhooks.length} webhook(s)`,
    );
    host = await startChildHost(env);
    // The queue would hand the message out again when its 10-minute lease ends; put it again to stand for that.
    await put(t);
    const log = await waitFor('every record terminal', async () => {
      const l = await notificationLog({ subscriptionId: SUB, resourceGroup: rg }, store());
      return l.length === 3 && l.every((r) => ['sent', 'unknown'].includes(r.status)) ? l : undefined;
    });
    // (the crashed host's copy of the message stays invisible for its 10-minute lease: only deliveries drain)
    await waitFor('the delivery queue to drain', () => drained(true));
    const e = await clusterEvents(rg);
    console.log(
      `[crash] in all: ${e.triggers.length} trigger(s), ${e.teams.length} card(s), ${e.webhooks.length} webhook(s); records ${log.map((r) => `${r.route}=${r.status}`).join(', ')}`,
    );
    latency('opened → PagerDuty trigger (with a crash)', t0, e.triggers[0].receivedAt);
    // PagerDuty: every trigger carries the incident's dedup_key, so PagerDuty holds one alert (it merges a trigger
    // for an open alert with the same dedup_key); the stand-in records each request, hence "distinct keys".
    expect(new Set(e.triggers.map((x) => x.body.dedup_key)).size).toBe(1);
    expect(log.find((r) => r.route === 'pd')!.status).toBe('sent');
    // Webhook: the receiver deduplicates by X-Qwk-Event-Id.
    expect(new Set(e.webhooks.map((x) => x.headers['x-qwk-event-id'])).size).toBe(1);
    expect(log.find((r) => r.route === 'hook')!.status).toBe('sent');
    // Teams: never twice; an interrupted send is recorded as unknown instead of repeated.
    expect(e.teams.length).toBeLessThanOrEqual(1);
    const teams = log.find((r) => r.route === 'teams')!;
    expect(teams.status === 'sent' || (teams.status === 'unknown' && e.teams.length <= 1)).toBe(true);
  }, 180_000);

  it('POST /api/deployments: a missing route secret is a 400 naming it; a re-POST updates the routes', async () => {
    const rg = 'pg-repost';
    await registerCluster(rg);
    const routes = [
      { kind: 'pagerduty', name: 'pd2', routingKeySecretName: 'pd-missing-key', minSeverity: 'critical' },
    ];
    const refused = await api(
      'POST',
      'deployments',
      seedInfraSpec({ subscriptionId: SUB, resourceGroup: rg, monitoring: { routes } }),
    );
    expect(refused.status).toBe(400);
    expect(refused.json.errors).toEqual([
      { path: 'monitoring.routes[0].routingKeySecretName', message: expect.stringContaining('"pd-missing-key"') },
    ]);
    expect((await registry().get(SUB, rg))!.paging!.routes!.map((r) => r.name)).toEqual(['pd', 'teams', 'hook']);

    await makeSimClients(stack.sim).secrets.setSecret('pd-missing-key', 'now-it-exists');
    const accepted = await api(
      'POST',
      'deployments',
      seedInfraSpec({ subscriptionId: SUB, resourceGroup: rg, monitoring: { routes, renotifyMinutes: 10 } }),
    );
    expect([202, 409]).toContain(accepted.status);
    const paging = (await registry().get(SUB, rg))!.paging!;
    expect(paging.routes!.map((r) => `${r.name}:${r.minSeverity}`)).toEqual(['pd2:critical']);
    expect(paging.renotifyMinutes).toBe(10);
  }, 60_000);

  it('the sweep sends one reminder for a critical incident still open after repeatMinutes', async () => {
    const rg = 'pg-remind';
    await registerCluster(rg, [{ kind: 'pagerduty', name: 'pd', routingKeySecretName: 'pd-routing-key' }]);
    const t = transition({ resourceGroup: rg, condition: 'SplitBrain', kind: 'opened', revision: 1 });
    await put(t);
    await waitFor('the trigger recorded', async () => {
      const log = await notificationLog({ subscriptionId: SUB, resourceGroup: rg }, store());
      return log.length === 1 && log[0].status === 'sent';
    });
    // The sweep itself, on the real tables, at chosen times (the host's timer runs it every minute on the clock).
    const captured: DeliveryMessage[] = [];
    const unused = () => Promise.reject(new Error('not used by the sweep'));
    const at = (minutes: number): PipelineDeps => ({
      store: store(),
      registry: registry(),
      secret: unused,
      enqueue: (m) => (captured.push(m), Promise.resolve()),
      poison: unused,
      send: unused,
      config: loadPagingConfig(env),
      now: () => new Date(Date.now() + minutes * 60_000),
      log: () => undefined,
    });
    const mine = () => captured.filter((m) => m.transition.cluster.resourceGroup === rg);
    await sweep(at(59));
    expect(mine()).toEqual([]);
    await sweep(at(61));
    expect(mine().map((m) => [m.decided, m.route.name, m.transition.id])).toEqual([['reminder', 'pd', t.id]]);
    expect(mine()[0].eventId).toMatch(/#reminder@/);
    await sweep(at(62));
    expect(mine()).toHaveLength(1);
  }, 60_000);
});
