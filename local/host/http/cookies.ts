import type { RpcHttpCookie } from '../rpcTypes';

/** Renders a cookie of an HTTP response (RpcHttpCookie) as a Set-Cookie header value (RFC 6265). */
export function toSetCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const expires = cookie.expires?.value?.seconds;
  if (expires !== undefined && expires !== null)
    parts.push(`Expires=${new Date(Number(expires) * 1000).toUTCString()}`);
  const maxAge = cookie.maxAge?.value;
  if (maxAge !== undefined && maxAge !== null) parts.push(`Max-Age=${Math.trunc(maxAge)}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  switch (cookie.sameSite) {
    case 'lax':
      parts.push('SameSite=Lax');
      break;
    case 'strict':
      parts.push('SameSite=Strict');
      break;
    case 'explicitNone':
      parts.push('SameSite=None');
      break;
    default:
      break;
  }
  return parts.join('; ');
}
