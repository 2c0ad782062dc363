/**
 * What travels through the deployment orchestration's history: inputs, activity payloads, custom status.
 * None of it may hold a secret value — only Key Vault secret names.
 */
import type { ArmFailure } from '../azure/armErrors';
import type { ProvisionRequest } from '../azure/armProvisioner';
import type { RetryPolicy } from '../config';
import type { CredentialRef, ResourceKind } from '../plan';
import type { ClusterSpec } from '../spec';
import type { DeploymentError, RunCommandStatus, StepView } from './stepTracker';

export interface DeployClusterInput {
  deploymentId: string;
  spec: ClusterSpec;
  retry: RetryPolicy;
}

export type DeploymentPhase =
  | 'provisioning'
  | 'verifying'
  | 'configuring'
  | 'registering'
  | 'completed'
  | 'failed'
  // a tear-down (teardownCluster), reported like a deployment
  | 'deregistering'
  | 'deleting';

export interface ClusterRef {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
}

export interface DeploymentCustomStatus {
  deploymentId: string;
  cluster: ClusterRef;
  phase: DeploymentPhase;
  progress: { done: number; total: number };
  steps: StepView[];
  /** The configuration's Run Commands: which steps each carries on which VM, running or ended. */
  runCommands?: RunCommandStatus[];
  error?: DeploymentError;
}

export interface ProvisionResourceInput {
  step: string;
  resource: ProvisionRequest;
  /** For VMs: where the admin credential lives. */
  credential?: CredentialRef;
}

/** endedAt: when the activity's work ended (the activity's clock): the step's own end, not its wave's. */
export type StepOutcome = { ok: true; detail?: string; endedAt?: string } | { ok: false; failure: ArmFailure };

export interface VerifyDeploymentInput {
  resources: { step: string; kind: ResourceKind; id: string }[];
}

export interface DeploymentSummary {
  resources: { step: string; id: string; provisioningState: string }[];
}
