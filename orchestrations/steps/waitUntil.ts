/**
 * "Wait until a condition holds, polling on durable timers": the monitor pattern of the Durable Functions samples.
 * Each look is a short activity; between looks the orchestration sleeps on a durable timer (backing off from
 * `intervalMs` to `maxIntervalMs`), so no activity ever waits, and the wait may outlast any functionTimeout.
 *
 * Deterministic: no I/O, no clock but context.df.currentUtcDateTime.
 */
import type { OrchestrationContext, Task } from 'durable-functions';
import type { ArmFailure } from '../../shared/azure/armErrors';
import { activityFailed } from './retry';

/** What one look found: the condition holds (with a value), not yet (and what was seen), or it never will. */
export type Look<T> = { done: true; value: T } | { done: false; seen: string } | { done: false; failure: ArmFailure };

export interface WaitOptions {
  /** First pause between looks; doubles up to maxIntervalMs. */
  intervalMs: number;
  maxIntervalMs: number;
  /** Orchestration time after which the wait fails with `timeoutCode`. */
  timeoutMs: number;
  timeoutCode: string;
  /** For the timeout message: "<what> did not happen within …". */
  what: string;
}

export type WaitResult<T> =
  { ok: true; value: T; waitedMs: number; looks: number } | { ok: false; failure: ArmFailure };

export function* waitUntil<T>(
  context: OrchestrationContext,
  look: () => Task,
  judge: (result: unknown) => Look<T>,
  o: WaitOptions,
): Generator<Task, WaitResult<T>, unknown> {
  const now = () => context.df.currentUtcDateTime.getTime();
  const started = now();
  let interval = o.intervalMs;
  let seen = 'nothing yet';
  for (let looks = 1; ; looks++) {
    let result: unknown;
    try {
      result = yield look();
    } catch (err) {
      return { ok: false, failure: activityFailed(err) };
    }
    const found = judge(result);
    if (found.done) return { ok: true, value: found.value, waitedMs: now() - started, looks };
    if ('failure' in found) return { ok: false, failure: found.failure };
    seen = found.seen;
    if (now() + interval - started > o.timeoutMs)
      return {
        ok: false,
        failure: {
          transient: false,
          code: o.timeoutCode,
          message: `${o.what} did not happen within ${formatMs(o.timeoutMs)} (last seen: ${seen})`,
        },
      };
    yield context.df.createTimer(new Date(now() + interval));
    interval = Math.min(interval * 2, o.maxIntervalMs);
  }
}

function formatMs(ms: number): string {
  return ms >= 60_000 ? `${(ms / 60_000).toFixed(ms % 60_000 ? 1 : 0)} min` : `${(ms / 1000).toFixed(1)} s`;
}
