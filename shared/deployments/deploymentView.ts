/** The HTTP API's view of a deployment, from the durable status of its orchestration (pure). */
import { ORCHESTRATIONS, STEPS } from '../names';
import type { ClusterRef, DeploymentCustomStatus } from './contracts';
import type { DeploymentError, RunCommandStatus, StepView } from './stepTracker';

/** Orchestrations whose instances GET /api/deployments/{id} reports: deployments and tear-downs. */
export const REPORTED_ORCHESTRATIONS: ReadonlyMap<string, 'deploy' | 'teardown'> = new Map([
  [ORCHESTRATIONS.deployCluster, 'deploy'],
  [ORCHESTRATIONS.teardownCluster, 'teardown'],
]);

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
  /** A deployment (deployCluster) or a tear-down (teardownCluster). */
  operation: 'deploy' | 'teardown';
  cluster: ClusterRef | null;
  runtimeStatus: string;
  phase: string;
  progress: { done: number; total: number };
  steps: StepView[];
  /** The configuration's Run Commands (batches of steps, one VM each): running or ended. */
  runCommands?: RunCommandStatus[];
  error?: DeploymentError;
  /** A cancelled (terminated) operation: the steps it left half done (interrupted) or never started (skipped). */
  unfinished?: { interrupted: string[]; notStarted: string[] };
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
  let phase: string = custom.phase ?? 'pending';
  let steps = custom.steps ?? [];
  let unfinished: DeploymentView['unfinished'];
  if (runtimeStatus === 'Terminated') {
    // Cancelled: the last published status froze mid-way; what was in flight was cut off, what waited never ran.
    phase = 'cancelled';
    const at = iso(status.lastUpdatedTime);
    // The steps of a Run Command still running were cut off with it, although they still showed as pending.
    const inFlight = new Set(
      (custom.runCommands ?? [])
        .filter((r) => r.status === 'running')
        .flatMap((r) => r.steps.map((id) => STEPS.configure(r.vm, id))),
    );
    steps = steps.map((s) =>
      s.status === 'running' || s.status === 'retrying' || (s.status === 'pending' && inFlight.has(s.name))
        ? { ...s, status: 'interrupted' as const, endedAt: s.endedAt ?? at, detail: 'cancelled while running' }
        : s.status === 'pending'
          ? { ...s, status: 'skipped' as const, detail: 'cancelled before it started' }
          : s,
    );
    unfinished = {
      interrupted: steps.filter((s) => s.detail === 'cancelled while running').map((s) => s.name),
      notStarted: steps.filter((s) => s.detail === 'cancelled before it started').map((s) => s.name),
    };
  } else if (runtimeStatus === 'Failed') phase = 'failed';
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
    operation: REPORTED_ORCHESTRATIONS.get(status.name) ?? 'deploy',
    cluster: custom.cluster ?? null,
    runtimeStatus,
    phase,
    progress: custom.progress ?? { done: 0, total: 0 },
    steps,
    ...(custom.runCommands ? { runCommands: custom.runCommands } : {}),
    ...(error ? { error } : {}),
    ...(unfinished ? { unfinished } : {}),
    createdAt: iso(status.createdTime),
    updatedAt: iso(status.lastUpdatedTime),
  };
}

/** Runtime statuses during which a deployment holds its resource group. */
export const ACTIVE_RUNTIME_STATUSES = new Set(['Pending', 'Running', 'ContinuedAsNew', 'Suspended']);
