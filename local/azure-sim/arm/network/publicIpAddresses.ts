import { createHash } from 'node:crypto';
import { badRequest } from '../errors';
import { sameId } from '../ids';
import { T, lbFrontends, nicIpConfigs } from '../networkRefs';
import { envelope, locationOf, ref, type ResourceType } from '../resourceType';
import type { ResourceStore } from '../store';
import { guid, networkType, strip } from './common';

// ------------------------------------------------------------------ public IP addresses

function publicIpUsers(store: ResourceStore, pipId: string): string[] {
  return [...nicIpConfigs(store), ...lbFrontends(store)]
    .filter((u) => sameId(u.item.properties?.publicIPAddress?.id, pipId))
    .map((u) => u.id);
}

export const publicIPAddresses: ResourceType = networkType(T.pip, 'publicIPAddresses', {
  prepare(_ctx, input) {
    const props = input.body.properties ?? {};
    const sku = input.body.sku ?? { name: 'Standard', tier: 'Regional' };
    const method = props.publicIPAllocationMethod ?? (sku.name === 'Standard' ? 'Static' : 'Dynamic');
    if (sku.name === 'Standard' && method !== 'Static') {
      throw badRequest(
        'StandardSkuPublicIPAddressesMustBeStatic',
        `Standard sku publicIp /subscriptions/.../${input.name} must have AllocationMethod set to Static.`,
      );
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
    const nat = ctx.store
      .list({ type: T.nat })
      .find((g) => (g.properties.publicIpAddresses ?? []).some((p: any) => sameId(p.id, rec.id)));
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
      throw badRequest(
        'PublicIPAddressCannotBeDeleted',
        `Public IP address ${rec.id} can not be deleted since it is still allocated to resource ${users[0]}. In order to delete the public IP, disassociate/detach the Public IP address from the resource.`,
      );
    }
  },
});
