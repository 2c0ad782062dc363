import { parseCidr, type Cidr } from './ipam';
import { key, parentOf, sameId } from './ids';
import type { ResourceRecord, ResourceStore } from './store';

export const T = {
  vnet: 'Microsoft.Network/virtualNetworks',
  nsg: 'Microsoft.Network/networkSecurityGroups',
  pip: 'Microsoft.Network/publicIPAddresses',
  nat: 'Microsoft.Network/natGateways',
  lb: 'Microsoft.Network/loadBalancers',
  nic: 'Microsoft.Network/networkInterfaces',
  avset: 'Microsoft.Compute/availabilitySets',
  vm: 'Microsoft.Compute/virtualMachines',
  disk: 'Microsoft.Compute/disks',
} as const;

export interface SubnetRef {
  vnet: ResourceRecord;
  subnet: { name: string; properties: any };
  cidr?: Cidr;
  id: string;
}

export const subnetPrefix = (s: { properties?: any }): string | undefined =>
  s.properties?.addressPrefix ?? s.properties?.addressPrefixes?.[0];

/** The subnet a `.../virtualNetworks/v/subnets/s` id points at, if it exists. */
export function findSubnet(store: ResourceStore, subnetId: string | undefined): SubnetRef | undefined {
  if (!subnetId || !/\/subnets\/[^/]+$/i.test(subnetId)) return undefined;
  const vnet = store.get(parentOf(subnetId));
  if (!vnet || vnet.type !== T.vnet) return undefined;
  const name = subnetId.split('/').pop()!;
  const subnet = (vnet.properties.subnets ?? []).find((s: any) => s.name.toLowerCase() === name.toLowerCase());
  if (!subnet) return undefined;
  const prefix = subnetPrefix(subnet);
  return { vnet, subnet, cidr: prefix ? parseCidr(prefix) : undefined, id: `${vnet.id}/subnets/${subnet.name}` };
}

/** Whether a referenced top-level resource of a type exists. */
export function exists(store: ResourceStore, id: string | undefined, type: string): boolean {
  const r = store.get(id);
  return !!r && r.type === type;
}

/** Whether `.../loadBalancers/lb/backendAddressPools/p` (etc.) exists. */
export function lbChildExists(store: ResourceStore, id: string | undefined, collection: string): boolean {
  if (!id) return false;
  const lb = store.get(parentOf(id));
  if (!lb || lb.type !== T.lb) return false;
  const name = id.split('/').pop()!.toLowerCase();
  return (lb.properties[collection] ?? []).some((c: any) => c.name.toLowerCase() === name);
}

export interface IpConfigUse {
  /** id of the ip configuration (NIC) or frontend (LB) */
  id: string;
  owner: ResourceRecord;
  item: any;
}

/** NIC ip configurations, each with its NIC. */
export function nicIpConfigs(store: ResourceStore): IpConfigUse[] {
  return store.list({ type: T.nic }).flatMap((nic) =>
    (nic.properties.ipConfigurations ?? []).map((c: any) => ({
      id: `${nic.id}/ipConfigurations/${c.name}`,
      owner: nic,
      item: c,
    })),
  );
}

/** LB frontend IP configurations, each with its load balancer. */
export function lbFrontends(store: ResourceStore): IpConfigUse[] {
  return store.list({ type: T.lb }).flatMap((lb) =>
    (lb.properties.frontendIPConfigurations ?? []).map((c: any) => ({
      id: `${lb.id}/frontendIPConfigurations/${c.name}`,
      owner: lb,
      item: c,
    })),
  );
}

/** Ip configurations (NIC and LB frontend) that sit in a subnet. */
export function ipConfigsInSubnet(store: ResourceStore, subnetId: string): IpConfigUse[] {
  return [...nicIpConfigs(store), ...lbFrontends(store)].filter((u) => sameId(u.item.properties?.subnet?.id, subnetId));
}

/** Private IPs taken in a subnet, except by the resource `exceptOwnerId`. */
export function usedIps(store: ResourceStore, subnetId: string, exceptOwnerId?: string): Map<string, string> {
  const used = new Map<string, string>();
  for (const u of ipConfigsInSubnet(store, subnetId)) {
    if (exceptOwnerId && key(u.owner.id) === key(exceptOwnerId)) continue;
    const ip = u.item.properties?.privateIPAddress;
    if (ip) used.set(ip, u.id);
  }
  return used;
}

/** The VM a NIC is attached to. */
export function vmOfNic(store: ResourceStore, nicId: string): ResourceRecord | undefined {
  return store
    .list({ type: T.vm })
    .find((vm) => (vm.properties.networkProfile?.networkInterfaces ?? []).some((n: any) => sameId(n.id, nicId)));
}

export const refsTo = (items: IpConfigUse[]) => items.map((u) => ({ id: u.id }));
