import { ArmError, badRequest } from '../errors';
import { sameId } from '../ids';
import { T } from '../networkRefs';
import { envelope, locationOf, ref, type ArmContext, type ResourceType } from '../resourceType';
import type { ResourceRecord } from '../store';

// ------------------------------------------------------------------ availability sets

export const availabilitySets: ResourceType = {
  type: T.avset,
  short: 'availabilitySets',
  provider: 'Microsoft.Compute',
  creatingState: 'Creating',
  syncPut: true,
  createLatency: 'availabilitySets.createOrUpdate',
  deleteLatency: 'availabilitySets.delete',
  prepare(_ctx, input) {
    const props = input.body.properties ?? {};
    const fd = props.platformFaultDomainCount ?? 2;
    const ud = props.platformUpdateDomainCount ?? 5;
    if (!Number.isInteger(fd) || fd < 1 || fd > 3) {
      throw badRequest(
        'InvalidParameter',
        `The specified fault domain count ${fd} must fall in the range 1 to 3.`,
        'platformFaultDomainCount',
      );
    }
    if (!Number.isInteger(ud) || ud < 1 || ud > 20) {
      throw badRequest(
        'InvalidParameter',
        `The specified update domain count ${ud} must fall in the range 1 to 20.`,
        'platformUpdateDomainCount',
      );
    }
    if (
      input.existing &&
      input.existing.properties.platformFaultDomainCount !== fd &&
      availabilitySetMembers(_ctx, input.existing).length
    ) {
      throw new ArmError(
        409,
        'PropertyChangeNotAllowed',
        "Changing property 'platformFaultDomainCount' is not allowed.",
        'platformFaultDomainCount',
      );
    }
    const { virtualMachines: _vms, statuses: _s, ...rest } = props;
    return {
      location: locationOf(input),
      tags: input.body.tags,
      sku: input.body.sku ?? { name: 'Classic' },
      properties: { ...rest, platformFaultDomainCount: fd, platformUpdateDomainCount: ud },
    };
  },
  render(ctx, rec) {
    const { provisioningState: _p, ...body } = envelope(rec, {}, false);
    const vms = availabilitySetMembers(ctx, rec);
    return { ...body, properties: { ...rec.properties, virtualMachines: vms.map((v) => ref(v.id)) } };
  },
  checkDelete(ctx, rec) {
    const vms = availabilitySetMembers(ctx, rec);
    if (vms.length)
      throw new ArmError(
        409,
        'OperationNotAllowed',
        `Availability set ${rec.name} cannot be deleted: it contains virtual machine ${vms[0].name}.`,
      );
  },
};

export function availabilitySetMembers(ctx: ArmContext, avset: ResourceRecord): ResourceRecord[] {
  return ctx.store.list({ type: T.vm }).filter((v) => sameId(v.properties.availabilitySet?.id, avset.id));
}
