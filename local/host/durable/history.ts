/**
 * Durable history events in the shape the Durable extension (DTFx) sends to out-of-process workers:
 * PascalCase properties, numeric EventType, EventId = the orchestration's sequence number for events that
 * schedule work (TaskScheduled, TimerCreated, SubOrchestrationInstanceCreated, EventSent, ExecutionCompleted)
 * and -1 for all others, Timestamp as an ISO string.
 */
export enum EventType {
  ExecutionStarted = 0,
  ExecutionCompleted = 1,
  ExecutionFailed = 2,
  ExecutionTerminated = 3,
  TaskScheduled = 4,
  TaskCompleted = 5,
  TaskFailed = 6,
  SubOrchestrationInstanceCreated = 7,
  SubOrchestrationInstanceCompleted = 8,
  SubOrchestrationInstanceFailed = 9,
  TimerCreated = 10,
  TimerFired = 11,
  OrchestratorStarted = 12,
  OrchestratorCompleted = 13,
  EventSent = 14,
  EventRaised = 15,
  ContinueAsNew = 16,
  GenericEvent = 17,
  HistoryState = 18,
  ExecutionSuspended = 19,
  ExecutionResumed = 20,
}

/** Wire form of the failure details DTFx attaches to TaskFailed / SubOrchestrationInstanceFailed. */
export interface FailureDetailsDto {
  ErrorType: string;
  ErrorMessage: string;
  StackTrace?: string;
  IsNonRetriable?: boolean;
  Properties?: Record<string, unknown>;
  InnerFailure?: FailureDetailsDto;
}

export interface HistoryEvent {
  EventType: EventType;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  Name?: string;
  Version?: string;
  Input?: string | null;
  Result?: string | null;
  TaskScheduledId?: number;
  TimerId?: number;
  FireAt?: string;
  InstanceId?: string;
  Reason?: string;
  Details?: string;
  FailureDetails?: FailureDetailsDto;
  OrchestrationStatus?: string;
  OrchestrationInstance?: { InstanceId: string; ExecutionId: string };
  ParentInstance?: {
    Name: string;
    OrchestrationInstance: { InstanceId: string; ExecutionId: string };
    TaskScheduleId: number;
  };
}

type Extra = Partial<Omit<HistoryEvent, 'EventType' | 'EventId' | 'IsPlayed' | 'Timestamp'>>;

function ev(type: EventType, eventId: number, at: Date, extra: Extra = {}): HistoryEvent {
  return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: at.toISOString(), ...extra };
}

/** Factories, one per event kind the engine writes. */
export const events = {
  orchestratorStarted: (at: Date) => ev(EventType.OrchestratorStarted, -1, at),
  orchestratorCompleted: (at: Date) => ev(EventType.OrchestratorCompleted, -1, at),
  executionStarted: (
    at: Date,
    o: {
      name: string;
      instanceId: string;
      executionId: string;
      input: string | null;
      parent?: HistoryEvent['ParentInstance'];
    },
  ) =>
    ev(EventType.ExecutionStarted, -1, at, {
      Name: o.name,
      Version: '',
      Input: o.input,
      OrchestrationInstance: { InstanceId: o.instanceId, ExecutionId: o.executionId },
      ...(o.parent ? { ParentInstance: o.parent } : {}),
    }),
  executionCompleted: (
    at: Date,
    id: number,
    status: 'Completed' | 'Failed' | 'Terminated',
    result: string | null,
    failure?: FailureDetailsDto,
  ) =>
    ev(EventType.ExecutionCompleted, id, at, {
      OrchestrationStatus: status,
      Result: result,
      ...(failure ? { FailureDetails: failure } : {}),
    }),
  executionTerminated: (at: Date, reason: string | null) =>
    ev(EventType.ExecutionTerminated, -1, at, { Input: reason }),
  executionSuspended: (at: Date, reason: string | null) =>
    ev(EventType.ExecutionSuspended, -1, at, { Reason: reason ?? undefined }),
  executionResumed: (at: Date, reason: string | null) =>
    ev(EventType.ExecutionResumed, -1, at, { Reason: reason ?? undefined }),
  continueAsNew: (at: Date, id: number, input: string | null) => ev(EventType.ContinueAsNew, id, at, { Result: input }),
  taskScheduled: (at: Date, id: number, name: string, input: string | null) =>
    ev(EventType.TaskScheduled, id, at, { Name: name, Version: '', Input: input }),
  taskCompleted: (at: Date, scheduledId: number, result: string | null) =>
    ev(EventType.TaskCompleted, -1, at, { TaskScheduledId: scheduledId, Result: result }),
  taskFailed: (at: Date, scheduledId: number, reason: string, details: string, failure?: FailureDetailsDto) =>
    ev(EventType.TaskFailed, -1, at, {
      TaskScheduledId: scheduledId,
      Reason: reason,
      Details: details,
      ...(failure ? { FailureDetails: failure } : {}),
    }),
  subOrchestrationCreated: (at: Date, id: number, name: string, instanceId: string, input: string | null) =>
    ev(EventType.SubOrchestrationInstanceCreated, id, at, {
      Name: name,
      Version: '',
      InstanceId: instanceId,
      Input: input,
    }),
  subOrchestrationCompleted: (at: Date, scheduledId: number, result: string | null) =>
    ev(EventType.SubOrchestrationInstanceCompleted, -1, at, { TaskScheduledId: scheduledId, Result: result }),
  subOrchestrationFailed: (
    at: Date,
    scheduledId: number,
    reason: string,
    details: string,
    failure?: FailureDetailsDto,
  ) =>
    ev(EventType.SubOrchestrationInstanceFailed, -1, at, {
      TaskScheduledId: scheduledId,
      Reason: reason,
      Details: details,
      ...(failure ? { FailureDetails: failure } : {}),
    }),
  timerCreated: (at: Date, id: number, fireAt: string) => ev(EventType.TimerCreated, id, at, { FireAt: fireAt }),
  timerFired: (at: Date, timerId: number, fireAt: string) =>
    ev(EventType.TimerFired, -1, at, { TimerId: timerId, FireAt: fireAt }),
  eventRaised: (at: Date, name: string, input: string | null) =>
    ev(EventType.EventRaised, -1, at, { Name: name, Input: input }),
  eventSent: (at: Date, id: number, instanceId: string, name: string, input: string | null) =>
    ev(EventType.EventSent, id, at, { InstanceId: instanceId, Name: name, Input: input }),
};

/** Events that carry the sequence number of work the orchestrator scheduled. */
export const SCHEDULING_EVENTS: ReadonlySet<EventType> = new Set([
  EventType.TaskScheduled,
  EventType.TimerCreated,
  EventType.SubOrchestrationInstanceCreated,
  EventType.EventSent,
]);

/** The id a completion-type event refers to (TaskScheduledId / TimerId), or undefined. */
export function completedId(e: HistoryEvent): number | undefined {
  switch (e.EventType) {
    case EventType.TaskCompleted:
    case EventType.TaskFailed:
    case EventType.SubOrchestrationInstanceCompleted:
    case EventType.SubOrchestrationInstanceFailed:
      return e.TaskScheduledId;
    case EventType.TimerFired:
      return e.TimerId;
    default:
      return undefined;
  }
}
