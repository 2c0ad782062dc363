/** The HTTP API's view of a deployment, from the durable status of its orchestration (pure). */
import type { ClusterRef, DeploymentCustomStatus } from './contracts';
import type { DeploymentError, StepView } from './stepTracker';

/** The fields of DurableOrchestrationStatus this view reads. */
export interface OrchestrationStatusLike {
  name: string;
  instanceId: string;
  createdTime: Date | string;
  lastUpdatedTime: Date | string;
  runtimeStatus: string;
  customStatus?: unknown;
  output?: unknown;
}

export interface DeploymentView {
  id: string;
  cluster: ClusterRef | null;
  runtimeStatus: string;
  phase: string;
  progress: { done: number; total: number };
  steps: StepView[];
  error?: DeploymentError;
  createdAt: string;
  updatedAt: string;
}

const iso = (t: Date | string) => (t instanceof Date ? t.toISOString() : new Date(t).toISOString());

function asCustomStatus(value: unknown): Partial<DeploymentCustomStatus> {
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as Partial<DeploymentCustomStatus>;
    } catch {
      return {};
    }
  }
  return value && typeof value === 'object' ? value : {};
}

export function deploymentView(status: OrchestrationStatusLike): DeploymentView {
  const custom = asCustomStatus(status.customStatus);
  const runtimeStatus = status.runtimeStatus;
  let phase = custom.phase ?? 'pending';
  if (runtimeStatus === 'Terminated') phase = 'terminated';
  else if (runtimeStatus === 'Failed') phase = 'failed';
  let error = custom.error;
  if (!error && runtimeStatus === 'Failed') {
    error = {
      step: 'orchestration',
      code: 'OrchestrationFailed',
      message: typeof status.output === 'string' ? status.output : JSON.stringify(status.output ?? null),
    };
  }
  return {
    id: status.instanceId,
    cluster: custom.cluster ?? null,
    runtimeStatus,
    phase,
    progress: custom.progress ?? { done: 0, total: 0 },
    steps: custom.steps ?? [],
    ...(error ? { error } : {}),
    createdAt: iso(status.createdTime),
    updatedAt: iso(status.lastUpdatedTime),
  };
}

/** Runtime statuses during which a deployment holds its resource group. */
export const ACTIVE_RUNTIME_STATUSES = new Set(['Pending', 'Running', 'ContinuedAsNew', 'Suspended']);
