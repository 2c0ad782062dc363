/**
 * Starting a deployment: claim the resource group (one running deployment per target), then start the
 * orchestration. Nothing starts when the claim fails.
 */
import { randomUUID } from 'node:crypto';
import type { DurableClient } from 'durable-functions';
import { isDurableInstanceNotFound } from '../azure/errors';
import type { ClusterSpec } from '../spec';
import { DEFAULT_RETRY, type RetryPolicy } from '../config';
import { INSTANCE_ID_PREFIXES } from '../names';
import type { DeployClusterInput } from './contracts';
import type { DeploymentLock } from './deploymentLock';
import { ACTIVE_RUNTIME_STATUSES } from './deploymentView';

/** A claim whose orchestration is not visible yet is still "starting" for this long. */
const STARTING_GRACE_MS = 120_000;

export type StartResult = { started: true; id: string } | { started: false; runningId: string };

export async function isDeploymentActive(
  client: DurableClient,
  id: string,
  claimedAt: Date,
  now = Date.now(),
): Promise<boolean> {
  try {
    const status = await client.getStatus(id);
    return ACTIVE_RUNTIME_STATUSES.has(status.runtimeStatus);
  } catch (err) {
    if (isDurableInstanceNotFound(err)) return now - claimedAt.getTime() < STARTING_GRACE_MS;
    throw err;
  }
}

export async function startDeployment(
  client: DurableClient,
  lock: DeploymentLock,
  orchestrationName: string,
  spec: ClusterSpec,
  retry: RetryPolicy = DEFAULT_RETRY,
  /** Runs once the target is claimed, before the orchestration starts (nothing when the claim fails: 409). */
  beforeStart?: () => Promise<unknown>,
): Promise<StartResult> {
  const id = `${INSTANCE_ID_PREFIXES.deployment}${randomUUID()}`;
  const claim = await lock.claim(spec.subscriptionId, spec.resourceGroup, id, new Date(), (other, claimedAt) =>
    isDeploymentActive(client, other, claimedAt),
  );
  if (!claim.claimed) return { started: false, runningId: claim.runningDeploymentId };
  const input: DeployClusterInput = { deploymentId: id, spec, retry };
  try {
    await beforeStart?.();
    await client.startNew(orchestrationName, { instanceId: id, input });
  } catch (err) {
    await lock.release(spec.subscriptionId, spec.resourceGroup, id).catch(() => undefined);
    throw err;
  }
  return { started: true, id };
}
