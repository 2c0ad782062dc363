/**
 * An orchestration's body under maintenance: beginMaintenance first, endMaintenance however the body ends
 * (completed or failed; a terminated instance runs no more code, so cancelling ends it from the cancel route).
 * A failure to end it is swallowed: the window and the silence expire at their `until` anyway, and the body's own
 * outcome is what the operation reports.
 *
 * Deterministic: two activity calls around the body.
 */
import type { OrchestrationContext, Task } from 'durable-functions';
import type { MaintenanceRequest } from '../../shared/monitoring/maintenance';
import { ACTIVITIES } from '../../shared/names';
import { CRASH_RETRY } from './retry';

export function* underMaintenance<T>(
  context: OrchestrationContext,
  request: MaintenanceRequest,
  body: Generator<Task, T, unknown>,
): Generator<Task, T, unknown> {
  yield context.df.callActivityWithRetry(ACTIVITIES.beginMaintenance, CRASH_RETRY, request);
  try {
    return yield* body;
  } finally {
    try {
      yield context.df.callActivityWithRetry(ACTIVITIES.endMaintenance, CRASH_RETRY, request);
    } catch {
      // expires at its `until`
    }
  }
}
