/**
 * The generic webhook (Monitoring 4/5): a documented JSON body, signed like Stripe's and GitHub's webhooks. Pure.
 *
 * Headers:
 *   Content-Type: application/json
 *   X-Qwk-Event-Id: <transition id>, or <transition id>#reminder@<time> for a reminder (the receiver's idempotency
 *                   key: the same value on every retry of one notification, a new one for each reminder)
 *   X-Qwk-Timestamp: <unix seconds when signed>
 *   X-Qwk-Signature: sha256=<lower-case hex HMAC-SHA256(key, "<X-Qwk-Timestamp>.<raw body>")>
 * The key is the route's Key Vault secret (hmacSecretName), used as UTF-8 bytes. A receiver recomputes the HMAC over
 * the raw body bytes it received (before any JSON parsing), compares in constant time, and refuses timestamps more
 * than 5 minutes from its clock (replay). Each retry is signed afresh with a new timestamp; the body stays the same.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ClusterState, Evidence, IncidentTransition, Severity, TransitionKind } from '../monitoring/contracts';
import { incidentSummary } from './summary';

export const WEBHOOK_BODY_VERSION = 1;
export const SIGNATURE_HEADER = 'X-Qwk-Signature';
export const TIMESTAMP_HEADER = 'X-Qwk-Timestamp';
export const EVENT_ID_HEADER = 'X-Qwk-Event-Id';
/** A receiver refuses signatures older (or newer) than this. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/** The webhook's JSON body, version 1. */
export interface WebhookBody {
  version: typeof WEBHOOK_BODY_VERSION;
  /** The transition id (`<incident key>#<revision>`); a reminder's own id (`<transition id>#reminder@<time>`). */
  id: string;
  kind: TransitionKind | 'reminder';
  at: string;
  summary: string;
  incident: {
    key: string;
    kind: string;
    node?: string;
    severity: Severity;
    previousSeverity?: Severity;
    status: 'open' | 'resolved';
    openedAt: string;
    updatedAt: string;
    resolvedAt?: string;
    revision: number;
    from?: string;
    to?: string;
  };
  cluster: {
    subscriptionId: string;
    resourceGroup: string;
    state: ClusterState;
    activeNode?: string;
    serviceTag?: string;
    link?: string;
  };
  /** The incident's latest evidence. */
  evidence: Evidence[];
}

export interface WebhookOptions {
  reminder?: boolean;
  /**
   * A reminder's own id (the pipeline's `<transition id>#reminder@<time>`): each reminder is a new event for the
   * receiver, and every retry of it carries the same id. Default `<transition id>#reminder`.
   */
  reminderId?: string;
}

export function webhookBody(t: IncidentTransition, opts: WebhookOptions = {}): WebhookBody {
  const i = t.incident;
  const defined = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return {
    version: WEBHOOK_BODY_VERSION,
    id: opts.reminder ? (opts.reminderId ?? `${t.id}#reminder`) : t.id,
    kind: opts.reminder ? 'reminder' : t.kind,
    at: t.at,
    summary: incidentSummary(t, 1024, { reminder: opts.reminder }),
    incident: defined({
      key: i.key,
      kind: i.kind,
      node: i.node,
      severity: i.severity,
      previousSeverity: t.previousSeverity,
      status: i.status,
      openedAt: i.openedAt,
      updatedAt: i.updatedAt,
      resolvedAt: i.resolvedAt,
      revision: i.revision,
      from: i.from,
      to: i.to,
    }),
    cluster: defined({ ...t.cluster }),
    evidence: [...i.lastEvidence],
  };
}

/** HMAC-SHA256 of "<timestamp>.<body>" as `sha256=<hex>`. */
export function webhookSignature(secret: string, timestampSeconds: number, rawBody: string | Buffer): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestampSeconds}.`);
  mac.update(rawBody);
  return `sha256=${mac.digest('hex')}`;
}

export interface SignedWebhookRequest {
  /** The exact bytes to send (sign and send the same string). */
  body: string;
  headers: Record<string, string>;
}

/** The body serialized once, with its signature headers for `now`. */
export function signWebhook(body: WebhookBody, secret: string, now: Date): SignedWebhookRequest {
  const raw = JSON.stringify(body);
  const ts = Math.floor(now.getTime() / 1000);
  return {
    body: raw,
    headers: {
      'Content-Type': 'application/json',
      [EVENT_ID_HEADER]: body.id,
      [TIMESTAMP_HEADER]: String(ts),
      [SIGNATURE_HEADER]: webhookSignature(secret, ts, raw),
    },
  };
}

export type VerifyResult =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'missing-header' | 'malformed-header' | 'stale-timestamp' | 'signature-mismatch' };

/** Header lookup that ignores case (Node lower-cases incoming header names). */
function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === want) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/**
 * For receivers: checks a request's X-Qwk-Timestamp and X-Qwk-Signature against the raw body and the shared key.
 * Several `sha256=` values separated by ',' are accepted (a key rotation can sign with both keys).
 */
export function verifyWebhook(
  rawBody: string | Buffer,
  headers: Record<string, string | string[] | undefined>,
  secret: string,
  now: Date,
  toleranceSeconds = DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
): VerifyResult {
  const tsText = header(headers, TIMESTAMP_HEADER);
  const sigText = header(headers, SIGNATURE_HEADER);
  if (tsText === undefined || sigText === undefined) return { ok: false, reason: 'missing-header' };
  if (!/^\d{1,12}$/.test(tsText.trim())) return { ok: false, reason: 'malformed-header' };
  const ts = Number(tsText.trim());
  const candidates = sigText.split(',').map((s) => s.trim());
  if (!candidates.every((c) => /^sha256=[0-9a-f]{64}$/i.test(c))) return { ok: false, reason: 'malformed-header' };
  if (Math.abs(now.getTime() / 1000 - ts) > toleranceSeconds) return { ok: false, reason: 'stale-timestamp' };
  const expected = Buffer.from(webhookSignature(secret, ts, rawBody).slice('sha256='.length), 'hex');
  const match = candidates.some((c) => timingSafeEqual(Buffer.from(c.slice('sha256='.length), 'hex'), expected));
  return match ? { ok: true, timestamp: ts } : { ok: false, reason: 'signature-mismatch' };
}
