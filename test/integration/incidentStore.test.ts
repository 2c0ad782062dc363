import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueServiceClient } from '@azure/storage-queue';
import { startAzurite, type RunningAzurite } from '../../local/azurite';
import { decodeMessage } from '../../local/host/queues';
import type { IncidentTransition } from '../../shared/monitoring/contracts';
import { evaluateCluster, type ClusterMemory } from '../../shared/monitoring/evaluation';
import { IncidentStore, type StoreNames } from '../../shared/monitoring/incidentStore';
import type { ClusterFacts, ClusterSignals } from '../../shared/monitoring/signals';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const SUB = '00000000-0000-0000-0000-0000000000aa';
const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

function facts(resourceGroup: string): ClusterFacts {
  return {
    subscriptionId: SUB,
    resourceGroup,
    probePort: 12345,
    nodes: [
      { name: 'Clstr-nodeA', serviceIp: '10.5.1.11', priority: 1 },
      { name: 'Clstr-nodeB', serviceIp: '10.5.1.12', priority: 10 },
    ],
    witness: { name: 'Witness-node' },
    qwk: { hbeatTime: 6, numHbeats: 4 },
    activeNode: 'Clstr-nodeA',
  };
}

/** nodeA answers; nodeB's QWK object is `staleB` seconds old (> 24 s: NodeLost, reported at a first evaluation). */
function signals(resourceGroup: string, t: number, staleB: number): ClusterSignals {
  const now = iso(t);
  return {
    now,
    facts: facts(resourceGroup),
    probe: {
      observedAt: now,
      backends: [
        { ipAddress: '10.5.1.11', state: 'Up' },
        { ipAddress: '10.5.1.12', state: 'Down' },
      ],
    },
    relay: {
      receivedAt: now,
      witnessTime: now,
      counter: t,
      nodes: [
        { node: 'Clstr-nodeA', sequence: 10, lastAdvancedAt: iso(t - 2), commstat: 'UP' },
        { node: 'Clstr-nodeB', sequence: 7, lastAdvancedAt: iso(t - staleB), commstat: 'UP' },
      ],
    },
    power: { 'Clstr-nodeA': 'running', 'Clstr-nodeB': 'running', 'Witness-node': 'running' },
    metrics: { dip: {}, vip: [] },
  };
}

let n = 0;
function newStore(): { store: IncidentStore; names: StoreNames } {
  n++;
  const names: StoreNames = {
    health: `healthtest${n}`,
    incidents: `incidentstest${n}`,
    timeline: `timelinetest${n}`,
    queue: `transitions-test-${n}`,
    history: `historytest${n}`,
  };
  return { store: IncidentStore.fromConnectionString(azurite.connectionString, names), names };
}

async function queued(queueName: string): Promise<IncidentTransition[]> {
  const q = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(queueName);
  if (!(await q.exists())) return [];
  const out: IncidentTransition[] = [];
  for (;;) {
    const r = await q.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 300 });
    if (!r.receivedMessageItems.length) return out;
    for (const m of r.receivedMessageItems) out.push(JSON.parse(decodeMessage(m.messageText, 'base64')));
  }
}

/** Lets `count` callers through only once all of them arrived: both evaluations read before either writes. */
function barrier(count: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((r) => (release = r));
  return async () => {
    if (++arrived === count) release();
    await all;
  };
}

describe('IncidentStore (Azurite)', () => {
  it('two evaluations racing on one cluster: one transition row and one queue message per transition', async () => {
    const { store, names } = newStore();
    const rg = 'RG-Race';
    for (const round of [
      { t: 0, staleB: 40 }, // NodeLost(B) opens
      { t: 5, staleB: 2 },
      { t: 10, staleB: 1 }, // absent twice: resolved
    ]) {
      const bothRead = barrier(2);
      const firstCall = new Set<number>();
      const evaluation = (who: number) => async (memory: ClusterMemory) => {
        if (!firstCall.has(who)) {
          firstCall.add(who);
          await bothRead();
        }
        return evaluateCluster(signals(rg, round.t, round.staleB), memory);
      };
      const results = await Promise.all([1, 2].map((who) => store.evaluate(SUB, rg, iso(round.t), evaluation(who))));
      // both read the same row, so exactly one lost the race and recomputed
      expect(results.map((r) => r.conflicts).sort()).toEqual([0, 1]);
    }
    const rows = await store.listTransitions(SUB, rg);
    const key = `qwk/${SUB}/rg-race/NodeLost/Clstr-nodeB`;
    expect(rows.map((r) => r.transition.id).sort()).toEqual([`${key}#1`, `${key}#2`]);
    expect(rows.every((r) => !r.pendingPublish && r.publishedAt)).toBe(true);
    const messages = await queued(names.queue);
    expect(messages.map((m) => `${m.kind} ${m.id}`).sort()).toEqual([`opened ${key}#1`, `resolved ${key}#2`]);
    const [incident] = await store.listIncidents(SUB, rg);
    expect(incident).toMatchObject({ key, status: 'resolved', revision: 2 });
    const stored = await store.read(SUB, rg);
    expect(stored!.outbox).toEqual({ transitions: [], timeline: [] });
    expect(stored!.health!.state).toBe('Healthy');
    const timeline = await store.listTimeline(SUB, rg);
    expect(timeline.map((e) => `${e.from ?? ''}→${e.to}`)).toEqual(['NodeLost→Healthy', '→NodeLost']);
  });

  it('eight concurrent evaluations still commit each transition once', async () => {
    const { store, names } = newStore();
    const rg = 'rg-many';
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        store.evaluate(SUB, rg, iso(0), (memory) => evaluateCluster(signals(rg, 0, 40), memory)),
      ),
    );
    expect(results.flatMap((r) => r.transitions)).toHaveLength(1);
    expect((await store.listTransitions(SUB, rg)).length).toBe(1);
    expect((await queued(names.queue)).length).toBe(1);
  });

  it('a crash between the write and the publish: the retry republishes the transition by its id, once', async () => {
    const { store, names } = newStore();
    const rg = 'rg-crash';
    // the evaluation commits, then "crashes": nothing is delivered
    const committed = await store.commit(SUB, rg, iso(0), (m) => evaluateCluster(signals(rg, 0, 40), m));
    expect(committed.transitions).toHaveLength(1);
    const id = committed.transitions[0].id;
    expect(await queued(names.queue)).toEqual([]);
    expect(await store.listTransitions(SUB, rg)).toEqual([]);
    expect((await store.read(SUB, rg))!.outbox.transitions.map((i) => i.transition.id)).toEqual([id]);

    // a later evaluation that finds nothing new leaves young outbox items to their own evaluation …
    const soon = await store.evaluate(SUB, rg, iso(5), (m) => evaluateCluster(signals(rg, 5, 45), m));
    expect(soon.transitions).toEqual([]);
    expect(soon.published).toEqual([]);
    // … and redelivers them once they are older than the grace period
    const later = await store.evaluate(SUB, rg, iso(70), (m) => evaluateCluster(signals(rg, 70, 110), m));
    expect(later.transitions).toEqual([]);
    expect(later.published).toEqual([id]);
    const messages = await queued(names.queue);
    expect(messages.map((m) => m.id)).toEqual([id]);
    expect(messages[0].incident.kind).toBe('NodeLost');
    const rows = await store.listTransitions(SUB, rg);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ pendingPublish: false, transition: { id } });

    // retrying again delivers nothing more
    expect(await store.deliver(SUB, rg, { olderThan: iso(1000) })).toEqual([]);
    expect(await queued(names.queue)).toEqual([]);
  });

  it('a crash after the row was written but before the publish: the pending row is published on retry', async () => {
    const { store, names } = newStore();
    const rg = 'rg-crash2';
    const committed = await store.commit(SUB, rg, iso(0), (m) => evaluateCluster(signals(rg, 0, 40), m));
    const id = committed.transitions[0].id;
    // deliver fails after the transition row was created (the queue does not exist and cannot be created)
    const broken = IncidentStore.fromConnectionString(azurite.connectionString, { ...names, queue: 'x' });
    await expect(broken.deliver(SUB, rg, { ids: [id] })).rejects.toThrow();
    const pending = await store.listTransitions(SUB, rg);
    expect(pending).toMatchObject([{ pendingPublish: true, transition: { id } }]);
    expect(await store.deliver(SUB, rg, { ids: [id] })).toEqual([id]);
    expect((await queued(names.queue)).map((m) => m.id)).toEqual([id]);
    expect(await store.listTransitions(SUB, rg)).toMatchObject([{ pendingPublish: false }]);
  });

  it("records the reports' history: a finished minute after the commit, a probe change through the outbox", async () => {
    const { store } = newStore();
    const rg = 'rg-history';
    for (let t = 0; t <= 60; t += 10) {
      const sig = signals(rg, t, 2);
      // nodeB answers instead of nodeA from 30 s on
      const probe =
        t < 30
          ? sig.probe!
          : {
              observedAt: sig.now,
              backends: [
                { ipAddress: '10.5.1.11', state: 'Down' as const },
                { ipAddress: '10.5.1.12', state: 'Up' as const },
              ],
            };
      await store.evaluate(SUB, rg, iso(t), (m) => evaluateCluster({ ...sig, probe }, m));
    }
    const rows = await store.listHistory(SUB, rg, iso(0), iso(120));
    expect(rows.filter((r) => r.kind === 'minute')).toEqual([
      { kind: 'minute', minute: iso(0), observations: 6, counts: { 'Clstr-nodeA': 3, 'Clstr-nodeB': 3 } },
    ]);
    expect(rows.filter((r) => r.kind === 'probeChange')).toEqual([
      {
        kind: 'probeChange',
        before: { at: iso(20), answering: ['Clstr-nodeA'] },
        after: { at: iso(30), answering: ['Clstr-nodeB'] },
      },
    ]);
    // a period that ends before them holds none
    expect(await store.listHistory(SUB, rg, iso(-3600), iso(-60))).toEqual([]);
    const timeline = await store.listTimelineUntil(SUB, rg, iso(0), iso(120));
    expect(timeline.some((e) => e.kind === 'state')).toBe(true);
    // the outbox was emptied
    expect((await store.read(SUB, rg))?.outbox.history ?? []).toEqual([]);
  });
});
