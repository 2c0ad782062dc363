/**
 * Activity: asks ARM to delete a resource group and returns as soon as ARM accepted it (the first response of the
 * LRO); teardownCluster waits for the group to be gone with probeResourceGroup on durable timers.
 */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { classifyArmError } from '../../shared/azure/armErrors';
import { azureClients } from '../../shared/azure/clients';
import { isNotFound } from '../../shared/azure/errors';
import type { StepOutcome } from '../../shared/deployments/contracts';
import { ACTIVITIES } from '../../shared/names';
import type { DeregisterInput } from '../../shared/teardown/teardown';

const handler: ActivityHandler = async (input: DeregisterInput): Promise<StepOutcome> => {
  try {
    // beginDelete resolves once ARM answered the DELETE (202 + its operation URL); the poller is not awaited.
    await azureClients().resources(input.subscriptionId).resourceGroups.beginDelete(input.resourceGroup);
    return { ok: true, detail: 'deletion accepted by ARM' };
  } catch (err) {
    if (isNotFound(err)) return { ok: true, detail: 'the resource group does not exist' };
    return { ok: false, failure: classifyArmError(err) };
  }
};

df.app.activity(ACTIVITIES.deleteResourceGroup, { handler });
