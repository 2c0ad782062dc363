import { createHash } from 'node:crypto';
import { badRequest, invalidNetworkRequest, invalidReference } from './errors';
import { sameId } from './ids';
import { contains, firstFreeIp, ipInCidr, isIpv4, isReservedInSubnet, overlaps, parseCidr } from './ipam';
import {
  T,
  exists,
  findSubnet,
  ipConfigsInSubnet,
  lbChildExists,
  lbFrontends,
  nicIpConfigs,
  refsTo,
  subnetPrefix,
  usedIps,
  vmOfNic,
} from './network-refs';
import { envelope, locationOf, ref, subResource, type ArmContext, type ChildType, type PutInput, type ResourceType } from './resource-type';
import type { ResourceRecord, ResourceStore } from './store';

type Item = { name: string; properties: any };

/** Normalizes a list of named sub-resources ({name, properties}); ids and provisioningState are rendered later. */
function items(list: unknown, what: string): Item[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw invalidNetworkRequest(`Cannot parse the request: '${what}' must be an array.`);
  return list.map((x: any, i) => {
    if (!x || typeof x.name !== 'string' || !x.name) throw invalidNetworkRequest(`Cannot parse the request: ${what}[${i}].name is required.`);
    const { provisioningState: _p, ...properties } = x.properties ?? {};
    return { name: x.name, properties };
  });
}

function requireRef(store: ResourceStore, id: string | undefined, type: string, referrer: string): void {
  if (id !== undefined && !exists(store, id, type)) throw invalidReference(id, referrer);
}

function strip(props: any, ...keys: string[]): any {
  const out = { ...(props ?? {}) };
  for (const k of [...keys, 'provisioningState', 'resourceGuid']) delete out[k];
  return out;
}

const guid = (id: string) => {
  const h = createHash('sha256').update(id.toLowerCase()).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

/** Validates a static private IP of an ip configuration: inside its subnet, not reserved, not taken. */
function validateStaticIp(ctx: ArmContext, config: Item, subnetId: string, ownerId: string): void {
  const subnet = findSubnet(ctx.store, subnetId)!;
  const cidr = subnet.cidr;
  const ip = config.properties.privateIPAddress;
  if (!isIpv4(ip)) throw invalidNetworkRequest(`Private IP address '${String(ip)}' of ${config.name} is not a valid IPv4 address.`);
  if (!cidr || !ipInCidr(ip, cidr)) {
    throw badRequest('PrivateIPAddressNotInSubnet', `IP configuration ${ownerId}/${config.name} is referencing a subnet ${subnet.id} with address prefix ${cidr?.text} that does not include the private IP address ${ip}.`);
  }
  if (isReservedInSubnet(ip, cidr)) {
    throw badRequest('PrivateIPAddressInReservedRange', `Private static IP address ${ip} falls within reserved IP range of subnet prefix ${cidr.text}.`);
  }
  const holder = usedIps(ctx.store, subnet.id, ownerId).get(ip);
  if (holder) throw badRequest('PrivateIPAddressInUse', `IP configuration ${ownerId}/${config.name} is using the private IP address ${ip} which is already allocated to resource ${holder}.`);
}

// ------------------------------------------------------------------ virtual networks

function validateSubnets(ctx: ArmContext, input: PutInput, vnetPrefixes: string[], subnets: Item[]): void {
  const space = vnetPrefixes.map((p) => parseCidr(p)!);
  const seen: { name: string; cidr: ReturnType<typeof parseCidr> }[] = [];
  for (const s of subnets) {
    const prefix = subnetPrefix(s);
    const cidr = prefix ? parseCidr(prefix) : undefined;
    if (!cidr) throw badRequest('NetcfgInvalidSubnet', `Subnet '${s.name}' is not valid in virtual network '${input.name}'.`);
    if (!space.some((v) => contains(v, cidr))) {
      throw badRequest('NetcfgSubnetRangeOutsideVnet', `Subnet '${s.name}' is not valid because its IP address range is outside the IP address range of virtual network '${input.name}'.`);
    }
    const clash = seen.find((o) => overlaps(o.cidr!, cidr));
    if (clash) {
      throw badRequest('NetcfgSubnetRangesOverlap', `Subnet '${s.name}' is not valid because its IP address range overlaps with that of an existing subnet '${clash.name}' in virtual network '${input.name}'.`);
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
      throw badRequest('InUseSubnetCannotBeDeleted', `Subnet ${old.name} is in use by ${inUse[0].id} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet.`);
    }
    const cidr = parseCidr(subnetPrefix(now)!)!;
    const outside = inUse.find((u) => u.item.properties.privateIPAddress && !ipInCidr(u.item.properties.privateIPAddress, cidr));
    if (outside) throw badRequest('InUseSubnetCannotBeUpdated', `Subnet ${old.name} is in use and cannot be updated: ${outside.id} would be outside its address range.`);
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
    return { ...body, properties: { ...(body.properties ?? {}), subnets: [...subnets, { name, properties: childBody.properties ?? {} }] } };
  },
  withoutChild: (body, name) => ({
    ...body,
    properties: { ...(body.properties ?? {}), subnets: (body.properties?.subnets ?? []).filter((s: any) => s.name.toLowerCase() !== name.toLowerCase()) },
  }),
  checkDelete: (ctx, vnet, name) => {
    const inUse = ipConfigsInSubnet(ctx.store, `${vnet.id}/subnets/${name}`);
    if (inUse.length) {
      throw badRequest('InUseSubnetCannotBeDeleted', `Subnet ${name} is in use by ${inUse[0].id} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet.`);
    }
  },
};

export const virtualNetworks: ResourceType = {
  type: T.vnet,
  short: 'virtualNetworks',
  provider: 'Microsoft.Network',
  creatingState: 'Updating',
  createLatency: 'virtualNetworks.createOrUpdate',
  deleteLatency: 'virtualNetworks.delete',
  prepare(ctx, input) {
    const props = input.body.properties ?? {};
    const prefixes: unknown = props.addressSpace?.addressPrefixes;
    if (!Array.isArray(prefixes) || !prefixes.length) throw invalidNetworkRequest('Cannot parse the request: properties.addressSpace.addressPrefixes is required.');
    for (const p of prefixes) if (!parseCidr(p)) throw badRequest('InvalidAddressPrefixFormat', `Address prefix ${String(p)} of resource ${input.id} is not formatted correctly.`);
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
};

// ------------------------------------------------------------------ network security groups

const DEFAULT_RULES = [
  ['AllowVnetInBound', 'Inbound', 'Allow', 65000, 'VirtualNetwork', 'VirtualNetwork'],
  ['AllowAzureLoadBalancerInBound', 'Inbound', 'Allow', 65001, 'AzureLoadBalancer', '*'],
  ['DenyAllInBound', 'Inbound', 'Deny', 65500, '*', '*'],
  ['AllowVnetOutBound', 'Outbound', 'Allow', 65000, 'VirtualNetwork', 'VirtualNetwork'],
  ['AllowInternetOutBound', 'Outbound', 'Allow', 65001, '*', 'Internet'],
  ['DenyAllOutBound', 'Outbound', 'Deny', 65500, '*', '*'],
] as const;

export const networkSecurityGroups: ResourceType = {
  type: T.nsg,
  short: 'networkSecurityGroups',
  provider: 'Microsoft.Network',
  creatingState: 'Updating',
  createLatency: 'networkSecurityGroups.createOrUpdate',
  deleteLatency: 'networkSecurityGroups.delete',
  prepare(_ctx, input) {
    const props = input.body.properties ?? {};
    const rules = items(props.securityRules, 'securityRules');
    const priorities = new Map<string, string>();
    for (const r of rules) {
      const p = r.properties;
      for (const f of ['protocol', 'access', 'direction', 'priority']) {
        if (p[f] === undefined) throw badRequest('SecurityRuleParameterIsNull', `Security rule ${r.name} has invalid parameter ${f}. Value provided: null.`);
      }
      if (typeof p.priority !== 'number' || p.priority < 100 || p.priority > 4096) {
        throw badRequest('SecurityRuleInvalidPriority', `Security rule has invalid Priority. Value provided: ${p.priority}. Allowed values are from 100 to 4096.`);
      }
      const k = `${p.direction}/${p.priority}`;
      if (priorities.has(k)) {
        throw badRequest('SecurityRuleConflict', `Security rule ${r.name} conflicts with rule ${priorities.get(k)}. Rules cannot have the same Priority and Direction.`);
      }
      priorities.set(k, r.name);
    }
    return { location: locationOf(input), tags: input.body.tags, properties: { ...strip(props, 'securityRules', 'defaultSecurityRules'), securityRules: rules } };
  },
  render(ctx, rec) {
    const nics = ctx.store.list({ type: T.nic }).filter((n) => sameId(n.properties.networkSecurityGroup?.id, rec.id));
    const subnets = ctx.store
      .list({ type: T.vnet })
      .flatMap((v) => (v.properties.subnets ?? []).filter((s: Item) => sameId(s.properties.networkSecurityGroup?.id, rec.id)).map((s: Item) => ({ id: `${v.id}/subnets/${s.name}` })));
    return envelope(rec, {
      resourceGuid: guid(rec.id),
      securityRules: (rec.properties.securityRules ?? []).map((r: Item) => subResource(rec, 'securityRules', r)),
      defaultSecurityRules: DEFAULT_RULES.map(([name, direction, access, priority, src, dst]) =>
        subResource(rec, 'defaultSecurityRules', {
          name,
          properties: { description: name, protocol: '*', sourcePortRange: '*', destinationPortRange: '*', sourceAddressPrefix: src, destinationAddressPrefix: dst, access, priority, direction },
        }),
      ),
      ...(nics.length ? { networkInterfaces: nics.map((n) => ref(n.id)) } : {}),
      ...(subnets.length ? { subnets } : {}),
    });
  },
};

// ------------------------------------------------------------------ public IP addresses

function publicIpUsers(store: ResourceStore, pipId: string): string[] {
  return [...nicIpConfigs(store), ...lbFrontends(store)].filter((u) => sameId(u.item.properties?.publicIPAddress?.id, pipId)).map((u) => u.id);
}

export const publicIPAddresses: ResourceType = {
  type: T.pip,
  short: 'publicIPAddresses',
  provider: 'Microsoft.Network',
  creatingState: 'Updating',
  createLatency: 'publicIPAddresses.createOrUpdate',
  deleteLatency: 'publicIPAddresses.delete',
  prepare(_ctx, input) {
    const props = input.body.properties ?? {};
    const sku = input.body.sku ?? { name: 'Standard', tier: 'Regional' };
    const method = props.publicIPAllocationMethod ?? (sku.name === 'Standard' ? 'Static' : 'Dynamic');
    if (sku.name === 'Standard' && method !== 'Static') {
      throw badRequest('StandardSkuPublicIPAddressesMustBeStatic', `Standard sku publicIp /subscriptions/.../${input.name} must have AllocationMethod set to Static.`);
    }
    // A stable address from TEST-NET-2 (documentation range): never routed anywhere.
    const n = parseInt(createHash('sha256').update(input.id.toLowerCase()).digest('hex').slice(0, 4), 16) % 250;
    return {
      location: locationOf(input),
      tags: input.body.tags,
      sku: { tier: 'Regional', ...sku },
      zones: input.body.zones,
      properties: {
        ...strip(props, 'ipAddress', 'ipConfiguration'),
        publicIPAllocationMethod: method,
        publicIPAddressVersion: props.publicIPAddressVersion ?? 'IPv4',
        idleTimeoutInMinutes: props.idleTimeoutInMinutes ?? 4,
        ipTags: props.ipTags ?? [],
        ipAddress: input.existing?.properties.ipAddress ?? `198.51.100.${n + 1}`,
      },
    };
  },
  render(ctx, rec) {
    const users = publicIpUsers(ctx.store, rec.id);
    const nat = ctx.store.list({ type: T.nat }).find((g) => (g.properties.publicIpAddresses ?? []).some((p: any) => sameId(p.id, rec.id)));
    const attached = users.length > 0 || !!nat;
    const { ipAddress, ...rest } = rec.properties;
    return envelope(rec, {
      ...rest,
      resourceGuid: guid(rec.id),
      ...(rest.publicIPAllocationMethod === 'Static' || attached ? { ipAddress } : {}),
      ...(users.length ? { ipConfiguration: ref(users[0]) } : {}),
      ...(nat ? { natGateway: ref(nat.id) } : {}),
    });
  },
  checkDelete(ctx, rec) {
    const users = publicIpUsers(ctx.store, rec.id);
    if (users.length) {
      throw badRequest('PublicIPAddressCannotBeDeleted', `Public IP address ${rec.id} can not be deleted since it is still allocated to resource ${users[0]}. In order to delete the public IP, disassociate/detach the Public IP address from the resource.`);
    }
  },
};

// ------------------------------------------------------------------ NAT gateways

export const natGateways: ResourceType = {
  type: T.nat,
  short: 'natGateways',
  provider: 'Microsoft.Network',
  creatingState: 'Updating',
  createLatency: 'natGateways.createOrUpdate',
  deleteLatency: 'natGateways.delete',
  prepare(ctx, input) {
    const props = input.body.properties ?? {};
    for (const p of props.publicIpAddresses ?? []) requireRef(ctx.store, p?.id, T.pip, input.id);
    const idle = props.idleTimeoutInMinutes ?? 4;
    if (idle < 4 || idle > 120) throw badRequest('InvalidIdleTimeoutInMinutes', `Idle timeout ${idle} is out of range [4, 120].`);
    return {
      location: locationOf(input),
      tags: input.body.tags,
      sku: input.body.sku ?? { name: 'Standard' },
      zones: input.body.zones,
      properties: { ...strip(props, 'subnets'), idleTimeoutInMinutes: idle },
    };
  },
  render(ctx, rec) {
    const subnets = ctx.store
      .list({ type: T.vnet })
      .flatMap((v) => (v.properties.subnets ?? []).filter((s: Item) => sameId(s.properties.natGateway?.id, rec.id)).map((s: Item) => ({ id: `${v.id}/subnets/${s.name}` })));
    return envelope(rec, { ...rec.properties, resourceGuid: guid(rec.id), ...(subnets.length ? { subnets } : {}) });
  },
  checkDelete(ctx, rec) {
    const r = natGateways.render(ctx, rec);
    if (r.properties.subnets?.length) {
      throw badRequest('InUseNatGatewayCannotBeDeleted', `Nat Gateway ${rec.id} is in use by subnet ${r.properties.subnets[0].id} and cannot be deleted.`);
    }
  },
};

// ------------------------------------------------------------------ load balancers

const LB_COLLECTIONS = ['frontendIPConfigurations', 'backendAddressPools', 'probes', 'loadBalancingRules', 'inboundNatRules', 'outboundRules', 'inboundNatPools'] as const;

function lbChildRef(lbId: string, collection: string, id: string | undefined, referrer: string, store: ResourceStore, pending: Record<string, Item[]>): void {
  if (id === undefined) return;
  const own = id.toLowerCase().startsWith(`${lbId.toLowerCase()}/${collection.toLowerCase()}/`);
  const name = id.split('/').pop()!.toLowerCase();
  if (own ? !pending[collection].some((c) => c.name.toLowerCase() === name) : !lbChildExists(store, id, collection)) {
    throw invalidReference(id, referrer);
  }
}

function renderLbChildren(ctx: ArmContext, rec: ResourceRecord): Record<string, any[]> {
  const p = rec.properties;
  const rules: Item[] = p.loadBalancingRules ?? [];
  const natRules: Item[] = p.inboundNatRules ?? [];
  const ruleRefs = (field: string, childId: string, list: Item[], coll: string) =>
    list.filter((r) => sameId(r.properties[field]?.id, childId)).map((r) => ({ id: `${rec.id}/${coll}/${r.name}` }));
  const members = nicIpConfigs(ctx.store);
  const out: Record<string, any[]> = {};
  out.frontendIPConfigurations = (p.frontendIPConfigurations ?? []).map((f: Item) => {
    const id = `${rec.id}/frontendIPConfigurations/${f.name}`;
    const lbr = ruleRefs('frontendIPConfiguration', id, rules, 'loadBalancingRules');
    const nat = ruleRefs('frontendIPConfiguration', id, natRules, 'inboundNatRules');
    return subResource(rec, 'frontendIPConfigurations', { name: f.name, properties: strip(f.properties, 'loadBalancingRules', 'inboundNatRules') }, {
      ...(lbr.length ? { loadBalancingRules: lbr } : {}),
      ...(nat.length ? { inboundNatRules: nat } : {}),
    });
  });
  out.backendAddressPools = (p.backendAddressPools ?? []).map((b: Item) => {
    const id = `${rec.id}/backendAddressPools/${b.name}`;
    const lbr = ruleRefs('backendAddressPool', id, rules, 'loadBalancingRules');
    const backends = members.filter((m) => (m.item.properties.loadBalancerBackendAddressPools ?? []).some((x: any) => sameId(x.id, id)));
    return subResource(rec, 'backendAddressPools', { name: b.name, properties: strip(b.properties, 'loadBalancingRules', 'backendIPConfigurations') }, {
      ...(lbr.length ? { loadBalancingRules: lbr } : {}),
      ...(backends.length ? { backendIPConfigurations: refsTo(backends) } : {}),
    });
  });
  out.probes = (p.probes ?? []).map((pr: Item) => {
    const lbr = ruleRefs('probe', `${rec.id}/probes/${pr.name}`, rules, 'loadBalancingRules');
    return subResource(rec, 'probes', { name: pr.name, properties: strip(pr.properties, 'loadBalancingRules') }, lbr.length ? { loadBalancingRules: lbr } : {});
  });
  for (const c of ['loadBalancingRules', 'inboundNatRules', 'outboundRules', 'inboundNatPools'] as const) {
    out[c] = (p[c] ?? []).map((x: Item) => subResource(rec, c, x));
  }
  return out;
}

function lbChild(collection: string, opName: string): ChildType {
  return { opName, list: (ctx, lb) => renderLbChildren(ctx, lb)[collection] };
}

export const loadBalancers: ResourceType = {
  type: T.lb,
  short: 'loadBalancers',
  provider: 'Microsoft.Network',
  creatingState: 'Updating',
  createLatency: 'loadBalancers.createOrUpdate',
  deleteLatency: 'loadBalancers.delete',
  prepare(ctx, input) {
    const props = input.body.properties ?? {};
    const c: Record<string, Item[]> = {};
    for (const coll of LB_COLLECTIONS) c[coll] = items(props[coll], coll);
    const previous: Item[] = input.existing?.properties.frontendIPConfigurations ?? [];
    for (const f of c.frontendIPConfigurations) {
      const fp = f.properties;
      const referrer = `${input.id}/frontendIPConfigurations/${f.name}`;
      delete fp.loadBalancingRules;
      delete fp.inboundNatRules;
      if (fp.subnet?.id) {
        if (!findSubnet(ctx.store, fp.subnet.id)) throw invalidReference(fp.subnet.id, referrer);
      } else if (fp.publicIPAddress?.id) {
        requireRef(ctx.store, fp.publicIPAddress.id, T.pip, referrer);
      } else {
        throw invalidNetworkRequest(`Frontend IP configuration ${referrer} must reference either a subnet or a public IP address.`);
      }
    }
    // Private IPs: validate statics first, then allocate dynamics around them.
    const ordered = [...c.frontendIPConfigurations].sort((a, b) => Number(b.properties.privateIPAllocationMethod === 'Static') - Number(a.properties.privateIPAllocationMethod === 'Static'));
    const claimed = new Map<string, string>();
    for (const f of ordered) {
      if (!f.properties.subnet?.id) continue;
      const prev = previous.find((x) => x.name.toLowerCase() === f.name.toLowerCase());
      assignWithSiblings(ctx, f, f.properties.subnet.id, input.id, prev, claimed);
    }
    for (const p of c.probes) {
      if (!p.properties.protocol || p.properties.port === undefined) throw invalidNetworkRequest(`Probe ${input.id}/probes/${p.name} must specify protocol and port.`);
      delete p.properties.loadBalancingRules;
      p.properties.intervalInSeconds ??= 15;
      p.properties.numberOfProbes ??= 1;
      p.properties.probeThreshold ??= 1;
    }
    for (const b of c.backendAddressPools) {
      delete b.properties.loadBalancingRules;
      delete b.properties.backendIPConfigurations;
    }
    for (const r of c.loadBalancingRules) {
      const rp = r.properties;
      const referrer = `${input.id}/loadBalancingRules/${r.name}`;
      if (!rp.frontendIPConfiguration?.id || !rp.protocol || rp.frontendPort === undefined) {
        throw invalidNetworkRequest(`Load balancing rule ${referrer} must specify frontendIPConfiguration, protocol and frontendPort.`);
      }
      lbChildRef(input.id, 'frontendIPConfigurations', rp.frontendIPConfiguration.id, referrer, ctx.store, c);
      lbChildRef(input.id, 'backendAddressPools', rp.backendAddressPool?.id, referrer, ctx.store, c);
      lbChildRef(input.id, 'probes', rp.probe?.id, referrer, ctx.store, c);
      rp.backendPort ??= rp.frontendPort;
      rp.idleTimeoutInMinutes ??= 4;
      rp.enableFloatingIP ??= false;
      rp.loadDistribution ??= 'Default';
      rp.disableOutboundSnat ??= false;
      rp.enableTcpReset ??= false;
    }
    for (const r of c.inboundNatRules) {
      lbChildRef(input.id, 'frontendIPConfigurations', r.properties.frontendIPConfiguration?.id, `${input.id}/inboundNatRules/${r.name}`, ctx.store, c);
    }
    return { location: locationOf(input), tags: input.body.tags, sku: input.body.sku ?? { name: 'Basic', tier: 'Regional' }, properties: { ...strip(props, ...LB_COLLECTIONS), ...c } };
  },
  render(ctx, rec) {
    const { frontendIPConfigurations: _f, backendAddressPools: _b, probes: _p, loadBalancingRules: _l, inboundNatRules: _i, outboundRules: _o, inboundNatPools: _n, ...rest } = rec.properties;
    return envelope(rec, { ...rest, resourceGuid: guid(rec.id), ...renderLbChildren(ctx, rec) });
  },
  checkDelete(ctx, rec) {
    const pools = renderLbChildren(ctx, rec).backendAddressPools.filter((b) => b.properties.backendIPConfigurations?.length);
    if (pools.length) {
      throw badRequest('InUseBackendAddressPoolCannotBeDeleted', `Backend address pool ${pools[0].id} is in use by ${pools[0].properties.backendIPConfigurations[0].id} and cannot be deleted.`);
    }
  },
  children: Object.fromEntries(
    ['frontendIPConfigurations', 'backendAddressPools', 'probes', 'loadBalancingRules', 'inboundNatRules'].map((c) => [c.toLowerCase(), lbChild(c, `loadBalancer${c[0].toUpperCase()}${c.slice(1)}`)]),
  ),
};

/**
 * Gives an ip configuration its private IP: a static one is validated, a dynamic one keeps its previous address or
 * gets the subnet's first free one (as Azure allocates); `claimed` keeps sibling configurations of this PUT apart.
 */
function assignWithSiblings(ctx: ArmContext, config: Item, subnetId: string, ownerId: string, prev: Item | undefined, claimed: Map<string, string>): void {
  const p = config.properties;
  p.privateIPAddressVersion = p.privateIPAddressVersion ?? 'IPv4';
  if (p.privateIPAllocationMethod === 'Static' || (p.privateIPAllocationMethod === undefined && p.privateIPAddress)) {
    p.privateIPAllocationMethod = 'Static';
    validateStaticIp(ctx, config, subnetId, ownerId);
    const holder = claimed.get(`${subnetId.toLowerCase()}|${p.privateIPAddress}`);
    if (holder) throw badRequest('PrivateIPAddressInUse', `IP configuration ${ownerId}/${config.name} is using the private IP address ${p.privateIPAddress} which is already allocated to resource ${ownerId}/${holder}.`);
  } else {
    // dynamic: pretend siblings' addresses are taken
    const subnet = findSubnet(ctx.store, subnetId)!;
    const used = new Set([...usedIps(ctx.store, subnet.id, ownerId).keys(), ...[...claimed.keys()].filter((k) => k.startsWith(`${subnetId.toLowerCase()}|`)).map((k) => k.split('|')[1])]);
    const kept = prev?.properties?.privateIPAddress;
    p.privateIPAllocationMethod = 'Dynamic';
    if (kept && sameId(prev?.properties?.subnet?.id, subnetId) && !used.has(kept)) p.privateIPAddress = kept;
    else {
      const free = subnet.cidr ? firstFreeIp(subnet.cidr, used) : undefined;
      if (!free) throw badRequest('SubnetIsFull', `Subnet ${subnet.subnet.name} does not have enough capacity for 1 IP addresses.`);
      p.privateIPAddress = free;
    }
  }
  claimed.set(`${subnetId.toLowerCase()}|${p.privateIPAddress}`, config.name);
}

// ------------------------------------------------------------------ network interfaces

/** A stable MAC address per NIC in Azure's format, with Microsoft's 00-0D-3A prefix as Azure uses. */
export function macAddressOf(nicId: string): string {
  const h = createHash('sha256').update(nicId.toLowerCase()).digest('hex').toUpperCase();
  return `00-0D-3A-${h.slice(0, 2)}-${h.slice(2, 4)}-${h.slice(4, 6)}`;
}

export const networkInterfaces: ResourceType = {
  type: T.nic,
  short: 'networkInterfaces',
  provider: 'Microsoft.Network',
  creatingState: 'Updating',
  createLatency: 'networkInterfaces.createOrUpdate',
  deleteLatency: 'networkInterfaces.delete',
  prepare(ctx, input) {
    const props = input.body.properties ?? {};
    const configs = items(props.ipConfigurations, 'ipConfigurations');
    if (!configs.length) throw invalidNetworkRequest(`Network interface ${input.id} must have one or more IP configurations.`);
    const primaries = configs.filter((c) => c.properties.primary === true);
    if (configs.length > 1 && primaries.length !== 1) {
      throw badRequest('NetworkInterfaceMustHaveOnePrimaryIpConfiguration', `Network interface ${input.id} with multiple IP configurations must have exactly one primary IP configuration.`);
    }
    if (configs.length === 1) configs[0].properties.primary = true;
    requireRef(ctx.store, props.networkSecurityGroup?.id, T.nsg, input.id);
    const previous: Item[] = input.existing?.properties.ipConfigurations ?? [];
    const claimed = new Map<string, string>();
    const ordered = [...configs].sort((a, b) => Number(!!b.properties.privateIPAddress) - Number(!!a.properties.privateIPAddress));
    for (const c of ordered) {
      const cp = c.properties;
      const referrer = `${input.id}/ipConfigurations/${c.name}`;
      if (!cp.subnet?.id) throw invalidNetworkRequest(`IP configuration ${referrer} must reference a subnet.`);
      if (!findSubnet(ctx.store, cp.subnet.id)) throw invalidReference(cp.subnet.id, referrer);
      requireRef(ctx.store, cp.publicIPAddress?.id, T.pip, referrer);
      for (const pool of cp.loadBalancerBackendAddressPools ?? []) {
        if (!lbChildExists(ctx.store, pool?.id, 'backendAddressPools')) throw invalidReference(pool?.id, referrer);
      }
      const prev = previous.find((x) => x.name.toLowerCase() === c.name.toLowerCase());
      assignWithSiblings(ctx, c, cp.subnet.id, input.id, prev, claimed);
    }
    return {
      location: locationOf(input),
      tags: input.body.tags,
      properties: {
        ...strip(props, 'ipConfigurations', 'macAddress', 'virtualMachine', 'primary'),
        ipConfigurations: configs,
        enableAcceleratedNetworking: props.enableAcceleratedNetworking ?? false,
        enableIPForwarding: props.enableIPForwarding ?? false,
        dnsSettings: { dnsServers: props.dnsSettings?.dnsServers ?? [], ...(props.dnsSettings ?? {}) },
      },
    };
  },
  render(ctx, rec) {
    const vm = vmOfNic(ctx.store, rec.id);
    const { ipConfigurations, dnsSettings, ...rest } = rec.properties;
    const vmNics: any[] = vm?.properties.networkProfile?.networkInterfaces ?? [];
    const primary = vm ? (vmNics.length === 1 ? true : vmNics.some((n) => sameId(n.id, rec.id) && n.properties?.primary === true)) : undefined;
    return envelope(rec, {
      ...rest,
      resourceGuid: guid(rec.id),
      ipConfigurations: (ipConfigurations ?? []).map((c: Item) => subResource(rec, 'ipConfigurations', c)),
      dnsSettings: {
        ...dnsSettings,
        appliedDnsServers: dnsSettings?.dnsServers ?? [],
        internalDomainNameSuffix: `${guid(rec.id).replace(/-/g, '').slice(0, 26)}.ax.internal.cloudapp.net`,
      },
      ...(vm ? { virtualMachine: ref(vm.id), macAddress: macAddressOf(rec.id), primary } : {}),
      nicType: 'Standard',
    });
  },
  checkDelete(ctx, rec) {
    const vm = vmOfNic(ctx.store, rec.id);
    if (vm) {
      throw badRequest('NicInUse', `Network Interface ${rec.id} is used by existing resource ${vm.id}. In order to delete the network interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.`);
    }
  },
  children: {
    ipconfigurations: { opName: 'networkInterfaceIPConfigurations', list: (ctx, nic) => networkInterfaces.render(ctx, nic).properties.ipConfigurations },
  },
};

export const NETWORK_TYPES = [virtualNetworks, networkSecurityGroups, publicIPAddresses, natGateways, loadBalancers, networkInterfaces];

