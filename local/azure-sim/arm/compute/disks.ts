import { ArmError, missingComputeParameter } from '../errors';
import { sameId } from '../ids';
import { T } from '../networkRefs';
import { envelope, locationOf, type ResourceType } from '../resourceType';
import type { ResourceRecord } from '../store';

// ------------------------------------------------------------------ managed disks (created with VMs)

export const disks: ResourceType = {
  type: T.disk,
  short: 'disks',
  provider: 'Microsoft.Compute',
  creatingState: 'Updating',
  createLatency: 'disks.delete',
  deleteLatency: 'disks.delete',
  prepare(_ctx, input) {
    const props = input.body.properties ?? {};
    if (!props.creationData?.createOption) throw missingComputeParameter('creationData.createOption');
    return {
      location: locationOf(input),
      tags: input.body.tags,
      sku: input.body.sku ?? { name: 'Standard_LRS' },
      properties: { ...props },
    };
  },
  render(ctx, rec) {
    const owner = ctx.store.list({ type: T.vm }).find((v) => diskIdsOf(v).some((d) => sameId(d.id, rec.id)));
    const body = envelope(
      rec,
      { ...rec.properties, diskState: owner ? 'Attached' : 'Unattached', timeCreated: rec.internal.timeCreated },
      false,
    );
    return { ...body, ...(owner ? { managedBy: owner.id } : {}) };
  },
  checkDelete(ctx, rec) {
    const owner = ctx.store.list({ type: T.vm }).find((v) => diskIdsOf(v).some((d) => sameId(d.id, rec.id)));
    if (owner) throw new ArmError(409, 'OperationNotAllowed', `Disk ${rec.name} is attached to VM ${owner.id}.`);
  },
};

export function diskIdsOf(vm: ResourceRecord): { id: string; deleteOption: string }[] {
  const sp = vm.properties.storageProfile ?? {};
  return [sp.osDisk, ...(sp.dataDisks ?? [])]
    .filter((d: any) => d?.managedDisk?.id)
    .map((d: any) => ({ id: d.managedDisk.id, deleteOption: d.deleteOption ?? 'Detach' }));
}
