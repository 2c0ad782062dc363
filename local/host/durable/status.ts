/**
 * The JSON shapes of the extension's HTTP API: the durableClient binding data (management URL templates) and
 * the orchestration status with its friendly history (the extension's ConvertHistoryToJson format).
 */
import { parseJsonText } from './actions';
import { EventType, type HistoryEvent } from './history';
import type { InstanceRecord } from './store';

export const WEBHOOK_PATH = '/runtime/webhooks/durabletask';
export const INSTANCE_ID_PLACEHOLDER = 'INSTANCEID';

/** The durableClient input binding data the extension passes to the worker. */
export function clientBindingData(baseUrl: string, hubName: string, systemKey: string, connectionName = 'Storage') {
  const root = `${baseUrl}${WEBHOOK_PATH}`;
  const common = `taskHub=${hubName}&connection=${connectionName}&code=${systemKey}`;
  const instance = `${root}/instances/${INSTANCE_ID_PLACEHOLDER}`;
  return {
    taskHubName: hubName,
    creationUrls: {
      createNewInstancePostUri: `${root}/orchestrators/{functionName}[/{instanceId}]?code=${systemKey}`,
      createAndWaitOnNewInstancePostUri: `${root}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=${systemKey}`,
    },
    managementUrls: managementUrls(instance, INSTANCE_ID_PLACEHOLDER, common),
    baseUrl: root,
    requiredQueryStringParameters: `code=${systemKey}`,
    rpcBaseUrl: null,
    httpBaseUrl: root,
    maxGrpcMessageSizeInBytes: 0,
    grpcHttpClientTimeout: '00:01:40',
  };
}

function managementUrls(instanceUrl: string, id: string, common: string) {
  return {
    id,
    statusQueryGetUri: `${instanceUrl}?${common}`,
    sendEventPostUri: `${instanceUrl}/raiseEvent/{eventName}?${common}`,
    terminatePostUri: `${instanceUrl}/terminate?reason={text}&${common}`,
    rewindPostUri: `${instanceUrl}/rewind?reason={text}&${common}`,
    purgeHistoryDeleteUri: `${instanceUrl}?${common}`,
    restartPostUri: `${instanceUrl}/restart?${common}`,
    suspendPostUri: `${instanceUrl}/suspend?reason={text}&${common}`,
    resumePostUri: `${instanceUrl}/resume?reason={text}&${common}`,
  };
}

/** The HttpManagementPayload of one instance (body of the 202 answer to a start request). */
export function managementPayload(baseUrl: string, hubName: string, systemKey: string, instanceId: string) {
  const encoded = encodeURIComponent(instanceId);
  return managementUrls(
    `${baseUrl}${WEBHOOK_PATH}/instances/${encoded}`,
    instanceId,
    `taskHub=${hubName}&connection=Storage&code=${systemKey}`,
  );
}

const HIDDEN = new Set([
  EventType.OrchestratorStarted,
  EventType.OrchestratorCompleted,
  EventType.TaskScheduled,
  EventType.SubOrchestrationInstanceCreated,
]);

/** History as the status API shows it: scheduling events folded into their completions, names as strings. */
export function friendlyHistory(history: readonly HistoryEvent[], showOutput: boolean): Record<string, unknown>[] {
  const scheduled = new Map<number, HistoryEvent>();
  for (const e of history)
    if (e.EventType === EventType.TaskScheduled || e.EventType === EventType.SubOrchestrationInstanceCreated)
      scheduled.set(e.EventId, e);
  const out: Record<string, unknown>[] = [];
  for (const e of history) {
    if (HIDDEN.has(e.EventType)) continue;
    const item: Record<string, unknown> = { EventType: EventType[e.EventType], Timestamp: e.Timestamp };
    switch (e.EventType) {
      case EventType.ExecutionStarted:
        item.FunctionName = e.Name;
        if (showOutput) item.Input = parseJsonText(e.Input);
        break;
      case EventType.TaskCompleted:
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceCompleted:
      case EventType.SubOrchestrationInstanceFailed: {
        const s = scheduled.get(e.TaskScheduledId ?? -1);
        item.FunctionName = s?.Name;
        item.ScheduledTime = s?.Timestamp;
        item.TaskScheduledId = e.TaskScheduledId;
        if (s?.InstanceId) item.InstanceId = s.InstanceId;
        if (e.Reason !== undefined) item.Reason = e.Reason;
        if (e.Details !== undefined && showOutput) item.Details = e.Details;
        if (showOutput && e.Result !== undefined) item.Result = parseJsonText(e.Result);
        break;
      }
      case EventType.TimerCreated:
      case EventType.TimerFired:
        item.FireAt = e.FireAt;
        if (e.TimerId !== undefined) item.TimerId = e.TimerId;
        break;
      case EventType.EventRaised:
        item.Name = e.Name;
        if (showOutput) item.Input = parseJsonText(e.Input);
        break;
      case EventType.ExecutionCompleted:
        item.OrchestrationStatus = e.OrchestrationStatus;
        if (showOutput) item.Result = parseJsonText(e.Result);
        if (e.FailureDetails) item.FailureDetails = e.FailureDetails;
        break;
      case EventType.ExecutionTerminated:
        item.Input = parseJsonText(e.Input);
        break;
      case EventType.ContinueAsNew:
        if (showOutput) item.Result = parseJsonText(e.Result);
        break;
      default:
        if (e.Reason !== undefined) item.Reason = e.Reason;
    }
    out.push(item);
  }
  return out;
}

/** DurableOrchestrationStatus JSON. */
export function statusJson(
  r: InstanceRecord,
  options: { showInput?: boolean; history?: Record<string, unknown>[] } = {},
) {
  return {
    name: r.name,
    instanceId: r.instanceId,
    runtimeStatus: r.status,
    input: options.showInput === false ? null : parseJsonText(r.input),
    customStatus: parseJsonText(r.customStatus),
    output: parseJsonText(r.output),
    createdTime: r.createdTime,
    lastUpdatedTime: r.lastUpdatedTime,
    ...(options.history ? { historyEvents: options.history } : {}),
  };
}
