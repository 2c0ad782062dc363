import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DELIVERY_POLICY,
  type DeliveryPolicy,
  backoffDelay,
  classifyError,
  classifyResponse,
  nextStep,
  parseRetryAfter,
  seededRandom,
} from '../../shared/paging/delivery';
import { DEFAULT_ROUTE_LIMITS, type TokenBucketState, take } from '../../shared/paging/rateLimiter';

const NOW = new Date('2026-11-25T10:00:00.000Z');
const POLICY: DeliveryPolicy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 10_000, maxRetryAfterMs: 60_000 };

describe('classifyResponse', () => {
  it.each([
    [200, 'delivered'],
    [202, 'delivered'],
    [204, 'delivered'],
    [429, 'retryable'],
    [500, 'retryable'],
    [502, 'retryable'],
    [503, 'retryable'],
    [504, 'retryable'],
    [400, 'permanent'],
    [401, 'permanent'],
    [403, 'permanent'],
    [404, 'permanent'],
    [408, 'permanent'],
    [410, 'permanent'],
    [413, 'permanent'],
    [301, 'permanent'],
  ] as const)('HTTP %i → %s', (status, kind) => {
    expect(classifyResponse(status, undefined, NOW).kind).toBe(kind);
  });

  it('carries Retry-After on 429 and 503', () => {
    expect(classifyResponse(429, '7', NOW)).toMatchObject({ kind: 'retryable', retryAfterMs: 7000 });
    expect(classifyResponse(503, 'Wed, 25 Nov 2026 10:00:30 GMT', NOW)).toMatchObject({ retryAfterMs: 30_000 });
    expect(classifyResponse(500, undefined, NOW)).not.toHaveProperty('retryAfterMs');
  });
});

describe('classifyError', () => {
  const withCause = (code: string) =>
    Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('x'), { code }) });
  it.each([
    [withCause('ECONNREFUSED'), 'network error (ECONNREFUSED)'],
    [withCause('ECONNRESET'), 'network error (ECONNRESET)'],
    [withCause('UND_ERR_CONNECT_TIMEOUT'), 'network error (UND_ERR_CONNECT_TIMEOUT)'],
    [Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' }), 'network error (ENOTFOUND)'],
    [Object.assign(new Error('The operation was aborted'), { name: 'TimeoutError' }), 'network error (TimeoutError)'],
    [new Error('socket hang up'), 'transport error: socket hang up'],
  ])('%s → retryable', (err, reason) => {
    expect(classifyError(err)).toEqual({ kind: 'retryable', reason });
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['2030', 2_030_000],
    ['Wed, 25 Nov 2026 10:01:00 GMT', 60_000],
    ['Wednesday, 25-Nov-26 10:01:00 GMT', 60_000],
    ['Wed, 25 Nov 2026 09:00:00 GMT', 0],
    ['', undefined],
    ['soon', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    [undefined, undefined],
    [null, undefined],
  ] as const)('%j → %s', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe('backoff with full jitter', () => {
  it.each([
    [1, 0.5, 500],
    [2, 0.5, 1000],
    [3, 0.5, 2000],
    [4, 0.5, 4000],
    [5, 0.5, 5000],
    [10, 0.5, 5000],
    [3, 0, 0],
    [3, 0.999, 3996],
  ])('attempt %i, random %s → %i ms', (attempt, r, expected) => {
    expect(backoffDelay(attempt, POLICY, () => r)).toBe(expected);
  });

  it('is deterministic with a seeded source and stays within [0, ceiling]', () => {
    const a = Array.from({ length: 8 }, (_, i) => backoffDelay(i + 1, POLICY, seededRandom(42)));
    const b = Array.from({ length: 8 }, (_, i) => backoffDelay(i + 1, POLICY, seededRandom(42)));
    expect(a).toEqual(b);
    a.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(Math.min(POLICY.maxDelayMs, POLICY.baseDelayMs * 2 ** i));
    });
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(4, POLICY, seededRandom(7))));
    expect(spread.size).toBe(1);
    const r = seededRandom(7);
    expect(new Set(Array.from({ length: 50 }, () => backoffDelay(4, POLICY, r))).size).toBeGreaterThan(40);
  });
});

describe('nextStep', () => {
  const half = () => 0.5;
  it.each([
    ['delivered', 1, { kind: 'delivered', status: 202 }, { action: 'done' }],
    [
      '429 with Retry-After',
      1,
      { kind: 'retryable', status: 429, reason: 'r', retryAfterMs: 30_000 },
      { action: 'retry', delayMs: 30_000 },
    ],
    [
      'Retry-After beyond the cap is cut',
      1,
      { kind: 'retryable', status: 429, reason: 'r', retryAfterMs: 3_600_000 },
      { action: 'retry', delayMs: 60_000 },
    ],
    [
      'Retry-After 0',
      2,
      { kind: 'retryable', status: 503, reason: 'r', retryAfterMs: 0 },
      { action: 'retry', delayMs: 0 },
    ],
    [
      '503 without Retry-After → jittered backoff',
      3,
      { kind: 'retryable', status: 503, reason: 'r' },
      { action: 'retry', delayMs: 2000 },
    ],
    [
      'network error',
      1,
      { kind: 'retryable', reason: 'network error (ECONNREFUSED)' },
      { action: 'retry', delayMs: 500 },
    ],
    [
      '400 → give up at once (poison)',
      1,
      { kind: 'permanent', status: 400, reason: 'r' },
      { action: 'give-up', poison: true },
    ],
    [
      'last attempt fails → give up (poison)',
      5,
      { kind: 'retryable', status: 500, reason: 'server error (500)' },
      { action: 'give-up', poison: true },
    ],
  ] as const)('%s', (_name, attempt, outcome, expected) => {
    expect(nextStep(attempt, outcome, POLICY, half)).toMatchObject(expected);
  });

  it('an endpoint down for 120 s: with the default policy the page is still being retried', () => {
    // Worst luck: every jittered wait is as short as the seeded source makes it; the retries must outlast 120 s.
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = seededRandom(seed);
      let elapsed = 0;
      let attempt = 1;
      for (;;) {
        const step = nextStep(
          attempt,
          { kind: 'retryable', status: 503, reason: 'down' },
          DEFAULT_DELIVERY_POLICY,
          random,
        );
        if (step.action !== 'retry') break;
        elapsed += step.delayMs;
        attempt++;
      }
      expect(elapsed, `seed ${seed}`).toBeGreaterThan(120_000);
    }
  });
});

describe('token bucket (per route)', () => {
  it('the default stays under PagerDuty’s 120 events a minute', () => {
    let state: TokenBucketState | undefined;
    let sent = 0;
    // Try to send every 100 ms for 5 minutes; count what goes out in any 60 s window.
    const times: number[] = [];
    for (let t = 0; t < 300_000; t += 100) {
      const r = take(state, t);
      state = r.state;
      if (r.ok) {
        sent++;
        times.push(t);
      }
    }
    let worst = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i] - times[j] >= 60_000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    expect(worst).toBeLessThan(120);
    expect(worst).toBeLessThanOrEqual(DEFAULT_ROUTE_LIMITS.perMinute + DEFAULT_ROUTE_LIMITS.burst);
    expect(sent).toBeGreaterThan(400);
  });

  it('a burst, then a wait that says how long', () => {
    const limits = { perMinute: 60, burst: 3 };
    let state: TokenBucketState | undefined;
    const results = [0, 0, 0, 0].map(() => {
      const r = take(state, 1_000, limits);
      state = r.state;
      return r;
    });
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false]);
    expect(results[3]).toMatchObject({ ok: false, retryAfterMs: 1000 });
    expect(take(state, 1_999, limits).ok).toBe(false);
    expect(take(state, 2_000, limits).ok).toBe(true);
  });

  it('state is a plain JSON object (lives in a table row) and a clock going back refills nothing', () => {
    const r = take(undefined, 10_000, { perMinute: 60, burst: 1 });
    const row = JSON.parse(JSON.stringify(r.state)) as TokenBucketState;
    expect(row).toEqual({ tokens: 0, updatedAtMs: 10_000 });
    expect(take(row, 5_000, { perMinute: 60, burst: 1 }).ok).toBe(false);
  });
});
