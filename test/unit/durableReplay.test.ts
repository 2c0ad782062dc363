import { describe, expect, it } from 'vitest';
import * as df from 'durable-functions';
import { drive, type OrchestratorFn } from '../support/durableMemoryDriver';
import { EventType, events } from '../../local/host/durable/history';
import { parseOrchestratorFailure, triageMessages } from '../../local/host/durable/episode';
import { retryDelayMs } from '../../local/host/durable/actions';

const hello = { Hello: (name: unknown) => `Hello, ${String(name)}!` };
const types = (h: { EventType: EventType }[]) => h.map((e) => EventType[e.EventType]);

const sequence: OrchestratorFn = function* (context) {
  const out = [];
  out.push(yield context.df.callActivity('Hello', 'Tokyo'));
  out.push(yield context.df.callActivity('Hello', 'Seattle'));
  out.push(yield context.df.callActivity('Hello', 'London'));
  return out;
};

describe('durable replay against the durable-functions SDK', () => {
  it('runs SayHelloSequence with DTFx history numbering', async () => {
    const r = await drive(sequence, { activities: hello });
    expect(r.decision.status).toBe('Completed');
    expect(JSON.parse(r.decision.output!)).toEqual(['Hello, Tokyo!', 'Hello, Seattle!', 'Hello, London!']);
    expect(types(r.history).slice(0, 4)).toEqual([
      'OrchestratorStarted',
      'ExecutionStarted',
      'TaskScheduled',
      'OrchestratorCompleted',
    ]);
    const scheduled = r.history.filter((e) => e.EventType === EventType.TaskScheduled);
    expect(scheduled.map((e) => e.EventId)).toEqual([0, 1, 2]);
    expect(scheduled[0].Input).toBe('"Tokyo"');
    expect(r.history.filter((e) => e.EventType === EventType.TaskCompleted).map((e) => e.TaskScheduledId)).toEqual([
      0, 1, 2,
    ]);
    const completed = r.history.find((e) => e.EventType === EventType.ExecutionCompleted)!;
    expect(completed.EventId).toBe(3);
    expect(completed.OrchestrationStatus).toBe('Completed');
  });

  it('fans out and in', async () => {
    const r = await drive(
      function* (context) {
        const files: string[] = yield context.df.callActivity('List');
        const sizes: number[] = yield context.df.Task.all(files.map((f) => context.df.callActivity('Size', f)));
        return sizes.reduce((a, b) => a + b, 0);
      },
      { activities: { List: () => ['a', 'bb', 'ccc'], Size: (f) => String(f).length } },
    );
    expect(JSON.parse(r.decision.output!)).toBe(6);
    expect(r.episodes).toBe(3);
  });

  it('retries an activity: task, timer, task with consecutive ids', async () => {
    let calls = 0;
    const r = await drive(
      function* (context) {
        return yield context.df.callActivityWithRetry('Flaky', new df.RetryOptions(1000, 3), 'x');
      },
      {
        activities: {
          Flaky: () =>
            ++calls < 2
              ? (() => {
                  throw new Error('boom');
                })()
              : 'ok',
        },
      },
    );
    expect(JSON.parse(r.decision.output!)).toBe('ok');
    const work = r.history.filter((e) => [EventType.TaskScheduled, EventType.TimerCreated].includes(e.EventType));
    expect(work.map((e) => [EventType[e.EventType], e.EventId])).toEqual([
      ['TaskScheduled', 0],
      ['TimerCreated', 1],
      ['TaskScheduled', 2],
    ]);
    const timer = r.history.find((e) => e.EventType === EventType.TimerCreated)!;
    const failedAt = r.history.filter((e) => e.EventType === EventType.OrchestratorStarted)[1].Timestamp;
    expect(Date.parse(timer.FireAt!) - Date.parse(failedAt)).toBe(1000);
  });

  it('fails when retries are exhausted', async () => {
    const r = await drive(
      function* (context) {
        return yield context.df.callActivityWithRetry('Broken', new df.RetryOptions(500, 2), null);
      },
      {
        activities: {
          Broken: () => {
            throw new Error('always');
          },
        },
      },
    );
    expect(r.decision.status).toBe('Failed');
    expect(r.activityCalls).toEqual(['Broken', 'Broken']);
    expect(JSON.parse(r.decision.output!)).toMatch(/Orchestrator function 'Orch' failed: .*always/);
  });

  it('lets the orchestrator catch a failed activity', async () => {
    const r = await drive(
      function* (context) {
        try {
          yield context.df.callActivity('Broken');
        } catch {
          return yield context.df.callActivity('Hello', 'caught');
        }
      },
      {
        activities: {
          ...hello,
          Broken: () => {
            throw new Error('x');
          },
        },
      },
    );
    expect(JSON.parse(r.decision.output!)).toBe('Hello, caught!');
  });

  it('detects non-determinism when the code changes between episodes', async () => {
    const r = await drive(sequence, {
      activities: hello,
      swap: {
        fromEpisode: 1,
        fn: function* (context) {
          return yield context.df.callActivity('Goodbye', 'Tokyo');
        },
      },
    });
    expect(r.decision.status).toBe('Failed');
    expect(JSON.parse(r.decision.output!)).toMatch(
      /Non-Deterministic workflow detected: .*'Hello'.*sequence ID 0.*'Goodbye'/,
    );
  });

  it('detects a task missing from the replay', async () => {
    const r = await drive(sequence, {
      activities: hello,
      swap: {
        fromEpisode: 1,
        // eslint-disable-next-line require-yield -- an orchestrator is a generator even when it schedules nothing
        fn: function* () {
          return 'done';
        },
      },
    });
    expect(JSON.parse(r.decision.output!)).toMatch(/Non-Deterministic.*hasn't \(yet\?\) scheduled/);
  });

  it('races a timer against an external event (Task.any)', async () => {
    const wait: OrchestratorFn = function* (context) {
      const deadline = new Date(context.df.currentUtcDateTime.getTime() + 60_000);
      const timer = context.df.createTimer(deadline);
      const approval = context.df.waitForExternalEvent('Approval');
      const winner = yield context.df.Task.any([approval, timer]);
      if (winner === approval) {
        timer.cancel();
        return `approved:${approval.result}`;
      }
      return 'timeout';
    };
    const approved = await drive(wait, { raise: [{ afterEpisode: 0, name: 'Approval', data: 'yes' }] });
    expect(JSON.parse(approved.decision.output!)).toBe('approved:yes');
    const timedOut = await drive(wait);
    expect(JSON.parse(timedOut.decision.output!)).toBe('timeout');
    expect(timedOut.history.filter((e) => e.EventType === EventType.TimerFired)).toHaveLength(1);
  });

  it('continues as new', async () => {
    const r = await drive(
      // eslint-disable-next-line require-yield -- an orchestrator is a generator even when it schedules nothing
      function* (context) {
        const n = (context.df.getInput()?.value ?? 0) + 1;
        context.df.continueAsNew({ value: n });
        return n;
      },
      { input: { value: 4 } },
    );
    expect(r.decision.status).toBe('ContinuedAsNew');
    expect(JSON.parse(r.decision.continueAsNewInput!)).toEqual({ value: 5 });
    expect(r.history.at(-2)!.EventType).toBe(EventType.ContinueAsNew);
  });

  it('runs sub-orchestrations with generated ids and keeps the custom status', async () => {
    const r = await drive(
      function* (context) {
        context.df.setCustomStatus({ step: 1 });
        const a = yield context.df.callSubOrchestrator('Child', 'in');
        const b = yield context.df.callSubOrchestrator('Child', 'again', 'fixed-id');
        return [a, b];
      },
      {
        activities: hello,
        children: {
          Child: function* (context) {
            return yield context.df.callActivity('Hello', context.df.getInput());
          },
        },
      },
    );
    expect(JSON.parse(r.decision.output!)).toEqual(['Hello, in!', 'Hello, again!']);
    expect(JSON.parse(r.decision.customStatus!)).toEqual({ step: 1 });
    const created = r.history.filter((e) => e.EventType === EventType.SubOrchestrationInstanceCreated);
    expect(created.map((e) => [e.EventId, e.InstanceId, e.Input])).toEqual([
      [0, 'inst1:0', '"in"'],
      [1, 'fixed-id', '"again"'],
    ]);
  });

  it('fails an unsupported action (callHttp) with a clear message', async () => {
    const r = await drive(function* (context) {
      return yield context.df.callHttp({ method: 'GET', url: 'http://127.0.0.1:1/' });
    });
    expect(r.decision.status).toBe('Failed');
    expect(JSON.parse(r.decision.output!)).toMatch(/does not support the action CallHttp/);
  });

  it('surfaces an orchestrator exception as Failed', async () => {
    // eslint-disable-next-line require-yield -- an orchestrator is a generator even when it schedules nothing
    const r = await drive(function* () {
      throw new Error('Exception from Orchestrator');
    });
    expect(r.decision.status).toBe('Failed');
    expect(JSON.parse(r.decision.output!)).toBe("Orchestrator function 'Orch' failed: Exception from Orchestrator");
  });
});

describe('durable message triage and helpers', () => {
  const at = new Date('2026-01-01T00:00:00Z');
  const past = [
    events.orchestratorStarted(at),
    events.taskScheduled(at, 0, 'A', null),
    events.taskScheduled(at, 1, 'B', null),
    events.taskCompleted(at, 0, '1'),
  ];

  it('drops duplicate completions and holds back early ones', () => {
    const t = triageMessages(
      past,
      [
        events.taskCompleted(at, 0, '1'),
        events.taskCompleted(at, 1, '2'),
        events.taskCompleted(at, 1, '2'),
        events.taskCompleted(at, 7, '3'),
      ],
      (e) => e,
    );
    expect(t.accepted.map((e) => e.TaskScheduledId)).toEqual([1]);
    expect(t.duplicates).toHaveLength(2);
    expect(t.early.map((e) => e.TaskScheduledId)).toEqual([7]);
  });

  it('computes retry delays with backoff and cap', () => {
    const o = {
      firstRetryIntervalInMilliseconds: 100,
      maxNumberOfAttempts: 5,
      backoffCoefficient: 2,
      maxRetryIntervalInMilliseconds: 300,
    };
    expect([1, 2, 3].map((n) => retryDelayMs(o, n))).toEqual([100, 200, 300]);
  });

  it('parses the SDK failure payload', () => {
    const p = parseOrchestratorFailure('boom\n\n$OutOfProcData$:{"isDone":false,"actions":[[]],"customStatus":"x"}');
    expect(p.error).toBe('boom');
    expect(p.state?.customStatus).toBe('x');
  });
});
