/**
 * Delivery policy for notifications (Monitoring 4/5): which failures are retried, how long to wait, when to give up.
 * Pure; time and randomness are passed in, so every decision is reproducible in tests.
 *
 * - 2xx: delivered.
 * - 429 and 5xx: retried, after `Retry-After` when the response has one (seconds or an HTTP date), else after an
 *   exponential backoff with full jitter: a uniformly random wait in [0, min(cap, base · 2^(attempt−1))].
 * - Any other status (4xx, and 1xx/3xx which a POST endpoint should never send): not retried; the route is wrong
 *   (bad routing key, revoked Workflows URL…) and retrying cannot fix it.
 * - A transport error (connection refused or reset, DNS, TLS, timeout — anything thrown before a response): retried.
 * - After `maxAttempts` attempts the message is given up: it goes to the poison queue and a notification-failed
 *   record stays in the delivery log.
 */
import { parseRetryAfter as parseArmRetryAfter } from '../azure/armErrors';

export interface DeliveryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Backoff base: the first retry waits up to this long. */
  baseDelayMs: number;
  /** Backoff cap: no jittered wait is longer. */
  maxDelayMs: number;
  /** A Retry-After longer than this is cut to it (a broken header must not park a page for days). */
  maxRetryAfterMs: number;
}

/**
 * Defaults: 12 attempts, waits up to 2 s, 4 s, 8 s … capped at 5 min. The total wait before giving up is about
 * 12 minutes on average (at most about 23), so a PagerDuty outage of a few minutes loses nothing.
 */
export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  maxAttempts: 12,
  baseDelayMs: 2_000,
  maxDelayMs: 300_000,
  maxRetryAfterMs: 900_000,
};

export type Outcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retryable'; status?: number; reason: string; retryAfterMs?: number }
  | { kind: 'permanent'; status?: number; reason: string };

/** Classifies an HTTP response. `retryAfter` is the raw Retry-After header, if any. */
export function classifyResponse(status: number, retryAfter: string | null | undefined, now: Date): Outcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 429 || (status >= 500 && status < 600)) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return {
      kind: 'retryable',
      status,
      reason: status === 429 ? 'rate limited (429)' : `server error (${status})`,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  return { kind: 'permanent', status, reason: `refused (${status}); not retried` };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/** The most specific error code of an error and its causes (fetch wraps the socket error in `cause`). */
function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const o = e as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof o.code === 'string' && o.code) return o.code;
    if (o.name === 'AbortError' || o.name === 'TimeoutError') return o.name;
    e = o.cause;
  }
  return undefined;
}

/**
 * Classifies an error thrown while sending (no response received). Every transport error is retried: a page lost to
 * a transient network fault is worse than a retry, and `maxAttempts` bounds it anyway. The reason names the code.
 */
export function classifyError(err: unknown): Outcome {
  const code = errorCode(err);
  const known = code !== undefined && (NETWORK_CODES.has(code) || code === 'AbortError' || code === 'TimeoutError');
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'retryable', reason: known ? `network error (${code})` : `transport error: ${message}` };
}

/**
 * Retry-After (RFC 9110 §10.2.3): delay-seconds (a non-negative integer) or an HTTP-date. Returns the wait in ms
 * (0 when the date is past), or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  // An HTTP-date names its weekday and month in letters; refuse other text Date.parse would accept ("-5", "2030").
  if (!/^\d+$/.test(text) && !/^[A-Za-z]{3}/.test(text)) return undefined;
  return parseArmRetryAfter(text, now.getTime());
}

/** Full-jitter exponential backoff for retry number `attempt` (1 = the wait after the first failure). */
export function backoffDelay(attempt: number, policy: DeliveryPolicy, random: () => number = Math.random): number {
  const exp = policy.baseDelayMs * 2 ** Math.max(0, attempt - 1);
  const ceiling = Math.min(policy.maxDelayMs, exp);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}

export type NextStep =
  | { action: 'done' }
  | { action: 'retry'; delayMs: number; reason: string }
  | { action: 'give-up'; reason: string; poison: true };

/**
 * What to do after attempt number `attempt` (1-based) ended in `outcome`: done, retry after a delay (Retry-After
 * when given, bounded by `maxRetryAfterMs`; else jittered backoff), or give up (permanent refusal, or attempts used).
 */
export function nextStep(
  attempt: number,
  outcome: Outcome,
  policy: DeliveryPolicy = DEFAULT_DELIVERY_POLICY,
  random: () => number = Math.random,
): NextStep {
  switch (outcome.kind) {
    case 'delivered':
      return { action: 'done' };
    case 'permanent':
      return { action: 'give-up', reason: outcome.reason, poison: true };
    case 'retryable': {
      if (attempt >= policy.maxAttempts) {
        return {
          action: 'give-up',
          reason: `${outcome.reason}; gave up after ${attempt} attempts`,
          poison: true,
        };
      }
      const delayMs =
        outcome.retryAfterMs !== undefined
          ? Math.min(outcome.retryAfterMs, policy.maxRetryAfterMs)
          : backoffDelay(attempt, policy, random);
      return { action: 'retry', delayMs, reason: outcome.reason };
    }
  }
}

/** A seeded pseudo-random source in [0, 1) (mulberry32), for deterministic backoff in tests and replays. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
