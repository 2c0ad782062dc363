/**
 * One orchestration episode, the pure parts: the trigger payload the extension sends to the orchestrator
 * function, the de-duplication of incoming messages against history, and the decision taken from the
 * orchestrator's returned state (new history events, work to dispatch, runtime status).
 */
import { plainInputJson, parseJsonText, type OrchestratorStateDto } from './actions';
import {
  EventType,
  SCHEDULING_EVENTS,
  completedId,
  events,
  type FailureDetailsDto,
  type HistoryEvent,
} from './history';
import { NonDeterminismError, UnsupportedActionError, replayActions, type ScheduledWork } from './replay';

export const OUT_OF_PROC_DATA_LABEL = '\n\n$OutOfProcData$:';

export interface TimerSettings {
  /** .NET TimeSpan strings the SDK parses with moment. */
  maximumShortTimerDuration: string;
  longRunningTimerIntervalDuration: string;
}

export const DEFAULT_TIMER_SETTINGS: TimerSettings = {
  maximumShortTimerDuration: '6.00:00:00',
  longRunningTimerIntervalDuration: '3.00:00:00',
};

export interface InstanceIdentity {
  instanceId: string;
  executionId: string;
  name: string;
  /** JSON text of the orchestration input. */
  input: string | null;
  parentInstanceId?: string;
}

/** JSON text of past events as the orchestrator sees them (IsPlayed true), without brackets, for appending. */
export function playedJson(events: readonly HistoryEvent[]): string {
  return events.map((e) => JSON.stringify({ ...e, IsPlayed: true })).join(',');
}

/**
 * The orchestrationTrigger binding data (the extension's RemoteOrchestratorContext) as JSON text. `pastJson` is
 * playedJson(past), kept by the caller so long histories are not re-serialized every episode.
 */
export function triggerPayloadJson(
  id: InstanceIdentity,
  pastJson: string,
  fresh: readonly HistoryEvent[],
  timers: TimerSettings = DEFAULT_TIMER_SETTINGS,
): string {
  const head = JSON.stringify({
    instanceId: id.instanceId,
    isReplaying: pastJson.length > 0,
    parentInstanceId: id.parentInstanceId ?? null,
    upperSchemaVersion: 2,
    upperSchemaVersionNew: 3,
    longRunningTimerIntervalDuration: timers.longRunningTimerIntervalDuration,
    maximumShortTimerDuration: timers.maximumShortTimerDuration,
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    input: parseJsonText(id.input),
  });
  const freshJson = fresh.map((e) => JSON.stringify(e)).join(',');
  const all = pastJson && freshJson ? `${pastJson},${freshJson}` : pastJson || freshJson;
  return `${head.slice(0, -1)},"history":[${all}]}`;
}

/** The same payload as an object. */
export function triggerPayload(
  id: InstanceIdentity,
  past: readonly HistoryEvent[],
  fresh: readonly HistoryEvent[],
  timers: TimerSettings = DEFAULT_TIMER_SETTINGS,
): Record<string, unknown> {
  return JSON.parse(triggerPayloadJson(id, playedJson(past), fresh, timers)) as Record<string, unknown>;
}

export interface MessageTriage<T> {
  accepted: T[];
  /** Already in history (or earlier in the batch): drop. */
  duplicates: T[];
  /** Refer to work not yet recorded in history: keep for a later episode. */
  early: T[];
}

/** Sorts incoming messages: exactly-once completions, one ExecutionStarted, early completions held back. */
export function triageMessages<T>(
  past: readonly HistoryEvent[],
  incoming: readonly T[],
  eventOf: (item: T) => HistoryEvent,
): MessageTriage<T> {
  const scheduled = new Set<number>();
  const completed = new Set<number>();
  let started = false;
  for (const e of past) {
    if (SCHEDULING_EVENTS.has(e.EventType)) scheduled.add(e.EventId);
    const id = completedId(e);
    if (id !== undefined) completed.add(id);
    if (e.EventType === EventType.ExecutionStarted) started = true;
  }
  const out: MessageTriage<T> = { accepted: [], duplicates: [], early: [] };
  for (const item of incoming) {
    const e = eventOf(item);
    if (e.EventType === EventType.ExecutionStarted) {
      (started ? out.duplicates : out.accepted).push(item);
      started = true;
      continue;
    }
    const id = completedId(e);
    if (id === undefined) {
      out.accepted.push(item);
    } else if (completed.has(id)) {
      out.duplicates.push(item);
    } else if (!scheduled.has(id)) {
      out.early.push(item);
    } else {
      completed.add(id);
      out.accepted.push(item);
    }
  }
  return out;
}

export type InvocationOutcome = { ok: true; state: OrchestratorStateDto } | { ok: false; message: string };

/** Splits the SDK's failure message `<error>\n\n$OutOfProcData$:<state json>`. */
export function parseOrchestratorFailure(message: string): { error: string; state?: OrchestratorStateDto } {
  const at = message.indexOf(OUT_OF_PROC_DATA_LABEL);
  if (at < 0) return { error: message };
  const error = message.slice(0, at);
  try {
    return { error, state: JSON.parse(message.slice(at + OUT_OF_PROC_DATA_LABEL.length)) as OrchestratorStateDto };
  } catch {
    return { error };
  }
}

export type RuntimeStatus =
  'Pending' | 'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Terminated' | 'Suspended';

export interface EpisodeDecision {
  /** Events to append to history for this episode (including the fresh ones passed in). */
  appended: HistoryEvent[];
  work: ScheduledWork[];
  status: RuntimeStatus;
  /** JSON text of the output (Completed/Failed) */
  output: string | null;
  /** JSON text of the custom status, undefined = unchanged. */
  customStatus?: string | null;
  continueAsNewInput?: string | null;
  failure?: FailureDetailsDto;
}

function failed(
  id: InstanceIdentity,
  fresh: readonly HistoryEvent[],
  now: Date,
  nextId: number,
  error: string,
  customStatus?: string | null,
): EpisodeDecision {
  const message = `Orchestrator function '${id.name}' failed: ${error}`;
  const failure: FailureDetailsDto = { ErrorType: 'OrchestrationFailureException', ErrorMessage: message };
  const output = JSON.stringify(message);
  return {
    appended: [
      ...fresh,
      events.executionCompleted(now, nextId, 'Failed', output, failure),
      events.orchestratorCompleted(now),
    ],
    work: [],
    status: 'Failed',
    output,
    customStatus,
    failure,
  };
}

function customStatusJson(state: OrchestratorStateDto | undefined): string | null | undefined {
  if (!state || !('customStatus' in state)) return undefined;
  return plainInputJson(state.customStatus);
}

/** Turns the orchestrator's answer into the episode's history events, work and status. */
export function decideEpisode(
  id: InstanceIdentity,
  past: readonly HistoryEvent[],
  fresh: readonly HistoryEvent[],
  outcome: InvocationOutcome,
  now: Date,
): EpisodeDecision {
  if (!outcome.ok) {
    const { error, state } = parseOrchestratorFailure(outcome.message);
    return failed(id, fresh, now, 0, state?.error ?? error, customStatusJson(state));
  }
  const state = outcome.state;
  const customStatus = customStatusJson(state);
  let replay;
  try {
    replay = replayActions({
      instanceId: id.instanceId,
      history: [...past, ...fresh],
      actions: state.actions?.[0] ?? [],
      now,
    });
  } catch (err) {
    if (err instanceof NonDeterminismError || err instanceof UnsupportedActionError)
      return failed(id, fresh, now, 0, err.message, customStatus);
    throw err;
  }
  const scheduled = [...fresh, ...replay.newEvents];
  if (state.isDone && replay.continueAsNewInput !== undefined) {
    return {
      appended: [
        ...scheduled,
        events.continueAsNew(now, replay.nextId, replay.continueAsNewInput),
        events.orchestratorCompleted(now),
      ],
      work: [],
      status: 'ContinuedAsNew',
      output: plainInputJson(state.output),
      customStatus,
      continueAsNewInput: replay.continueAsNewInput,
    };
  }
  if (state.isDone) {
    const output = plainInputJson(state.output);
    return {
      appended: [
        ...scheduled,
        events.executionCompleted(now, replay.nextId, 'Completed', output),
        events.orchestratorCompleted(now),
      ],
      work: replay.work.filter((w) => w.kind !== 'timer'),
      status: 'Completed',
      output,
      customStatus,
    };
  }
  return {
    appended: [...scheduled, events.orchestratorCompleted(now)],
    work: replay.work,
    status: 'Running',
    output: null,
    customStatus,
  };
}
