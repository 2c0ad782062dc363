import { badRequest } from '../errors';
import { sameId } from '../ids';
import { T } from '../networkRefs';
import { envelope, locationOf, ref, subResource, type ResourceType } from '../resourceType';
import { guid, items, networkType, strip, type Item } from './common';

// ------------------------------------------------------------------ network security groups

const DEFAULT_RULES = [
  ['AllowVnetInBound', 'Inbound', 'Allow', 65000, 'VirtualNetwork', 'VirtualNetwork'],
  ['AllowAzureLoadBalancerInBound', 'Inbound', 'Allow', 65001, 'AzureLoadBalancer', '*'],
  ['DenyAllInBound', 'Inbound', 'Deny', 65500, '*', '*'],
  ['AllowVnetOutBound', 'Outbound', 'Allow', 65000, 'VirtualNetwork', 'VirtualNetwork'],
  ['AllowInternetOutBound', 'Outbound', 'Allow', 65001, '*', 'Internet'],
  ['DenyAllOutBound', 'Outbound', 'Deny', 65500, '*', '*'],
] as const;

export const networkSecurityGroups: ResourceType = networkType(T.nsg, 'networkSecurityGroups', {
  prepare(_ctx, input) {
    const props = input.body.properties ?? {};
    const rules = items(props.securityRules, 'securityRules');
    const priorities = new Map<string, string>();
    for (const r of rules) {
      const p = r.properties;
      for (const f of ['protocol', 'access', 'direction', 'priority']) {
        if (p[f] === undefined)
          throw badRequest(
            'SecurityRuleParameterIsNull',
            `Security rule ${r.name} has invalid parameter ${f}. Value provided: null.`,
          );
      }
      if (typeof p.priority !== 'number' || p.priority < 100 || p.priority > 4096) {
        throw badRequest(
          'SecurityRuleInvalidPriority',
          `Security rule has invalid Priority. Value provided: ${p.priority}. Allowed values are from 100 to 4096.`,
        );
      }
      const k = `${p.direction}/${p.priority}`;
      if (priorities.has(k)) {
        throw badRequest(
          'SecurityRuleConflict',
          `Security rule ${r.name} conflicts with rule ${priorities.get(k)}. Rules cannot have the same Priority and Direction.`,
        );
      }
      priorities.set(k, r.name);
    }
    return {
      location: locationOf(input),
      tags: input.body.tags,
      properties: { ...strip(props, 'securityRules', 'defaultSecurityRules'), securityRules: rules },
    };
  },
  render(ctx, rec) {
    const nics = ctx.store.list({ type: T.nic }).filter((n) => sameId(n.properties.networkSecurityGroup?.id, rec.id));
    const subnets = ctx.store
      .list({ type: T.vnet })
      .flatMap((v) =>
        (v.properties.subnets ?? [])
          .filter((s: Item) => sameId(s.properties.networkSecurityGroup?.id, rec.id))
          .map((s: Item) => ({ id: `${v.id}/subnets/${s.name}` })),
      );
    return envelope(rec, {
      resourceGuid: guid(rec.id),
      securityRules: (rec.properties.securityRules ?? []).map((r: Item) => subResource(rec, 'securityRules', r)),
      defaultSecurityRules: DEFAULT_RULES.map(([name, direction, access, priority, src, dst]) =>
        subResource(rec, 'defaultSecurityRules', {
          name,
          properties: {
            description: name,
            protocol: '*',
            sourcePortRange: '*',
            destinationPortRange: '*',
            sourceAddressPrefix: src,
            destinationAddressPrefix: dst,
            access,
            priority,
            direction,
          },
        }),
      ),
      ...(nics.length ? { networkInterfaces: nics.map((n) => ref(n.id)) } : {}),
      ...(subnets.length ? { subnets } : {}),
    });
  },
});
