/**
 * Activity: restart a VM through ARM and wait until it answers again: instance view PowerState/running, then a
 * trivial Run Command that returns (the guest agent is back). Bounded by RESTART_TIMEOUT_MS.
 */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { setTimeout as sleep } from 'node:timers/promises';
import { classifyArmError } from '../../shared/azure/armErrors';
import { azureClients } from '../../shared/azure/clients';
import type { RestartVmOutcome, VmRef } from '../../shared/configure/contracts';
import { runScript } from '../../shared/configure/runCommand';
import { ACTIVITIES } from '../names';

const RESTART_TIMEOUT_MS = 15 * 60_000;
const POLL_MS = 1_000;
const PING = 'qwk-ping';
const PING_SCRIPT = `#!/bin/bash\necho 'QWK_RESULT {"step":"${PING}","ok":true,"changed":false,"rebootRequired":false,"message":"up","data":{}}'`;

const handler: ActivityHandler = async (vm: VmRef): Promise<RestartVmOutcome> => {
  const compute = azureClients().compute(vm.subscriptionId);
  const started = Date.now();
  try {
    await compute.virtualMachines.restart(vm.resourceGroup, vm.name);
  } catch (err) {
    return { ok: false, failure: classifyArmError(err) };
  }
  let last = 'unknown';
  while (Date.now() - started < RESTART_TIMEOUT_MS) {
    try {
      const view = await compute.virtualMachines.instanceView(vm.resourceGroup, vm.name);
      last = view.statuses?.find((s) => s.code?.startsWith('PowerState/'))?.code ?? 'unknown';
      if (last === 'PowerState/running') {
        const ping = await runScript(compute, vm, { script: PING_SCRIPT, parameters: [], step: PING });
        if (ping.ok && ping.result.ok)
          return {
            ok: true,
            detail: `restarted; answering again after ${((Date.now() - started) / 1000).toFixed(1)} s`,
          };
        if (!ping.ok && !ping.failure.transient) return ping;
      }
    } catch (err) {
      const f = classifyArmError(err);
      if (!f.transient) return { ok: false, failure: f };
    }
    await sleep(POLL_MS);
  }
  return {
    ok: false,
    failure: {
      transient: true,
      code: 'RestartTimeout',
      message: `${vm.name} did not answer within ${RESTART_TIMEOUT_MS / 60_000} min of its restart (last ${last})`,
    },
  };
};

df.app.activity(ACTIVITIES.restartVm, { handler });
