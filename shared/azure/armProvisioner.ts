/**
 * Creates or updates one planned resource with the typed ARM SDK clients (idempotent PUT; a VM that already
 * exists in a good state is left as it is, since ARM refuses changes to a VM's osProfile).
 */
import type { AvailabilitySet, VirtualMachine } from '@azure/arm-compute';
import type { LoadBalancer, NatGateway, NetworkInterface, NetworkSecurityGroup, PublicIPAddress, VirtualNetwork } from '@azure/arm-network';
import type { ResourceGroup } from '@azure/arm-resources';
import type { AzureClients } from './clients';
import { parseArmId } from './armIds';

export type ResourceKind =
  | 'resourceGroup'
  | 'networkSecurityGroup'
  | 'publicIPAddress'
  | 'natGateway'
  | 'virtualNetwork'
  | 'availabilitySet'
  | 'loadBalancer'
  | 'networkInterface'
  | 'virtualMachine';

export interface ProvisionRequest {
  kind: ResourceKind;
  /** Full ARM id. */
  id: string;
  /** The typed SDK body. */
  body: unknown;
}

export interface ProvisionResult {
  id: string;
  provisioningState: string;
  /** True when nothing was sent because the resource already existed (VMs only). */
  existed: boolean;
}

/** Returns the VM when it exists, undefined on 404. */
export async function getVirtualMachine(clients: AzureClients, id: string): Promise<VirtualMachine | undefined> {
  const { subscriptionId, resourceGroup, name } = parseArmId(id);
  try {
    return await clients.compute(subscriptionId).virtualMachines.get(resourceGroup, name!);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

export async function provisionResource(clients: AzureClients, req: ProvisionRequest): Promise<ProvisionResult> {
  const { subscriptionId: sub, resourceGroup: rg, name } = parseArmId(req.id);
  const net = () => clients.network(sub);
  const done = (r: { id?: string; provisioningState?: string }, existed = false): ProvisionResult => ({
    id: r.id ?? req.id,
    provisioningState: r.provisioningState ?? 'Succeeded',
    existed,
  });
  switch (req.kind) {
    case 'resourceGroup': {
      const r = await clients.resources(sub).resourceGroups.createOrUpdate(rg, req.body as ResourceGroup);
      return done({ id: r.id, provisioningState: r.properties?.provisioningState });
    }
    case 'networkSecurityGroup':
      return done(await net().networkSecurityGroups.beginCreateOrUpdateAndWait(rg, name!, req.body as NetworkSecurityGroup));
    case 'publicIPAddress':
      return done(await net().publicIPAddresses.beginCreateOrUpdateAndWait(rg, name!, req.body as PublicIPAddress));
    case 'natGateway':
      return done(await net().natGateways.beginCreateOrUpdateAndWait(rg, name!, req.body as NatGateway));
    case 'virtualNetwork':
      return done(await net().virtualNetworks.beginCreateOrUpdateAndWait(rg, name!, req.body as VirtualNetwork));
    case 'loadBalancer':
      return done(await net().loadBalancers.beginCreateOrUpdateAndWait(rg, name!, req.body as LoadBalancer));
    case 'networkInterface':
      return done(await net().networkInterfaces.beginCreateOrUpdateAndWait(rg, name!, req.body as NetworkInterface));
    case 'availabilitySet':
      return done(await clients.compute(sub).availabilitySets.createOrUpdate(rg, name!, req.body as AvailabilitySet));
    case 'virtualMachine': {
      const existing = await getVirtualMachine(clients, req.id);
      if (existing && existing.provisioningState === 'Succeeded') return done(existing, true);
      return done(await clients.compute(sub).virtualMachines.beginCreateOrUpdateAndWait(rg, name!, req.body as VirtualMachine));
    }
  }
}
