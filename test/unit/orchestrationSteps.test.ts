/**
 * The orchestrators' two building blocks, run by the real durable-functions SDK through the engine's replay (in
 * memory: activities inline, timers fire at once, each episode one second later): callAllWithRetry and waitUntil.
 */
import { describe, expect, it } from 'vitest';
import { EventType, type HistoryEvent } from '../../local/host/durable/history';
import { callAllWithRetry, reported, type ReportedOutcome } from '../../orchestrations/steps/retry';
import { waitUntil, type Look } from '../../orchestrations/steps/waitUntil';
import { drive, type OrchestratorFn } from '../support/durableMemoryDriver';

const POLICY = { baseMs: 100, capMs: 300, maxAttempts: 4 };
const transient = (code: string) => ({ ok: false, failure: { transient: true, code, message: `${code} happened` } });
const fatal = (code: string) => ({ ok: false, failure: { transient: false, code, message: `${code} happened` } });

/** Timer delays as the orchestrator asked for them (FireAt − the episode's current time). */
function timerDelays(history: HistoryEvent[]): number[] {
  const out: number[] = [];
  let now = 0;
  for (const e of history) {
    if (e.EventType === EventType.OrchestratorStarted) now = Date.parse(e.Timestamp);
    if (e.EventType === EventType.TimerCreated) out.push(Date.parse(e.FireAt!) - now);
  }
  return out;
}

/** Runs callAllWithRetry over `keys` against activity Op (input: the key) and returns what it ended with. */
function retrying(keys: string[]): OrchestratorFn {
  return function* (context) {
    const log: string[] = [];
    const result = yield* callAllWithRetry(
      context,
      keys,
      (key) => context.df.callActivity('Op', key),
      (r) => reported<ReportedOutcome>(r),
      POLICY,
      {
        attempting: (todo) => log.push(`try ${todo.join(',')}`),
        succeeded: (key) => log.push(`ok ${key}`),
        retrying: (failed, delayMs) =>
          log.push(`retry ${failed.map((f) => `${f.key}#${f.attempts}`).join(',')} in ${delayMs}`),
      },
    );
    return result.ok
      ? { ok: true, attempts: Object.fromEntries(result.attempts), log }
      : { ok: false, key: result.key, failure: result.failure, attempts: result.attempts, log };
  };
}

describe('callAllWithRetry', () => {
  it('retries only what failed transiently, together, after the longest backoff', async () => {
    const calls: Record<string, number> = {};
    const r = await drive(retrying(['a', 'b', 'c']), {
      activities: {
        Op: (key) => {
          const n = (calls[String(key)] = (calls[String(key)] ?? 0) + 1);
          if (key === 'a' && n <= 2) return transient('TooManyRequests');
          if (key === 'b' && n <= 1) return transient('RetryableError');
          return { ok: true };
        },
      },
    });
    const out = JSON.parse(r.decision.output!);
    expect(out.ok).toBe(true);
    expect(out.attempts).toEqual({ a: 3, b: 2, c: 1 });
    expect(out.log).toEqual([
      'try a,b,c',
      'ok c',
      'retry a#1,b#1 in 100',
      'try a,b',
      'ok b',
      'retry a#2 in 200',
      'try a',
      'ok a',
    ]);
    expect(timerDelays(r.history)).toEqual([100, 200]);
  });

  it.each([
    ['a fatal failure, at once', () => fatal('AuthorizationFailed'), 1, 'AuthorizationFailed happened'],
    [
      'a transient failure, once the attempts are used up',
      () => transient('TooManyRequests'),
      4,
      'TooManyRequests happened (still failing after 4 attempts)',
    ],
  ])('gives up on %s', async (_name, outcome, attempts, message) => {
    const r = await drive(retrying(['a']), { activities: { Op: outcome } });
    const out = JSON.parse(r.decision.output!);
    expect(out).toMatchObject({ ok: false, key: 'a', attempts, failure: { message } });
    expect(r.activityCalls).toHaveLength(attempts);
    // backoff doubles up to the cap
    expect(timerDelays(r.history)).toEqual([100, 200, 300].slice(0, attempts - 1));
  });

  it('ends with ActivityFailed when an activity throws (no retry of a bug)', async () => {
    const r = await drive(retrying(['a', 'b']), {
      activities: {
        Op: (key) => {
          if (key === 'b') throw new Error('bug in the activity');
          return { ok: true };
        },
      },
    });
    expect(JSON.parse(r.decision.output!)).toMatchObject({
      ok: false,
      key: 'b',
      failure: { transient: false, code: 'ActivityFailed', message: expect.stringContaining('bug in the activity') },
    });
  });
});

/** Waits until activity Look answers {ready: true}; judges {ok:false} transient failures as "not yet". */
function waiting(timeoutMs: number): OrchestratorFn {
  return function* (context) {
    return yield* waitUntil(
      context,
      () => context.df.callActivity('Look'),
      (r): Look<string> => {
        const o = r as {
          ok: boolean;
          ready?: boolean;
          state?: string;
          failure?: { transient: boolean; code: string; message: string };
        };
        if (!o.ok)
          return o.failure!.transient ? { done: false, seen: o.failure!.code } : { done: false, failure: o.failure! };
        return o.ready ? { done: true, value: o.state! } : { done: false, seen: o.state! };
      },
      { intervalMs: 100, maxIntervalMs: 300, timeoutMs, timeoutCode: 'NotInTime', what: 'the VM answering' },
    );
  };
}

describe('waitUntil', () => {
  it('looks again on durable timers, backing off, until the condition holds', async () => {
    const answers = [
      { ok: true, ready: false, state: 'PowerState/starting' },
      transient('Conflict'),
      { ok: true, ready: false, state: 'PowerState/starting' },
      { ok: true, ready: false, state: 'PowerState/running' },
      { ok: true, ready: true, state: 'answers' },
    ];
    const r = await drive(waiting(60_000), { activities: { Look: () => answers.shift() } });
    const out = JSON.parse(r.decision.output!);
    expect(out).toMatchObject({ ok: true, value: 'answers', looks: 5 });
    // orchestration time passed (the in-memory driver advances one second per episode)
    expect(out.waitedMs).toBeGreaterThan(0);
    expect(timerDelays(r.history)).toEqual([100, 200, 300, 300]);
    expect(r.activityCalls).toEqual(['Look', 'Look', 'Look', 'Look', 'Look']);
  });

  it('fails at once on a fatal failure', async () => {
    const r = await drive(waiting(60_000), { activities: { Look: () => fatal('AuthorizationFailed') } });
    expect(JSON.parse(r.decision.output!)).toMatchObject({ ok: false, failure: { code: 'AuthorizationFailed' } });
    expect(r.activityCalls).toHaveLength(1);
  });

  it('fails with the timeout code and the last thing seen when the condition never holds', async () => {
    const r = await drive(waiting(5_000), {
      activities: { Look: () => ({ ok: true, ready: false, state: 'PowerState/starting' }) },
    });
    const out = JSON.parse(r.decision.output!);
    expect(out).toMatchObject({ ok: false, failure: { transient: false, code: 'NotInTime' } });
    expect(out.failure.message).toBe('the VM answering did not happen within 5.0 s (last seen: PowerState/starting)');
  });
});
