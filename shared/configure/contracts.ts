/** What travels through the configuration's orchestration history (no secret values: Key Vault names only). */
import type { ArmFailure } from '../azure/armErrors';
import type { RetryPolicy } from '../config';
import type { NicFact, ScriptParams } from '../scripts';
import type { BatchStepResult } from '../scripts/batch';
import type { RuntimeFacts } from '../scripts/fromSpec';
import type { RunCommandStatus } from '../deployments/stepTracker';
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

/** Consecutive steps of one VM in one Run Command (shared/scripts/batch.ts). */
export interface RunConfigBatchInput {
  vm: VmRef;
  refs: ConfigStepRef[];
  /** Per ref: whether a matching completion marker skips it (stages.ts usesMarker). */
  useMarker: boolean[];
  params: ScriptParams;
  nics: NicFact[];
  secrets: SecretBindings;
}

/**
 * A batch's outcome: the steps that reported, in order (a prefix of refs: the batch stops at the first step that
 * failed or asks for a restart), or why the Run Command could not run (ARM's failure, a missing secret, a script
 * that cannot be built). `problem`: no step reported at all.
 */
export type ConfigBatchOutcome =
  { ok: true; steps: BatchStepResult[]; problem?: string } | { ok: false; failure: ArmFailure };

/** The restart was accepted by ARM (it has not finished: the orchestrator waits with probeVm). */
export type RestartVmOutcome = { ok: true; detail: string } | { ok: false; failure: ArmFailure };

/** One look at a VM: `ready` when it runs, no operation is in progress on it and it answered a Run Command. */
export type ProbeVmOutcome = { ok: true; ready: boolean; state: string } | { ok: false; failure: ArmFailure };

export interface ConfigureNodeInput {
  vm: VmRef;
  steps: ConfigStepRef[];
  /** Per step: whether a matching completion marker skips it. */
  useMarker: boolean[];
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
  /** Its completion marker matched: not run again. */
  skipped?: boolean;
}

/** One Run Command on one VM: which steps it carried, when (orchestration time), and how it ended. */
export type RunCommandView = RunCommandStatus;

export interface ConfigureNodeResult {
  vm: string;
  /** The steps that ran, in order; the last one failed when failed is set. */
  steps: ConfigStepReport[];
  failed?: { id: string; code: string; message: string };
  /** The Run Commands (batches) it ran, in order. */
  runCommands: RunCommandView[];
}

export interface ReadClusterRegistrationInput {
  subscriptionId: string;
  resourceGroup: string;
}

/** Whether the registry knows the cluster (a deployment of it completed and registered it). */
export type ClusterRegistration =
  { ok: true; registered: boolean; deploymentId?: string; registeredAt?: string } | { ok: false; failure: ArmFailure };
