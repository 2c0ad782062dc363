/**
 * Cancelling a running deployment (or tear-down): Durable's terminate of its orchestration and of its running
 * sub-orchestrations (instance ids `<id>:<n>`; Durable does not terminate children with their parent), then the
 * resource group's lock released. The view of a terminated instance (deploymentView) marks what was in flight
 * as interrupted and what had not started as skipped.
 *
 * Terminate, not an event the orchestrator listens to: it needs no cooperation from the orchestrator (one blocked on
 * a long durable timer or sub-orchestration stops at once), and the engine records it in the history, so the
 * instance's state stays consistent. An activity already running finishes its one ARM call; nothing awaits it.
 */
import type { DurableClient } from 'durable-functions';
import { OrchestrationRuntimeStatus } from 'durable-functions';
import { instanceStatus } from '../azure/durableStatus';
import type { DeploymentLock } from './deploymentLock';
import { ACTIVE_RUNTIME_STATUSES, REPORTED_ORCHESTRATIONS } from './deploymentView';

export type CancelResult =
  | { outcome: 'cancelled'; target: { subscriptionId: string; resourceGroup: string } | undefined; children: number }
  | { outcome: 'notFound' }
  | { outcome: 'notRunning'; runtimeStatus: string };

/** How long to wait for the engine to apply the terminate before answering (it is applied asynchronously). */
const APPLY_WAIT_MS = 10_000;

export async function cancelDeployment(
  client: DurableClient,
  lock: DeploymentLock,
  id: string,
  reason: string,
): Promise<CancelResult> {
  const status = await instanceStatus(client, id, true);
  if (!status) return { outcome: 'notFound' };
  if (!REPORTED_ORCHESTRATIONS.has(status.name)) return { outcome: 'notFound' };
  if (!ACTIVE_RUNTIME_STATUSES.has(status.runtimeStatus))
    return { outcome: 'notRunning', runtimeStatus: status.runtimeStatus };
  const cluster = targetOf(status.input);

  await client.terminate(id, reason);
  const running = await client.getStatusBy({
    runtimeStatus: [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending],
  });
  const children = running.filter((s) => s.instanceId.startsWith(`${id}:`));
  for (const child of children) await client.terminate(child.instanceId, reason).catch(() => undefined);

  // Wait (briefly) until the engine recorded the termination, so the answer and the next GET agree.
  const deadline = Date.now() + APPLY_WAIT_MS;
  while (Date.now() < deadline) {
    const now = await client.getStatus(id, { showInput: false });
    if (!ACTIVE_RUNTIME_STATUSES.has(now.runtimeStatus)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (cluster) await lock.release(cluster.subscriptionId, cluster.resourceGroup, id);
  return { outcome: 'cancelled', target: cluster, children: children.length };
}

/** The resource group an instance works on, from its input (deployCluster: the spec; teardownCluster: cluster). */
function targetOf(input: unknown): { subscriptionId: string; resourceGroup: string } | undefined {
  const value = input as
    | {
        spec?: { subscriptionId?: unknown; resourceGroup?: unknown };
        cluster?: { subscriptionId?: unknown; resourceGroup?: unknown };
      }
    | null
    | undefined;
  const t = value?.spec ?? value?.cluster;
  return typeof t?.subscriptionId === 'string' && typeof t.resourceGroup === 'string'
    ? { subscriptionId: t.subscriptionId, resourceGroup: t.resourceGroup }
    : undefined;
}
