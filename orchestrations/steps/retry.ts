/**
 * "Call, classify, retry after a durable timer or give up": the one retry loop of the orchestrators. Activities
 * report ARM failures as outcomes ({ok: false, failure}); transient ones are retried with backoff (at least
 * Retry-After) on a durable timer, fatal ones — and transient ones whose attempts are used up — end the loop.
 * Several calls can run as one batch (a wave of the deployment): each is retried on its own, after one timer.
 *
 * Deterministic: no I/O, no clock but context.df.currentUtcDateTime.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import { retryOrGiveUp, type ArmFailure } from '../../shared/azure/armErrors';
import { errorMessage } from '../../shared/azure/errors';
import type { RetryPolicy } from '../../shared/config';

/** Retries of an activity that *threw* (a bug or a lost worker), as opposed to the failures it reports. */
export const CRASH_RETRY = new df.RetryOptions(1_000, 3);

/** What the orchestrator makes of one result: a value, or a classified failure. */
export type Classified<T> = { ok: true; value: T } | { ok: false; failure: ArmFailure };

/** The outcome every failure-reporting activity returns. */
export type ReportedOutcome = { ok: true } | { ok: false; failure: ArmFailure };

/** Classifies an outcome of the common {ok, failure} shape; the value is the outcome itself. */
export function reported<T extends ReportedOutcome>(result: unknown): Classified<Extract<T, { ok: true }>> {
  const outcome = result as T;
  return outcome.ok
    ? { ok: true, value: outcome as Extract<T, { ok: true }> }
    : { ok: false, failure: outcome.failure };
}

/** A task that threw (after CRASH_RETRY): not retried here, it is a bug or a lost worker. */
export const activityFailed = (value: unknown): ArmFailure => ({
  transient: false,
  code: 'ActivityFailed',
  message: errorMessage(value),
});

export interface RetryHooks<K, T> {
  /** Before each attempt of `keys` (the first one too). */
  attempting?(keys: K[]): void;
  succeeded?(key: K, value: T): void;
  /** Before the durable timer: what failed transiently and is tried again after `delayMs`. */
  retrying?(failed: { key: K; failure: ArmFailure; attempts: number }[], delayMs: number): void;
}

export type BatchResult<K, T> =
  | { ok: true; values: Map<K, T>; attempts: Map<K, number> }
  | { ok: false; key: K; failure: ArmFailure; attempts: number };

/**
 * Calls `call(key)` for every key at once (every task yielded exactly once), classifies each result, and retries
 * the transient failures together after the longest of their delays. Ends with every value, or with the first
 * failure given up on (the successes of that round are reported first). A task that throws ends it at once.
 */
export function* callAllWithRetry<K, T>(
  context: OrchestrationContext,
  keys: readonly K[],
  call: (key: K) => Task,
  classify: (result: unknown, key: K) => Classified<T>,
  policy: RetryPolicy,
  hooks: RetryHooks<K, T> = {},
): Generator<Task, BatchResult<K, T>, unknown> {
  const values = new Map<K, T>();
  const attempts = new Map<K, number>();
  const attemptsOf = (key: K) => attempts.get(key) ?? 0;
  let todo = [...keys];
  while (todo.length > 0) {
    for (const key of todo) attempts.set(key, attemptsOf(key) + 1);
    hooks.attempting?.(todo);
    const calls = todo.map((key) => ({ key, task: call(key) }));
    try {
      yield context.df.Task.all(calls.map((c) => c.task));
    } catch (err) {
      const faulted = calls.find((c) => c.task.isFaulted);
      if (!faulted) throw err;
      return {
        ok: false,
        key: faulted.key,
        failure: activityFailed(faulted.task.result),
        attempts: attemptsOf(faulted.key),
      };
    }
    const again: { key: K; failure: ArmFailure; attempts: number; delayMs: number }[] = [];
    let givenUp: { key: K; failure: ArmFailure } | undefined;
    for (const { key, task } of calls) {
      const classified = classify(task.result, key);
      if (classified.ok) {
        values.set(key, classified.value);
        hooks.succeeded?.(key, classified.value);
        continue;
      }
      const next = retryOrGiveUp(classified.failure, attemptsOf(key), policy);
      if ('giveUp' in next) givenUp ??= { key, failure: next.giveUp };
      else again.push({ key, failure: classified.failure, attempts: attemptsOf(key), delayMs: next.retryInMs });
    }
    if (givenUp) return { ...givenUp, ok: false, attempts: attemptsOf(givenUp.key) };
    if (again.length === 0) break;
    const delayMs = Math.max(...again.map((r) => r.delayMs));
    hooks.retrying?.(again, delayMs);
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + delayMs));
    todo = again.map((r) => r.key);
  }
  return { ok: true, values, attempts };
}

/** One call with callAllWithRetry's rules. */
export function* callWithRetry<T>(
  context: OrchestrationContext,
  call: () => Task,
  classify: (result: unknown) => Classified<T>,
  policy: RetryPolicy,
  hooks: RetryHooks<'call', T> = {},
): Generator<Task, { ok: true; value: T; attempts: number } | { ok: false; failure: ArmFailure; attempts: number }> {
  const result = yield* callAllWithRetry(context, ['call'] as const, call, classify, policy, hooks);
  if (!result.ok) return result;
  return { ok: true, value: result.values.get('call') as T, attempts: result.attempts.get('call') ?? 1 };
}
