/** An orchestrator whose code path changes between episodes fails with the extension's non-determinism error. */
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureState, useDurableHost } from '../support/durableHost';

describe('Durable non-determinism', () => {
  const host = useDurableHost();
  afterAll(() => {
    fixtureState().flip = false;
  });

  it('fails the instance when a replay schedules a different activity at the same sequence number', async () => {
    fixtureState().flip = false;
    const m = await host().start('Flipper', undefined, 'flip-1');
    await host().waitFor(m, (s) => (s.historyEvents ?? []).some((e) => e.EventType === 'TaskCompleted'));
    fixtureState().flip = true; // the orchestrator now calls 'Noop' where history says 'Hello'
    expect((await host().client('raise', { id: m.id, name: 'go', data: null })).status).toBe(202);
    const s = await host().waitFor(m);
    expect(s.runtimeStatus).toBe('Failed');
    expect(String(s.output)).toMatch(
      /^Orchestrator function 'Flipper' failed: Non-Deterministic workflow detected: A previous execution of this orchestration scheduled an activity task named 'Hello' with sequence ID 0, but the current replay execution instead scheduled an activity task named 'Noop'/,
    );
    expect(
      host().host.logs.some(
        (l) =>
          l.message.includes("flip-1: Function 'Flipper (Orchestrator)' failed") &&
          l.message.includes('Non-Deterministic'),
      ),
    ).toBe(true);
  });

  it('runs the same orchestrator to completion when the code does not change', async () => {
    fixtureState().flip = false;
    const m = await host().start('Flipper', undefined, 'flip-2');
    await host().waitFor(m, (s) => (s.historyEvents ?? []).some((e) => e.EventType === 'TaskCompleted'));
    await host().client('raise', { id: m.id, name: 'go', data: null });
    expect((await host().waitFor(m)).output).toBe('done');
  });
});
