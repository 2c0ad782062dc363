import { setImmediate as tick } from 'node:timers/promises';
import { VmBusyError, VmNotRunningError } from '../../vm/runtime';
import { ArmError, badRequest, missingComputeParameter } from '../errors';
import type { ActionOutcome, ArmContext } from '../resourceType';
import { runtimeError } from '../runtimeErrors';
import type { ResourceRecord } from '../store';
import { powerStateOf } from './power';

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

/** The `runCommand` action (POST .../runCommand): the script runs in the VM runtime while the LRO runs. */
export const runCommand = {
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
