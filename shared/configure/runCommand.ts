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

/** One action Run Command (RunShellScript): Azure's message (the streams' last 4,096 bytes each), or the failure. */
export async function runCommandMessage(
  compute: ComputeManagementClient,
  vm: VmRef,
  script: string,
  parameters: { name: string; value: string }[],
): Promise<{ ok: true; message: string } | { ok: false; failure: ArmFailure }> {
  try {
    const res = await compute.virtualMachines.runCommand(vm.resourceGroup, vm.name, {
      commandId: 'RunShellScript',
      script: script.split('\n'),
      ...(parameters.length > 0 ? { parameters } : {}),
    });
    return { ok: true, message: res.value?.map((s) => s.message ?? '').join('\n') ?? '' };
  } catch (err) {
    return { ok: false, failure: classifyRunCommandError(err) };
  }
}

export async function runScript(
  compute: ComputeManagementClient,
  vm: VmRef,
  req: RunScriptRequest,
): Promise<{ ok: true; result: ScriptResult } | { ok: false; failure: ArmFailure }> {
  const run = await runCommandMessage(compute, vm, req.script, req.parameters);
  if (!run.ok) return run;
  return { ok: true, result: parseScriptResult(run.message, req.step) };
}
