/**
 * Starting a failover drill: it claims the resource group's deployment lock like a deployment (no drill while a
 * deployment, tear-down or another drill of the cluster runs, and none of those during it), then starts
 * failoverDrill. Nothing starts when the claim fails.
 */
import { randomUUID } from 'node:crypto';
import type { DurableClient } from 'durable-functions';
import type { DeploymentLock } from '../deployments/deploymentLock';
import { isDeploymentActive, type StartResult } from '../deployments/deploymentStarter';
import { INSTANCE_ID_PREFIXES, ORCHESTRATIONS } from '../names';
import type { DrillInput } from './drill';

export async function startDrill(
  client: DurableClient,
  lock: DeploymentLock,
  input: Omit<DrillInput, 'drillId'>,
): Promise<StartResult> {
  const id = `${INSTANCE_ID_PREFIXES.drill}${randomUUID()}`;
  const { subscriptionId, resourceGroup } = input.cluster;
  const claim = await lock.claim(subscriptionId, resourceGroup, id, new Date(), (other, claimedAt) =>
    isDeploymentActive(client, other, claimedAt),
  );
  if (!claim.claimed) return { started: false, runningId: claim.runningDeploymentId };
  const full: DrillInput = { ...input, drillId: id };
  try {
    await client.startNew(ORCHESTRATIONS.failoverDrill, { instanceId: id, input: full });
  } catch (err) {
    await lock.release(subscriptionId, resourceGroup, id).catch(() => undefined);
    throw err;
  }
  return { started: true, id };
}
