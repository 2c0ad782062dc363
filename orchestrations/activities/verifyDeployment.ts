/** Activity: read every planned resource back from ARM; fails when one is missing or not Succeeded. */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { readProvisioningState } from '../../shared/azure/armProvisioner';
import { azureClients } from '../../shared/azure/clients';
import type { DeploymentSummary, VerifyDeploymentInput } from '../../shared/deployments/contracts';
import { ACTIVITIES } from '../../shared/names';

const handler: ActivityHandler = async (input: VerifyDeploymentInput): Promise<DeploymentSummary> => {
  const clients = azureClients();
  const resources = await Promise.all(
    input.resources.map(async (r) => ({
      step: r.step,
      id: r.id,
      provisioningState: (await readProvisioningState(clients, r.kind, r.id)) ?? 'NotFound',
    })),
  );
  const bad = resources.filter((r) => r.provisioningState !== 'Succeeded');
  if (bad.length)
    throw new Error(`not Succeeded after deployment: ${bad.map((r) => `${r.step}=${r.provisioningState}`).join(', ')}`);
  return { resources };
};

df.app.activity(ACTIVITIES.verifyDeployment, { handler });
