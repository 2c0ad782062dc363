/**
 * Starting a tear-down: it claims the resource group's deployment lock like a deployment (so no deployment runs
 * during it, and it does not start while one runs), then starts teardownCluster. Nothing starts when the claim fails.
 */
import { randomUUID } from 'node:crypto';
import type { DurableClient } from 'durable-functions';
import type { DeploymentLock } from '../deployments/deploymentLock';
import { isDeploymentActive, type StartResult } from '../deployments/deploymentStarter';
import { INSTANCE_ID_PREFIXES, ORCHESTRATIONS } from '../names';
import type { TeardownInput } from './teardown';

export async function startTeardown(
  client: DurableClient,
  lock: DeploymentLock,
  input: Omit<TeardownInput, 'teardownId'>,
): Promise<StartResult> {
  const id = `${INSTANCE_ID_PREFIXES.teardown}${randomUUID()}`;
  const { subscriptionId, resourceGroup } = input.cluster;
  const claim = await lock.claim(subscriptionId, resourceGroup, id, new Date(), (other, claimedAt) =>
    isDeploymentActive(client, other, claimedAt),
  );
  if (!claim.claimed) return { started: false, runningId: claim.runningDeploymentId };
  const full: TeardownInput = { ...input, teardownId: id };
  try {
    await client.startNew(ORCHESTRATIONS.teardownCluster, { instanceId: id, input: full });
  } catch (err) {
    await lock.release(subscriptionId, resourceGroup, id).catch(() => undefined);
    throw err;
  }
  return { started: true, id };
}
