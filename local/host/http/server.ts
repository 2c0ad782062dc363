import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { RegisteredFunction, RouteAuthLevel, RouteHandler, TypedData } from '../extension';
import { InvocationError } from '../extension';
import type { Invoker } from '../invoker';
import { keyMatches, presentedKey, unauthorizedMessage } from '../keys';
import type { HostLog } from '../logging';
import type { RpcHttpData, RpcNullableString, RpcTypedData } from '../rpcTypes';
import { toSetCookie } from './cookies';
import { compileRoute, comparePrecedence, matchRoute, type CompiledRoute } from './routes';

/** Azure's limit on an HTTP request body (100 MB). */
export const DEFAULT_MAX_BODY_BYTES = 100 * 1024 * 1024;

export type AuthLevel = RouteAuthLevel;

export interface HttpKeys {
  functionKeys: string[];
  masterKey: string;
  systemKey: string;
}

interface FunctionRoute {
  fn: RegisteredFunction;
  route: CompiledRoute;
  methods?: Set<string>;
  authLevel: AuthLevel;
}

interface ExtensionRoute {
  prefix: string;
  handler: RouteHandler;
  authLevel: AuthLevel;
}

export interface HttpServerOptions {
  functions: readonly RegisteredFunction[];
  routePrefix: string;
  keys: HttpKeys;
  invoker: Invoker;
  log: HostLog;
  maxBodyBytes?: number;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function toNullable(rec: Record<string, string>): Record<string, RpcNullableString> {
  return Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, { value: v }]));
}

/** The request as the host sends it to a Node worker (capabilities RawHttpBodyBytes, UseNullableValueDictionaryForHttp). */
export function toRpcHttpRequest(
  req: IncomingMessage,
  url: URL,
  params: Record<string, string>,
  body: Buffer,
): RpcHttpData {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  const query: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key).join(',');
  const http: RpcHttpData = {
    method: req.method ?? 'GET',
    url: url.toString(),
    nullableHeaders: toNullable(headers),
    nullableQuery: toNullable(query),
    nullableParams: toNullable(params),
  };
  if (body.length > 0) http.body = { bytes: new Uint8Array(body.buffer, body.byteOffset, body.length) };
  return http;
}

function bodyBytes(data: RpcTypedData | null | undefined): Buffer {
  if (!data) return Buffer.alloc(0);
  if (data.bytes) return Buffer.from(data.bytes);
  if (data.string !== undefined && data.string !== null) return Buffer.from(data.string);
  if (data.json !== undefined && data.json !== null) return Buffer.from(data.json);
  if (typeof data.int === 'number' || typeof data.double === 'number')
    return Buffer.from(String(data.int ?? data.double));
  return Buffer.alloc(0);
}

/**
 * The HTTP front door of the host on 127.0.0.1: HTTP-trigger routes under the route prefix, keys, the body limit,
 * and the routes extensions add (e.g. /runtime/webhooks/durabletask).
 */
export class HttpFrontDoor {
  readonly #routes: FunctionRoute[];
  readonly #extensionRoutes: ExtensionRoute[] = [];
  readonly #o: HttpServerOptions;
  readonly #maxBody: number;
  readonly #sockets = new Set<Socket>();
  #server?: Server;
  #closing = false;
  /** Requests wait until the host finished starting (extensions may still be adding routes). */
  #opened!: () => void;
  readonly #ready = new Promise<void>((resolve) => {
    this.#opened = resolve;
  });

  constructor(options: HttpServerOptions) {
    this.#o = options;
    this.#maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#routes = options.functions
      .filter((fn) => fn.trigger.type.toLowerCase() === 'httptrigger')
      .map((fn) => {
        const t = fn.trigger as { route?: string; methods?: string[]; authLevel?: string };
        const template = [options.routePrefix, t.route ?? fn.name].filter((s) => s !== '').join('/');
        return {
          fn,
          route: compileRoute(template),
          methods: t.methods?.length ? new Set(t.methods.map((m) => m.toUpperCase())) : undefined,
          authLevel: (t.authLevel?.toLowerCase() ?? 'function') as AuthLevel,
        };
      })
      .sort((a, b) => comparePrecedence(a.route, b.route));
  }

  /** Function routes as "METHODS /template" lines for the startup log. */
  describeRoutes(baseUrl: string): string[] {
    return this.#routes.map(
      (r) =>
        `${r.fn.name}: [${r.methods ? [...r.methods].join(',') : 'ALL'}] ${baseUrl}/${r.route.template.replace(/^\/+/, '')}`,
    );
  }

  addRoute(prefix: string, handler: RouteHandler, authLevel: AuthLevel = 'system'): void {
    const normalized = '/' + prefix.replace(/^\/+|\/+$/g, '');
    this.#extensionRoutes.push({ prefix: normalized, handler, authLevel });
    this.#extensionRoutes.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  async listen(port: number): Promise<number> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        this.#o.log.write({
          level: 'error',
          category: 'Host',
          message: `HTTP request failed: ${(err as Error)?.message ?? err}`,
        });
        if (!res.headersSent) this.#send(res, 500);
        else res.destroy();
      });
    });
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  /** Lets requests through once the host has started. */
  open(): void {
    this.#opened();
  }

  /** Stops accepting connections; in-flight requests complete (the invoker drains them), idle sockets close. */
  async close(forceAfterMs: number): Promise<void> {
    this.#closing = true;
    this.#opened();
    const server = this.#server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => {
      for (const socket of this.#sockets) socket.destroy();
    }, forceAfterMs);
    await closed;
    clearTimeout(timer);
  }

  #accepted(level: AuthLevel): string[] | undefined {
    const { functionKeys, masterKey, systemKey } = this.#o.keys;
    switch (level) {
      case 'anonymous':
        return undefined;
      case 'function':
        return [...functionKeys, masterKey];
      case 'system':
        return [systemKey, masterKey];
      default:
        return [masterKey];
    }
  }

  #authorized(level: AuthLevel, req: IncomingMessage, url: URL): boolean {
    const accepted = this.#accepted(level);
    return accepted === undefined || keyMatches(presentedKey(req, url), accepted);
  }

  #unauthorized(res: ServerResponse, level: Exclude<AuthLevel, 'anonymous'>): void {
    this.#send(res, 401, unauthorizedMessage(level));
  }

  #send(res: ServerResponse, status: number, body?: string, headers: Record<string, string> = {}): void {
    if (this.#closing) headers.connection = 'close';
    res.writeHead(status, body === undefined ? headers : { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(body);
  }

  async #body(req: IncomingMessage, res: ServerResponse): Promise<Buffer | undefined> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.#maxBody) {
      this.#tooLarge(req, res);
      return undefined;
    }
    try {
      return await readBody(req, this.#maxBody);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) throw err;
      this.#tooLarge(req, res);
      return undefined;
    }
  }

  #tooLarge(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(413, { connection: 'close' });
    res.end(() => req.destroy());
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    await this.#ready;
    if (this.#closing) return this.#send(res, 503, undefined, { 'retry-after': '1' });

    const ext = this.#extensionRoutes.find((r) => url.pathname === r.prefix || url.pathname.startsWith(r.prefix + '/'));
    if (ext) {
      if (ext.authLevel !== 'anonymous' && !this.#authorized(ext.authLevel, req, url))
        return this.#unauthorized(res, ext.authLevel);
      const body = await this.#body(req, res);
      if (body === undefined) return;
      return ext.handler(req, res, body, url);
    }

    if (url.pathname === '/' || url.pathname === '')
      return this.#send(res, 200, 'Your Functions host is running (qwk-ops local host).');

    const method = (req.method ?? 'GET').toUpperCase();
    let pathMatched = false;
    for (const route of this.#routes) {
      const params = matchRoute(route.route, url.pathname);
      if (!params) continue;
      pathMatched = true;
      if (route.methods && !route.methods.has(method)) continue;
      if (route.authLevel !== 'anonymous' && !this.#authorized(route.authLevel, req, url))
        return this.#unauthorized(res, route.authLevel);
      const body = await this.#body(req, res);
      if (body === undefined) return;
      return this.#invoke(route.fn, req, res, url, params, body);
    }
    return this.#send(res, pathMatched ? 405 : 404);
  }

  async #invoke(
    fn: RegisteredFunction,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    params: Record<string, string>,
    body: Buffer,
  ): Promise<void> {
    const http = toRpcHttpRequest(req, url, params, body);
    const triggerMetadata: Record<string, TypedData> = {
      Query: {
        json: JSON.stringify(
          Object.fromEntries(Object.entries(http.nullableQuery ?? {}).map(([k, v]) => [k, v.value])),
        ),
      },
      Headers: {
        json: JSON.stringify(
          Object.fromEntries(Object.entries(http.nullableHeaders ?? {}).map(([k, v]) => [k, v.value])),
        ),
      },
    };
    for (const [name, value] of Object.entries(params)) triggerMetadata[name] = { string: value };
    let result;
    try {
      result = await this.#o.invoker.invoke(fn, {
        triggerData: { http },
        triggerMetadata,
        reason: `This function was programmatically called via the host APIs.`,
      });
    } catch (err) {
      if (err instanceof InvocationError)
        return this.#send(res, 500, undefined, { 'x-invocation-id': err.invocationId });
      throw err;
    }
    const httpOut = Object.entries(result.outputs).find(([name]) =>
      fn.bindings.some((b) => b.name === name && b.direction === 'out' && b.type.toLowerCase() === 'http'),
    )?.[1]?.http as RpcHttpData | undefined;
    if (!httpOut) return this.#send(res, 204);

    const status = Number.parseInt(httpOut.statusCode ?? '200', 10) || 200;
    const headers: Record<string, string | string[]> = { ...(httpOut.headers ?? {}) };
    const cookies = (httpOut.cookies ?? []).map(toSetCookie);
    if (cookies.length) {
      const existing = headers['set-cookie'];
      headers['set-cookie'] = [...(existing ? [existing].flat() : []), ...cookies];
    }
    const payload = bodyBytes(httpOut.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-length'))
      headers['content-length'] = String(payload.length);
    if (this.#closing) headers.connection = 'close';
    res.writeHead(status, headers);
    res.end(payload);
  }
}
