/**
 * Run Command on a VM through ARM (RunShellScript, secrets as parameters), the script's result parsed from the
 * returned message. A second run while one is in progress answers 409 Conflict (the VM is busy): transient.
 */
import type { ComputeManagementClient } from '@azure/arm-compute';
import { classifyArmError, type ArmFailure } from '../azure/armErrors';
import { parseScriptResult, type ScriptResult } from '../scripts';
import type { VmRef } from './contracts';

export interface RunScriptRequest {
  script: string;
  parameters: { name: string; value: string }[];
  /** The step named in the result line. */
  step: string;
}

/** Run Command's own refusals that go away by themselves: busy (Conflict), VM not running yet (OperationNotAllowed). */
export function classifyRunCommandError(err: unknown): ArmFailure {
  const f = classifyArmError(err);
  if (
    f.statusCode === 409 &&
    (f.code === 'Conflict' || f.code === 'OperationNotAllowed' || f.code === 'AnotherOperationInProgress')
  ) {
    return { ...f, transient: true, message: `${f.message} (the VM is busy or not running yet; retried)` };
  }
  return f;
}

export async function runScript(
  compute: ComputeManagementClient,
  vm: VmRef,
  req: RunScriptRequest,
): Promise<{ ok: true; result: ScriptResult } | { ok: false; failure: ArmFailure }> {
  let message: string;
  try {
    const res = await compute.virtualMachines.runCommand(vm.resourceGroup, vm.name, {
      commandId: 'RunShellScript',
      script: req.script.split('\n'),
      ...(req.parameters.length > 0 ? { parameters: req.parameters } : {}),
    });
    message = res.value?.map((s) => s.message ?? '').join('\n') ?? '';
  } catch (err) {
    return { ok: false, failure: classifyRunCommandError(err) };
  }
  return { ok: true, result: parseScriptResult(message, req.step) };
}
