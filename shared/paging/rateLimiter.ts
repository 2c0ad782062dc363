/**
 * Per-route token bucket (Monitoring 4/5), kept under PagerDuty's Events API limit of 120 events a minute per
 * routing key. Pure: the state is a plain object (it lives in a table row, updated with its ETag), time is passed in.
 */

export interface TokenBucketState {
  /** Tokens left at `updatedAtMs` (fractional). */
  tokens: number;
  /** Epoch milliseconds of the last update. */
  updatedAtMs: number;
}

export interface TokenBucketLimits {
  /** Sustained rate. */
  perMinute: number;
  /** Bucket size: how many may go at once after a quiet period. */
  burst: number;
}

/**
 * Default: 100 a minute with bursts of 20, safely under PagerDuty's 120 a minute, so retries and other senders on the
 * same routing key keep some room. Teams Workflows and webhooks use the same bucket.
 */
export const DEFAULT_ROUTE_LIMITS: TokenBucketLimits = { perMinute: 100, burst: 20 };

export type TakeResult =
  { ok: true; state: TokenBucketState } | { ok: false; state: TokenBucketState; retryAfterMs: number };

/** The bucket refilled up to `nowMs` (a clock that goes back refills nothing). */
export function refill(
  state: TokenBucketState | undefined,
  nowMs: number,
  limits: TokenBucketLimits,
): TokenBucketState {
  if (!state) return { tokens: limits.burst, updatedAtMs: nowMs };
  const elapsed = Math.max(0, nowMs - state.updatedAtMs);
  const tokens = Math.min(limits.burst, state.tokens + (elapsed * limits.perMinute) / 60_000);
  return { tokens, updatedAtMs: Math.max(nowMs, state.updatedAtMs) };
}

/** Takes one token: ok with the new state, or not yet, with how long until a token is there. */
export function take(
  state: TokenBucketState | undefined,
  nowMs: number,
  limits: TokenBucketLimits = DEFAULT_ROUTE_LIMITS,
): TakeResult {
  const current = refill(state, nowMs, limits);
  if (current.tokens >= 1) return { ok: true, state: { ...current, tokens: current.tokens - 1 } };
  const retryAfterMs = Math.ceil(((1 - current.tokens) * 60_000) / limits.perMinute);
  return { ok: false, state: current, retryAfterMs };
}
