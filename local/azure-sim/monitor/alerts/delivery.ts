/**
 * Webhook delivery of action groups with Azure's retry rules (Azure Monitor docs, "Action groups", Webhook):
 * a failure is retriable when the receiver answers 408, 429, 503 or 504 or the request fails (network error,
 * timeout); it is retried up to 5 times, 5, 20, 5, 40 and 5 s apart; when every attempt failed, no action group calls
 * that endpoint for 15 minutes. Other answers (2xx included) end the delivery. All durations are Azure time on the
 * alert clock (scaled in tests).
 *
 * Public endpoints: in Azure an action group reaches a Function App at its public name (https://<app>.azurewebsites.net,
 * through App Service's front end). Locally that name (QWK_PUBLIC_URL, e.g. https://qwk-ops.azurewebsites.test) is
 * not resolvable, so `setPublicEndpoint` tells the deliverer which local address serves it — as the VM runtime's egress
 * does for the VMs (vm/services.ts): a call to the public URL goes to the upstream with the same path and query, the
 * public host in `Host`. The journal keeps the URL the action group holds.
 */
import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import type { AlertClock } from './clock';

export const RETRY_DELAYS_MS = [5_000, 20_000, 5_000, 40_000, 5_000];
export const RETRIABLE_STATUS = new Set([408, 429, 503, 504]);
export const SKIP_AFTER_FAILURE_MS = 15 * 60_000;
/** How long one call waits for an answer (Azure's docs gave 10 s per call before the 2023 retry rewrite). */
export const CALL_TIMEOUT_MS = 10_000;
/** A compressed clock never shortens one call's wait below this (real ms): a slow receiver is not a dead one. */
const CALL_TIMEOUT_FLOOR_MS = 1_000;

export interface DeliveryAttempt {
  id: string;
  /** The delivery (all attempts of one notification to one receiver) this attempt belongs to. */
  deliveryId: string;
  at: string;
  alertId: string;
  alertRule: string;
  monitorCondition: string;
  actionGroupId: string;
  receiver: string;
  url: string;
  /** 1 for the first call, 2.. for retries. */
  attempt: number;
  status?: number;
  error?: string;
  /** delivered (2xx) | retrying | failed (not retried or out of retries) | skipped (endpoint in its 15-min pause) */
  outcome: 'delivered' | 'retrying' | 'failed' | 'skipped';
}

export interface WebhookJob {
  alertId: string;
  alertRule: string;
  monitorCondition: string;
  actionGroupId: string;
  receiver: string;
  url: string;
  body: unknown;
}

type CallResult = { status?: number; error?: string };

/** A public URL of the local stack and the local address that serves it (App Service's front end, locally). */
export interface PublicEndpoint {
  /** e.g. https://qwk-ops.azurewebsites.test */
  publicUrl: string;
  /** e.g. http://127.0.0.1:7071 */
  upstreamUrl: string;
}

function post(url: string, body: string, timeoutMs: number, endpoints: PublicEndpoint[] = []): Promise<CallResult> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      resolve({ error: 'invalid URL' });
      return;
    }
    const headers: Record<string, string | number> = {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    };
    const served = endpoints.find((e) => new URL(e.publicUrl).origin === u.origin);
    if (served) {
      const up = new URL(served.upstreamUrl);
      headers.host = u.host;
      u = new URL(`${up.origin}${up.pathname.replace(/\/$/, '')}${u.pathname}${u.search}`);
    }
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(
      u,
      {
        method: 'POST',
        headers,
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode }));
        res.on('error', (e) => resolve({ status: res.statusCode, error: e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ error: e.message }));
    req.end(body);
  });
}

export class WebhookDeliverer {
  private journal: DeliveryAttempt[] = [];
  /** serviceUri → real time until which the endpoint is not called. */
  private readonly paused = new Map<string, number>();
  private endpoints: PublicEndpoint[] = [];

  constructor(private readonly clock: AlertClock) {}

  /** Serves a public URL of the local stack from a local address (replaces one with the same public URL). */
  setPublicEndpoint(e: PublicEndpoint): void {
    const origin = new URL(e.publicUrl).origin;
    this.endpoints = [...this.endpoints.filter((x) => new URL(x.publicUrl).origin !== origin), e];
  }

  list(): DeliveryAttempt[] {
    return this.journal.map((a) => ({ ...a }));
  }

  clear(): void {
    this.journal = [];
    this.paused.clear();
  }

  /** Starts a delivery (returns at once; attempts run on the clock). */
  deliver(job: WebhookJob): void {
    const deliveryId = randomUUID();
    const record = (attempt: number, r: CallResult, outcome: DeliveryAttempt['outcome']) =>
      this.journal.push({
        id: randomUUID(),
        deliveryId,
        at: new Date(this.clock.now()).toISOString(),
        alertId: job.alertId,
        alertRule: job.alertRule,
        monitorCondition: job.monitorCondition,
        actionGroupId: job.actionGroupId,
        receiver: job.receiver,
        url: job.url,
        attempt,
        ...(r.status !== undefined ? { status: r.status } : {}),
        ...(r.error ? { error: r.error } : {}),
        outcome,
      });
    const until = this.paused.get(job.url);
    if (until !== undefined && this.clock.now() < until) {
      record(0, { error: 'endpoint paused after failed retries' }, 'skipped');
      return;
    }
    const body = JSON.stringify(job.body);
    const attempt = (n: number) => {
      const timeoutMs = Math.max(CALL_TIMEOUT_FLOOR_MS, CALL_TIMEOUT_MS * this.clock.scale);
      void post(job.url, body, timeoutMs, this.endpoints).then((r) => {
        const ok = r.status !== undefined && r.status >= 200 && r.status < 300;
        if (ok) return record(n, r, 'delivered');
        const retriable = r.status === undefined || RETRIABLE_STATUS.has(r.status);
        if (retriable && n <= RETRY_DELAYS_MS.length) {
          record(n, r, 'retrying');
          this.clock.after(RETRY_DELAYS_MS[n - 1], () => attempt(n + 1));
          return;
        }
        record(n, r, 'failed');
        if (retriable) this.paused.set(job.url, this.clock.now() + SKIP_AFTER_FAILURE_MS * this.clock.scale);
      });
    };
    attempt(1);
  }
}
