import { createHash } from 'node:crypto';
import { badRequest, invalidNetworkRequest, invalidReference } from '../errors';
import { sameId } from '../ids';
import { firstFreeIp, ipInCidr, isIpv4, isReservedInSubnet } from '../ipam';
import { exists, findSubnet, usedIps } from '../networkRefs';
import type { ArmContext, ResourceType } from '../resourceType';
import type { ResourceStore } from '../store';

/** What the Network RP resource types share: sub-resource lists, references, private IP assignment. */
export type Item = { name: string; properties: any };

export type NetworkShort =
  | 'virtualNetworks'
  | 'networkSecurityGroups'
  | 'publicIPAddresses'
  | 'natGateways'
  | 'loadBalancers'
  | 'networkInterfaces';

/** The fields every Network RP resource type shares (LRO PUT/DELETE, "Updating" while created). */
export function networkType(
  type: string,
  short: NetworkShort,
  rest: Pick<ResourceType, 'prepare' | 'render'> & Partial<ResourceType>,
): ResourceType {
  return {
    type,
    short,
    provider: 'Microsoft.Network',
    creatingState: 'Updating',
    createLatency: `${short}.createOrUpdate`,
    deleteLatency: `${short}.delete`,
    ...rest,
  };
}

/** Normalizes a list of named sub-resources ({name, properties}); ids and provisioningState are rendered later. */
export function items(list: unknown, what: string): Item[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw invalidNetworkRequest(`Cannot parse the request: '${what}' must be an array.`);
  return list.map((x: any, i) => {
    if (!x || typeof x.name !== 'string' || !x.name)
      throw invalidNetworkRequest(`Cannot parse the request: ${what}[${i}].name is required.`);
    const { provisioningState: _p, ...properties } = x.properties ?? {};
    return { name: x.name, properties };
  });
}

export function requireRef(store: ResourceStore, id: string | undefined, type: string, referrer: string): void {
  if (id !== undefined && !exists(store, id, type)) throw invalidReference(id, referrer);
}

export function strip(props: any, ...keys: string[]): any {
  const out = { ...(props ?? {}) };
  for (const k of [...keys, 'provisioningState', 'resourceGuid']) delete out[k];
  return out;
}

export const guid = (id: string) => {
  const h = createHash('sha256').update(id.toLowerCase()).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

/** Validates a static private IP of an ip configuration: inside its subnet, not reserved, not taken. */
export function validateStaticIp(ctx: ArmContext, config: Item, subnetId: string, ownerId: string): void {
  const subnet = findSubnet(ctx.store, subnetId)!;
  const cidr = subnet.cidr;
  const ip = config.properties.privateIPAddress;
  if (!isIpv4(ip))
    throw invalidNetworkRequest(`Private IP address '${String(ip)}' of ${config.name} is not a valid IPv4 address.`);
  if (!cidr || !ipInCidr(ip, cidr)) {
    throw badRequest(
      'PrivateIPAddressNotInSubnet',
      `IP configuration ${ownerId}/${config.name} is referencing a subnet ${subnet.id} with address prefix ${cidr?.text} that does not include the private IP address ${ip}.`,
    );
  }
  if (isReservedInSubnet(ip, cidr)) {
    throw badRequest(
      'PrivateIPAddressInReservedRange',
      `Private static IP address ${ip} falls within reserved IP range of subnet prefix ${cidr.text}.`,
    );
  }
  const holder = usedIps(ctx.store, subnet.id, ownerId).get(ip);
  if (holder)
    throw badRequest(
      'PrivateIPAddressInUse',
      `IP configuration ${ownerId}/${config.name} is using the private IP address ${ip} which is already allocated to resource ${holder}.`,
    );
}

/**
 * Gives an ip configuration its private IP: a static one is validated, a dynamic one keeps its previous address or
 * gets the subnet's first free one (as Azure allocates); `claimed` keeps sibling configurations of this PUT apart.
 */
export function assignWithSiblings(
  ctx: ArmContext,
  config: Item,
  subnetId: string,
  ownerId: string,
  prev: Item | undefined,
  claimed: Map<string, string>,
): void {
  const p = config.properties;
  p.privateIPAddressVersion = p.privateIPAddressVersion ?? 'IPv4';
  if (p.privateIPAllocationMethod === 'Static' || (p.privateIPAllocationMethod === undefined && p.privateIPAddress)) {
    p.privateIPAllocationMethod = 'Static';
    validateStaticIp(ctx, config, subnetId, ownerId);
    const holder = claimed.get(`${subnetId.toLowerCase()}|${p.privateIPAddress}`);
    if (holder)
      throw badRequest(
        'PrivateIPAddressInUse',
        `IP configuration ${ownerId}/${config.name} is using the private IP address ${p.privateIPAddress} which is already allocated to resource ${ownerId}/${holder}.`,
      );
  } else {
    // dynamic: pretend siblings' addresses are taken
    const subnet = findSubnet(ctx.store, subnetId)!;
    const used = new Set([
      ...usedIps(ctx.store, subnet.id, ownerId).keys(),
      ...[...claimed.keys()].filter((k) => k.startsWith(`${subnetId.toLowerCase()}|`)).map((k) => k.split('|')[1]),
    ]);
    const kept = prev?.properties?.privateIPAddress;
    p.privateIPAllocationMethod = 'Dynamic';
    if (kept && sameId(prev?.properties?.subnet?.id, subnetId) && !used.has(kept)) p.privateIPAddress = kept;
    else {
      const free = subnet.cidr ? firstFreeIp(subnet.cidr, used) : undefined;
      if (!free)
        throw badRequest(
          'SubnetIsFull',
          `Subnet ${subnet.subnet.name} does not have enough capacity for 1 IP addresses.`,
        );
      p.privateIPAddress = free;
    }
  }
  claimed.set(`${subnetId.toLowerCase()}|${p.privateIPAddress}`, config.name);
}
