/**
 * The extension's half of an orchestration episode, as a pure function: replays the SDK's actions against the
 * history the way DTFx does (sequence numbers allocated in the order the SDK allocates them, retries as
 * task → timer → task…), checks that the replay matches the work recorded in history (non-determinism), and
 * returns the new history events and the work to dispatch.
 */
import {
  ActionType,
  preSerializedInputJson,
  plainInputJson,
  retryDelayMs,
  type ActionDto,
  type RetryOptionsDto,
} from './actions';
import { EventType, SCHEDULING_EVENTS, completedId, events, type HistoryEvent } from './history';

export type ScheduledWork =
  | { kind: 'activity'; id: number; name: string; input: string | null }
  | { kind: 'timer'; id: number; fireAt: string }
  | { kind: 'subOrchestration'; id: number; name: string; instanceId: string; input: string | null };

export interface ReplayInput {
  instanceId: string;
  /** The whole history of the execution including this episode's new events. */
  history: readonly HistoryEvent[];
  /** Top-level actions as returned by the SDK (state.actions[0] for schema ≥ V3). */
  actions: readonly ActionDto[];
  now: Date;
}

export interface ReplayResult {
  /** Scheduling events for work first requested in this episode (in sequence order). */
  newEvents: HistoryEvent[];
  work: ScheduledWork[];
  /** Set when the orchestrator called continueAsNew (JSON text of the new input). */
  continueAsNewInput?: string | null;
  /** Next free sequence number (used for ExecutionCompleted / ContinueAsNew). */
  nextId: number;
}

export class NonDeterminismError extends Error {
  constructor(detail: string) {
    super(`Non-Deterministic workflow detected: ${detail}`);
    this.name = 'NonDeterministicOrchestrationException';
  }
}

export class UnsupportedActionError extends Error {}

type Settle = (ok: boolean) => void;
interface SimNode {
  start(settle: Settle): void;
}

const KIND_LABEL: Record<number, string> = {
  [EventType.TaskScheduled]: 'an activity task',
  [EventType.TimerCreated]: 'a durable timer',
  [EventType.SubOrchestrationInstanceCreated]: 'a sub-orchestration',
  [EventType.EventSent]: 'an event',
};

function describe(type: EventType, name?: string): string {
  return `${KIND_LABEL[type] ?? EventType[type]}${name ? ` named '${name}'` : ''}`;
}

/** One replay of the actions against the history. */
class Replayer {
  private counter = 0;
  private currentTime: Date;
  private readonly recorded = new Map<number, HistoryEvent>();
  private readonly matched = new Set<number>();
  private readonly waiters = new Map<number, (e: HistoryEvent) => void>();
  private readonly deferred = new Map<number, HistoryEvent>();
  private readonly eventWaiters = new Map<string, Array<(e: HistoryEvent) => void>>();
  private readonly eventBuffer = new Map<string, HistoryEvent[]>();
  readonly result: ReplayResult = { newEvents: [], work: [], nextId: 0 };
  private cursor = 0;
  private started = false;
  private readonly top: SimNode[];

  constructor(private readonly input: ReplayInput) {
    this.currentTime = input.now;
    for (const e of input.history) {
      if (SCHEDULING_EVENTS.has(e.EventType) && e.EventId >= 0) this.recorded.set(e.EventId, e);
    }
    this.top = input.actions.map((a) => this.build(a));
  }

  run(): ReplayResult {
    for (const e of this.input.history) this.process(e);
    if (!this.started) this.advance();
    for (const [id, e] of this.recorded) {
      if (!this.matched.has(id)) {
        throw new NonDeterminismError(
          `A previous execution of this orchestration scheduled ${describe(e.EventType, e.Name)} with sequence ID ${id}, ` +
            `but the current replay execution hasn't (yet?) scheduled this task. ` +
            `Was a change made to the orchestrator code after this instance had already started running?`,
        );
      }
    }
    this.result.nextId = this.counter;
    return this.result;
  }

  private process(e: HistoryEvent): void {
    switch (e.EventType) {
      case EventType.OrchestratorStarted:
        this.currentTime = new Date(e.Timestamp);
        return;
      case EventType.ExecutionStarted:
        this.started = true;
        this.advance();
        return;
      case EventType.EventRaised: {
        const name = e.Name ?? '';
        const list = this.eventWaiters.get(name);
        const waiter = list?.pop();
        if (waiter) waiter(e);
        else this.eventBuffer.set(name, [...(this.eventBuffer.get(name) ?? []), e]);
        return;
      }
      default: {
        const id = completedId(e);
        if (id === undefined) return;
        const waiter = this.waiters.get(id);
        if (waiter) {
          this.waiters.delete(id);
          waiter(e);
        } else if (!this.deferred.has(id)) {
          this.deferred.set(id, e);
        }
      }
    }
  }

  /** Starts top-level actions one after the other, each once the previous one settled (the SDK yields in order). */
  private advance(): void {
    while (this.cursor < this.top.length) {
      const node = this.top[this.cursor];
      let settled = false;
      let resumed = false;
      node.start(() => {
        settled = true;
        if (resumed) {
          this.cursor++;
          this.advance();
        }
      });
      if (!settled) {
        resumed = true;
        return;
      }
      this.cursor++;
    }
  }

  private allocate(
    type: EventType,
    name: string | undefined,
    create: (id: number) => HistoryEvent,
    work?: (id: number) => ScheduledWork,
  ): number {
    const id = this.counter++;
    const previous = this.recorded.get(id);
    if (previous) {
      if (previous.EventType !== type || (name !== undefined && previous.Name !== name)) {
        throw new NonDeterminismError(
          `A previous execution of this orchestration scheduled ${describe(previous.EventType, previous.Name)} with sequence ID ${id}, ` +
            `but the current replay execution instead scheduled ${describe(type, name)}. ` +
            `Was a change made to the orchestrator code after this instance had already started running?`,
        );
      }
      this.matched.add(id);
    } else {
      this.result.newEvents.push(create(id));
      if (work) this.result.work.push(work(id));
    }
    return id;
  }

  private awaitId(id: number, handler: (e: HistoryEvent) => void): void {
    const early = this.deferred.get(id);
    if (early) {
      this.deferred.delete(id);
      handler(early);
    } else {
      this.waiters.set(id, handler);
    }
  }

  private leaf(action: ActionDto): (settle: Settle) => void {
    const name = action.functionName ?? '';
    const now = this.input.now;
    switch (action.actionType) {
      case ActionType.CallActivity:
      case ActionType.CallActivityWithRetry:
        return (settle) => {
          const input = preSerializedInputJson(action.input);
          const id = this.allocate(
            EventType.TaskScheduled,
            name,
            (i) => events.taskScheduled(now, i, name, input),
            (i) => ({ kind: 'activity', id: i, name, input }),
          );
          this.awaitId(id, (e) => settle(e.EventType === EventType.TaskCompleted));
        };
      case ActionType.CallSubOrchestrator:
      case ActionType.CallSubOrchestratorWithRetry:
        return (settle) => {
          const input = plainInputJson(action.input);
          let childId = '';
          const id = this.allocate(
            EventType.SubOrchestrationInstanceCreated,
            name,
            (i) => {
              childId = action.instanceId || `${this.input.instanceId}:${i}`;
              return events.subOrchestrationCreated(now, i, name, childId, input);
            },
            (i) => ({ kind: 'subOrchestration', id: i, name, instanceId: childId, input }),
          );
          this.awaitId(id, (e) => settle(e.EventType === EventType.SubOrchestrationInstanceCompleted));
        };
      default:
        throw new UnsupportedActionError(`unsupported action ${ActionType[action.actionType] ?? action.actionType}`);
    }
  }

  private timer(fireAt: string, canceled: boolean, settle: Settle): void {
    const now = this.input.now;
    const id = this.allocate(
      EventType.TimerCreated,
      undefined,
      (i) => events.timerCreated(now, i, fireAt),
      canceled ? undefined : (i) => ({ kind: 'timer', id: i, fireAt }),
    );
    this.awaitId(id, () => settle(true));
  }

  private retrying(action: ActionDto, options: RetryOptionsDto): SimNode {
    return {
      start: (settle) => {
        let failures = 0;
        const attempt = (): void => {
          this.leaf(action)((ok) => {
            if (ok) return settle(true);
            failures++;
            const fireAt = new Date(this.currentTime.getTime() + retryDelayMs(options, failures)).toISOString();
            this.timer(fireAt, false, () => (failures >= options.maxNumberOfAttempts ? settle(false) : attempt()));
          });
        };
        attempt();
      },
    };
  }

  private build(action: ActionDto): SimNode {
    switch (action.actionType) {
      case ActionType.CallActivity:
      case ActionType.CallSubOrchestrator:
        return { start: (settle) => this.leaf(action)(settle) };
      case ActionType.CallActivityWithRetry:
      case ActionType.CallSubOrchestratorWithRetry:
        return this.retrying(
          action,
          action.retryOptions ?? { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 1 },
        );
      case ActionType.CreateTimer:
        return {
          start: (settle) =>
            this.timer(new Date(action.fireAt ?? this.input.now).toISOString(), action.isCanceled === true, settle),
        };
      case ActionType.WaitForExternalEvent:
        return {
          start: (settle) => {
            const name = action.externalEventName ?? '';
            const buffered = this.eventBuffer.get(name);
            if (buffered && buffered.length > 0) {
              buffered.shift();
              return settle(true);
            }
            this.eventWaiters.set(name, [...(this.eventWaiters.get(name) ?? []), () => settle(true)]);
          },
        };
      case ActionType.ContinueAsNew:
        return {
          start: (settle) => {
            this.result.continueAsNewInput = preSerializedInputJson(action.input);
            settle(true);
          },
        };
      case ActionType.WhenAll:
      case ActionType.WhenAny: {
        const children = (action.compoundActions ?? []).map((a) => this.build(a));
        const any = action.actionType === ActionType.WhenAny;
        return {
          start: (settle) => {
            let pending = children.length;
            let done = false;
            const finish = (ok: boolean): void => {
              if (!done) {
                done = true;
                settle(ok);
              }
            };
            if (pending === 0) return finish(true);
            for (const child of children) {
              child.start((ok) => {
                pending--;
                if (any) finish(ok);
                else if (!ok) finish(false);
                else if (pending === 0) finish(true);
              });
            }
          },
        };
      }
      default:
        return {
          start: () => {
            throw new UnsupportedActionError(
              `The local Durable engine does not support the action ${ActionType[action.actionType] ?? action.actionType}`,
            );
          },
        };
    }
  }
}

/** Replays the SDK's actions over the history; throws NonDeterminismError / UnsupportedActionError. */
export function replayActions(input: ReplayInput): ReplayResult {
  return new Replayer(input).run();
}
