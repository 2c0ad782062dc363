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

/**
 * The one-line body of a 401: which key the route expects and where to put it (never a key itself). Azure answers
 * with an empty body; a user trying the API with curl deserves to know what is missing.
 */
export function unauthorizedMessage(level: 'function' | 'system' | 'admin'): string {
  const where = 'in the x-functions-key header or as the code query parameter (?code=)';
  switch (level) {
    case 'function':
      return `401 Unauthorized: a function key is expected ${where}.\n`;
    case 'system':
      return `401 Unauthorized: the system key (or the master key) is expected ${where}.\n`;
    case 'admin':
      return `401 Unauthorized: the master key is expected ${where}.\n`;
  }
}
