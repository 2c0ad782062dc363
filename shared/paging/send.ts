/**
 * Sends one notification request over HTTP(S) and classifies the answer with the delivery policy (delivery.ts).
 * node:https rather than fetch so that the extra CA of QWK_CA_FILE (the local simulator's) is trusted the way the
 * Azure SDK clients trust it. Never sleeps: a retry is the caller's re-enqueued message.
 */
import http from 'node:http';
import https from 'node:https';
import { classifyError, classifyResponse, type Outcome } from './delivery';
import type { NotificationRequest } from './request';

export interface SendOptions {
  /** PEM of an extra CA to trust. */
  caPem?: string;
  /** Whole-request timeout. */
  timeoutMs?: number;
  now?: () => Date;
}

/** Posts the request; resolves with the classified outcome (never rejects). */
export function sendNotification(req: NotificationRequest, opts: SendOptions = {}): Promise<Outcome> {
  const now = opts.now ?? (() => new Date());
  return new Promise<Outcome>((resolve) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      resolve({ kind: 'permanent', reason: 'the route URL is not a valid URL' });
      return;
    }
    const lib = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
    if (!lib) {
      resolve({ kind: 'permanent', reason: `unsupported URL scheme ${url.protocol}` });
      return;
    }
    const body = Buffer.from(req.body, 'utf8');
    const request = lib.request(
      url,
      {
        method: req.method,
        headers: { ...req.headers, 'Content-Length': String(body.length) },
        timeout: opts.timeoutMs ?? 30_000,
        ...(url.protocol === 'https:' && opts.caPem ? { ca: opts.caPem } : {}),
      },
      (res) => {
        res.resume(); // the body is not needed; drain it so the socket is freed
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve(classifyResponse(res.statusCode ?? 0, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, now()));
        });
        res.on('error', (err) => resolve(classifyError(err)));
      },
    );
    request.on('timeout', () => request.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
    request.on('error', (err) => resolve(classifyError(err)));
    request.end(body);
  });
}
