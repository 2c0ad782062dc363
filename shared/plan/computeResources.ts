/** The compute resources of the plan: the availability set and the three VMs. */
import type { VirtualMachine } from '@azure/arm-compute';
import { KEYS, type PlanContext, type PlannedVm, planned } from './context';
import type { PlannedResource } from './types';

export function availabilitySet(ctx: PlanContext): PlannedResource {
  const { spec, ids } = ctx;
  return planned('availabilitySet', KEYS.availabilitySet, spec.availabilitySet.name, ids.availabilitySet, [], {
    location: ctx.location,
    tags: ctx.tags,
    sku: { name: 'Aligned' },
    platformFaultDomainCount: spec.availabilitySet.faultDomains,
    platformUpdateDomainCount: spec.availabilitySet.updateDomains,
  });
}

/** Where Azure writes the admin's SSH public key on the VM. */
export function authorizedKeysPath(adminUsername: string): string {
  return `/home/${adminUsername}/.ssh/authorized_keys`;
}

/**
 * A VM body without any secret: for SSH-key auth the key's keyData is '' and for password auth adminPassword is
 * absent; the deploy activity fills them from Key Vault with withCredentials().
 */
export function virtualMachine(ctx: PlanContext, vm: PlannedVm): PlannedResource {
  const { spec, ids } = ctx;
  const isNode = vm.role === 'node';
  const sshKey = spec.vm.auth.kind === 'sshKey';
  const serviceNic = KEYS.nic(vm.name, 'service');
  const replicationNic = KEYS.nic(vm.name, 'replication');
  const body: VirtualMachine = {
    location: ctx.location,
    tags: ctx.tags,
    // The scripts fetch the LifeKeeper installer (and the RHEL ISO) from blob storage with this identity's token
    // when no SAS is configured; grant it Storage Blob Data Reader on that container (docs/OPERATIONS.md).
    identity: { type: 'SystemAssigned' },
    hardwareProfile: { vmSize: spec.vm.size },
    storageProfile: {
      imageReference: { ...spec.vm.image },
      osDisk: {
        name: `${vm.name}-osdisk`,
        createOption: 'FromImage',
        caching: 'ReadWrite',
        managedDisk: { storageAccountType: spec.vm.osDiskType },
        deleteOption: 'Delete',
      },
      dataDisks: isNode
        ? [
            {
              lun: 0,
              name: `${vm.name}-datadisk`,
              createOption: 'Empty',
              diskSizeGB: spec.vm.dataDiskGiB,
              managedDisk: { storageAccountType: spec.vm.dataDiskType },
              deleteOption: 'Delete',
            },
          ]
        : [],
    },
    networkProfile: {
      networkInterfaces: [
        { id: ids.nic(vm.serviceNicName), primary: true, deleteOption: 'Delete' },
        { id: ids.nic(vm.replicationNicName), primary: false, deleteOption: 'Delete' },
      ],
    },
    osProfile: {
      computerName: vm.name,
      adminUsername: spec.vm.adminUsername,
      linuxConfiguration: {
        disablePasswordAuthentication: sshKey,
        provisionVMAgent: true,
        ...(sshKey ? { ssh: { publicKeys: [{ path: authorizedKeysPath(spec.vm.adminUsername), keyData: '' }] } } : {}),
      },
    },
    ...(isNode ? { availabilitySet: { id: ids.availabilitySet } } : {}),
  };
  return planned(
    'virtualMachine',
    KEYS.vm(vm.name),
    vm.name,
    ids.vm(vm.name),
    [serviceNic, replicationNic, isNode && KEYS.availabilitySet],
    body,
  );
}
