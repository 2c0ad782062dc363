/**
 * Two hosts on one task hub work on the same instance at once (events raised through both): every episode
 * is committed by exactly one of them (ETag-guarded), so no event is lost or recorded twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../local/azurite';
import { killChildHost, startChildHost, type ChildHost } from '../support/durableChild';
import { DurableTestHost } from '../support/durableHost';

describe('Durable engine with two hosts on one task hub', () => {
  let azurite: RunningAzurite;
  let other: ChildHost | undefined;
  let local: DurableTestHost | undefined;

  beforeAll(async () => {
    azurite = await startAzurite();
    [other, local] = await Promise.all([startChildHost(azurite.connectionString), DurableTestHost.start(azurite)]);
  });
  afterAll(async () => {
    await killChildHost(other);
    await local?.stop();
    await azurite?.stop();
  });

  it('interleaved events through both hosts all land exactly once', async () => {
    const hooks = [
      { base: `${other!.baseUrl}/runtime/webhooks/durabletask`, code: `code=${encodeURIComponent(other!.systemKey)}` },
      {
        base: `${local!.host.baseUrl}/runtime/webhooks/durabletask`,
        code: `code=${encodeURIComponent(local!.host.systemKey)}`,
      },
    ];
    const n = 16;
    const start = await fetch(`${hooks[0].base}/orchestrators/CollectEvents/shared-1?${hooks[0].code}`, {
      method: 'POST',
      body: JSON.stringify({ n }),
    });
    expect(start.status).toBe(202);
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const h = hooks[i % 2];
        const res = await fetch(`${h.base}/instances/shared-1/raiseEvent/e?${h.code}`, {
          method: 'POST',
          body: JSON.stringify(i),
        });
        expect(res.status).toBe(202);
      }),
    );
    const m = { statusQueryGetUri: `${hooks[1].base}/instances/shared-1?${hooks[1].code}` };
    const s = await local!.waitFor(m as never, undefined, 40_000);
    expect(s.runtimeStatus).toBe('Completed');
    expect([...(s.output as number[])].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(s.historyEvents!.filter((e) => e.EventType === 'EventRaised')).toHaveLength(n);
  });
});
