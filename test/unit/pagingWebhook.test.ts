import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signWebhook,
  verifyWebhook,
  webhookBody,
  webhookSignature,
} from '../../shared/paging/webhook';
import { EVIDENCE, RG, SUB, transition } from './pagingFixture';

const SECRET = 'test-hmac-key-0123456789';
const NOW = new Date('2026-11-25T10:00:10.000Z');

function signed() {
  return signWebhook(webhookBody(transition()), SECRET, NOW);
}

describe('webhook body', () => {
  it('is the documented version-1 body', () => {
    const t = transition();
    const b = webhookBody(t);
    expect(b).toMatchObject({
      version: 1,
      id: t.id,
      kind: 'opened',
      at: t.at,
      summary: 'Clstr-nodeA lost; Clstr-nodeB took over pgsql-5432 (LKL-QWK-storage)',
      incident: { key: t.incident.key, kind: 'FailedOver', severity: 'error', status: 'open', from: 'Clstr-nodeA' },
      cluster: { subscriptionId: SUB, resourceGroup: RG, state: 'FailedOver', activeNode: 'Clstr-nodeB' },
      evidence: EVIDENCE,
    });
    // No undefined holes: what is absent is left out.
    expect(JSON.stringify(b)).not.toContain('undefined');
    expect(Object.keys(b.incident)).not.toContain('resolvedAt');
  });

  it('a reminder has its own id (receivers deduplicate by id)', () => {
    const t = transition();
    const b = webhookBody(t, { reminder: true });
    expect(b.id).toBe(`${t.id}#reminder`);
    expect(b.kind).toBe('reminder');
  });

  it('resolved carries resolvedAt', () => {
    expect(webhookBody(transition({ kind: 'resolved' })).incident).toMatchObject({
      status: 'resolved',
      resolvedAt: '2026-11-25T10:00:07.000Z',
    });
  });
});

describe('X-Qwk-Signature', () => {
  it('is sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">, computed independently', () => {
    const req = signed();
    const ts = Math.floor(NOW.getTime() / 1000);
    expect(req.headers[TIMESTAMP_HEADER]).toBe(String(ts));
    const expected = createHmac('sha256', SECRET).update(`${ts}.${req.body}`).digest('hex');
    expect(req.headers[SIGNATURE_HEADER]).toBe(`sha256=${expected}`);
    expect(req.headers[EVENT_ID_HEADER]).toBe(transition().id);
    expect(req.headers['Content-Type']).toBe('application/json');
  });

  const lower = (h: Record<string, string>) =>
    Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

  it.each([
    [
      'good signature',
      (r: ReturnType<typeof signed>) => ({ body: r.body, headers: r.headers, secret: SECRET, now: NOW }),
      true,
      undefined,
    ],
    [
      'good, headers lower-cased as Node delivers them',
      (r: ReturnType<typeof signed>) => ({ body: r.body, headers: lower(r.headers), secret: SECRET, now: NOW }),
      true,
      undefined,
    ],
    [
      'good, 4 min late',
      (r: ReturnType<typeof signed>) => ({
        body: r.body,
        headers: r.headers,
        secret: SECRET,
        now: new Date(NOW.getTime() + 240_000),
      }),
      true,
      undefined,
    ],
    [
      'wrong secret',
      (r: ReturnType<typeof signed>) => ({ body: r.body, headers: r.headers, secret: 'another-key', now: NOW }),
      false,
      'signature-mismatch',
    ],
    [
      'old timestamp (6 min)',
      (r: ReturnType<typeof signed>) => ({
        body: r.body,
        headers: r.headers,
        secret: SECRET,
        now: new Date(NOW.getTime() + 360_000),
      }),
      false,
      'stale-timestamp',
    ],
    [
      'timestamp from the future (6 min)',
      (r: ReturnType<typeof signed>) => ({
        body: r.body,
        headers: r.headers,
        secret: SECRET,
        now: new Date(NOW.getTime() - 360_000),
      }),
      false,
      'stale-timestamp',
    ],
    [
      'tampered body',
      (r: ReturnType<typeof signed>) => ({
        body: r.body.replace('"error"', '"info"'),
        headers: r.headers,
        secret: SECRET,
        now: NOW,
      }),
      false,
      'signature-mismatch',
    ],
    [
      're-serialized body (whitespace)',
      (r: ReturnType<typeof signed>) => ({
        body: JSON.stringify(JSON.parse(r.body), null, 2),
        headers: r.headers,
        secret: SECRET,
        now: NOW,
      }),
      false,
      'signature-mismatch',
    ],
    [
      'timestamp changed, signature kept (replay with a fresh time)',
      (r: ReturnType<typeof signed>) => ({
        body: r.body,
        headers: { ...r.headers, [TIMESTAMP_HEADER]: String(Number(r.headers[TIMESTAMP_HEADER]) + 1) },
        secret: SECRET,
        now: NOW,
      }),
      false,
      'signature-mismatch',
    ],
    [
      'missing signature',
      (r: ReturnType<typeof signed>) => ({
        body: r.body,
        headers: { [TIMESTAMP_HEADER]: r.headers[TIMESTAMP_HEADER] },
        secret: SECRET,
        now: NOW,
      }),
      false,
      'missing-header',
    ],
    [
      'missing timestamp',
      (r: ReturnType<typeof signed>) => ({
        body: r.body,
        headers: { [SIGNATURE_HEADER]: r.headers[SIGNATURE_HEADER] },
        secret: SECRET,
        now: NOW,
      }),
      false,
      'missing-header',
    ],
    [
      'malformed signature',
      (r: ReturnType<typeof signed>) => ({
        body: r.body,
        headers: { ...r.headers, [SIGNATURE_HEADER]: 'md5=abc' },
        secret: SECRET,
        now: NOW,
      }),
      false,
      'malformed-header',
    ],
    [
      'malformed timestamp',
      (r: ReturnType<typeof signed>) => ({
        body: r.body,
        headers: { ...r.headers, [TIMESTAMP_HEADER]: 'yesterday' },
        secret: SECRET,
        now: NOW,
      }),
      false,
      'malformed-header',
    ],
  ] as const)('%s', (_name, make, ok, reason) => {
    const { body, headers, secret, now } = make(signed());
    const result = verifyWebhook(body, headers, secret, now);
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.reason).toBe(reason);
  });

  it('accepts a Buffer body and a rotation list of signatures', () => {
    const r = signed();
    const ts = Number(r.headers[TIMESTAMP_HEADER]);
    const both = `${webhookSignature('old-key', ts, r.body)}, ${r.headers[SIGNATURE_HEADER]}`;
    expect(verifyWebhook(Buffer.from(r.body), { ...r.headers, [SIGNATURE_HEADER]: both }, SECRET, NOW).ok).toBe(true);
  });
});
