import { QueueServiceClient } from '@azure/storage-queue';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../local/azurite';
import { startHost, type LogRecord, type RunningHost } from '../../local/host';

const appRoot = path.resolve(__dirname, '../fixtures/host-app');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

interface QueueState {
  queue: {
    attempts: Record<
      string,
      { dequeueCount: number; at: number; id: string; hasPopReceipt: boolean; insertionTime: string }[]
    >;
    forwarded: unknown[];
  };
}

describe('local host: storage queue triggers and outputs', () => {
  let azurite: RunningAzurite;
  let host: RunningHost;
  let queues: QueueServiceClient;
  const lines: LogRecord[] = [];

  beforeAll(async () => {
    azurite = await startAzurite();
    queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
    host = await startHost({
      appRoot,
      port: 0,
      logSink: (r) => lines.push(r),
      settings: { AzureWebJobsStorage: azurite.connectionString, ENABLE_QUEUES: '1' },
    });
  });
  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  const state = async () => (await (await fetch(`${host.baseUrl}/fx/state`)).json()) as QueueState;

  async function waitFor<T>(probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error('timed out');
      await sleep(100);
    }
  }

  async function drain(queueName: string, expected: number): Promise<string[]> {
    const q = queues.getQueueClient(queueName);
    const got: string[] = [];
    await waitFor(async () => {
      const received = await q.receiveMessages({ numberOfMessages: 32 }).catch((err: { statusCode?: number }) => {
        if (err.statusCode === 404) return { receivedMessageItems: [] }; // not created yet
        throw err;
      });
      const { receivedMessageItems } = received;
      for (const m of receivedMessageItems) {
        got.push(unb64(m.messageText));
        await q.deleteMessage(m.messageId, m.popReceipt);
      }
      return got.length >= expected ? true : undefined;
    });
    return got;
  }

  it('creates the trigger queues at startup', async () => {
    const names: string[] = [];
    for await (const q of queues.listQueues()) names.push(q.name);
    expect(names).toEqual(expect.arrayContaining(['flaky-items', 'inbox']));
  });

  it('retries a failing message and succeeds, with trigger metadata as the host sends it', async () => {
    await queues.getQueueClient('flaky-items').sendMessage(b64(JSON.stringify({ id: 'twice', failTimes: 2 })));
    const attempts = await waitFor(async () => {
      const a = (await state()).queue.attempts.twice;
      return a && a.length >= 3 ? a : undefined;
    });
    await sleep(300);
    const final = (await state()).queue.attempts.twice;
    expect(final.map((a) => a.dequeueCount)).toEqual([1, 2, 3]);
    // host.json visibilityTimeout 00:00:01: a failed message is retried only after it becomes visible again.
    for (let i = 1; i < final.length; i++) expect(final[i].at - final[i - 1].at).toBeGreaterThanOrEqual(950);
    expect(new Set(final.map((a) => a.id)).size).toBe(1);
    expect(attempts.every((a) => a.hasPopReceipt && !Number.isNaN(Date.parse(a.insertionTime)))).toBe(true);
    const peek = await queues.getQueueClient('flaky-items').peekMessages({ numberOfMessages: 32 });
    expect(peek.peekedMessageItems).toHaveLength(0);
  });

  it('moves a message to <queue>-poison after maxDequeueCount (default 5) failed attempts', async () => {
    const body = JSON.stringify({ id: 'poison', failTimes: 99 });
    await queues.getQueueClient('flaky-items').sendMessage(b64(body));
    const poisoned = await drain('flaky-items-poison', 1);
    expect(poisoned).toEqual([body]);
    const attempts = (await state()).queue.attempts.poison;
    expect(attempts.map((a) => a.dequeueCount)).toEqual([1, 2, 3, 4, 5]);
    expect(
      lines.filter((l) => l.message.startsWith("Executed 'Functions.flaky' (Failed")).length,
    ).toBeGreaterThanOrEqual(5);
    expect(lines.some((l) => l.message.includes("Moving message to queue 'flaky-items-poison'"))).toBe(true);
  });

  it('writes queue output bindings (return value and extraOutputs array) base64-encoded', async () => {
    const res = await fetch(`${host.baseUrl}/fx/enqueue`, { method: 'POST', body: JSON.stringify({ id: 'm1', n: 1 }) });
    expect(res.status).toBe(202);
    const outbox = await drain('outbox', 1);
    expect(outbox.map((m) => JSON.parse(m) as unknown)).toEqual([{ id: 'm1', n: 1, forwarded: true }]);
    const audit = await drain('audit', 2);
    expect(audit.sort()).toEqual(['a-m1', JSON.stringify({ audit: 'm1' })].sort());
    expect((await state()).queue.forwarded).toEqual([{ id: 'm1', n: 1 }]);
  });
});
