/**
 * Crash test: a host in a child process is SIGKILLed while activities and a durable timer are pending; a new host
 * on the same Azurite completes the orchestration, and each activity result is in history exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../local/azurite';
import { startChildHost, killChildHost, type ChildHost } from '../support/durableChild';
import { DurableTestHost, type Status } from '../support/durableHost';

describe('Durable crash recovery', () => {
  let azurite: RunningAzurite;
  let first: ChildHost | undefined;
  let second: DurableTestHost | undefined;

  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await killChildHost(first);
    await second?.stop();
    await azurite?.stop();
  });

  it('a host killed mid-orchestration is replaced by a new host that completes it exactly once per activity', async () => {
    first = await startChildHost(azurite.connectionString);
    const hook = `${first.baseUrl}/runtime/webhooks/durabletask`;
    const code = `code=${encodeURIComponent(first.systemKey)}`;
    const started = await fetch(`${hook}/orchestrators/CrashScenario/crash-1?${code}`, {
      method: 'POST',
      body: JSON.stringify({ n: 6, ms: 1500, timerMs: 2500 }),
    });
    expect(started.status).toBe(202);
    // Wait until the first episode is durable (activities and the timer scheduled), then kill the host.
    for (;;) {
      const s = (await (await fetch(`${hook}/instances/crash-1?${code}&showHistory=true`)).json()) as Status;
      if (s.runtimeStatus === 'Running') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 300));
    await killChildHost(first);

    second = await DurableTestHost.start(azurite);
    const m = {
      statusQueryGetUri: `${second.host.baseUrl}/runtime/webhooks/durabletask/instances/crash-1?code=${encodeURIComponent(second.host.systemKey)}`,
    };
    const done = await second.waitFor(m as never, undefined, 90_000);
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.output).toEqual(['echo-0', 'echo-1', 'echo-2', 'echo-3', 'echo-4', 'echo-5', 'echo-last']);
    const completions = done.historyEvents!.filter((e) => e.EventType === 'TaskCompleted');
    const ids = completions.map((e) => e.TaskScheduledId);
    expect(ids).toHaveLength(7);
    expect(new Set(ids).size).toBe(7);
    expect(done.historyEvents!.filter((e) => e.EventType === 'TimerFired')).toHaveLength(1);
  });
});
