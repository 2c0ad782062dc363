import { describe, expect, it } from 'vitest';
import { formatTimeSpan, functionTimeoutMs, parseTimeSpan, queueOptions, routePrefix } from '../../local/host/config';
import { toSetCookie } from '../../local/host/http/cookies';
import { keyMatches } from '../../local/host/keys';
import { HostLog } from '../../local/host/logging';
import { decodeMessage, encodeMessage, toQueueMessages } from '../../local/host/queues';
import { parseSchedule, retryDelayMs } from '../../local/host/timers';

describe('host.json values', () => {
  it('parses .NET TimeSpans', () => {
    expect(parseTimeSpan('00:05:00')).toBe(300_000);
    expect(parseTimeSpan('1.02:00:01')).toBe((26 * 3600 + 1) * 1000);
    expect(parseTimeSpan('00:00:00.500')).toBe(500);
    expect(parseTimeSpan(undefined)).toBeUndefined();
    expect(() => parseTimeSpan('5 minutes')).toThrow(/Invalid TimeSpan/);
    expect(formatTimeSpan(3000)).toBe('00:00:03');
    expect(formatTimeSpan(3_723_250)).toBe('01:02:03.250');
  });

  it('applies the queue extension defaults and overrides', () => {
    const d = queueOptions({});
    expect(d).toMatchObject({ batchSize: 16, maxDequeueCount: 5, visibilityTimeoutMs: 0, messageEncoding: 'base64' });
    expect(d.newBatchThreshold).toBeGreaterThanOrEqual(8);
    const o = queueOptions({
      extensions: {
        queues: { batchSize: 64, maxDequeueCount: 2, visibilityTimeout: '00:00:10', messageEncoding: 'none' },
      },
    });
    expect(o).toMatchObject({
      batchSize: 32,
      maxDequeueCount: 2,
      visibilityTimeoutMs: 10_000,
      messageEncoding: 'none',
    });
  });

  it('reads routePrefix and functionTimeout', () => {
    expect(routePrefix({})).toBe('api');
    expect(routePrefix({ extensions: { http: { routePrefix: '' } } })).toBe('');
    expect(routePrefix({ extensions: { http: { routePrefix: '/v1/' } } })).toBe('v1');
    expect(functionTimeoutMs({ functionTimeout: '00:00:03' })).toBe(3000);
    expect(functionTimeoutMs({ functionTimeout: '-1' })).toBeUndefined();
    expect(functionTimeoutMs({})).toBe(30 * 60_000);
  });
});

describe('queue message codec', () => {
  it('encodes and decodes base64 like the extension and splits arrays into messages', () => {
    expect(encodeMessage('héllo', 'base64')).toBe(Buffer.from('héllo').toString('base64'));
    expect(decodeMessage(encodeMessage('{"a":1}', 'base64'), 'base64')).toBe('{"a":1}');
    expect(decodeMessage('plain', 'none')).toBe('plain');
    expect(() => decodeMessage('not base64!', 'base64')).toThrow(/Base-64/);
    expect(toQueueMessages({ json: JSON.stringify(['a', { b: 1 }]) })).toEqual(['a', '{"b":1}']);
    expect(toQueueMessages({ json: JSON.stringify({ b: 1 }) })).toEqual(['{"b":1}']);
    expect(toQueueMessages({ string: 'x' })).toEqual(['x']);
    expect(toQueueMessages({ int: 5 })).toEqual(['5']);
  });
});

describe('timer schedules', () => {
  it('reads six-field NCRONTAB with seconds, in UTC', () => {
    const s = parseSchedule('30 */5 * * * *');
    expect(s.next(new Date('2026-01-01T10:02:00Z'))?.toISOString()).toBe('2026-01-01T10:05:30.000Z');
    const weekdays = parseSchedule('0 0 9 * * 1-5');
    expect(weekdays.next(new Date('2026-01-03T12:00:00Z'))?.toISOString()).toBe('2026-01-05T09:00:00.000Z'); // Sat → Mon
    expect(() => parseSchedule('*/5 * * * *')).toThrow(/expected 6 fields/);
  });

  it('reads TimeSpan intervals', () => {
    expect(parseSchedule('00:00:10').next(new Date(0))?.getTime()).toBe(10_000);
  });

  it('computes fixed and exponential retry delays', () => {
    expect(retryDelayMs({ retryStrategy: 'fixedDelay', delayInterval: { seconds: 2 } }, 3)).toBe(2000);
    const exp = {
      retryStrategy: 'exponentialBackoff' as const,
      minimumInterval: { seconds: 1 },
      maximumInterval: { seconds: 5 },
    };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(exp, n))).toEqual([1000, 2000, 4000, 5000]);
  });
});

describe('small helpers', () => {
  it('renders Set-Cookie headers', () => {
    expect(
      toSetCookie({
        name: 'a',
        value: 'b',
        secure: { value: true },
        sameSite: 'explicitNone',
        expires: { value: { seconds: 0 } },
      }),
    ).toBe('a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; SameSite=None');
  });

  it('compares keys exactly', () => {
    expect(keyMatches('abc', ['x', 'abc'])).toBe(true);
    expect(keyMatches('abcd', ['abc'])).toBe(false);
    expect(keyMatches(undefined, ['abc'])).toBe(false);
  });

  it('masks secret values in every log line', () => {
    const seen: string[] = [];
    const log = new HostLog({ sink: (r) => seen.push(r.message), secrets: ['s3cret-value', 's3cret'] });
    log.write({ level: 'information', category: 'Host', message: 'a s3cret-value and s3cret' });
    log.write({ level: 'debug', category: 'Host', message: 'dropped below minimum level' });
    expect(seen).toEqual(['a *** and ***']);
  });
});
