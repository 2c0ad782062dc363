import { createHash, randomUUID } from 'node:crypto';
import type { SimVm } from '../../vm/runtime';
import { ArmError, badRequest, computeReferenceNotFound, missingComputeParameter } from '../errors';
import { parseResourceId, resourceId, sameId } from '../ids';
import { macAddressOf } from '../network';
import { T, findSubnet } from '../networkRefs';
import { envelope, locationOf, type ArmContext, type ResourceType } from '../resourceType';
import type { ResourceRecord } from '../store';
import { diskIdsOf } from './disks';
import { instanceView, powerActionFor } from './power';
import { runCommand } from './runCommand';
import { virtualMachineRunCommands } from './runCommands';

/** VM sizes the simulator knows: the families Azure offers, e.g. Standard_D2s_v5, Standard_B2ms, Standard_E4ds_v4. */
const VM_SIZE =
  /^(Standard|Basic)_(A|B|D|DS|E|EC|F|FX|FS|G|GS|H|HB|HC|L|M|NC|ND|NV|NP|DC)\d{1,3}(-\d{1,3})?[a-z]*(_v[1-6])?(_Promo)?$/i;

const RESERVED_USERNAMES = new Set([
  'administrator',
  'admin',
  'user',
  'user1',
  'test',
  'user2',
  'test1',
  'user3',
  'admin1',
  '1',
  '123',
  'a',
  'actuser',
  'adm',
  'admin2',
  'aspnet',
  'backup',
  'console',
  'david',
  'guest',
  'john',
  'owner',
  'root',
  'server',
  'sql',
  'support',
  'support_388945a0',
  'sys',
  'test2',
  'test3',
  'user4',
  'user5',
]);

function prepareVm(ctx: ArmContext, input: Parameters<ResourceType['prepare']>[1]) {
  const props = input.body.properties ?? {};
  const existing = input.existing;
  const identity = vmIdentity(input.body.identity, existing?.identity);
  const size = props.hardwareProfile?.vmSize;
  if (!size) throw missingComputeParameter('hardwareProfile.vmSize');
  if (!VM_SIZE.test(size)) {
    throw badRequest(
      'InvalidParameter',
      `The value ${size} provided for the VM size is not valid. The valid sizes in the current region are: Standard_B2s, Standard_B2ms, Standard_D2s_v5, Standard_D4s_v5, Standard_E2s_v5, ...`,
      'vmSize',
    );
  }
  // storage
  const sp = props.storageProfile ?? {};
  const osDisk = { ...(sp.osDisk ?? {}) };
  osDisk.createOption ??= 'FromImage';
  if (osDisk.createOption === 'FromImage' && !sp.imageReference && !existing)
    throw missingComputeParameter('imageReference');
  const image = sp.imageReference ?? existing?.properties.storageProfile.imageReference;
  const windows = /windows/i.test(`${image?.publisher ?? ''} ${image?.offer ?? ''}`);
  const osType = osDisk.osType ?? (windows ? 'Windows' : 'Linux');
  const oldOs = existing?.properties.storageProfile?.osDisk;
  osDisk.name ??=
    oldOs?.name ??
    `${input.name}_OsDisk_1_${createHash('sha256').update(input.id.toLowerCase()).digest('hex').slice(0, 32)}`;
  osDisk.osType = osType;
  osDisk.caching ??= 'ReadWrite';
  osDisk.diskSizeGB ??= oldOs?.diskSizeGB ?? (windows ? 127 : 30);
  osDisk.deleteOption ??= 'Detach';
  osDisk.managedDisk = {
    storageAccountType: 'Standard_LRS',
    ...(osDisk.managedDisk ?? {}),
    id: resourceId(parseResourceId(input.id)!.subscriptionId, input.group.name, T.disk, osDisk.name),
  };
  const luns = new Set<number>();
  const dataDisks = (sp.dataDisks ?? []).map((d: any, i: number) => {
    if (d?.lun === undefined) throw missingComputeParameter(`dataDisks[${i}].lun`);
    if (luns.has(d.lun)) throw badRequest('InvalidParameter', `A disk at LUN ${d.lun} already exists.`, 'dataDisks');
    luns.add(d.lun);
    if (!d.createOption) throw missingComputeParameter(`dataDisks[${i}].createOption`);
    if (d.createOption === 'Empty' && !d.diskSizeGB) throw missingComputeParameter(`dataDisks[${i}].diskSizeGB`);
    const name = d.name ?? `${input.name}_DataDisk_${d.lun}`;
    return {
      caching: 'None',
      deleteOption: 'Detach',
      toBeDetached: false,
      ...d,
      name,
      managedDisk: {
        storageAccountType: 'Standard_LRS',
        ...(d.managedDisk ?? {}),
        id: d.managedDisk?.id ?? resourceId(parseResourceId(input.id)!.subscriptionId, input.group.name, T.disk, name),
      },
    };
  });
  // os profile (the password is never kept)
  const os = props.osProfile ?? (existing ? undefined : {});
  let osProfile = existing?.properties.osProfile;
  let hasPassword = existing?.internal.hasPassword ?? false;
  if (os) {
    const { adminPassword, ...osRest } = os;
    if (!os.adminUsername) throw missingComputeParameter('osProfile.adminUsername');
    if (RESERVED_USERNAMES.has(String(os.adminUsername).toLowerCase())) {
      throw badRequest('InvalidParameter', `The Admin Username specified is not allowed.`, 'adminUsername');
    }
    const computerName = os.computerName ?? existing?.properties.osProfile.computerName ?? input.name;
    if (existing) {
      if (existing.properties.osProfile.computerName !== computerName)
        throw new ArmError(
          409,
          'PropertyChangeNotAllowed',
          "Changing property 'osProfile.computerName' is not allowed.",
          'osProfile.computerName',
        );
      if (existing.properties.osProfile.adminUsername !== os.adminUsername)
        throw new ArmError(
          409,
          'PropertyChangeNotAllowed',
          "Changing property 'osProfile.adminUsername' is not allowed.",
          'osProfile.adminUsername',
        );
    }
    const keys = os.linuxConfiguration?.ssh?.publicKeys ?? [];
    const disablePassword = os.linuxConfiguration?.disablePasswordAuthentication ?? false;
    if (adminPassword) hasPassword = true;
    if (!existing) {
      if (disablePassword && !keys.length) throw missingComputeParameter('linuxConfiguration.ssh.publicKeys');
      if (!disablePassword && !adminPassword) throw missingComputeParameter('adminPassword');
      if (
        adminPassword !== undefined &&
        (typeof adminPassword !== 'string' || adminPassword.length < 6 || adminPassword.length > 123)
      ) {
        throw badRequest(
          'InvalidParameter',
          'The supplied password must be between 6-72 characters long and must satisfy at least 3 of password complexity requirements.',
          'adminPassword',
        );
      }
    }
    osProfile = {
      ...osRest,
      computerName,
      secrets: osRest.secrets ?? [],
      ...(osType === 'Linux'
        ? {
            linuxConfiguration: {
              disablePasswordAuthentication: disablePassword,
              provisionVMAgent: true,
              ...(os.linuxConfiguration ?? {}),
              ...(keys.length ? { ssh: { publicKeys: keys } } : {}),
            },
          }
        : {
            windowsConfiguration: {
              provisionVMAgent: true,
              enableAutomaticUpdates: true,
              ...(os.windowsConfiguration ?? {}),
            },
          }),
      allowExtensionOperations: true,
      requireGuestProvisionSignal: true,
    };
  }
  // network
  const nics = props.networkProfile?.networkInterfaces;
  if (!Array.isArray(nics) || !nics.length) throw missingComputeParameter('networkProfile');
  for (const n of nics) {
    const nic = ctx.store.get(n?.id);
    if (!nic || nic.type !== T.nic) throw computeReferenceNotFound(n?.id);
    const owner = ctx.store
      .list({ type: T.vm })
      .find(
        (v) =>
          !sameId(v.id, input.id) &&
          (v.properties.networkProfile?.networkInterfaces ?? []).some((x: any) => sameId(x.id, n.id)),
      );
    if (owner) throw badRequest('NicInUse', `Network Interface ${n.id} is used by existing VM ${owner.id}.`);
  }
  if (nics.length > 1 && nics.filter((n: any) => n.properties?.primary === true).length !== 1) {
    throw badRequest(
      'InvalidParameter',
      `Virtual machine ${input.name} must have one network interface set as the primary.`,
      'networkProfile.networkInterfaces',
    );
  }
  if (props.availabilitySet?.id) {
    const avset = ctx.store.get(props.availabilitySet.id);
    if (!avset || avset.type !== T.avset) throw computeReferenceNotFound(props.availabilitySet.id);
    if (existing && !sameId(existing.properties.availabilitySet?.id, props.availabilitySet.id)) {
      throw new ArmError(
        409,
        'OperationNotAllowed',
        'Changing the availability set of an existing VM is not allowed.',
        'availabilitySet',
      );
    }
  }
  const { instanceView: _iv, vmId: _id, provisioningState: _ps, timeCreated: _tc, ...rest } = props;
  return {
    location: locationOf(input),
    tags: input.body.tags,
    zones: input.body.zones,
    identity,
    plan: input.body.plan,
    extendedLocation: input.body.extendedLocation,
    properties: {
      ...rest,
      hardwareProfile: { ...props.hardwareProfile },
      securityProfile: props.securityProfile ?? { securityType: 'Standard' },
      storageProfile: { ...sp, ...(image ? { imageReference: image } : {}), osDisk, dataDisks },
      osProfile,
      networkProfile: {
        ...props.networkProfile,
        networkInterfaces: nics.map((n: any) => ({
          id: n.id,
          properties: {
            deleteOption: 'Detach',
            ...(n.properties ?? {}),
            ...(nics.length === 1 ? { primary: true } : {}),
          },
        })),
      },
    },
    internal: {
      hasPassword,
      vmId: existing?.internal.vmId ?? randomUUID(),
      timeCreated: existing?.internal.timeCreated ?? new Date().toISOString(),
    },
  };
}

/** The simulator's tenant (any GUID would do: ARM shows the identity's tenant). */
export const SIM_TENANT_ID = '00000000-0000-0000-0000-0000000051a1';

/**
 * A VM's managed identity as ARM returns it: the type and user-assigned identities the PUT set, plus the principal
 * and tenant ids Azure adds (kept across re-PUTs).
 */
function vmIdentity(identity: any, existing: any): any {
  if (!identity || typeof identity !== 'object') return undefined;
  const type = String(identity.type ?? 'None');
  if (!['SystemAssigned', 'UserAssigned', 'SystemAssigned, UserAssigned', 'None'].includes(type)) {
    throw badRequest('InvalidParameter', `The identity type '${type}' is not valid.`, 'identity.type');
  }
  if (type === 'None') return { type };
  const system = type.includes('SystemAssigned');
  const users = Object.keys(identity.userAssignedIdentities ?? {});
  return {
    type,
    ...(system ? { principalId: existing?.principalId ?? randomUUID(), tenantId: SIM_TENANT_ID } : {}),
    ...(users.length
      ? {
          userAssignedIdentities: Object.fromEntries(
            users.map((id) => [
              id,
              existing?.userAssignedIdentities?.[id] ?? { principalId: randomUUID(), clientId: randomUUID() },
            ]),
          ),
        }
      : {}),
  };
}

/** The runtime's view of a VM, built from its NICs. */
export function simVmOf(ctx: ArmContext, vm: ResourceRecord): SimVm {
  const parsed = parseResourceId(vm.id)!;
  const nicRefs: any[] = vm.properties.networkProfile.networkInterfaces;
  return {
    id: vm.id,
    name: vm.name,
    resourceGroup: vm.resourceGroup,
    subscriptionId: parsed.subscriptionId,
    computerName: vm.properties.osProfile?.computerName ?? vm.name,
    adminUsername: vm.properties.osProfile?.adminUsername ?? '',
    nics: nicRefs.map((n) => {
      const nic = ctx.store.get(n.id)!;
      const configs: any[] = nic?.properties.ipConfigurations ?? [];
      const primaryConfig = configs.find((c) => c.properties.primary) ?? configs[0];
      const subnet = findSubnet(ctx.store, primaryConfig?.properties.subnet?.id);
      return {
        id: nic?.id ?? n.id,
        name: nic?.name ?? n.id.split('/').pop(),
        primary: nicRefs.length === 1 || n.properties?.primary === true,
        privateIp: primaryConfig?.properties.privateIPAddress ?? '',
        macAddress: macAddressOf(n.id),
        subnetId: subnet?.id ?? primaryConfig?.properties.subnet?.id ?? '',
      };
    }),
    dataDisks: (vm.properties.storageProfile.dataDisks ?? []).map((d: any) => ({
      lun: d.lun,
      diskSizeGB: d.diskSizeGB ?? 0,
    })),
  };
}

function renderVm(ctx: ArmContext, vm: ResourceRecord, query?: URLSearchParams): any {
  const body = envelope(vm, { ...vm.properties, vmId: vm.internal.vmId, timeCreated: vm.internal.timeCreated }, false);
  if (!vm.properties.osProfile) delete body.properties.osProfile;
  if (/instanceView/i.test(query?.get('$expand') ?? '')) body.properties.instanceView = instanceView(ctx, vm);
  return body;
}

export const virtualMachines: ResourceType = {
  type: T.vm,
  short: 'virtualMachines',
  provider: 'Microsoft.Compute',
  creatingState: 'Creating',
  createLatency: 'virtualMachines.createOrUpdate',
  updateLatency: 'virtualMachines.update',
  deleteLatency: 'virtualMachines.delete',
  prepare: prepareVm,
  render: renderVm,
  async onCommitted(ctx, vm, created) {
    const now = new Date().toISOString();
    for (const d of [vm.properties.storageProfile.osDisk, ...(vm.properties.storageProfile.dataDisks ?? [])]) {
      const id = d.managedDisk.id;
      if (ctx.store.get(id)) continue;
      const parsed = parseResourceId(id)!;
      ctx.store.put({
        id,
        type: T.disk,
        name: parsed.name,
        subscriptionId: parsed.subscriptionId,
        resourceGroup: parsed.resourceGroup,
        location: vm.location,
        sku: {
          name: d.managedDisk.storageAccountType,
          tier: /premium/i.test(d.managedDisk.storageAccountType) ? 'Premium' : 'Standard',
        },
        properties: {
          ...(d.osType ? { osType: d.osType } : {}),
          diskSizeGB: d.diskSizeGB,
          creationData: { createOption: d.createOption },
        },
        provisioningState: 'Succeeded',
        etag: '',
        requestBody: '{}',
        internal: { timeCreated: now },
      });
    }
    if (created) vm.internal.powerState = 'running';
    await ctx.runtime.vmCreated(simVmOf(ctx, vm));
  },
  async onDeleted(ctx, vm) {
    await ctx.runtime.vmDeleted(vm.id);
    const nicRefs: any[] = vm.properties.networkProfile?.networkInterfaces ?? [];
    const diskRefs = diskIdsOf(vm);
    // Detach first (remove the VM and its managed run commands), then delete what its deleteOption says.
    ctx.store.delete(vm.id);
    for (const r of ctx.store.list({ type: virtualMachineRunCommands.type }))
      if (r.id.toLowerCase().startsWith(`${vm.id.toLowerCase()}/`)) ctx.store.delete(r.id);
    for (const n of nicRefs) if (n.properties?.deleteOption === 'Delete') ctx.store.delete(n.id);
    for (const d of diskRefs) if (d.deleteOption === 'Delete') ctx.store.delete(d.id);
  },
  views: { instanceview: (ctx, vm) => instanceView(ctx, vm) },
  nested: { runcommands: virtualMachineRunCommands },
  actions: {
    restart: powerActionFor('restart'),
    start: powerActionFor('start'),
    poweroff: powerActionFor('powerOff'),
    deallocate: powerActionFor('deallocate'),
    runcommand: runCommand,
  },
};
