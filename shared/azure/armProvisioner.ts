/**
 * Creates, updates and reads back planned resources with the typed ARM SDK clients: one table of operations per
 * resource kind. PUTs are idempotent; a VM that already exists in a good state is left as it is, since ARM
 * refuses changes to a VM's osProfile.
 */
import type { AvailabilitySet, VirtualMachine } from '@azure/arm-compute';
import type {
  LoadBalancer,
  NatGateway,
  NetworkInterface,
  NetworkSecurityGroup,
  PublicIPAddress,
  VirtualNetwork,
} from '@azure/arm-network';
import type { ResourceGroup } from '@azure/arm-resources';
import type { ResourceKind } from '../plan';
import type { AzureClients } from './clients';
import { parseArmId } from './armIds';
import { isNotFound } from './errors';

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

interface Target {
  clients: AzureClients;
  sub: string;
  rg: string;
  name: string;
}

interface ArmState {
  id?: string;
  provisioningState?: string;
}

interface KindOperations {
  put(t: Target, body: unknown): Promise<ArmState>;
  get(t: Target): Promise<ArmState>;
}

const net = (t: Target) => t.clients.network(t.sub);
const compute = (t: Target) => t.clients.compute(t.sub);

const OPERATIONS: Record<ResourceKind, KindOperations> = {
  resourceGroup: {
    put: async (t, body) => {
      const r = await t.clients.resources(t.sub).resourceGroups.createOrUpdate(t.rg, body as ResourceGroup);
      return { id: r.id, provisioningState: r.properties?.provisioningState };
    },
    get: async (t) => {
      const r = await t.clients.resources(t.sub).resourceGroups.get(t.rg);
      return { id: r.id, provisioningState: r.properties?.provisioningState };
    },
  },
  networkSecurityGroup: {
    put: (t, body) =>
      net(t).networkSecurityGroups.beginCreateOrUpdateAndWait(t.rg, t.name, body as NetworkSecurityGroup),
    get: (t) => net(t).networkSecurityGroups.get(t.rg, t.name),
  },
  publicIPAddress: {
    put: (t, body) => net(t).publicIPAddresses.beginCreateOrUpdateAndWait(t.rg, t.name, body as PublicIPAddress),
    get: (t) => net(t).publicIPAddresses.get(t.rg, t.name),
  },
  natGateway: {
    put: (t, body) => net(t).natGateways.beginCreateOrUpdateAndWait(t.rg, t.name, body as NatGateway),
    get: (t) => net(t).natGateways.get(t.rg, t.name),
  },
  virtualNetwork: {
    put: (t, body) => net(t).virtualNetworks.beginCreateOrUpdateAndWait(t.rg, t.name, body as VirtualNetwork),
    get: (t) => net(t).virtualNetworks.get(t.rg, t.name),
  },
  loadBalancer: {
    put: (t, body) => net(t).loadBalancers.beginCreateOrUpdateAndWait(t.rg, t.name, body as LoadBalancer),
    get: (t) => net(t).loadBalancers.get(t.rg, t.name),
  },
  networkInterface: {
    put: (t, body) => net(t).networkInterfaces.beginCreateOrUpdateAndWait(t.rg, t.name, body as NetworkInterface),
    get: (t) => net(t).networkInterfaces.get(t.rg, t.name),
  },
  // Availability sets are not long-running and carry no provisioningState: existing means Succeeded.
  availabilitySet: {
    put: async (t, body) => ({
      id: (await compute(t).availabilitySets.createOrUpdate(t.rg, t.name, body as AvailabilitySet)).id,
      provisioningState: 'Succeeded',
    }),
    get: async (t) => ({
      id: (await compute(t).availabilitySets.get(t.rg, t.name)).id,
      provisioningState: 'Succeeded',
    }),
  },
  virtualMachine: {
    put: (t, body) => compute(t).virtualMachines.beginCreateOrUpdateAndWait(t.rg, t.name, body as VirtualMachine),
    get: (t) => compute(t).virtualMachines.get(t.rg, t.name),
  },
};

function target(clients: AzureClients, id: string): Target {
  const { subscriptionId: sub, resourceGroup: rg, name } = parseArmId(id);
  return { clients, sub, rg, name: name ?? rg };
}

/** The resource's provisioningState, or undefined when it does not exist (404). */
export async function readProvisioningState(
  clients: AzureClients,
  kind: ResourceKind,
  id: string,
): Promise<string | undefined> {
  try {
    return (await OPERATIONS[kind].get(target(clients, id))).provisioningState ?? 'Succeeded';
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export async function provisionResource(clients: AzureClients, req: ProvisionRequest): Promise<ProvisionResult> {
  if (req.kind === 'virtualMachine' && (await readProvisioningState(clients, req.kind, req.id)) === 'Succeeded') {
    return { id: req.id, provisioningState: 'Succeeded', existed: true };
  }
  const r = await OPERATIONS[req.kind].put(target(clients, req.id), req.body);
  return { id: r.id ?? req.id, provisioningState: r.provisioningState ?? 'Succeeded', existed: false };
}
