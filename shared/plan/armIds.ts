/** ARM resource ids of the resource types the plan creates. */
export type ArmResourceType =
  | 'Microsoft.Network/networkSecurityGroups'
  | 'Microsoft.Network/publicIPAddresses'
  | 'Microsoft.Network/natGateways'
  | 'Microsoft.Network/virtualNetworks'
  | 'Microsoft.Network/loadBalancers'
  | 'Microsoft.Network/networkInterfaces'
  | 'Microsoft.Compute/availabilitySets'
  | 'Microsoft.Compute/virtualMachines';

export function resourceGroupId(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

export function resourceId(resourceGroupArmId: string, type: ArmResourceType, name: string): string {
  return `${resourceGroupArmId}/providers/${type}/${name}`;
}

/** A child resource's id, e.g. a subnet (`subnets`) or a load balancer's `backendAddressPools` entry. */
export function childId(parentId: string, childType: string, name: string): string {
  return `${parentId}/${childType}/${name}`;
}
