/** Activity: read every planned resource back from ARM; fails when one is missing or not Succeeded. */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import type { AzureClients } from '../../shared/azure/clients';
import { azureClients } from '../../shared/azure/clients';
import { parseArmId } from '../../shared/azure/armIds';
import type { DeploymentSummary, VerifyDeploymentInput } from '../../shared/deployments/contracts';
import { ACTIVITIES } from '../names';

async function provisioningState(clients: AzureClients, kind: VerifyDeploymentInput['resources'][number]['kind'], id: string): Promise<string | undefined> {
  const { subscriptionId: sub, resourceGroup: rg, name } = parseArmId(id);
  const net = () => clients.network(sub);
  switch (kind) {
    case 'resourceGroup':
      return (await clients.resources(sub).resourceGroups.get(rg)).properties?.provisioningState;
    case 'networkSecurityGroup':
      return (await net().networkSecurityGroups.get(rg, name!)).provisioningState;
    case 'publicIPAddress':
      return (await net().publicIPAddresses.get(rg, name!)).provisioningState;
    case 'natGateway':
      return (await net().natGateways.get(rg, name!)).provisioningState;
    case 'virtualNetwork':
      return (await net().virtualNetworks.get(rg, name!)).provisioningState;
    case 'loadBalancer':
      return (await net().loadBalancers.get(rg, name!)).provisioningState;
    case 'networkInterface':
      return (await net().networkInterfaces.get(rg, name!)).provisioningState;
    case 'availabilitySet':
      return (await clients.compute(sub).availabilitySets.get(rg, name!)).id ? 'Succeeded' : undefined;
    case 'virtualMachine':
      return (await clients.compute(sub).virtualMachines.get(rg, name!)).provisioningState;
  }
}

const handler: ActivityHandler = async (input: VerifyDeploymentInput): Promise<DeploymentSummary> => {
  const clients = azureClients();
  const resources = await Promise.all(
    input.resources.map(async (r) => ({ step: r.step, id: r.id, provisioningState: (await provisioningState(clients, r.kind, r.id)) ?? 'Unknown' })),
  );
  const bad = resources.filter((r) => r.provisioningState !== 'Succeeded');
  if (bad.length) throw new Error(`not Succeeded after deployment: ${bad.map((r) => `${r.step}=${r.provisioningState}`).join(', ')}`);
  return { resources };
};

df.app.activity(ACTIVITIES.verifyDeployment, { handler });
