import { badRequest, invalidNetworkRequest, invalidReference } from '../errors';
import { sameId } from '../ids';
import { T, findSubnet, lbChildExists, nicIpConfigs, refsTo } from '../networkRefs';
import { envelope, locationOf, subResource, type ArmContext, type ChildType, type ResourceType } from '../resourceType';
import type { ResourceRecord, ResourceStore } from '../store';
import { ProbeView, ruleHealth } from '../../monitor/probeView';
import { assignWithSiblings, guid, items, networkType, requireRef, strip, type Item } from './common';

// ------------------------------------------------------------------ load balancers

const LB_COLLECTIONS = [
  'frontendIPConfigurations',
  'backendAddressPools',
  'probes',
  'loadBalancingRules',
  'inboundNatRules',
  'outboundRules',
  'inboundNatPools',
] as const;

function lbChildRef(
  lbId: string,
  collection: string,
  id: string | undefined,
  referrer: string,
  store: ResourceStore,
  pending: Record<string, Item[]>,
): void {
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
    return subResource(
      rec,
      'frontendIPConfigurations',
      { name: f.name, properties: strip(f.properties, 'loadBalancingRules', 'inboundNatRules') },
      {
        ...(lbr.length ? { loadBalancingRules: lbr } : {}),
        ...(nat.length ? { inboundNatRules: nat } : {}),
      },
    );
  });
  out.backendAddressPools = (p.backendAddressPools ?? []).map((b: Item) => {
    const id = `${rec.id}/backendAddressPools/${b.name}`;
    const lbr = ruleRefs('backendAddressPool', id, rules, 'loadBalancingRules');
    const backends = members.filter((m) =>
      (m.item.properties.loadBalancerBackendAddressPools ?? []).some((x: any) => sameId(x.id, id)),
    );
    return subResource(
      rec,
      'backendAddressPools',
      { name: b.name, properties: strip(b.properties, 'loadBalancingRules', 'backendIPConfigurations') },
      {
        ...(lbr.length ? { loadBalancingRules: lbr } : {}),
        ...(backends.length ? { backendIPConfigurations: refsTo(backends) } : {}),
      },
    );
  });
  out.probes = (p.probes ?? []).map((pr: Item) => {
    const lbr = ruleRefs('probe', `${rec.id}/probes/${pr.name}`, rules, 'loadBalancingRules');
    return subResource(
      rec,
      'probes',
      { name: pr.name, properties: strip(pr.properties, 'loadBalancingRules') },
      lbr.length ? { loadBalancingRules: lbr } : {},
    );
  });
  for (const c of ['loadBalancingRules', 'inboundNatRules', 'outboundRules', 'inboundNatPools'] as const) {
    out[c] = (p[c] ?? []).map((x: Item) => subResource(rec, c, x));
  }
  return out;
}

function lbChild(collection: string, opName: string): ChildType {
  const child: ChildType = { opName, list: (ctx, lb) => renderLbChildren(ctx, lb)[collection] };
  if (collection === 'loadBalancingRules') child.actions = { health: ruleHealthAction };
  return child;
}

/**
 * POST …/loadBalancingRules/{rule}/health: an LRO whose result (Location) is the rule's health per backend
 * (LoadBalancerHealthPerRule), taken from the load balancer's current view of its probes when the operation ends.
 */
const ruleHealthAction: NonNullable<ChildType['actions']>[string] = {
  name: 'health',
  run: (ctx, lb, ruleName) => {
    const rule = (lb.properties.loadBalancingRules ?? []).find(
      (r: Item) => r.name.toLowerCase() === ruleName.toLowerCase(),
    );
    if (!rule) throw badRequest('NotFound', `Load balancing rule ${ruleName} not found in ${lb.id}.`);
    return {
      kind: 'lro',
      latency: 'loadBalancingRules.health',
      work: async () => ruleHealth(ctx.store, ctx.runtime, new ProbeView(ctx.clocks, () => ctx.runtime), lb, ruleName),
    };
  },
};

export const loadBalancers: ResourceType = networkType(T.lb, 'loadBalancers', {
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
        throw invalidNetworkRequest(
          `Frontend IP configuration ${referrer} must reference either a subnet or a public IP address.`,
        );
      }
    }
    // Private IPs: validate statics first, then allocate dynamics around them.
    const ordered = [...c.frontendIPConfigurations].sort(
      (a, b) =>
        Number(b.properties.privateIPAllocationMethod === 'Static') -
        Number(a.properties.privateIPAllocationMethod === 'Static'),
    );
    const claimed = new Map<string, string>();
    for (const f of ordered) {
      if (!f.properties.subnet?.id) continue;
      const prev = previous.find((x) => x.name.toLowerCase() === f.name.toLowerCase());
      assignWithSiblings(ctx, f, f.properties.subnet.id, input.id, prev, claimed);
    }
    for (const p of c.probes) {
      if (!p.properties.protocol || p.properties.port === undefined)
        throw invalidNetworkRequest(`Probe ${input.id}/probes/${p.name} must specify protocol and port.`);
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
        throw invalidNetworkRequest(
          `Load balancing rule ${referrer} must specify frontendIPConfiguration, protocol and frontendPort.`,
        );
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
      lbChildRef(
        input.id,
        'frontendIPConfigurations',
        r.properties.frontendIPConfiguration?.id,
        `${input.id}/inboundNatRules/${r.name}`,
        ctx.store,
        c,
      );
    }
    return {
      location: locationOf(input),
      tags: input.body.tags,
      sku: input.body.sku ?? { name: 'Basic', tier: 'Regional' },
      properties: { ...strip(props, ...LB_COLLECTIONS), ...c },
    };
  },
  render(ctx, rec) {
    const {
      frontendIPConfigurations: _f,
      backendAddressPools: _b,
      probes: _p,
      loadBalancingRules: _l,
      inboundNatRules: _i,
      outboundRules: _o,
      inboundNatPools: _n,
      ...rest
    } = rec.properties;
    return envelope(rec, { ...rest, resourceGuid: guid(rec.id), ...renderLbChildren(ctx, rec) });
  },
  checkDelete(ctx, rec) {
    const pools = renderLbChildren(ctx, rec).backendAddressPools.filter(
      (b) => b.properties.backendIPConfigurations?.length,
    );
    if (pools.length) {
      throw badRequest(
        'InUseBackendAddressPoolCannotBeDeleted',
        `Backend address pool ${pools[0].id} is in use by ${pools[0].properties.backendIPConfigurations[0].id} and cannot be deleted.`,
      );
    }
  },
  children: Object.fromEntries(
    ['frontendIPConfigurations', 'backendAddressPools', 'probes', 'loadBalancingRules', 'inboundNatRules'].map((c) => [
      c.toLowerCase(),
      lbChild(c, `loadBalancer${c[0].toUpperCase()}${c.slice(1)}`),
    ]),
  ),
});
