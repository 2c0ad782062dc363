import { badRequest, invalidNetworkRequest } from '../errors';
import { contains, ipInCidr, overlaps, parseCidr } from '../ipam';
import { T, ipConfigsInSubnet, refsTo, subnetPrefix } from '../networkRefs';
import {
  locationOf,
  envelope,
  subResource,
  type ArmContext,
  type ChildType,
  type PutInput,
  type ResourceType,
} from '../resourceType';
import type { ResourceRecord } from '../store';
import { guid, items, networkType, requireRef, strip, type Item } from './common';

// ------------------------------------------------------------------ virtual networks

function validateSubnets(ctx: ArmContext, input: PutInput, vnetPrefixes: string[], subnets: Item[]): void {
  const space = vnetPrefixes.map((p) => parseCidr(p)!);
  const seen: { name: string; cidr: ReturnType<typeof parseCidr> }[] = [];
  for (const s of subnets) {
    const prefix = subnetPrefix(s);
    const cidr = prefix ? parseCidr(prefix) : undefined;
    if (!cidr)
      throw badRequest('NetcfgInvalidSubnet', `Subnet '${s.name}' is not valid in virtual network '${input.name}'.`);
    if (!space.some((v) => contains(v, cidr))) {
      throw badRequest(
        'NetcfgSubnetRangeOutsideVnet',
        `Subnet '${s.name}' is not valid because its IP address range is outside the IP address range of virtual network '${input.name}'.`,
      );
    }
    const clash = seen.find((o) => overlaps(o.cidr!, cidr));
    if (clash) {
      throw badRequest(
        'NetcfgSubnetRangesOverlap',
        `Subnet '${s.name}' is not valid because its IP address range overlaps with that of an existing subnet '${clash.name}' in virtual network '${input.name}'.`,
      );
    }
    seen.push({ name: s.name, cidr });
    requireRef(ctx.store, s.properties.networkSecurityGroup?.id, T.nsg, `${input.id}/subnets/${s.name}`);
    requireRef(ctx.store, s.properties.natGateway?.id, T.nat, `${input.id}/subnets/${s.name}`);
  }
  // Removing or moving a subnet that holds ip configurations is refused, as in Azure.
  for (const old of input.existing?.properties.subnets ?? []) {
    const subnetId = `${input.id}/subnets/${old.name}`;
    const inUse = ipConfigsInSubnet(ctx.store, subnetId);
    if (!inUse.length) continue;
    const now = subnets.find((s) => s.name.toLowerCase() === old.name.toLowerCase());
    if (!now) {
      throw badRequest(
        'InUseSubnetCannotBeDeleted',
        `Subnet ${old.name} is in use by ${inUse[0].id} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet.`,
      );
    }
    const cidr = parseCidr(subnetPrefix(now)!)!;
    const outside = inUse.find(
      (u) => u.item.properties.privateIPAddress && !ipInCidr(u.item.properties.privateIPAddress, cidr),
    );
    if (outside)
      throw badRequest(
        'InUseSubnetCannotBeUpdated',
        `Subnet ${old.name} is in use and cannot be updated: ${outside.id} would be outside its address range.`,
      );
  }
}

function renderSubnet(ctx: ArmContext, vnet: ResourceRecord, s: Item): any {
  const subnetId = `${vnet.id}/subnets/${s.name}`;
  const configs = ipConfigsInSubnet(ctx.store, subnetId);
  return subResource(vnet, 'subnets', s, {
    ...(configs.length ? { ipConfigurations: refsTo(configs) } : {}),
    privateEndpointNetworkPolicies: s.properties.privateEndpointNetworkPolicies ?? 'Disabled',
    privateLinkServiceNetworkPolicies: s.properties.privateLinkServiceNetworkPolicies ?? 'Enabled',
  });
}

const subnetChild: ChildType = {
  opName: 'subnets',
  putLatency: 'subnets.createOrUpdate',
  deleteLatency: 'subnets.delete',
  list: (ctx, vnet) => (vnet.properties.subnets ?? []).map((s: Item) => renderSubnet(ctx, vnet, s)),
  withChild: (body, name, childBody) => {
    const subnets = (body.properties?.subnets ?? []).filter((s: any) => s.name.toLowerCase() !== name.toLowerCase());
    return {
      ...body,
      properties: {
        ...(body.properties ?? {}),
        subnets: [...subnets, { name, properties: childBody.properties ?? {} }],
      },
    };
  },
  withoutChild: (body, name) => ({
    ...body,
    properties: {
      ...(body.properties ?? {}),
      subnets: (body.properties?.subnets ?? []).filter((s: any) => s.name.toLowerCase() !== name.toLowerCase()),
    },
  }),
  checkDelete: (ctx, vnet, name) => {
    const inUse = ipConfigsInSubnet(ctx.store, `${vnet.id}/subnets/${name}`);
    if (inUse.length) {
      throw badRequest(
        'InUseSubnetCannotBeDeleted',
        `Subnet ${name} is in use by ${inUse[0].id} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet.`,
      );
    }
  },
};

export const virtualNetworks: ResourceType = networkType(T.vnet, 'virtualNetworks', {
  prepare(ctx, input) {
    const props = input.body.properties ?? {};
    const prefixes: unknown = props.addressSpace?.addressPrefixes;
    if (!Array.isArray(prefixes) || !prefixes.length)
      throw invalidNetworkRequest('Cannot parse the request: properties.addressSpace.addressPrefixes is required.');
    for (const p of prefixes)
      if (!parseCidr(p))
        throw badRequest(
          'InvalidAddressPrefixFormat',
          `Address prefix ${String(p)} of resource ${input.id} is not formatted correctly.`,
        );
    const subnets = items(props.subnets, 'subnets');
    validateSubnets(ctx, input, prefixes as string[], subnets);
    return {
      location: locationOf(input),
      tags: input.body.tags,
      properties: { ...strip(props, 'subnets'), addressSpace: { addressPrefixes: prefixes }, subnets },
    };
  },
  render(ctx, rec) {
    const { subnets, ...rest } = rec.properties;
    return envelope(rec, {
      ...rest,
      resourceGuid: guid(rec.id),
      subnets: (subnets ?? []).map((s: Item) => renderSubnet(ctx, rec, s)),
      virtualNetworkPeerings: rest.virtualNetworkPeerings ?? [],
      enableDdosProtection: rest.enableDdosProtection ?? false,
    });
  },
  checkDelete(ctx, rec) {
    for (const s of rec.properties.subnets ?? []) subnetChild.checkDelete!(ctx, rec, s.name);
  },
  children: { subnets: subnetChild },
});
