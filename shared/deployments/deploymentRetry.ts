/**
 * Retrying a failed (or cancelled) deployment with its own stored spec (POST /api/deployments/{id}/retry): a new
 * deployment of the same spec, which resumes where the failed one stopped — the infrastructure is re-read as it
 * is, and the configuration steps whose completion marker on their VM matches are skipped (docs/OPERATIONS.md).
 * The spec is taken from the failed orchestration's input as it was validated then, not parsed again.
 */
import type { DurableClient } from 'durable-functions';
import { instanceStatus } from '../azure/durableStatus';
import type { RetryPolicy } from '../config';
import { ORCHESTRATIONS } from '../names';
import type { DeployClusterInput } from './contracts';
import type { DeploymentLock } from './deploymentLock';
import { startDeployment } from './deploymentStarter';

/** Runtime statuses a deployment can be retried from: it failed, or it was cancelled (terminated). */
export const RETRYABLE_RUNTIME_STATUSES: ReadonlySet<string> = new Set(['Failed', 'Terminated']);

export type RetryResult =
  | { outcome: 'started'; id: string; resourceGroup: string }
  | { outcome: 'notFound' }
  | { outcome: 'notRetryable'; runtimeStatus: string }
  | { outcome: 'busy'; runningId: string };

export async function retryDeployment(
  client: DurableClient,
  lock: DeploymentLock,
  id: string,
  retry: RetryPolicy,
): Promise<RetryResult> {
  const status = await instanceStatus(client, id, true);
  if (!status) return { outcome: 'notFound' };
  // Only deployments are retried (a tear-down is started again with its DELETE).
  if (status.name !== ORCHESTRATIONS.deployCluster) return { outcome: 'notFound' };
  if (!RETRYABLE_RUNTIME_STATUSES.has(status.runtimeStatus))
    return { outcome: 'notRetryable', runtimeStatus: status.runtimeStatus };
  const input = status.input as Partial<DeployClusterInput> | null | undefined;
  if (!input?.spec) return { outcome: 'notFound' };
  const started = await startDeployment(client, lock, ORCHESTRATIONS.deployCluster, input.spec, retry);
  if (!started.started) return { outcome: 'busy', runningId: started.runningId };
  return { outcome: 'started', id: started.id, resourceGroup: input.spec.resourceGroup };
}
