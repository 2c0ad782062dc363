import { createHash, randomUUID } from 'node:crypto';
import { setImmediate as tick } from 'node:timers/promises';
import { VmBusyError, VmNotRunningError, type PowerAction, type SimVm } from '../vm/runtime';
import { runtimeError } from './runtimeErrors';
import { ArmError, badRequest, computeReferenceNotFound, missingComputeParameter } from './errors';
import { key, parseResourceId, resourceId, sameId } from './ids';
import { T, findSubnet } from './networkRefs';
import { macAddressOf } from './network';
import { envelope, locationOf, ref, type ActionOutcome, type ArmContext, type ResourceType } from './resourceType';
import type { ResourceRecord } from './store';
import { virtualMachineRunCommands } from './runCommandTypes';

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

function availabilitySetMembers(ctx: ArmContext, avset: ResourceRecord): ResourceRecord[] {
  return ctx.store.list({ type: T.vm }).filter((v) => sameId(v.properties.availabilitySet?.id, avset.id));
}

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

function diskIdsOf(vm: ResourceRecord): { id: string; deleteOption: string }[] {
  const sp = vm.properties.storageProfile ?? {};
  return [sp.osDisk, ...(sp.dataDisks ?? [])]
    .filter((d: any) => d?.managedDisk?.id)
    .map((d: any) => ({ id: d.managedDisk.id, deleteOption: d.deleteOption ?? 'Detach' }));
}

// ------------------------------------------------------------------ virtual machines

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

type PowerState = 'running' | 'stopped' | 'deallocated' | 'starting' | 'stopping' | 'deallocating' | 'unknown';

function powerStateOf(ctx: ArmContext, vm: ResourceRecord): PowerState {
  if (vm.internal.powerTransition) return vm.internal.powerTransition;
  const fromRuntime = ctx.runtime.powerState(vm.id);
  return fromRuntime === 'unknown' ? (vm.internal.powerState ?? 'unknown') : fromRuntime;
}

function prepareVm(ctx: ArmContext, input: Parameters<ResourceType['prepare']>[1]) {
  const props = input.body.properties ?? {};
  const existing = input.existing;
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

const status = (code: string, displayStatus: string, time?: string) => ({
  code,
  level: 'Info',
  displayStatus,
  ...(time ? { time } : {}),
});

const POWER_DISPLAY: Record<PowerState, string> = {
  running: 'VM running',
  stopped: 'VM stopped',
  deallocated: 'VM deallocated',
  starting: 'VM starting',
  stopping: 'VM stopping',
  deallocating: 'VM deallocating',
  unknown: 'VM status unknown',
};

function instanceView(ctx: ArmContext, vm: ResourceRecord): any {
  const power = powerStateOf(ctx, vm);
  const avsetId = vm.properties.availabilitySet?.id;
  const avset = ctx.store.get(avsetId);
  const index = avset
    ? ctx.store
        .list({ type: T.vm })
        .filter((v) => sameId(v.properties.availabilitySet?.id, avsetId))
        .findIndex((v) => key(v.id) === key(vm.id))
    : 0;
  const sp = vm.properties.storageProfile;
  const linux = sp.osDisk.osType === 'Linux';
  const ps = vm.provisioningState;
  return {
    computerName: vm.properties.osProfile?.computerName,
    osName: linux ? 'rhel' : 'Windows Server 2022 Datacenter',
    osVersion: linux ? '9.4' : 'Microsoft Windows NT 10.0.20348.0',
    platformFaultDomain: avset ? index % avset.properties.platformFaultDomainCount : 0,
    platformUpdateDomain: avset ? index % avset.properties.platformUpdateDomainCount : 0,
    vmAgent: {
      vmAgentVersion: '2.11.1.12',
      statuses: [
        {
          ...status(
            'ProvisioningState/succeeded',
            power === 'running' ? 'Ready' : 'Not Ready',
            new Date().toISOString(),
          ),
          message: power === 'running' ? 'Guest Agent is running' : 'VM status blob is found but not yet populated.',
        },
      ],
    },
    disks: [sp.osDisk, ...(sp.dataDisks ?? [])].map((d: any) => ({
      name: d.name,
      statuses: [status('ProvisioningState/succeeded', 'Provisioning succeeded', vm.internal.timeCreated)],
    })),
    hyperVGeneration: 'V2',
    statuses: [
      status(
        `ProvisioningState/${ps.toLowerCase()}`,
        `Provisioning ${ps === 'Succeeded' ? 'succeeded' : ps.toLowerCase()}`,
        vm.internal.timeCreated,
      ),
      ...(ps === 'Creating' || power === 'unknown' ? [] : [status(`PowerState/${power}`, POWER_DISPLAY[power])]),
    ],
  };
}

function renderVm(ctx: ArmContext, vm: ResourceRecord, query?: URLSearchParams): any {
  const body = envelope(vm, { ...vm.properties, vmId: vm.internal.vmId, timeCreated: vm.internal.timeCreated }, false);
  if (!vm.properties.osProfile) delete body.properties.osProfile;
  if (/instanceView/i.test(query?.get('$expand') ?? '')) body.properties.instanceView = instanceView(ctx, vm);
  return body;
}

const POWER: Record<PowerAction, { transition: PowerState; final: PowerState; requires?: PowerState[] }> = {
  restart: { transition: 'starting', final: 'running', requires: ['running', 'starting'] },
  start: { transition: 'starting', final: 'running' },
  powerOff: { transition: 'stopping', final: 'stopped' },
  deallocate: { transition: 'deallocating', final: 'deallocated' },
};

function powerActionFor(action: PowerAction) {
  return {
    name: action,
    run: (ctx: ArmContext, vm: ResourceRecord): ActionOutcome => {
      const spec = POWER[action];
      const current = powerStateOf(ctx, vm);
      if (spec.requires && !spec.requires.includes(current)) {
        throw new ArmError(
          409,
          'OperationNotAllowed',
          `Operation '${action}' is not allowed on VM '${vm.name}' since the VM is ${current}.`,
        );
      }
      vm.internal.powerTransition = spec.transition;
      return {
        kind: 'lro',
        latency: `virtualMachines.${action}`,
        transitionalState: 'Updating',
        work: async () => {
          try {
            await ctx.runtime.powerAction(vm.id, action);
            vm.internal.powerState = spec.final;
          } finally {
            vm.internal.powerTransition = undefined;
          }
        },
      };
    },
  };
}

const RUN_COMMAND_IDS = new Set([
  'runshellscript',
  'runpowershellscript',
  'ifconfig',
  'ipconfig',
  'enableremoteps',
  'resetrdpcert',
  'setrdpport',
  'enableadminaccount',
]);

const runCommand = {
  name: 'runCommand',
  run: async (ctx: ArmContext, vm: ResourceRecord, body: any): Promise<ActionOutcome> => {
    if (!body.commandId) throw missingComputeParameter('commandId');
    if (!RUN_COMMAND_IDS.has(String(body.commandId).toLowerCase())) {
      throw badRequest(
        'InvalidParameter',
        `The value of parameter commandId is invalid: ${body.commandId}.`,
        'commandId',
      );
    }
    if (vm.provisioningState !== 'Succeeded') {
      throw new ArmError(
        409,
        'OperationNotAllowed',
        `Operation 'runCommand' is not allowed on VM '${vm.name}' since the VM is in provisioning state ${vm.provisioningState}.`,
      );
    }
    if (vm.internal.runCommandBusy) throw runtimeError(new VmBusyError(vm.name))!;
    const power = powerStateOf(ctx, vm);
    if (power !== 'running' && power !== 'unknown') throw runtimeError(new VmNotRunningError(vm.name))!;
    vm.internal.runCommandBusy = true;
    const running = ctx.runtime.runCommand(vm.id, {
      commandId: body.commandId,
      script: body.script ?? [],
      parameters: body.parameters,
    });
    // A runtime that refuses at once (busy / not running) is answered on the POST itself, as Azure does.
    const early = await Promise.race([
      running.then(
        () => undefined,
        (e: unknown) => runtimeError(e),
      ),
      tick().then(() => undefined),
    ]);
    if (early) {
      vm.internal.runCommandBusy = false;
      throw early;
    }
    return {
      kind: 'lro',
      latency: 'virtualMachines.runCommand',
      tailLatency: 'virtualMachines.runCommand.overhead',
      workMode: 'concurrent',
      work: async () => {
        try {
          const out = await running;
          return {
            value: [
              {
                code: 'ProvisioningState/succeeded',
                level: 'Info',
                displayStatus: 'Provisioning succeeded',
                message: out.message,
              },
            ],
          };
        } catch (e) {
          throw runtimeError(e) ?? e;
        } finally {
          vm.internal.runCommandBusy = false;
        }
      },
    };
  },
};

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

export const COMPUTE_TYPES = [availabilitySets, virtualMachines, disks, virtualMachineRunCommands];
