/**
 * The orchestrator actions the durable-functions SDK returns (OrchestratorState.actions, replay schema V3/V4:
 * one outer array holding the actions in the order they were yielded, WhenAll/WhenAny as compound actions),
 * and the canonical JSON text of their inputs as it goes into history.
 */
export enum ActionType {
  CallActivity = 0,
  CallActivityWithRetry = 1,
  CallSubOrchestrator = 2,
  CallSubOrchestratorWithRetry = 3,
  ContinueAsNew = 4,
  CreateTimer = 5,
  WaitForExternalEvent = 6,
  CallEntity = 7,
  CallHttp = 8,
  SignalEntity = 9,
  WhenAny = 11,
  WhenAll = 12,
  LockEntities = 13,
  ReleaseEntities = 14,
}

export interface RetryOptionsDto {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

export interface ActionDto {
  actionType: ActionType;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  retryOptions?: RetryOptionsDto;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  compoundActions?: ActionDto[];
}

/** The state an orchestrator invocation returns (or embeds after `$OutOfProcData$:` when it throws). */
export interface OrchestratorStateDto {
  isDone: boolean;
  actions: ActionDto[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion?: number;
}

/** Activity and continueAsNew inputs arrive pre-serialized when they are strings (Utils.processInput). */
export function preSerializedInputJson(input: unknown): string | null {
  if (typeof input === 'string') return input;
  return plainInputJson(input);
}

/** Sub-orchestration inputs arrive as plain values. */
export function plainInputJson(input: unknown): string | null {
  if (input === undefined) return null;
  return JSON.stringify(input) ?? null;
}

/** Parses history JSON text back to a value (null/empty → undefined-safe null). */
export function parseJsonText(text: string | null | undefined): unknown {
  if (text === null || text === undefined || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Retry delay before attempt `failures + 1` the way DTFx's RetryInterceptor computes it. */
export function retryDelayMs(options: RetryOptionsDto, failures: number): number {
  const coefficient = options.backoffCoefficient && options.backoffCoefficient > 0 ? options.backoffCoefficient : 1;
  const delay = options.firstRetryIntervalInMilliseconds * Math.pow(coefficient, Math.max(0, failures - 1));
  const max = options.maxRetryIntervalInMilliseconds;
  return max && max > 0 ? Math.min(delay, max) : delay;
}
