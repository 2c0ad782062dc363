/** The Durable HTTP management API and the durableClient binding, through raw HTTP and the package's DurableClient. */
import { describe, expect, it } from 'vitest';
import { useDurableHost, type Status } from '../support/durableHost';

describe('Durable management API', () => {
  const host = useDurableHost();
  const hook = () => `${host().host.baseUrl}/runtime/webhooks/durabletask`;
  const key = () => `code=${encodeURIComponent(host().host.systemKey)}`;

  it('createCheckStatusResponse URLs point at this host and carry the system key', async () => {
    const m = await host().start('SayHelloWithActivity', 'Ada', 'mgmt-urls');
    expect(m.id).toBe('mgmt-urls');
    for (const url of [
      m.statusQueryGetUri,
      m.sendEventPostUri,
      m.terminatePostUri,
      m.purgeHistoryDeleteUri,
      m.suspendPostUri,
      m.resumePostUri,
    ]) {
      expect(url.startsWith(`${hook()}/instances/mgmt-urls`)).toBe(true);
      expect(url).toContain('taskHub=FixtureHub');
      expect(url).toContain(key());
    }
    const s = await host().waitFor(m);
    expect(s.output).toBe('Hello, Ada!');
  });

  it('requires the system key (401 without it)', async () => {
    expect((await fetch(`${hook()}/instances/mgmt-urls`)).status).toBe(401);
    expect((await fetch(`${hook()}/instances/mgmt-urls?code=wrong`)).status).toBe(401);
    expect((await fetch(`${hook()}/instances/mgmt-urls?${key()}`)).status).toBe(200);
  });

  it('starts through the webhook with and without an instance id; 409 for a running duplicate; 400 for unknown orchestrators', async () => {
    const a = await fetch(`${hook()}/orchestrators/WaitForExternalEvent/dup-1?${key()}`, { method: 'POST' });
    expect(a.status).toBe(202);
    expect(a.headers.get('location')).toContain('/instances/dup-1');
    const again = await fetch(`${hook()}/orchestrators/WaitForExternalEvent/dup-1?${key()}`, { method: 'POST' });
    expect(again.status).toBe(409);
    const anon = await fetch(`${hook()}/orchestrators/SayHelloInline?${key()}`, { method: 'POST', body: '"Bob"' });
    expect(anon.status).toBe(202);
    const body = (await anon.json()) as { id: string };
    expect(body.id).toMatch(/^[0-9a-f]{32}$/);
    expect((await fetch(`${hook()}/orchestrators/Hello?${key()}`, { method: 'POST' })).status).toBe(400);
    expect((await fetch(`${hook()}/instances/nope?${key()}`)).status).toBe(404);
  });

  it('status: 202 while running, showInput=false hides the input, history with and without outputs', async () => {
    const running = await fetch(`${hook()}/instances/dup-1?${key()}`);
    expect(running.status).toBe(202);
    const noInput = (await (await fetch(`${hook()}/instances/mgmt-urls?${key()}&showInput=false`)).json()) as Status;
    expect(noInput.input).toBeNull();
    const plain = (await (await fetch(`${hook()}/instances/mgmt-urls?${key()}&showHistory=true`)).json()) as Status;
    expect(plain.historyEvents!.map((e) => e.EventType)).toEqual([
      'ExecutionStarted',
      'TaskCompleted',
      'ExecutionCompleted',
    ]);
    expect(plain.historyEvents![1].Result).toBeUndefined();
    const full = (await (
      await fetch(`${hook()}/instances/mgmt-urls?${key()}&showHistory=true&showHistoryOutput=true`)
    ).json()) as Status;
    expect(full.historyEvents![1]).toMatchObject({
      EventType: 'TaskCompleted',
      FunctionName: 'Hello',
      Result: 'Hello, Ada!',
    });
    const viaClient = await host().client('status', { id: 'mgmt-urls' });
    expect(viaClient.body).toMatchObject({
      name: 'SayHelloWithActivity',
      runtimeStatus: 'Completed',
      input: 'Ada',
      output: 'Hello, Ada!',
    });
  });

  it('terminate, suspend and resume through the DurableClient', async () => {
    const m = await host().start('WaitForExternalEvent', undefined, 'to-suspend');
    await host().waitFor(m, (s) => s.runtimeStatus === 'Running');
    expect((await host().client('suspend', { id: m.id, reason: 'pause' })).status).toBe(202);
    await host().waitFor(m, (s) => s.runtimeStatus === 'Suspended');
    expect((await host().client('raise', { id: m.id, name: 'start', data: 'Sue' })).status).toBe(202);
    await new Promise((r) => setTimeout(r, 200));
    expect((await host().status(m)).runtimeStatus).toBe('Suspended');
    expect((await host().client('resume', { id: m.id, reason: 'go' })).status).toBe(202);
    const done = await host().waitFor(m);
    expect(done.output).toBe('Hello, Sue!');
    expect(done.historyEvents!.map((e) => e.EventType)).toEqual(
      expect.arrayContaining(['ExecutionSuspended', 'ExecutionResumed', 'EventRaised']),
    );

    const k = await host().start('WaitForExternalEvent', undefined, 'to-kill');
    await host().waitFor(k, (s) => s.runtimeStatus === 'Running');
    expect((await host().client('terminate', { id: k.id, reason: 'no longer needed' })).status).toBe(202);
    const killed = await host().waitFor(k);
    expect(killed.runtimeStatus).toBe('Terminated');
    expect(killed.output).toBe('no longer needed');
    expect((await fetch(k.terminatePostUri.replace('{text}', 'again'), { method: 'POST' })).status).toBe(410);
  });

  it('restarts a finished instance with the same or a new id', async () => {
    const same = await fetch(`${hook()}/instances/mgmt-urls/restart?${key()}&restartWithNewInstanceId=false`, {
      method: 'POST',
    });
    expect(same.status).toBe(202);
    const again = await host().waitFor((await same.json()) as never);
    expect(again).toMatchObject({ instanceId: 'mgmt-urls', runtimeStatus: 'Completed', output: 'Hello, Ada!' });
    const fresh = await fetch(`${hook()}/instances/mgmt-urls/restart?${key()}`, { method: 'POST' });
    const m = (await fresh.json()) as { id: string };
    expect(m.id).not.toBe('mgmt-urls');
    expect((await host().waitFor(m as never)).output).toBe('Hello, Ada!');
    expect((await fetch(`${hook()}/instances/to-kill/rewind?${key()}`, { method: 'POST' })).status).toBe(501);
  });

  it('waitForCompletionOrCreateCheckStatusResponse returns the output', async () => {
    const m = await host().start('SayHelloInline', 'Wait');
    const r = await host().client('wait', { id: m.id });
    expect(r.status).toBe(200);
    expect(r.body).toBe('Hello, Wait!');
  });

  it('lists instances with filters and follows the continuation token', async () => {
    const from = new Date(Date.now() - 1000);
    for (let i = 0; i < 5; i++) await host().waitFor(await host().start('SayHelloInline', i, `list-${i}`));
    const page = await fetch(`${hook()}/instances/?${key()}&instanceIdPrefix=list-&top=2`);
    expect(page.status).toBe(200);
    expect(((await page.json()) as unknown[]).length).toBe(2);
    const token = page.headers.get('x-ms-continuation-token');
    expect(token).toBeTruthy();
    const next = await fetch(`${hook()}/instances/?${key()}&instanceIdPrefix=list-&top=2`, {
      headers: { 'x-ms-continuation-token': token! },
    });
    expect(((await next.json()) as unknown[]).length).toBe(2);
    const viaClient = await host().client('statusBy', {
      createdTimeFrom: from.toISOString(),
      runtimeStatus: ['Completed'],
    });
    const ids = (viaClient.body as Status[]).map((s) => s.instanceId);
    expect(ids).toEqual(expect.arrayContaining(['list-0', 'list-1', 'list-2', 'list-3', 'list-4']));
    const running = await host().client('statusBy', { runtimeStatus: ['Running'] });
    expect((running.body as Status[]).every((s) => s.runtimeStatus === 'Running')).toBe(true);
    const future = await fetch(
      `${hook()}/instances/?${key()}&createdTimeFrom=${new Date(Date.now() + 60_000).toISOString()}`,
    );
    expect(await future.json()).toEqual([]);
  });

  it('purges one instance and by filter', async () => {
    const one = await host().client('purge', { id: 'list-0' });
    expect(one.body).toEqual({ instancesDeleted: 1 });
    expect((await fetch(`${hook()}/instances/list-0?${key()}`)).status).toBe(404);
    const none = await host().client('purge', { id: 'list-0' });
    expect(none.body).toEqual({ instancesDeleted: 0 });
    const del = await fetch(`${hook()}/instances/?${key()}&instanceIdPrefix=list-&runtimeStatus=Completed`, {
      method: 'DELETE',
    });
    expect(await del.json()).toEqual({ instancesDeleted: 4 });
    const left = await fetch(`${hook()}/instances/?${key()}&instanceIdPrefix=list-`);
    expect(await left.json()).toEqual([]);
  });

  it('logs the orchestration lifecycle', async () => {
    const lines = host().host.logs.map((l) => l.message);
    expect(lines.some((l) => /mgmt-urls: Function 'SayHelloWithActivity \(Orchestrator\)' started/.test(l))).toBe(true);
    expect(lines.some((l) => /mgmt-urls: Function 'SayHelloWithActivity \(Orchestrator\)' completed/.test(l))).toBe(
      true,
    );
    expect(lines.some((l) => /to-kill: Function 'WaitForExternalEvent \(Orchestrator\)' was terminated/.test(l))).toBe(
      true,
    );
    expect(lines.some((l) => l.includes('Ada'))).toBe(false);
  });
});
