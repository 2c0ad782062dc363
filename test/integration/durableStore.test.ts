/** The task hub storage guarantees the engine relies on, against Azurite. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../local/azurite';
import { ConflictError, TaskHubStore, type InstanceRecord } from '../../local/host/durable/store';
import { events } from '../../local/host/durable/history';

describe('Durable task hub store', () => {
  let azurite: RunningAzurite;
  let store: TaskHubStore;
  const at = new Date();
  const record = (over: Partial<InstanceRecord> = {}): InstanceRecord => ({
    instanceId: 'i1',
    name: 'O',
    status: 'Pending',
    executionId: 'e1',
    input: null,
    output: null,
    customStatus: null,
    createdTime: at.toISOString(),
    lastUpdatedTime: at.toISOString(),
    episodes: 0,
    ...over,
  });

  beforeAll(async () => {
    azurite = await startAzurite();
    store = new TaskHubStore(azurite.connectionString, 'StoreHub');
    await store.init();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it('commits an episode only once per instance version (ETag + history row)', async () => {
    const etag = await store.putInstance(record());
    await expect(store.putInstance(record())).rejects.toBeInstanceOf(ConflictError);
    const next = await store.commitEpisode(record({ status: 'Running', episodes: 1 }), etag, [
      events.orchestratorStarted(at),
    ]);
    // a second worker holding the old version loses
    await expect(
      store.commitEpisode(record({ status: 'Running', episodes: 1 }), etag, [events.orchestratorStarted(at)]),
    ).rejects.toBeInstanceOf(ConflictError);
    await store.commitEpisode(record({ status: 'Completed', episodes: 2 }), next, [events.orchestratorCompleted(at)]);
    expect((await store.readHistory('i1', 'e1')).map((e) => e.EventType)).toEqual([12, 13]);
    expect((await store.getInstance('i1'))!.record.status).toBe('Completed');
  });

  it('keeps large inputs, outputs and history chunks in blobs', async () => {
    const big = JSON.stringify('x'.repeat(100_000));
    const etag = await store.putInstance(record({ instanceId: 'big', input: big }));
    await store.commitEpisode(record({ instanceId: 'big', episodes: 1, input: big, output: big }), etag, [
      events.eventRaised(at, 'n', big),
    ]);
    const got = (await store.getInstance('big'))!.record;
    expect(got.input).toBe(big);
    expect(got.output).toBe(big);
    expect((await store.readHistory('big', 'e1'))[0].Input).toBe(big);
    expect(await store.purgeInstance('big')).toBe(true);
    expect(await store.getInstance('big')).toBeUndefined();
  });

  it('a message sent under a lease is invisible until released; large messages round-trip', async () => {
    const handle = await store.send(store.control, { hello: 'x'.repeat(40_000) }, 30);
    expect(await store.receive(store.control, 32, 5)).toHaveLength(0);
    const receipt = await store.setVisibility(store.control, handle, 0);
    expect(receipt).toBeTruthy();
    const [m] = await store.receive<{ hello: string }>(store.control, 32, 5);
    expect(m.body.hello).toHaveLength(40_000);
    // the old pop receipt no longer owns it
    expect(await store.setVisibility(store.control, handle, 0)).toBeUndefined();
    await store.remove(store.control, m);
    expect(await store.receive(store.control, 32, 1)).toHaveLength(0);
  });
});
