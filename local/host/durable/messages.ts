/**
 * The queue messages of the task hub and the conversions between invocation results and history payloads.
 */
import type { TypedData } from '../extension';
import { events, type FailureDetailsDto, type HistoryEvent } from './history';

export interface ControlMessage {
  instanceId: string;
  /** Execution the message belongs to; messages for another execution are dropped. */
  executionId?: string;
  event: HistoryEvent;
}

export interface ActivityItem {
  id: number;
  name: string;
  input: string | null;
}

/** One queue message carries the activities an episode scheduled (see batchActivities). */
export interface WorkBatchMessage {
  instanceId: string;
  executionId: string;
  items: ActivityItem[];
}

const WORK_BATCH = 100;
const WORK_BATCH_CHARS = 24_000;

/** Groups activities into work-batch messages (≤ 100 items, well under the 64 KB queue message limit). */
export function batchActivities(items: readonly ActivityItem[]): ActivityItem[][] {
  const out: ActivityItem[][] = [];
  let batch: ActivityItem[] = [];
  let chars = 0;
  for (const item of items) {
    const size = item.name.length + (item.input?.length ?? 0) + 32;
    if (batch.length >= WORK_BATCH || (batch.length > 0 && chars + size > WORK_BATCH_CHARS)) {
      out.push(batch);
      batch = [];
      chars = 0;
    }
    batch.push(item);
    chars += size;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

/** JSON text of a function's return value (history Result). */
export function typedDataToJson(td: TypedData | undefined): string {
  if (!td) return 'null';
  if (td.json !== undefined) return td.json;
  if (td.string !== undefined) return JSON.stringify(td.string);
  if (td.int !== undefined) return String(td.int);
  if (td.double !== undefined) return String(td.double);
  if (td.bytes !== undefined) return JSON.stringify(Buffer.from(td.bytes).toString('base64'));
  return 'null';
}

/** FailureDetails when the activity error message is the SDK's serialized failure payload. */
export function failureDetailsFrom(message: string): FailureDetailsDto | undefined {
  if (!message.startsWith('{')) return undefined;
  try {
    const p = JSON.parse(message) as {
      errorType?: string;
      errorMessage?: string;
      stackTrace?: string;
      isNonRetriable?: boolean;
      properties?: Record<string, unknown>;
    };
    if (typeof p.errorType !== 'string') return undefined;
    return {
      ErrorType: p.errorType,
      ErrorMessage: p.errorMessage ?? '',
      StackTrace: p.stackTrace,
      IsNonRetriable: p.isNonRetriable ?? false,
      Properties: p.properties,
    };
  } catch {
    return undefined;
  }
}

/** The TaskFailed event for an activity invocation error, as the extension reports it. */
export function activityFailedEvent(at: Date, item: ActivityItem, err: Error & { userStack?: string }): HistoryEvent {
  const failure = failureDetailsFrom(err.message);
  const message = failure ? `${failure.ErrorType}: ${failure.ErrorMessage}` : err.message;
  return events.taskFailed(
    at,
    item.id,
    `Activity function '${item.name}' failed: ${message}`,
    err.userStack ?? message,
    failure,
  );
}
