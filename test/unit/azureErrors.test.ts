/** What an SDK error means, read from its fields; and the app settings of the retry policy. */
import { RestError } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import {
  errorCodeOf,
  isConflict,
  isDurableInstanceNotFound,
  isNotFound,
  isPreconditionFailed,
  statusCodeOf,
} from '../../shared/azure/errors';
import { DEFAULT_RETRY, loadConfig } from '../../shared/config';

const rest = (statusCode: number, code?: string) => new RestError('whatever the message says', { statusCode, code });

describe('errors by status and code', () => {
  it.each([
    [
      'RestError 404',
      rest(404, 'ResourceNotFound'),
      { status: 404, code: 'ResourceNotFound', nf: true, c: false, p: false },
    ],
    ['RestError 409', rest(409, 'Conflict'), { status: 409, code: 'Conflict', nf: false, c: true, p: false }],
    ['RestError 412', rest(412), { status: 412, code: undefined, nf: false, c: false, p: true }],
    [
      'table entity 404',
      { statusCode: 404, code: 'ResourceNotFound' },
      { status: 404, code: 'ResourceNotFound', nf: true, c: false, p: false },
    ],
    // a message that mentions 404 is not a 404
    [
      'message only',
      new Error('HTTP 404 Not Found'),
      { status: undefined, code: undefined, nf: false, c: false, p: false },
    ],
    [
      'transport',
      Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
      { status: undefined, code: 'ECONNRESET', nf: false, c: false, p: false },
    ],
    ['string statusCode', { statusCode: '404' }, { status: undefined, code: undefined, nf: false, c: false, p: false }],
    ['undefined', undefined, { status: undefined, code: undefined, nf: false, c: false, p: false }],
    ['null', null, { status: undefined, code: undefined, nf: false, c: false, p: false }],
  ])('%s', (_name, err, want) => {
    expect(statusCodeOf(err)).toBe(want.status);
    expect(errorCodeOf(err)).toBe(want.code);
    expect(isNotFound(err)).toBe(want.nf);
    expect(isConflict(err)).toBe(want.c);
    expect(isPreconditionFailed(err)).toBe(want.p);
  });

  it("recognises durable-functions' unknown-instance error, and nothing else", () => {
    const fromLibrary = new Error(
      'DurableClient error: Durable Functions extension replied with HTTP 404 response. This usually means we could not find any data associated with the instanceId provided: dpl-x.',
    );
    expect(isDurableInstanceNotFound(fromLibrary)).toBe(true);
    expect(
      isDurableInstanceNotFound(
        new Error('DurableClient error: the Durable Functions extension replied with an empty HTTP 500 response.'),
      ),
    ).toBe(false);
    expect(
      isDurableInstanceNotFound('DurableClient error: Durable Functions extension replied with HTTP 404 response.'),
    ).toBe(false);
  });
});

describe('retry policy from app settings (config.ts)', () => {
  it.each([
    [{}, DEFAULT_RETRY],
    [
      { QWK_RETRY_BASE_MS: '50', QWK_RETRY_CAP_MS: '500', QWK_RETRY_MAX_ATTEMPTS: '3' },
      { baseMs: 50, capMs: 500, maxAttempts: 3 },
    ],
    [{ QWK_RETRY_BASE_MS: 'soon', QWK_RETRY_CAP_MS: '-1', QWK_RETRY_MAX_ATTEMPTS: '0' }, DEFAULT_RETRY],
  ])('%j → %j', (env, retry) => {
    expect(loadConfig(env).retry).toEqual(retry);
  });

  it('names the deployments table by default', () => {
    expect(loadConfig({}).deploymentsTable).toBe('qwkdeployments');
    expect(loadConfig({ QWK_DEPLOYMENTS_TABLE: 'other' }).deploymentsTable).toBe('other');
  });
});

describe('the alert route key setting (config.ts)', () => {
  it.each<[Record<string, string>, string | undefined]>([
    [{}, undefined],
    [{ QWK_ALERTS_FUNCTION_KEY_SECRET: '' }, undefined],
    [{ QWK_ALERTS_FUNCTION_KEY_SECRET: 'qwk-alerts-key' }, 'qwk-alerts-key'],
  ])('%j → %s', (env, name) => {
    expect(loadConfig(env).alertsFunctionKeySecretName).toBe(name);
  });

  it('refuses a value that is not a Key Vault secret name (a key pasted instead of its name)', () => {
    expect(() => loadConfig({ QWK_ALERTS_FUNCTION_KEY_SECRET: 'abc/def==' })).toThrow(/QWK_ALERTS_FUNCTION_KEY_SECRET/);
  });
});
