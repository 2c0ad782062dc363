import { badRequest } from '../errors';
import { sameId } from '../ids';
import { T } from '../networkRefs';
import { envelope, locationOf, type ResourceType } from '../resourceType';
import { guid, networkType, requireRef, strip, type Item } from './common';

// ------------------------------------------------------------------ NAT gateways

export const natGateways: ResourceType = networkType(T.nat, 'natGateways', {
  prepare(ctx, input) {
    const props = input.body.properties ?? {};
    for (const p of props.publicIpAddresses ?? []) requireRef(ctx.store, p?.id, T.pip, input.id);
    const idle = props.idleTimeoutInMinutes ?? 4;
    if (idle < 4 || idle > 120)
      throw badRequest('InvalidIdleTimeoutInMinutes', `Idle timeout ${idle} is out of range [4, 120].`);
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
      .flatMap((v) =>
        (v.properties.subnets ?? [])
          .filter((s: Item) => sameId(s.properties.natGateway?.id, rec.id))
          .map((s: Item) => ({ id: `${v.id}/subnets/${s.name}` })),
      );
    return envelope(rec, { ...rec.properties, resourceGuid: guid(rec.id), ...(subnets.length ? { subnets } : {}) });
  },
  checkDelete(ctx, rec) {
    const r = natGateways.render(ctx, rec);
    if (r.properties.subnets?.length) {
      throw badRequest(
        'InUseNatGatewayCannotBeDeleted',
        `Nat Gateway ${rec.id} is in use by subnet ${r.properties.subnets[0].id} and cannot be deleted.`,
      );
    }
  },
});
