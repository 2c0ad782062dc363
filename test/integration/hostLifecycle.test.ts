import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvocationError, startHost, type HostContext, type HostExtension, type LogRecord } from '../../local/host';

const appRoot = path.resolve(__dirname, '../fixtures/host-app');
/** Node's own CommonJS cache (where the host loads the app), not the test runner's. */
const nativeCache = () => Module.createRequire(__filename).cache;

function fakeExtension(): HostExtension & { ctx?: HostContext; stopped: boolean; resolved: string[] } {
  const ext = {
    name: 'Fake',
    triggerTypes: ['fakeTrigger'],
    inputBindingTypes: ['fakeClient'],
    ctx: undefined as HostContext | undefined,
    stopped: false,
    resolved: [] as string[],
    async start(ctx: HostContext) {
      ext.ctx = ctx;
      ctx.addRoute('/runtime/webhooks/fake', async (req, res, body, url) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, path: url.pathname, body: body.toString() }));
      });
      ctx.addRoute(
        '/runtime/open',
        async (_req, res) => {
          res.writeHead(204).end();
        },
        'anonymous',
      );
    },
    async stop() {
      ext.stopped = true;
    },
    async resolveInput(binding: { name: string; type: string }, fn: { name: string }, invocationId: string) {
      ext.resolved.push(`${fn.name}/${binding.name}/${invocationId}`);
      return { string: JSON.stringify({ from: 'fake', binding: binding.name }) };
    },
  };
  return ext;
}

describe('local host: lifecycle and extensions', () => {
  it('lets an extension invoke its trigger type, resolve inputs and serve routes with the system key', async () => {
    const ext = fakeExtension();
    const host = await startHost({ appRoot, port: 0, extensions: [ext], logSink: () => undefined });
    try {
      const ctx = ext.ctx!;
      expect(ctx.baseUrl).toBe(host.baseUrl);
      expect(ctx.functions.find((f) => f.name === 'fakeTriggered')?.trigger.type).toBe('fakeTrigger');
      expect(ctx.hostJson.extensions?.http?.routePrefix).toBe('fx');

      const result = await ctx.invoke('fakeTriggered', { triggerData: { json: JSON.stringify({ x: 1 }) } });
      expect(JSON.parse(result.returnValue?.json ?? 'null')).toEqual({ echo: { x: 1 }, functionName: 'fakeTriggered' });
      expect(result.invocationId).toMatch(/^[0-9a-f-]{36}$/);

      const failure = await ctx
        .invoke('fakeTriggered', { triggerData: { json: '{"fail":true}' } })
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(InvocationError);
      expect((failure as InvocationError).message).toBe('fake trigger failure');
      expect((failure as InvocationError).functionName).toBe('fakeTriggered');

      const withClient = await fetch(`${host.baseUrl}/fx/withClient`);
      expect(await withClient.json()).toEqual({ from: 'fake', binding: 'client' });
      expect(ext.resolved).toHaveLength(1);

      const webhook = `${host.baseUrl}/runtime/webhooks/fake/instances/1`;
      expect((await fetch(webhook)).status).toBe(401);
      expect((await fetch(`${webhook}?code=${host.functionKey}`)).status).toBe(401);
      const ok = await fetch(`${webhook}?code=${encodeURIComponent(ctx.systemKey)}`, { method: 'POST', body: 'hi' });
      expect(await ok.json()).toEqual({ method: 'POST', path: '/runtime/webhooks/fake/instances/1', body: 'hi' });
      expect((await fetch(webhook, { headers: { 'x-functions-key': host.masterKey } })).status).toBe(200);
      expect((await fetch(`${host.baseUrl}/runtime/open`)).status).toBe(204);
    } finally {
      await host.stop();
    }
    expect(ext.stopped).toBe(true);
  });

  it('stops gracefully: finishes in-flight requests, refuses new ones, runs appTerminate, restores the process', async () => {
    const terminateFile = path.join(mkdtempSync(path.join(tmpdir(), 'host-')), 'terminated');
    const requireBefore = (Module.prototype as unknown as { require: unknown }).require;
    const lines: LogRecord[] = [];
    const host = await startHost({
      appRoot,
      port: 0,
      settings: { FIXTURE_TERMINATE_FILE: terminateFile },
      logSink: (r) => lines.push(r),
      logLevel: 'debug',
    });
    expect(process.env.FIXTURE_PLAIN).toBe('plain-fixture-value');
    expect(Object.keys(nativeCache()).some((k) => k.startsWith(appRoot))).toBe(true);
    const inFlight = fetch(`${host.baseUrl}/fx/slow?ms=400`);
    // Stop only once the invocation is running (polled from the host's own log, not guessed with a sleep).
    const deadline = Date.now() + 30_000;
    while (!lines.some((l) => l.message.startsWith("Executing 'Functions.slow'"))) {
      if (Date.now() > deadline) throw new Error('the slow invocation did not start');
      await new Promise((r) => setTimeout(r, 10));
    }
    const stopped = host.stop();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('slow done');
    await stopped;
    await expect(fetch(`${host.baseUrl}/fx/hello`)).rejects.toThrow();
    expect(readFileSync(terminateFile, 'utf8')).toBe('terminated');
    expect(process.env.FIXTURE_PLAIN).toBeUndefined();
    expect(process.env.FIXTURE_TERMINATE_FILE).toBeUndefined();
    expect((Module.prototype as unknown as { require: unknown }).require).toBe(requireBefore);
    expect(Object.keys(nativeCache()).some((k) => k.startsWith(appRoot))).toBe(false);
    expect(Object.keys(nativeCache()).some((k) => k.includes(`${path.sep}@azure${path.sep}functions${path.sep}`))).toBe(
      false,
    );
    expect(lines.map((l) => l.message)).toContain('Host stopped');
  });

  it('loads a fresh copy of the app for every host and supports an entry glob override', async () => {
    const first = await startHost({ appRoot, port: 0, logSink: () => undefined });
    await fetch(`${first.baseUrl}/fx/hello`);
    const s1 = (await (await fetch(`${first.baseUrl}/fx/state`)).json()) as { hookEvents: string[] };
    expect(s1.hookEvents).toContain('pre:hello');
    await first.stop();

    const second = await startHost({
      appRoot,
      port: 0,
      entry: 'src/functions/{http,hooks}.js',
      settings: { 'AzureWebJobs.bytes.Disabled': 'true' },
      logSink: () => undefined,
    });
    try {
      expect((await fetch(`${second.baseUrl}/fx/bytes`)).status).toBe(404); // disabled by app setting
      const status = await fetch(`${second.baseUrl}/admin/host/status`, {
        headers: { 'x-functions-key': second.masterKey },
      });
      expect(await status.json()).toMatchObject({ state: 'Running', id: 'host-app' });
      const s2 = (await (await fetch(`${second.baseUrl}/fx/state`)).json()) as { hookEvents: string[] };
      // Fresh module state: nothing from the first host (the response body is serialized after postInvocation).
      expect(s2.hookEvents).toEqual(['appStart', 'pre:state', 'post:state:ok:number']);
      expect(second.functions.map((f) => f.name)).not.toContain('fakeTriggered');
      expect(second.functions.map((f) => f.name)).toContain('hello');
    } finally {
      await second.stop();
    }
  });

  it('runs two hosts of the same app side by side with separate module state', async () => {
    const a = await startHost({ appRoot, port: 0, logSink: () => undefined });
    const b = await startHost({ appRoot, port: 0, logSink: () => undefined });
    try {
      await fetch(`${a.baseUrl}/fx/hello/a`);
      await fetch(`${a.baseUrl}/fx/hello/a`);
      await fetch(`${b.baseUrl}/fx/hello/b`);
      const count = async (h: typeof a) =>
        ((await (await fetch(`${h.baseUrl}/fx/state`)).json()) as { hookEvents: string[] }).hookEvents.filter(
          (e) => e === 'pre:hello',
        ).length;
      expect(await count(a)).toBe(2);
      expect(await count(b)).toBe(1);
      await a.stop();
      expect((await fetch(`${b.baseUrl}/fx/hello/b`)).status).toBe(200);
      expect(process.env.FIXTURE_PLAIN).toBe('plain-fixture-value'); // b's settings stay while b runs
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('fails to start with a clear error when the entry point matches nothing, leaving no state behind', async () => {
    const requireBefore = (Module.prototype as unknown as { require: unknown }).require;
    await expect(startHost({ appRoot, port: 0, entry: 'dist/nothing/*.js', logSink: () => undefined })).rejects.toThrow(
      /unable to load entry point "dist\/nothing\/\*\.js": Found zero files/,
    );
    expect((Module.prototype as unknown as { require: unknown }).require).toBe(requireBefore);
    expect(process.env.FIXTURE_PLAIN).toBeUndefined();
    expect(existsSync(appRoot)).toBe(true);
  });
});
