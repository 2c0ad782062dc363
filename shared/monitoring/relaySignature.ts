/**
 * The QWK relay's request signature (pure): HMAC-SHA256 under the cluster's relay key over
 * `<timestamp>\n<counter>\n<raw body>`, sent as `x-qwk-signature: sha256=<hex>` with `x-qwk-timestamp` (Unix
 * seconds by the witness's clock) and `x-qwk-counter` (strictly increasing per cluster). The relay program that
 * produces it is shared/scripts/relay.ts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far the relay's timestamp may be from the app's clock. */
export const RELAY_MAX_SKEW_MS = 5 * 60_000;

export interface RelaySignatureHeaders {
  timestamp: string | null | undefined;
  counter: string | null | undefined;
  signature: string | null | undefined;
}

export type RelayVerdict =
  | { ok: true; timestampMs: number; counter: number }
  /** Headers missing or not in their format: 400. */
  | { ok: false; reason: 'malformed'; message: string }
  /** The signature does not verify: 401, no detail to the caller. */
  | { ok: false; reason: 'signature'; message: string }
  /** Signed, but the timestamp is outside ±5 minutes of the app's clock: 401. */
  | { ok: false; reason: 'timestamp'; message: string }
  /** Signed, but the counter does not advance past the last accepted one (a replay): 409. */
  | { ok: false; reason: 'counter'; message: string };

/** The bytes that are signed. */
export function signedMessage(timestamp: string, counter: string, body: Buffer | string): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}\n${counter}\n`), Buffer.isBuffer(body) ? body : Buffer.from(body)]);
}

/** The signature header's value for a request (what the relay sends). */
export function signRelayRequest(key: string, timestamp: string, counter: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', key)
    .update(signedMessage(timestamp, counter, body))
    .digest('hex')}`;
}

/**
 * Checks a relay request: header formats, the signature (constant-time), the timestamp window, then that the
 * counter advances past `lastCounter` (undefined: no snapshot accepted yet). The signature is checked before
 * anything signed is trusted.
 */
export function verifyRelayRequest(o: {
  key: string;
  headers: RelaySignatureHeaders;
  body: Buffer;
  nowMs: number;
  lastCounter: number | undefined;
  maxSkewMs?: number;
}): RelayVerdict {
  const { timestamp, counter, signature } = o.headers;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: 'malformed', message: 'x-qwk-timestamp must be Unix seconds' };
  if (!counter || !/^\d{1,16}$/.test(counter) || !Number.isSafeInteger(Number(counter)))
    return { ok: false, reason: 'malformed', message: 'x-qwk-counter must be a non-negative integer' };
  const sigHex = /^sha256=([0-9a-f]{64})$/i.exec(signature ?? '')?.[1];
  if (sigHex === undefined)
    return { ok: false, reason: 'malformed', message: 'x-qwk-signature must be sha256=<64 hex digits>' };
  const expected = createHmac('sha256', o.key)
    .update(signedMessage(timestamp, counter, o.body))
    .digest();
  const given = Buffer.from(sigHex, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature', message: 'signature does not verify' };
  const timestampMs = Number(timestamp) * 1000;
  const skew = timestampMs - o.nowMs;
  if (Math.abs(skew) > (o.maxSkewMs ?? RELAY_MAX_SKEW_MS))
    return {
      ok: false,
      reason: 'timestamp',
      message: `timestamp is ${Math.round(skew / 1000)} s from the server's clock (allowed ±${Math.round((o.maxSkewMs ?? RELAY_MAX_SKEW_MS) / 1000)} s)`,
    };
  const n = Number(counter);
  if (o.lastCounter !== undefined && n <= o.lastCounter)
    return {
      ok: false,
      reason: 'counter',
      message: `counter ${n} does not advance past the last accepted ${o.lastCounter}`,
    };
  return { ok: true, timestampMs, counter: n };
}
