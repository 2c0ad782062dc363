/**
 * Conformance: the orchestration scenarios of azure-functions-durable-js test/testobjects (TestOrchestrations.ts,
 * TestHistories.ts), run end to end on the local host + Durable engine against Azurite.
 */
import { describe, expect, it } from 'vitest';
import { fixtureState, useDurableHost } from '../support/durableHost';

const types = (h: Array<Record<string, unknown>> | undefined) => (h ?? []).map((e) => e.EventType);

describe('Durable conformance (durable-functions test orchestrations)', () => {
  const host = useDurableHost();

  it('SayHelloSequence: three activities in order', async () => {
    const m = await host().start('SayHelloSequence');
    const s = await host().waitFor(m);
    expect(s.runtimeStatus).toBe('Completed');
    expect(s.output).toEqual(['Hello, Tokyo!', 'Hello, Seattle!', 'Hello, London!']);
    expect(types(s.historyEvents)).toEqual([
      'ExecutionStarted',
      'TaskCompleted',
      'TaskCompleted',
      'TaskCompleted',
      'ExecutionCompleted',
    ]);
    expect(s.historyEvents!.slice(1, 4).map((e) => e.Result)).toEqual([
      'Hello, Tokyo!',
      'Hello, Seattle!',
      'Hello, London!',
    ]);
    expect(s.historyEvents![1].FunctionName).toBe('Hello');
  });

  it('CallActivityNoInput and SayHelloInline', async () => {
    expect((await host().waitFor(await host().start('CallActivityNoInput'))).output).toBe(4);
    const inline = await host().waitFor(await host().start('SayHelloInline', 'World'));
    expect(inline.output).toBe('Hello, World!');
    expect(inline.input).toBe('World');
  });

  it('FanOutFanInDiskUsage: Task.all over activities', async () => {
    const s = await host().waitFor(await host().start('FanOutFanInDiskUsage', 'C:/dev'));
    expect(s.runtimeStatus).toBe('Completed');
    expect(s.output).toBe('C:/dev/a'.length + 'C:/dev/bb'.length + 'C:/dev/ccc'.length);
    expect(types(s.historyEvents).filter((x) => x === 'TaskCompleted')).toHaveLength(4);
  });

  it('AnyAOrB: Task.any returns the first finished task', async () => {
    const s = await host().waitFor(await host().start('AnyAOrB'));
    expect(['Hello, A!', 'Hello, B!']).toContain(s.output);
  });

  it('callActivityWithRetry succeeds after failures (task, timer, task in history)', async () => {
    const s = await host().waitFor(
      await host().start('SayHelloWithActivityRetry', { key: 'retry-ok', failTimes: 2, attempts: 3 }),
    );
    expect(s.runtimeStatus).toBe('Completed');
    expect(s.output).toBe('retry-ok ok after 3');
    expect(types(s.historyEvents)).toEqual([
      'ExecutionStarted',
      'TaskFailed',
      'TimerCreated',
      'TimerFired',
      'TaskFailed',
      'TimerCreated',
      'TimerFired',
      'TaskCompleted',
      'ExecutionCompleted',
    ]);
    expect(String(s.historyEvents![1].Reason)).toContain('flaky failure 1 of retry-ok');
  });

  it('callActivityWithRetry fails once the attempts are exhausted', async () => {
    const s = await host().waitFor(
      await host().start('SayHelloWithActivityRetry', { key: 'retry-no', failTimes: 5, attempts: 2 }),
    );
    expect(s.runtimeStatus).toBe('Failed');
    expect(String(s.output)).toMatch(
      /Orchestrator function 'SayHelloWithActivityRetry' failed: .*flaky failure 2 of retry-no/,
    );
    expect(fixtureState().flakyFailures['retry-no']).toBe(2);
  });

  it('SayHelloWithActivityRetryFanout: retries inside Task.all', async () => {
    const s = await host().waitFor(await host().start('SayHelloWithActivityRetryFanout', { prefix: 'fan' }));
    expect(s.output).toEqual(['fan-Tokyo ok after 2', 'fan-Seattle ok after 3']);
  });

  it('SayHelloWithCustomStatus keeps the last custom status', async () => {
    const s = await host().waitFor(await host().start('SayHelloWithCustomStatus'));
    expect(s.output).toEqual(['Hello, Tokyo!', 'Hello, Seattle!', 'Hello, London!']);
    expect(s.customStatus).toBe('London');
  });

  it('SayHelloWithSubOrchestrator with an explicit child id', async () => {
    const m = await host().start('SayHelloWithSubOrchestrator', 'World', 'parent-1');
    const s = await host().waitFor(m);
    expect(s.output).toBe('Hello, World!');
    const sub = s.historyEvents!.find((e) => e.EventType === 'SubOrchestrationInstanceCompleted')!;
    expect(sub.FunctionName).toBe('SayHelloWithActivity');
    expect(sub.InstanceId).toBe('parent-1:0');
    const child = await host().status(m.statusQueryGetUri.replace('parent-1', encodeURIComponent('parent-1:0')));
    expect(child.runtimeStatus).toBe('Completed');
  });

  it('MultipleSubOrchestratorNoSubId: generated child ids', async () => {
    const s = await host().waitFor(await host().start('MultipleSubOrchestratorNoSubId', 'x', 'multi'));
    expect(s.output).toEqual([
      'Hello, x_SayHelloWithActivity_0!',
      'Hello, x_SayHelloInline_1!',
      'Hello, x_SayHelloWithActivity_2!',
      'Hello, x_SayHelloInline_3!',
    ]);
    const ids = s
      .historyEvents!.filter((e) => e.EventType === 'SubOrchestrationInstanceCompleted')
      .map((e) => e.InstanceId);
    expect(new Set(ids).size).toBe(4);
  });

  it('callSubOrchestratorWithRetry: retries a failing child, and fails when exhausted', async () => {
    const ok = await host().waitFor(
      await host().start('SayHelloWithSubOrchestratorRetry', { key: 'child-ok', failTimes: 1, attempts: 2 }),
    );
    expect(ok.runtimeStatus).toBe('Completed');
    expect(ok.output).toBe('child-ok ok after 2');
    expect(types(ok.historyEvents)).toContain('SubOrchestrationInstanceFailed');
    const bad = await host().waitFor(
      await host().start('SayHelloWithSubOrchestratorRetry', { key: 'child-bad', failTimes: 9, attempts: 2 }),
    );
    expect(bad.runtimeStatus).toBe('Failed');
    expect(String(bad.output)).toContain('flaky failure 2 of child-bad');
  });

  it('WaitOnTimer: a durable timer', async () => {
    const began = Date.now();
    const s = await host().waitFor(await host().start('WaitOnTimer', { ms: 1200 }));
    expect(s.output).toBe('Timer fired!');
    expect(Date.now() - began).toBeGreaterThanOrEqual(1100);
    expect(types(s.historyEvents)).toEqual(['ExecutionStarted', 'TimerCreated', 'TimerFired', 'ExecutionCompleted']);
  });

  it('WaitForExternalEvent: raised through the DurableClient', async () => {
    const m = await host().start('WaitForExternalEvent');
    await host().waitFor(m, (s) => s.runtimeStatus === 'Running');
    const r = await host().client('raise', { id: m.id, name: 'start', data: 'Ada' });
    expect(r.status).toBe(202);
    const s = await host().waitFor(m);
    expect(s.output).toBe('Hello, Ada!');
    expect(s.historyEvents!.find((e) => e.EventType === 'EventRaised')).toMatchObject({ Name: 'start', Input: 'Ada' });
  });

  it('AnyWithTaskSet: events win the race against the timer, or the timer wins', async () => {
    const m = await host().start('AnyWithTaskSet', { timeoutMs: 60_000 });
    await host().waitFor(m, (s) => s.runtimeStatus === 'Running');
    for (const name of ['firstRequiredEvent', 'secondRequiredEvent']) {
      const res = await fetch(m.sendEventPostUri.replace('{eventName}', name), {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(202);
    }
    expect((await host().waitFor(m)).output).toEqual(['Hello, Tokyo!']);
    const late = await host().waitFor(await host().start('AnyWithTaskSet', { timeoutMs: 300 }));
    expect(late.output).toEqual(['timeout']);
  });

  it('ContinueAsNewCounter: continueAsNew restarts with the new input', async () => {
    const s = await host().waitFor(await host().start('ContinueAsNewCounter', { value: 0 }));
    expect(s.runtimeStatus).toBe('Completed');
    expect(s.output).toEqual({ final: 3 });
    expect(s.input).toEqual({ value: 2 });
    expect(s.customStatus).toEqual({ value: 3 });
    expect(types(s.historyEvents)).toEqual(['ExecutionStarted', 'ExecutionCompleted']);
  });

  it('ThrowsExceptionFromActivity fails the orchestration; WithCatch recovers', async () => {
    const failed = await host().waitFor(await host().start('ThrowsExceptionFromActivity'));
    expect(failed.runtimeStatus).toBe('Failed');
    expect(String(failed.output)).toMatch(
      /Orchestrator function 'ThrowsExceptionFromActivity' failed: .*Activity error/,
    );
    const caught = await host().waitFor(await host().start('ThrowsExceptionFromActivityWithCatch', 'World'));
    expect(caught.runtimeStatus).toBe('Completed');
    expect(caught.output).toBe('Hello, World!');
  });

  it('ThrowsExceptionInline fails with the orchestrator message', async () => {
    const s = await host().waitFor(await host().start('ThrowsExceptionInline'));
    expect(s.runtimeStatus).toBe('Failed');
    expect(s.output).toBe("Orchestrator function 'ThrowsExceptionInline' failed: Exception from Orchestrator");
    expect(s.historyEvents!.at(-1)).toMatchObject({ EventType: 'ExecutionCompleted', OrchestrationStatus: 'Failed' });
  });

  it('GuidGenerator: newGuid is deterministic across replays', async () => {
    const s = await host().waitFor(await host().start('GuidGenerator'));
    const guids = s.output as string[];
    expect(guids).toHaveLength(6);
    expect(new Set(guids).size).toBe(6);
  });

  it('honours host.json maxConcurrentActivityFunctions (8)', async () => {
    const s = await host().waitFor(await host().start('OverlapFanOut', { n: 24, ms: 40 }));
    expect(s.output).toBe(24);
    const overlap = (fixtureState() as unknown as { overlap: { max: number } }).overlap;
    expect(overlap.max).toBeGreaterThan(1);
    expect(overlap.max).toBeLessThanOrEqual(8);
  });
});
