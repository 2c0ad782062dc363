/**
 * Activity: one ARM restart of a VM. Returns as soon as ARM accepted the request (202): the restart itself takes
 * minutes, and the orchestrator waits for it on durable timers (probeVm), never an activity — an activity that
 * waited could outlive functionTimeout, be killed and run again, restarting the VM twice.
 */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { classifyArmError } from '../../shared/azure/armErrors';
import { azureClients } from '../../shared/azure/clients';
import type { RestartVmOutcome, VmRef } from '../../shared/configure/contracts';
import { ACTIVITIES } from '../../shared/names';

const handler: ActivityHandler = async (vm: VmRef): Promise<RestartVmOutcome> => {
  try {
    // The poller sends the POST at once; submitted() resolves with ARM's answer to it. Nothing polls afterwards.
    await azureClients().compute(vm.subscriptionId).virtualMachines.restart(vm.resourceGroup, vm.name).submitted();
    return { ok: true, detail: 'restart accepted' };
  } catch (err) {
    return { ok: false, failure: classifyArmError(err) };
  }
};

df.app.activity(ACTIVITIES.restartVm, { handler });
