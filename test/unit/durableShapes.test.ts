import { describe, expect, it } from 'vitest';
import { EventType, events } from '../../local/host/durable/history';
import { clientBindingData, friendlyHistory, managementPayload, statusJson } from '../../local/host/durable/status';
import { resolveSettings, timeSpanMs } from '../../local/host/durable';
import { triggerPayload } from '../../local/host/durable/episode';
import type { InstanceRecord } from '../../local/host/durable/store';
import { activityFailedEvent, batchActivities, typedDataToJson } from '../../local/host/durable/messages';

const at = new Date('2026-02-03T04:05:06.000Z');

describe('durable wire shapes', () => {
  it('history events use PascalCase, numeric EventType and -1 for non-scheduling events', () => {
    expect(events.taskScheduled(at, 3, 'Hello', '"x"')).toEqual({
      EventType: 4,
      EventId: 3,
      IsPlayed: false,
      Timestamp: '2026-02-03T04:05:06.000Z',
      Name: 'Hello',
      Version: '',
      Input: '"x"',
    });
    expect(events.taskCompleted(at, 3, '1')).toMatchObject({
      EventType: EventType.TaskCompleted,
      EventId: -1,
      TaskScheduledId: 3,
      Result: '1',
    });
    expect(events.timerFired(at, 4, 'f')).toMatchObject({ EventType: 11, EventId: -1, TimerId: 4, FireAt: 'f' });
  });

  it('the trigger payload carries played past events, fresh ones and the timer settings', () => {
    const id = { instanceId: 'i', executionId: 'e', name: 'O', input: '{"a":1}', parentInstanceId: 'p' };
    const p = triggerPayload(
      id,
      [events.orchestratorStarted(at)],
      [events.orchestratorStarted(at), events.eventRaised(at, 'n', null)],
    ) as {
      history: Array<{ IsPlayed: boolean }>;
      input: unknown;
      isReplaying: boolean;
      parentInstanceId: string;
      upperSchemaVersion: number;
      maximumShortTimerDuration: string;
    };
    expect(p.history.map((e) => e.IsPlayed)).toEqual([true, false, false]);
    expect(p.input).toEqual({ a: 1 });
    expect(p.isReplaying).toBe(true);
    expect(p.parentInstanceId).toBe('p');
    expect(p.upperSchemaVersion).toBe(2);
    expect(p.maximumShortTimerDuration).toBe('6.00:00:00');
  });

  it('client binding data has the extension URL templates with the system key', () => {
    const c = clientBindingData('http://127.0.0.1:9999', 'Hub', 'KEY');
    expect(c.taskHubName).toBe('Hub');
    expect(c.creationUrls.createNewInstancePostUri).toBe(
      'http://127.0.0.1:9999/runtime/webhooks/durabletask/orchestrators/{functionName}[/{instanceId}]?code=KEY',
    );
    expect(c.managementUrls.statusQueryGetUri).toBe(
      'http://127.0.0.1:9999/runtime/webhooks/durabletask/instances/INSTANCEID?taskHub=Hub&connection=Storage&code=KEY',
    );
    expect(c.managementUrls.sendEventPostUri).toContain('/instances/INSTANCEID/raiseEvent/{eventName}?');
    expect(c.requiredQueryStringParameters).toBe('code=KEY');
    expect(managementPayload('http://h', 'Hub', 'K', 'a:b').statusQueryGetUri).toBe(
      'http://h/runtime/webhooks/durabletask/instances/a%3Ab?taskHub=Hub&connection=Storage&code=K',
    );
  });

  it('friendly history folds TaskScheduled into its completion', () => {
    const h = [
      events.orchestratorStarted(at),
      events.executionStarted(at, { name: 'O', instanceId: 'i', executionId: 'e', input: '"in"' }),
      events.taskScheduled(at, 0, 'Hello', '"x"'),
      events.orchestratorCompleted(at),
      events.orchestratorStarted(at),
      events.taskCompleted(at, 0, '"Hello x"'),
      events.executionCompleted(at, 1, 'Completed', '"done"'),
      events.orchestratorCompleted(at),
    ];
    expect(friendlyHistory(h, true)).toEqual([
      { EventType: 'ExecutionStarted', Timestamp: at.toISOString(), FunctionName: 'O', Input: 'in' },
      {
        EventType: 'TaskCompleted',
        Timestamp: at.toISOString(),
        FunctionName: 'Hello',
        ScheduledTime: at.toISOString(),
        TaskScheduledId: 0,
        Result: 'Hello x',
      },
      {
        EventType: 'ExecutionCompleted',
        Timestamp: at.toISOString(),
        OrchestrationStatus: 'Completed',
        Result: 'done',
      },
    ]);
    expect(friendlyHistory(h, false)[1].Result).toBeUndefined();
  });

  it('status JSON parses stored JSON text', () => {
    const r: InstanceRecord = {
      instanceId: 'i',
      name: 'O',
      status: 'Completed',
      executionId: 'e',
      input: '{"a":1}',
      output: '"x"',
      customStatus: null,
      createdTime: 'c',
      lastUpdatedTime: 'u',
      episodes: 2,
    };
    expect(statusJson(r)).toEqual({
      name: 'O',
      instanceId: 'i',
      runtimeStatus: 'Completed',
      input: { a: 1 },
      customStatus: null,
      output: 'x',
      createdTime: 'c',
      lastUpdatedTime: 'u',
    });
    expect(statusJson(r, { showInput: false }).input).toBeNull();
  });

  it('reads durableTask settings from host.json', () => {
    expect(timeSpanMs('00:00:03')).toBe(3000);
    expect(timeSpanMs('1.00:00:00.5')).toBe(86_400_500);
    expect(timeSpanMs('bogus')).toBeUndefined();
    const s = resolveSettings(
      {
        hostJson: {
          extensions: {
            durableTask: {
              hubName: 'H',
              maxConcurrentActivityFunctions: 3,
              storageProvider: { controlQueueVisibilityTimeout: '00:00:07' },
            },
          },
        },
      },
      {},
      2,
    );
    expect(s).toMatchObject({
      hubName: 'H',
      leaseSeconds: 7,
      maxConcurrentActivityFunctions: 3,
      maxConcurrentOrchestratorFunctions: 20,
    });
    expect(resolveSettings({ hostJson: {} }, { hubName: 'X' }, 2).hubName).toBe('X');
    expect(resolveSettings({ hostJson: {} }, {}, 2).hubName).toBe('TestHubName');
  });

  it('packs activities into work batches of at most 100 items and bounded size', () => {
    const small = Array.from({ length: 250 }, (_, id) => ({ id, name: 'A', input: '1' }));
    expect(batchActivities(small).map((b) => b.length)).toEqual([100, 100, 50]);
    const big = Array.from({ length: 3 }, (_, id) => ({ id, name: 'A', input: 'x'.repeat(20_000) }));
    expect(batchActivities(big).map((b) => b.map((i) => i.id))).toEqual([[0], [1], [2]]);
    expect(batchActivities([])).toEqual([]);
  });

  it('turns invocation results and errors into history payloads', () => {
    expect(typedDataToJson({ string: 'hi' })).toBe('"hi"');
    expect(typedDataToJson({ json: '{"a":1}' })).toBe('{"a":1}');
    expect(typedDataToJson({ int: 4 })).toBe('4');
    expect(typedDataToJson(undefined)).toBe('null');
    const plain = activityFailedEvent(
      at,
      { id: 2, name: 'Act', input: null },
      Object.assign(new Error('boom'), { userStack: 'Error: boom\n  at x' }),
    );
    expect(plain).toMatchObject({
      EventType: EventType.TaskFailed,
      TaskScheduledId: 2,
      Reason: "Activity function 'Act' failed: boom",
      Details: 'Error: boom\n  at x',
    });
    expect(plain.FailureDetails).toBeUndefined();
    const detailed = activityFailedEvent(
      at,
      { id: 3, name: 'Act', input: null },
      new Error(
        JSON.stringify({ errorType: 'RangeError', errorMessage: 'bad', isNonRetriable: true, properties: { code: 7 } }),
      ),
    );
    expect(detailed.FailureDetails).toEqual({
      ErrorType: 'RangeError',
      ErrorMessage: 'bad',
      StackTrace: undefined,
      IsNonRetriable: true,
      Properties: { code: 7 },
    });
    expect(detailed.Reason).toBe("Activity function 'Act' failed: RangeError: bad");
  });
});
