/** Orchestration lifecycle log lines in the extension's style (sizes only, never payloads). */
import type { HostLogger } from '../extension';
import { parseJsonText } from './actions';
import type { EpisodeDecision } from './episode';
import { EventType, type HistoryEvent } from './history';
import type { InstanceRecord } from './store';

export function logLifecycle(
  log: HostLogger,
  before: InstanceRecord,
  after: InstanceRecord,
  decision: EpisodeDecision,
  fresh: readonly HistoryEvent[],
): void {
  const who = `${before.instanceId}: Function '${before.name} (Orchestrator)'`;
  if (fresh.some((e) => e.EventType === EventType.ExecutionStarted)) {
    log.info(`${who} started. IsReplay: False. Input: (${before.input?.length ?? 0} bytes). State: Started.`);
  }
  switch (decision.status) {
    case 'Completed':
    case 'ContinuedAsNew':
      log.info(
        `${who} completed. ContinuedAsNew: ${decision.status === 'ContinuedAsNew' ? 'True' : 'False'}. IsReplay: False. Output: (${decision.output?.length ?? 0} bytes). State: Completed.`,
      );
      break;
    case 'Failed':
      log.error(
        `${who} failed with an error. Reason: ${String(parseJsonText(decision.output))}. IsReplay: False. State: Failed.`,
      );
      break;
    case 'Terminated':
      log.warn(`${who} was terminated. Reason: ${String(parseJsonText(decision.output))}. State: Terminated.`);
      break;
    case 'Suspended':
      log.info(`${who} was suspended. State: Suspended.`);
      break;
    default:
      if (before.status === 'Suspended' && after.status === 'Running') log.info(`${who} was resumed. State: Running.`);
  }
}
