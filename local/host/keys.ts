import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A new random key (URL-safe, like the host's generated function keys). */
export function generateKey(): string {
  return randomBytes(40).toString('base64url');
}

/** The key a request presents: `x-functions-key` header, else the `code` query parameter. */
export function presentedKey(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers['x-functions-key'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  return fromHeader || url.searchParams.get('code') || undefined;
}

/** Constant-time comparison against every accepted key. */
export function keyMatches(candidate: string | undefined, accepted: readonly string[]): boolean {
  if (!candidate) return false;
  const given = Buffer.from(candidate);
  let ok = false;
  for (const key of accepted) {
    const expected = Buffer.from(key);
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}
