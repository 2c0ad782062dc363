/** Activity: one look at a resource group — gone, or still there with its provisioningState. */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { azureClients } from '../../shared/azure/clients';
import { isNotFound } from '../../shared/azure/errors';
import { ACTIVITIES } from '../../shared/names';
import type { DeregisterInput, ResourceGroupLook } from '../../shared/teardown/teardown';

const handler: ActivityHandler = async (input: DeregisterInput): Promise<ResourceGroupLook> => {
  try {
    const group = await azureClients().resources(input.subscriptionId).resourceGroups.get(input.resourceGroup);
    return { exists: true, provisioningState: group.properties?.provisioningState ?? 'unknown' };
  } catch (err) {
    if (isNotFound(err)) return { exists: false };
    throw err;
  }
};

df.app.activity(ACTIVITIES.probeResourceGroup, { handler });
