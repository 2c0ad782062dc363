import { RestError, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { classifyArmError, parseRetryAfter, retryDelayMs, retryOrGiveUp } from '../../shared/azure/armErrors';

function restError(status: number, code: string, headers: Record<string, string> = {}) {
  const request = createPipelineRequest({ url: 'https://example.invalid/x' });
  return new RestError(`${code}: something happened\nmore detail`, {
    code,
    statusCode: status,
    request,
    response: { status, headers: createHttpHeaders(headers), request },
  });
}

describe('classifyArmError', () => {
  it.each([
    [429, 'TooManyRequests', true],
    [429, 'RetryableError', true],
    [500, 'InternalServerError', true],
    [503, 'ServiceUnavailable', true],
    [409, 'AnotherOperationInProgress', true],
    [400, 'PrivateIPAddressInUse', false],
    [409, 'SkuNotAvailable', false],
    [403, 'AuthorizationFailed', false],
    [403, 'RequestDisallowedByPolicy', false],
    [409, 'QuotaExceeded', false],
    [404, 'ResourceNotFound', false],
  ])('HTTP %i %s → transient=%s', (status, code, transient) => {
    const f = classifyArmError(restError(status, code));
    expect(f).toMatchObject({ transient, code, statusCode: status });
    expect(f.message).not.toContain('more detail');
  });

  it('adds advice to known fatal codes only', () => {
    expect(classifyArmError(restError(400, 'PrivateIPAddressInUse')).message).toMatch(/choose a free address/);
    expect(classifyArmError(restError(429, 'TooManyRequests')).message).toBe('TooManyRequests: something happened');
  });

  it('reads Retry-After in seconds', () => {
    expect(classifyArmError(restError(429, 'TooManyRequests', { 'retry-after': '7' })).retryAfterMs).toBe(7000);
  });

  it('parses a failed long-running operation', () => {
    const f = classifyArmError(
      new Error('The long-running operation has failed. PrivateIPAddressInUse. IP 10.5.1.11 is in use'),
    );
    expect(f).toEqual({
      transient: false,
      code: 'PrivateIPAddressInUse',
      message: expect.stringContaining('IP 10.5.1.11 is in use'),
    });
    expect(
      classifyArmError(new Error('The long-running operation has failed. RetryableError. try later')).transient,
    ).toBe(true);
  });

  it('treats transport errors as transient and unknown errors as fatal', () => {
    expect(classifyArmError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).transient).toBe(true);
    expect(classifyArmError(new TypeError('x is undefined'))).toMatchObject({ transient: false, code: 'Unknown' });
  });
});

describe('retry timing', () => {
  it('parses HTTP-date Retry-After', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('garbage', now)).toBeUndefined();
  });
  it('backs off exponentially, capped, never below Retry-After', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, {}, 1000, 5000))).toEqual([1000, 2000, 4000, 5000]);
    expect(retryDelayMs(1, { retryAfterMs: 9000 }, 1000, 5000)).toBe(9000);
  });
});

describe('retryOrGiveUp', () => {
  const policy = { baseMs: 1000, capMs: 5000, maxAttempts: 3 };
  it('retries a transient failure until the attempts are used up, then says how often it was tried', () => {
    const f = { transient: true, code: 'TooManyRequests', message: 'slow down', retryAfterMs: 4000 };
    expect(retryOrGiveUp(f, 1, policy)).toEqual({ retryInMs: 4000 });
    expect(retryOrGiveUp(f, 2, policy)).toEqual({ retryInMs: 4000 });
    expect(retryOrGiveUp(f, 3, policy)).toEqual({
      giveUp: { ...f, message: 'slow down (still failing after 3 attempts)' },
    });
  });
  it('gives up at once on a fatal failure, unchanged', () => {
    const f = { transient: false, code: 'AuthorizationFailed', message: 'no role' };
    expect(retryOrGiveUp(f, 1, policy)).toEqual({ giveUp: f });
  });
});
