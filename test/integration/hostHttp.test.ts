import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type LogRecord, type RunningHost } from '../../local/host';

const appRoot = path.resolve(__dirname, '../fixtures/host-app');
const SECRET = 'fixture-only-secret-Zq81xW';

describe('local host: HTTP triggers', () => {
  let host: RunningHost;
  const lines: LogRecord[] = [];

  beforeAll(async () => {
    host = await startHost({
      appRoot,
      port: 0,
      functionKey: 'test-function-key-0123456789',
      maxRequestBodyBytes: 64 * 1024,
      logSink: (r) => lines.push(r),
    });
  });
  afterAll(async () => {
    await host?.stop();
  });

  const get = (p: string, init?: RequestInit) => fetch(`${host.baseUrl}${p}`, init);

  it('routes under the host.json routePrefix with optional segments and query', async () => {
    const a = await get('/fx/hello/ada?q=1');
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toMatch(/application\/json/);
    expect(await a.json()).toEqual({ name: 'ada', q: '1', method: 'GET' });
    const b = await get('/fx/hello');
    expect(await b.json()).toEqual({ name: 'world', q: null, method: 'GET' });
    expect((await get('/api/hello')).status).toBe(404);
  });

  it('requires the function key for authLevel function (header or code), 401 otherwise', async () => {
    const denied = await get('/fx/items/7');
    expect(denied.status).toBe(401);
    // one line saying which key is expected and where (never a key)
    expect(await denied.text()).toBe(
      '401 Unauthorized: a function key is expected in the x-functions-key header or as the code query parameter (?code=).\n',
    );
    expect((await get('/fx/items/7?code=wrong')).status).toBe(401);
    const byHeader = await get('/fx/items/7', { headers: { 'x-functions-key': host.functionKey } });
    expect(byHeader.status).toBe(200);
    expect(await byHeader.json()).toEqual({ id: 7, kind: 'item' });
    const byCode = await get(`/fx/items/8?code=${encodeURIComponent(host.functionKey)}`);
    expect(await byCode.json()).toEqual({ id: 8, kind: 'item' });
    const byMaster = await get('/fx/items/9', { headers: { 'x-functions-key': host.masterKey } });
    expect(byMaster.status).toBe(200);
  });

  it('admin routes accept only the master key', async () => {
    const denied = await get('/fx/admin-only', { headers: { 'x-functions-key': host.functionKey } });
    expect(denied.status).toBe(401);
    expect(await denied.text()).toMatch(/^401 Unauthorized: the master key is expected .*x-functions-key.*\?code=/);
    const ok = await get('/fx/admin-only', { headers: { 'x-functions-key': host.masterKey } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('admin ok');
  });

  it('dispatches by method on one route, honours constraints and literal precedence; 404/405', async () => {
    const key = { 'x-functions-key': host.functionKey, 'content-type': 'application/json' };
    const post = await get('/fx/items/3', { method: 'POST', headers: key, body: JSON.stringify({ a: 1 }) });
    expect(post.status).toBe(201);
    expect(await post.json()).toEqual({ id: 3, body: { a: 1 } });
    expect(await (await get('/fx/items/special')).text()).toBe('special');
    expect((await get('/fx/items/abc', { headers: key })).status).toBe(404); // {id:int} does not match
    expect((await get('/fx/items/3', { method: 'DELETE', headers: key })).status).toBe(405);
    expect((await get('/fx/nope')).status).toBe(404);
  });

  it('returns 500 without a stack trace when the handler throws, and logs it with the invocation id', async () => {
    const res = await get('/fx/boom');
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).not.toMatch(/kaboom|at .*\.js|Error/);
    const id = res.headers.get('x-invocation-id');
    expect(id).toBeTruthy();
    const failure = lines.find(
      (l) => l.invocationId === id && l.level === 'error' && l.message.includes('kaboom from the fixture'),
    );
    expect(failure).toBeDefined();
  });

  it('sends bytes, status, headers and cookies of HttpResponse/HttpResponseInit', async () => {
    const bytes = await get('/fx/bytes');
    expect(bytes.headers.get('content-type')).toBe('application/octet-stream');
    expect([...new Uint8Array(await bytes.arrayBuffer())]).toEqual([0, 1, 2, 254, 255]);
    const c = await get('/fx/cookies');
    expect(c.status).toBe(202);
    expect(c.headers.get('x-fixture')).toBe('yes');
    const cookies = c.headers.getSetCookie();
    expect(cookies).toContain('session=abc; Path=/; HttpOnly; SameSite=Strict');
    expect(cookies).toContain('theme=dark; Max-Age=60');
    expect(await c.text()).toBe('cookies set');
  });

  it('passes request bodies through and rejects bodies over the limit with 413', async () => {
    const small = await get('/fx/echo', {
      method: 'POST',
      body: Buffer.alloc(1000, 1),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(await small.json()).toEqual({ length: 1000, contentType: 'application/octet-stream' });
    const big = await get('/fx/echo', { method: 'POST', body: Buffer.alloc(65 * 1024, 1) }).catch((e: unknown) => e);
    expect(big instanceof Response ? big.status : 'connection closed').toBe(413);
  });

  it('fails an invocation that exceeds host.json functionTimeout', async () => {
    const t0 = Date.now();
    const res = await get('/fx/tooSlow');
    expect(res.status).toBe(500);
    expect(Date.now() - t0).toBeLessThan(3900);
    const id = res.headers.get('x-invocation-id');
    expect(lines.some((l) => l.invocationId === id && /Timeout value of 00:00:03 was exceeded/.test(l.message))).toBe(
      true,
    );
  });

  it('applies local.settings.json Values to the app environment', async () => {
    const res = await get('/fx/settings', { headers: { 'x-functions-key': host.functionKey } });
    expect(await res.json()).toEqual({ plain: 'plain-fixture-value', secretSet: true });
  });

  it('logs one line per invocation and context.log levels, never a setting value', async () => {
    const res = await get('/fx/logs');
    const id = await res.text();
    const mine = lines.filter((l) => l.invocationId === id);
    const executed = mine.filter((l) =>
      l.message.startsWith(`Executed 'Functions.logs' (Succeeded, Id=${id}, Duration=`),
    );
    expect(executed).toHaveLength(1);
    const user = mine.filter((l) => l.source === 'user').map((l) => [l.level, l.message]);
    expect(user).toEqual(
      expect.arrayContaining([
        ['information', 'plain log line'],
        ['warning', 'warn line'],
        ['error', 'error line'],
        ['information', 'the secret is ***'],
      ]),
    );
    expect(user.some(([, m]) => m === 'debug line')).toBe(false); // below the default level
    const all = JSON.stringify(host.logs) + JSON.stringify(lines);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(host.functionKey);
    expect(all).not.toContain(host.masterKey);
  });

  it('runs a non-HTTP function through the admin API with the master key only', async () => {
    const url = `${host.baseUrl}/admin/functions/fakeTriggered`;
    const body = JSON.stringify({ input: JSON.stringify({ x: 2 }) });
    expect(
      (
        await get('/admin/functions/fakeTriggered', {
          method: 'POST',
          body,
          headers: { 'x-functions-key': host.functionKey },
        })
      ).status,
    ).toBe(401);
    const res = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'x-functions-key': host.masterKey, 'content-type': 'application/json' },
    });
    expect(res.status).toBe(202);
    for (
      let i = 0;
      i < 50 && !lines.some((l) => l.message.startsWith("Executed 'Functions.fakeTriggered' (Succeeded"));
      i++
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(lines.some((l) => l.message.startsWith("Executed 'Functions.fakeTriggered' (Succeeded"))).toBe(true);
    expect(
      (
        await fetch(`${host.baseUrl}/admin/functions/hello`, {
          method: 'POST',
          headers: { 'x-functions-key': host.masterKey },
        })
      ).status,
    ).toBe(404);
  });

  it('runs pre/post invocation and appStart hooks', async () => {
    await get('/fx/hello/x');
    const state = (await (await get('/fx/state')).json()) as { hookEvents: string[] };
    expect(state.hookEvents[0]).toBe('appStart');
    expect(state.hookEvents).toContain('pre:hello');
    expect(state.hookEvents).toContain('post:hello:ok:number');
    expect(state.hookEvents).toContain('post:boom:error:number');
  });
});
