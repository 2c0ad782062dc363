/**
 * The Durable extension's HTTP management API (HttpApiHandler) under /runtime/webhooks/durabletask, as the
 * durable-functions DurableClient and createCheckStatusResponse URLs call it. The host core checks the system
 * key (`code` query or x-functions-key header) before a request reaches these handlers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteHandler } from '../extension';
import { DurableEngine, InstanceExistsError, TERMINAL } from './engine';
import { events } from './history';
import { friendlyHistory, managementPayload, statusJson, WEBHOOK_PATH } from './status';
import type { InstanceQuery } from './store';
import type { RuntimeStatus } from './episode';

/** What the Durable extension refuses in an instance id: / \ # ? and control characters (C0, DEL, C1). */
const forbiddenInId = (id: string) =>
  /[/\\#?]/.test(id) ||
  [...id].some((c) => {
    const code = c.codePointAt(0) ?? 0;
    return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
  });
const DEFAULT_PAGE = 100;

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res
    .writeHead(status, {
      'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
      ...headers,
    })
    .end(text);
}

function bodyJsonText(body: Buffer): string | null | Error {
  const text = body.toString('utf8').trim();
  if (text === '') return null;
  try {
    JSON.parse(text);
    return text;
  } catch {
    return new Error('The request body must be JSON.');
  }
}

function flag(url: URL, name: string): boolean | undefined {
  const v = url.searchParams.get(name);
  return v === null ? undefined : v.toLowerCase() === 'true';
}

function query(url: URL): InstanceQuery | Error {
  const q: InstanceQuery = {};
  for (const key of ['createdTimeFrom', 'createdTimeTo'] as const) {
    const v = url.searchParams.get(key);
    if (v) {
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) return new Error(`${key} is not a valid date`);
      q[key] = d;
    }
  }
  const statuses = url.searchParams.get('runtimeStatus');
  if (statuses)
    q.runtimeStatus = statuses
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const prefix = url.searchParams.get('instanceIdPrefix');
  if (prefix) q.instanceIdPrefix = prefix;
  return q;
}

export interface HttpApiOptions {
  engine: DurableEngine;
  baseUrl: string;
  hubName: string;
  systemKey: string;
  isOrchestrator(name: string): string | undefined;
  newInstanceId(): string;
}

export function durableHttpApi(o: HttpApiOptions): RouteHandler {
  const { engine } = o;
  const store = engine.store;

  const startRoute = async (req: IncomingMessage, res: ServerResponse, body: Buffer, parts: string[]) => {
    if (req.method !== 'POST') return send(res, 405);
    const fn = o.isOrchestrator(parts[1] ?? '');
    if (!fn)
      return send(res, 400, {
        Message: `The function '${parts[1] ?? ''}' doesn't exist, is disabled, or is not an orchestrator function.`,
      });
    const instanceId = parts[2] ?? o.newInstanceId();
    if (forbiddenInId(instanceId) || instanceId.length > 256)
      return send(res, 400, { Message: `Instance ID '${instanceId}' contains invalid characters.` });
    const input = bodyJsonText(body);
    if (input instanceof Error) return send(res, 400, { Message: input.message });
    try {
      await engine.startInstance(fn, instanceId, input);
    } catch (e) {
      if (e instanceof InstanceExistsError) return send(res, 409, { Message: e.message });
      throw e;
    }
    const payload = managementPayload(o.baseUrl, o.hubName, o.systemKey, instanceId);
    send(res, 202, payload, { Location: payload.statusQueryGetUri, 'Retry-After': '10' });
  };

  const instanceRoute = async (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    url: URL,
    instanceId: string,
    op?: string,
    opArg?: string,
  ) => {
    const stored = await store.getInstance(instanceId);
    if (req.method === 'GET' && !op) {
      if (!stored) return send(res, 404, { Message: `No instance with ID '${instanceId}' found.` });
      const r = stored.record;
      const history = flag(url, 'showHistory')
        ? friendlyHistory(await store.readHistory(instanceId, r.executionId), flag(url, 'showHistoryOutput') === true)
        : undefined;
      const running = r.status === 'Running' || r.status === 'Pending' || r.status === 'ContinuedAsNew';
      const failedAs500 = r.status === 'Failed' && flag(url, 'returnInternalServerErrorOnFailure') === true;
      return send(
        res,
        running ? 202 : failedAs500 ? 500 : 200,
        statusJson(r, { showInput: flag(url, 'showInput'), history }),
        running ? { Location: url.href, 'Retry-After': '10' } : {},
      );
    }
    if (req.method === 'DELETE' && !op) {
      return (await store.purgeInstance(instanceId))
        ? send(res, 200, { instancesDeleted: 1 })
        : send(res, 404, { Message: `No instance with ID '${instanceId}' found.` });
    }
    if (req.method !== 'POST') return send(res, 405);
    if (!stored) return send(res, 404, { Message: `No instance with ID '${instanceId}' found.` });
    const status: RuntimeStatus = stored.record.status;
    const reason = url.searchParams.get('reason');
    const now = new Date();
    switch (op) {
      case 'raiseEvent': {
        if (!opArg) return send(res, 400, { Message: 'An event name is required.' });
        if (TERMINAL.has(status)) return send(res, 410, { Message: `The instance is ${status}.` });
        const data = bodyJsonText(body);
        if (data instanceof Error) return send(res, 400, { Message: data.message });
        await engine.signal(instanceId, events.eventRaised(now, opArg, data));
        return send(res, 202);
      }
      case 'terminate':
        if (TERMINAL.has(status)) return send(res, 410, { Message: `The instance is ${status}.` });
        await engine.signal(
          instanceId,
          events.executionTerminated(now, reason === null ? null : JSON.stringify(reason)),
        );
        return send(res, 202);
      case 'suspend':
        if (TERMINAL.has(status)) return send(res, 410, { Message: `The instance is ${status}.` });
        await engine.signal(instanceId, events.executionSuspended(now, reason));
        return send(res, 202);
      case 'resume':
        if (TERMINAL.has(status)) return send(res, 410, { Message: `The instance is ${status}.` });
        await engine.signal(instanceId, events.executionResumed(now, reason));
        return send(res, 202);
      case 'restart': {
        const newId = flag(url, 'restartWithNewInstanceId') === false ? instanceId : o.newInstanceId();
        try {
          await engine.startInstance(stored.record.name, newId, stored.record.input);
        } catch (e) {
          if (e instanceof InstanceExistsError) return send(res, 409, { Message: e.message });
          throw e;
        }
        const payload = managementPayload(o.baseUrl, o.hubName, o.systemKey, newId);
        return send(res, 202, payload, { Location: payload.statusQueryGetUri });
      }
      case 'rewind':
        return send(res, 501, 'The rewind operation is not supported by the local Durable engine.');
      default:
        return send(res, 404);
    }
  };

  const listRoute = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const q = query(url);
    if (q instanceof Error) return send(res, 400, { Message: q.message });
    if (req.method === 'DELETE') {
      let deleted = 0;
      let token: string | undefined;
      do {
        const page = await store.listInstances(q, DEFAULT_PAGE, token);
        for (const r of page.items) if (await store.purgeInstance(r.instanceId)) deleted++;
        token = page.continuationToken;
      } while (token);
      return deleted > 0
        ? send(res, 200, { instancesDeleted: deleted })
        : send(res, 404, { Message: 'No instances matched the filter.' });
    }
    if (req.method !== 'GET') return send(res, 405);
    const top = Number(url.searchParams.get('top') ?? DEFAULT_PAGE);
    const page = await store.listInstances(
      q,
      Number.isFinite(top) && top > 0 ? top : DEFAULT_PAGE,
      (req.headers['x-ms-continuation-token'] as string | undefined) || undefined,
    );
    const showInput = flag(url, 'showInput');
    send(
      res,
      200,
      page.items.map((r) => statusJson(r, { showInput })),
      page.continuationToken ? { 'x-ms-continuation-token': page.continuationToken } : {},
    );
  };

  return async (req, res, body, url) => {
    const rest = url.pathname
      .slice(WEBHOOK_PATH.length)
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    if (rest[0] === 'orchestrators' && rest.length >= 2 && rest.length <= 3) return startRoute(req, res, body, rest);
    if (rest[0] === 'instances') {
      if (rest.length === 1) return listRoute(req, res, url);
      return instanceRoute(req, res, body, url, rest[1], rest[2], rest[3]);
    }
    send(res, 404, { Message: 'Not found.' });
  };
}
