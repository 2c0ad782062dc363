import { ArmError } from '../errors';
import { key, sameId } from '../ids';
import { T } from '../networkRefs';
import type { ActionOutcome, ArmContext } from '../resourceType';
import type { ResourceRecord } from '../store';
import type { PowerAction } from '../../vm/runtime';

/** A VM's power state as ARM reports it (PowerState/<state> in the instance view). */
export type PowerState = 'running' | 'stopped' | 'deallocated' | 'starting' | 'stopping' | 'deallocating' | 'unknown';

export function powerStateOf(ctx: ArmContext, vm: ResourceRecord): PowerState {
  if (vm.internal.powerTransition) return vm.internal.powerTransition;
  const fromRuntime = ctx.runtime.powerState(vm.id);
  return fromRuntime === 'unknown' ? (vm.internal.powerState ?? 'unknown') : fromRuntime;
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

/** The instance view (GET .../instanceView, or $expand=instanceView). */
export function instanceView(ctx: ArmContext, vm: ResourceRecord): any {
  const power = powerStateOf(ctx, vm);
  const agentReady = power === 'running' && (ctx.runtime.guestResponsive?.(vm.id) ?? true);
  if (agentReady) vm.internal.agentSeen = new Date().toISOString();
  const agentSeen: string = vm.internal.agentSeen ?? vm.internal.timeCreated;
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
        agentReady
          ? {
              ...status('ProvisioningState/succeeded', 'Ready', new Date().toISOString()),
              message: 'Guest Agent is running',
            }
          : {
              // a hung or stopped guest sends no heartbeat: the platform reports the agent as not ready
              code: 'ProvisioningState/Unavailable',
              level: 'Warning',
              displayStatus: 'Not Ready',
              message:
                power === 'running' ? 'VM Agent is unresponsive.' : 'VM status blob is found but not yet populated.',
              time: agentSeen,
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

const POWER: Record<PowerAction, { transition: PowerState; final: PowerState; requires?: PowerState[] }> = {
  restart: { transition: 'starting', final: 'running', requires: ['running', 'starting'] },
  start: { transition: 'starting', final: 'running' },
  powerOff: { transition: 'stopping', final: 'stopped' },
  deallocate: { transition: 'deallocating', final: 'deallocated' },
};

export function powerActionFor(action: PowerAction) {
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
