/** What travels through the configuration's orchestration history (no secret values: Key Vault names only). */
import type { ArmFailure } from '../azure/armErrors';
import type { RetryPolicy } from '../config';
import type { NicFact, ScriptParams } from '../scripts';
import type { RuntimeFacts } from '../scripts/fromSpec';
import type { SecretBindings } from './secrets';
import type { ConfigStepRef } from './stages';

export interface VmRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export interface ReadVmFactsInput {
  subscriptionId: string;
  resourceGroup: string;
  vms: string[];
}

export interface VmFacts {
  id: string;
  /** The VM's NICs, primary first (eth0, eth1, ...). */
  nics: (NicFact & { id: string; privateIp?: string })[];
}

export interface ClusterFacts {
  vms: Record<string, VmFacts>;
  /** For scriptParamsFromSpec. */
  runtime: RuntimeFacts;
}

export type ReadVmFactsOutcome = { ok: true; facts: ClusterFacts } | { ok: false; failure: ArmFailure };

export interface RunConfigStepInput {
  vm: VmRef;
  ref: ConfigStepRef;
  params: ScriptParams;
  nics: NicFact[];
  secrets: SecretBindings;
}

/** A step's outcome: the script's result, or why it could not run (failure.code ScriptFailed = the script said so). */
export type ConfigStepOutcome =
  | { ok: true; changed: boolean; rebootRequired: boolean; message: string; data: Record<string, unknown> }
  | { ok: false; failure: ArmFailure };

/** The restart was accepted by ARM (it has not finished: the orchestrator waits with probeVm). */
export type RestartVmOutcome = { ok: true; detail: string } | { ok: false; failure: ArmFailure };

/** One look at a VM: `ready` when it runs, no operation is in progress on it and it answered a Run Command. */
export type ProbeVmOutcome = { ok: true; ready: boolean; state: string } | { ok: false; failure: ArmFailure };

export interface ConfigureNodeInput {
  vm: VmRef;
  steps: ConfigStepRef[];
  params: ScriptParams;
  nics: NicFact[];
  secrets: SecretBindings;
  retry: RetryPolicy;
}

export interface ConfigStepReport {
  id: string;
  ok: boolean;
  attempts: number;
  startedAt: string;
  endedAt: string;
  detail: string;
  /** When !ok: the error code (ScriptFailed, or ARM's). */
  code?: string;
}

export interface ConfigureNodeResult {
  vm: string;
  /** The steps that ran, in order; the last one failed when failed is set. */
  steps: ConfigStepReport[];
  failed?: { id: string; code: string; message: string };
}
