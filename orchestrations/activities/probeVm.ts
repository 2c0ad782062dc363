/**
 * Activity: one look at a VM after its restart — instance view (running, no operation in progress), then a trivial
 * Run Command (the guest agent answers). Never waits: the orchestrator looks again after a durable timer.
 */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { classifyArmError } from '../../shared/azure/armErrors';
import { azureClients } from '../../shared/azure/clients';
import type { ProbeVmOutcome, VmRef } from '../../shared/configure/contracts';
import { runScript } from '../../shared/configure/runCommand';
import { ACTIVITIES } from '../../shared/names';

const PING = 'qwk-ping';
const PING_SCRIPT = `#!/bin/bash\necho 'QWK_RESULT {"step":"${PING}","ok":true,"changed":false,"rebootRequired":false,"message":"up","data":{}}'`;

const handler: ActivityHandler = async (vm: VmRef): Promise<ProbeVmOutcome> => {
  const compute = azureClients().compute(vm.subscriptionId);
  try {
    const view = await compute.virtualMachines.instanceView(vm.resourceGroup, vm.name);
    const codes = (view.statuses ?? []).map((s) => s.code ?? '');
    const power = codes.find((c) => c.startsWith('PowerState/')) ?? 'PowerState/unknown';
    const provisioning = codes.find((c) => c.startsWith('ProvisioningState/')) ?? 'ProvisioningState/unknown';
    // During the restart ARM reports the VM as ProvisioningState/updating (and PowerState/starting).
    if (power !== 'PowerState/running' || provisioning !== 'ProvisioningState/succeeded')
      return { ok: true, ready: false, state: `${power}, ${provisioning}` };
  } catch (err) {
    return { ok: false, failure: classifyArmError(err) };
  }
  const ping = await runScript(compute, vm, { script: PING_SCRIPT, parameters: [], step: PING });
  if (!ping.ok) return ping.failure.transient ? { ok: true, ready: false, state: ping.failure.code } : ping;
  return ping.result.ok
    ? { ok: true, ready: true, state: 'PowerState/running; Run Command answers' }
    : { ok: true, ready: false, state: `Run Command: ${ping.result.message}` };
};

df.app.activity(ACTIVITIES.probeVm, { handler });
