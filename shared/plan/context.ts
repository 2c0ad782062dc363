/** What every resource builder needs: the spec, the ids of everything, and a constructor for planned resources. */
import type { ClusterSpec } from '../spec';
import { childId, resourceGroupId, resourceId } from './armIds';
import type { PlannedResource, ResourceBodies, ResourceKind } from './types';

/** A VM of the cluster (the two nodes and the witness) as the planner sees it. */
export interface PlannedVm {
  name: string;
  role: 'node' | 'witness';
  serviceIp: string;
  replicationIp: string;
  serviceNicName: string;
  replicationNicName: string;
}

export const KEYS = {
  resourceGroup: 'resourceGroup',
  privateNsg: 'nsg:private',
  witnessNsg: 'nsg:witness',
  witnessPip: 'pip:witness',
  natGatewayPip: 'pip:natGateway',
  natGateway: 'natGateway',
  vnet: 'vnet',
  availabilitySet: 'availabilitySet',
  loadBalancer: 'loadBalancer',
  nic: (vm: string, network: 'service' | 'replication') => `nic:${vm}:${network}`,
  vm: (vm: string) => `vm:${vm}`,
} as const;

export interface PlanContext {
  spec: ClusterSpec;
  location: string;
  tags: Record<string, string>;
  vms: PlannedVm[];
  ids: ReturnType<typeof idsOf>;
  /** the witness has a public IP (and so its own NSG with the SSH rule) */
  witnessPublic: boolean;
}

function idsOf(spec: ClusterSpec) {
  const rg = resourceGroupId(spec.subscriptionId, spec.resourceGroup);
  const vnet = resourceId(rg, 'Microsoft.Network/virtualNetworks', spec.network.vnetName);
  const lb = resourceId(rg, 'Microsoft.Network/loadBalancers', spec.loadBalancer.name);
  return {
    resourceGroup: rg,
    privateNsg: resourceId(rg, 'Microsoft.Network/networkSecurityGroups', spec.network.privateNsgName),
    witnessNsg: resourceId(rg, 'Microsoft.Network/networkSecurityGroups', spec.witness.nsgName),
    witnessPip: resourceId(rg, 'Microsoft.Network/publicIPAddresses', spec.witness.publicIpName),
    natGatewayPip: resourceId(rg, 'Microsoft.Network/publicIPAddresses', spec.outbound.publicIpName),
    natGateway: resourceId(rg, 'Microsoft.Network/natGateways', spec.outbound.natGatewayName),
    vnet,
    serviceSubnet: childId(vnet, 'subnets', spec.network.subnets.service.name),
    replicationSubnet: childId(vnet, 'subnets', spec.network.subnets.replication.name),
    availabilitySet: resourceId(rg, 'Microsoft.Compute/availabilitySets', spec.availabilitySet.name),
    loadBalancer: lb,
    frontend: childId(lb, 'frontendIPConfigurations', spec.loadBalancer.frontendName),
    backendPool: childId(lb, 'backendAddressPools', spec.loadBalancer.backendPoolName),
    probe: childId(lb, 'probes', spec.loadBalancer.probe.name),
    nic: (name: string) => resourceId(rg, 'Microsoft.Network/networkInterfaces', name),
    vm: (name: string) => resourceId(rg, 'Microsoft.Compute/virtualMachines', name),
  };
}

export function planContext(spec: ClusterSpec): PlanContext {
  const vms: PlannedVm[] = [
    ...spec.nodes.map((node) => ({ ...node, role: 'node' as const })),
    { ...spec.witness, role: 'witness' as const },
  ].map(({ name, role, serviceIp, replicationIp, serviceNicName, replicationNicName }) => ({
    name,
    role,
    serviceIp,
    replicationIp,
    serviceNicName,
    replicationNicName,
  }));
  return {
    spec,
    location: spec.location,
    tags: spec.tags,
    vms,
    ids: idsOf(spec),
    witnessPublic: spec.witness.publicIp,
  };
}

/** A planned resource; the resource group is always a direct dependency of everything else. */
export function planned<K extends ResourceKind>(
  kind: K,
  key: string,
  name: string,
  id: string,
  dependsOn: (string | false | undefined)[],
  body: ResourceBodies[K],
): PlannedResource {
  const deps = dependsOn.filter((d): d is string => typeof d === 'string');
  const all = key === KEYS.resourceGroup ? deps : [KEYS.resourceGroup, ...deps.filter((d) => d !== KEYS.resourceGroup)];
  return { kind, key, name, id, dependsOn: all, body } as PlannedResource;
}
