import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { ArmEngine, errorResponse, serveJournaled, type ServeDeps } from './arm/engine';
import { ArmError } from './arm/errors';
import type { FaultInjector, FaultSpec } from './arm/faults';
import type { SimRequest, SimResponse } from './arm/httpTypes';
import type { Journal } from './arm/journal';
import { KEY_VAULT_CHALLENGE, type SecretStore } from './keyvault/secrets';
import type { SimClocks } from './clocks';
import type { MetricsService } from './monitor/metrics';
import type { AlertsService } from './monitor/alerts';
import type { PagerService } from './pager/service';
import { ClusterFaultError, type ClusterFaults } from './vm/clusterFaults';
import type { EventLoopMonitor } from '../eventLoopStats';

const MAX_BODY = 10 * 1024 * 1024;

export interface ServerParts extends ServeDeps {
  engine: ArmEngine;
  secrets: SecretStore;
  metrics: MetricsService;
  journal: Journal;
  faults: FaultInjector;
  reset(): Promise<void>;
  clocks: SimClocks;
  /** Absent when the simulator runs without a VM runtime (then the cluster routes answer 501). */
  clusterFaults?: ClusterFaults;
  log?: (line: string) => void;
  /** Microsoft.Insights alert rules / action groups and /_sim/alerts (monitor/alerts). */
  alerts?: AlertsService;
  /** /_pager/* stand-ins and /_sim/pager (pager/). */
  pager?: PagerService;
  /** GET/DELETE /_sim/stats/event-loop: this process's event-loop delay since start or the last reset. */
  eventLoop?: EventLoopMonitor;
}

const simError = (status: number, code: string, message: string): SimResponse => ({
  status,
  body: { error: { code, message } },
});

/** GET/PUT /_sim/time-scale: both clocks' factors (README.md "Two clocks"). */
function timeScale(parts: ServerParts, req: SimRequest): SimResponse {
  if (req.method === 'GET') return { status: 200, body: parts.clocks.get() };
  if (req.method !== 'PUT') return simError(405, 'MethodNotAllowed', 'Use GET or PUT.');
  const body = req.body as Record<string, unknown> | undefined;
  const known = ['controlPlane', 'cluster'];
  if (!body || typeof body !== 'object' || Array.isArray(body) || !Object.keys(body).some((k) => known.includes(k))) {
    return simError(400, 'InvalidTimeScale', 'Body: {"controlPlane"?: number, "cluster"?: number}.');
  }
  const extra = Object.keys(body).filter((k) => !known.includes(k));
  if (extra.length) return simError(400, 'InvalidTimeScale', `Unknown field(s): ${extra.join(', ')}.`);
  try {
    return {
      status: 200,
      body: parts.clocks.set({ controlPlane: body.controlPlane as number, cluster: body.cluster as number }),
    };
  } catch (e) {
    return simError(400, 'InvalidTimeScale', (e as Error).message);
  }
}

/**
 * /_sim/stats/event-loop: GET the event-loop delay (max, p50, p99, mean in ms) since the simulator started or the
 * last DELETE; DELETE starts a new measurement and answers the one it ended.
 */
function stats(parts: ServerParts, req: SimRequest): SimResponse {
  const [, , what, ...rest] = req.segments;
  if (what !== 'event-loop' || rest.length || !parts.eventLoop)
    return simError(404, 'NotFound', `No simulator control route ${req.method} ${req.url.pathname}`);
  if (req.method === 'GET') return { status: 200, body: parts.eventLoop.stats() };
  if (req.method === 'DELETE') return { status: 200, body: parts.eventLoop.reset() };
  return simError(405, 'MethodNotAllowed', 'Use GET or DELETE.');
}

/** /_sim/clusters/{subscriptionId}/{resourceGroup}/faults: POST (inject), GET (faults + model), DELETE (heal). */
async function clusterRoute(parts: ServerParts, req: SimRequest): Promise<SimResponse> {
  const [, , subscriptionId, resourceGroup, what, ...rest] = req.segments;
  if (!subscriptionId || !resourceGroup || what !== 'faults' || rest.length)
    return simError(404, 'NotFound', `No simulator control route ${req.method} ${req.url.pathname}`);
  if (!parts.clusterFaults)
    return simError(501, 'NoVmRuntime', 'The simulator runs without a VM runtime: there is no cluster to fault.');
  const cluster = { subscriptionId, resourceGroup };
  try {
    switch (req.method) {
      case 'POST':
        return { status: 201, body: await parts.clusterFaults.inject(cluster, req.body) };
      case 'GET':
        return { status: 200, body: parts.clusterFaults.state(cluster) };
      case 'DELETE':
        return { status: 200, body: await parts.clusterFaults.heal(cluster) };
      default:
        return simError(405, 'MethodNotAllowed', 'Use POST, GET or DELETE.');
    }
  } catch (e) {
    if (e instanceof ClusterFaultError) return simError(e.status, e.code, e.message);
    throw e;
  }
}

const KEY_VAULT_COLLECTIONS = new Set(['secrets', 'deletedsecrets']);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new ArmError(413, 'RequestEntityTooLarge', 'The request body is too large.'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function unauthorized(keyVault: boolean): SimResponse {
  if (keyVault) {
    return {
      status: 401,
      headers: { 'WWW-Authenticate': KEY_VAULT_CHALLENGE },
      body: { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
    };
  }
  return {
    status: 401,
    headers: {
      'WWW-Authenticate':
        'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The authentication failed because of missing \'Authorization\' header."',
    },
    body: {
      error: { code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is missing." },
    },
  };
}

/** The /_sim/ control API: journal, faults, reset. */
async function control(parts: ServerParts, req: SimRequest): Promise<SimResponse> {
  const [, what] = req.segments;
  const m = req.method;
  const hooked = parts.alerts?.control(req) ?? parts.pager?.control(req);
  if (hooked) return hooked;
  if (what === 'operations' && m === 'GET') return { status: 200, body: parts.journal.list() };
  if (what === 'faults' && m === 'GET') return { status: 200, body: parts.faults.list() };
  if (what === 'faults' && m === 'POST') {
    const specs: FaultSpec[] = Array.isArray(req.body) ? req.body : [req.body];
    try {
      return { status: 201, body: specs.map((s) => parts.faults.add(s)) };
    } catch (e) {
      return { status: 400, body: { error: { code: 'InvalidFault', message: (e as Error).message } } };
    }
  }
  if (what === 'faults' && m === 'DELETE') {
    parts.faults.clear();
    return { status: 204 };
  }
  if (what === 'time-scale') return timeScale(parts, req);
  if (what === 'stats') return stats(parts, req);
  if (what === 'clusters') return clusterRoute(parts, req);
  if (what === 'reset' && m === 'POST') {
    await parts.reset();
    return { status: 204 };
  }
  return {
    status: 404,
    body: { error: { code: 'NotFound', message: `No simulator control route ${m} ${req.url.pathname}` } },
  };
}

async function dispatch(parts: ServerParts, req: SimRequest): Promise<SimResponse> {
  const first = req.segments[0] ?? '';
  if (first === '_sim') return control(parts, req);
  if (first === '_pager' && parts.pager) return parts.pager.handle(req);
  const keyVault = KEY_VAULT_COLLECTIONS.has(first.toLowerCase());
  const auth = req.headers.authorization;
  if (typeof auth !== 'string' || !/^Bearer\s+\S+/i.test(auth)) return unauthorized(keyVault);
  if (keyVault) {
    if (!req.url.searchParams.get('api-version')) {
      return {
        status: 400,
        body: { error: { code: 'BadParameter', message: 'The request URI contains an invalid api-version parameter' } },
      };
    }
    try {
      return serveJournaled(parts, req, parts.secrets.route(req));
    } catch (e) {
      return errorResponse(e);
    }
  }
  if (
    first.toLowerCase() === 'subscriptions' &&
    req.segments[2]?.toLowerCase() === 'metrics:getbatch' &&
    req.method === 'POST'
  ) {
    if (!req.url.searchParams.get('api-version')) {
      return errorResponse(
        new ArmError(
          400,
          'MissingApiVersionParameter',
          'The api-version query parameter (?api-version=) is required for all requests.',
        ),
      );
    }
    return serveJournaled(parts, req, parts.metrics.route(req));
  }
  if (parts.alerts && req.url.searchParams.get('api-version')) {
    try {
      const route = parts.alerts.armRoute(req);
      if (route) return serveJournaled(parts, req, route);
    } catch (e) {
      return errorResponse(e);
    }
  }
  return parts.engine.handle(req);
}

function send(res: ServerResponse, method: string, out: SimResponse): void {
  const headers: Record<string, string> = {
    'x-ms-request-id': randomUUID(),
    'x-ms-correlation-request-id': randomUUID(),
    ...(out.headers ?? {}),
  };
  const hasBody = out.body !== undefined && method !== 'HEAD' && out.status !== 204;
  if (hasBody) headers['Content-Type'] = 'application/json; charset=utf-8';
  res.writeHead(out.status, headers);
  res.end(hasBody ? JSON.stringify(out.body) : undefined);
}

/** The HTTPS server of the simulator (bound to 127.0.0.1 only). */
export function createSimServer(
  parts: ServerParts,
  tls: { cert: string; key: string },
  baseUrl: () => string,
): https.Server {
  return https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    void (async () => {
      let out: SimResponse;
      const url = new URL(req.url ?? '/', baseUrl());
      try {
        const raw = await readBody(req);
        let body: unknown;
        if (raw.trim()) {
          try {
            body = JSON.parse(raw);
          } catch {
            throw new ArmError(
              400,
              'InvalidRequestContent',
              'The request content was invalid and could not be deserialized.',
            );
          }
        }
        const segments = url.pathname
          .split('/')
          .filter(Boolean)
          .map((s) => decodeURIComponent(s));
        out = await dispatch(parts, {
          method: (req.method ?? 'GET').toUpperCase(),
          url,
          segments,
          headers: req.headers,
          body,
          baseUrl: baseUrl(),
        });
      } catch (e) {
        out = errorResponse(e);
      }
      // Method and path only: bodies may hold secrets.
      parts.log?.(`${req.method} ${url.pathname} -> ${out.status}`);
      send(res, req.method ?? 'GET', out);
    })();
  });
}
