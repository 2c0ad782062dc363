/**
 * The failover drill (design brief: `POST /api/clusters/{sub}/{rg}/drills`): the guide's §9.3 switchover as an
 * operation. The hierarchy is switched over to the standby with the deployment's own switchover script
 * (shared/scripts/verify.ts `buildSwitchover`, run by the runConfigStep activity), and by default back again, while
 * the cluster is in maintenance and silenced. Pure: the request body, the plan, the status and its API view.
 */
import type { SecretBindings } from '../configure/secrets';
import type { ClusterRef } from '../deployments/contracts';
import type { DeploymentError, StepView } from '../deployments/stepTracker';
import type { RetryPolicy } from '../config';
import { STEPS } from '../names';
import type { ScriptParams } from '../scripts';

/** What POST …/drills accepts. */
export interface DrillRequest {
  /** Switch back to the node that was active (default true); false leaves the cluster on the standby. */
  switchBack: boolean;
}

export type DrillBodyResult =
  { ok: true; value: DrillRequest } | { ok: false; errors: { path: string; message: string }[] };

/** The body of POST …/drills: empty, or `{switchBack?: boolean}`. */
export function parseDrillBody(body: unknown): DrillBodyResult {
  if (body === undefined || body === null) return { ok: true, value: { switchBack: true } };
  if (typeof body !== 'object' || Array.isArray(body))
    return { ok: false, errors: [{ path: '', message: 'expected a JSON object, e.g. {"switchBack": false}' }] };
  const errors: { path: string; message: string }[] = [];
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b))
    if (k !== 'switchBack') errors.push({ path: k, message: 'unknown field (expected switchBack)' });
  if (b.switchBack !== undefined && typeof b.switchBack !== 'boolean')
    errors.push({ path: 'switchBack', message: 'expected true (to the standby and back) or false (standby only)' });
  return errors.length ? { ok: false, errors } : { ok: true, value: { switchBack: b.switchBack !== false } };
}

/** One switchover of the drill: the hierarchy brought In Service on `node`. */
export interface DrillStep {
  name: string;
  node: string;
}

/** The drill's switchovers: to the other node, then (switchBack) to the one that was active. */
export function drillSteps(from: string, to: string, switchBack: boolean): DrillStep[] {
  const steps = [{ name: STEPS.drillSwitchover(to), node: to }];
  if (switchBack) steps.push({ name: STEPS.drillSwitchover(from), node: from });
  return steps;
}

/**
 * The drill's target node: the other of the two nodes than the active one. Errors (as text) when the active node is
 * unknown or not one of the cluster's nodes.
 */
export function drillTarget(
  nodes: readonly { name: string }[],
  active: string | undefined,
): { ok: true; from: string; to: string } | { ok: false; message: string } {
  if (nodes.length !== 2) return { ok: false, message: `a drill needs two nodes; the cluster has ${nodes.length}` };
  const from = nodes.find((n) => n.name === active)?.name;
  if (!from) return { ok: false, message: `the active node is not known yet (${active ?? 'none'}): try again shortly` };
  const to = nodes.find((n) => n.name !== from)!.name;
  return { ok: true, from, to };
}

/** The failoverDrill orchestration's input (no secret: the switchover needs none). */
export interface DrillInput {
  drillId: string;
  cluster: ClusterRef;
  from: string;
  to: string;
  switchBack: boolean;
  /** The cluster's script parameters, from the spec of the deployment that registered it. */
  params: ScriptParams;
  secrets: SecretBindings;
  retry: RetryPolicy;
}

export type DrillPhase = 'pending' | 'switching' | 'completed' | 'failed';

/** The drill's custom status. */
export interface DrillCustomStatus {
  drillId: string;
  cluster: ClusterRef;
  from: string;
  to: string;
  switchBack: boolean;
  phase: DrillPhase;
  steps: StepView[];
  error?: DeploymentError;
}

/** The drill's output. */
export interface DrillResult {
  /** The node the hierarchy is In Service on at the end. */
  activeNode: string;
  switchovers: number;
}

/** GET …/drills/{id}. */
export interface DrillView {
  id: string;
  cluster: ClusterRef | null;
  runtimeStatus: string;
  phase: string;
  from: string | null;
  to: string | null;
  switchBack: boolean | null;
  steps: StepView[];
  result?: DrillResult;
  error?: DeploymentError;
  createdAt: string;
  updatedAt: string;
}

const iso = (t: Date | string) => (t instanceof Date ? t.toISOString() : new Date(t).toISOString());

/** The API's view of a drill from its durable status. */
export function drillView(status: {
  instanceId: string;
  runtimeStatus: string;
  customStatus?: unknown;
  output?: unknown;
  createdTime: Date | string;
  lastUpdatedTime: Date | string;
}): DrillView {
  let custom: Partial<DrillCustomStatus> = {};
  const raw = status.customStatus;
  if (typeof raw === 'string') {
    try {
      custom = JSON.parse(raw) as Partial<DrillCustomStatus>;
    } catch {
      custom = {};
    }
  } else if (raw && typeof raw === 'object') custom = raw;
  const completed = status.runtimeStatus === 'Completed';
  let phase: string = custom.phase ?? 'pending';
  if (status.runtimeStatus === 'Terminated') phase = 'cancelled';
  else if (status.runtimeStatus === 'Failed' && phase !== 'failed') phase = 'failed';
  return {
    id: status.instanceId,
    cluster: custom.cluster ?? null,
    runtimeStatus: status.runtimeStatus,
    phase,
    from: custom.from ?? null,
    to: custom.to ?? null,
    switchBack: custom.switchBack ?? null,
    steps: custom.steps ?? [],
    ...(completed && status.output && typeof status.output === 'object'
      ? { result: status.output as DrillResult }
      : {}),
    ...(custom.error ? { error: custom.error } : {}),
    createdAt: iso(status.createdTime),
    updatedAt: iso(status.lastUpdatedTime),
  };
}
