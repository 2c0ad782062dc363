/**
 * failoverDrill: the guide's §9.3 switchover as an operation (POST /api/clusters/{sub}/{rg}/drills). Under
 * maintenance and a silence (./steps/maintenance.ts), the hierarchy is brought In Service on the standby with the
 * deployment's own switchover step (runConfigBatch with that one step, no completion marker → shared/scripts/verify.ts buildSwitchover), then, by default,
 * back on the node that was active. Each switchover is a step in the custom status (GET …/drills/{id}); a
 * switchover whose Run Command is refused as busy or fails transiently is retried after a durable timer; one the
 * script reports failed ends the drill (`failed`, with the script's own message).
 *
 * Deterministic: no I/O, no clock but context.df.currentUtcDateTime, no environment reads.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import type { ConfigBatchOutcome, RunConfigBatchInput } from '../shared/configure/contracts';
import type { DeploymentError } from '../shared/deployments/stepTracker';
import { StepTracker } from '../shared/deployments/stepTracker';
import {
  drillSteps,
  type DrillCustomStatus,
  type DrillInput,
  type DrillPhase,
  type DrillResult,
} from '../shared/drills/drill';
import { ACTIVITIES, ORCHESTRATIONS } from '../shared/names';
import { STEP } from '../shared/scripts';
import { DeploymentFailed } from './steps/deploymentStatus';
import { underMaintenance } from './steps/maintenance';
import { callWithRetry, CRASH_RETRY, reported } from './steps/retry';

function* failoverDrill(context: OrchestrationContext): Generator<Task, DrillResult, unknown> {
  const input = context.df.getInput<DrillInput>();
  const request = {
    cluster: { subscriptionId: input.cluster.subscriptionId, resourceGroup: input.cluster.resourceGroup },
    operationId: input.drillId,
    reason: `failover drill ${input.drillId} (${input.from} → ${input.to}${input.switchBack ? ' and back' : ''})`,
  };
  return yield* underMaintenance(context, request, drill(context, input));
}

function* drill(context: OrchestrationContext, input: DrillInput): Generator<Task, DrillResult, unknown> {
  const steps = drillSteps(input.from, input.to, input.switchBack);
  const tracker = new StepTracker(
    steps.map((s, i) => ({ name: s.name, dependsOn: steps.slice(Math.max(0, i - 1), i).map((p) => p.name) })),
  );
  const now = () => context.df.currentUtcDateTime;
  const publish = (phase: DrillPhase, error?: DeploymentError) => {
    const status: DrillCustomStatus = {
      drillId: input.drillId,
      cluster: input.cluster,
      from: input.from,
      to: input.to,
      switchBack: input.switchBack,
      phase,
      steps: tracker.views(),
      ...(error ? { error } : {}),
    };
    context.df.setCustomStatus(status);
  };
  publish('pending');
  let active = input.from;
  for (const step of steps) {
    tracker.start(step.name, now());
    publish('switching');
    // A batch of one step without a marker: a switchover is an action, never "already done".
    const payload: RunConfigBatchInput = {
      vm: { subscriptionId: input.cluster.subscriptionId, resourceGroup: input.cluster.resourceGroup, name: step.node },
      refs: [{ id: STEP.switchover, step: STEP.switchover, vm: step.node, role: 'node' }],
      useMarker: [false],
      params: input.params,
      nics: [],
      secrets: input.secrets,
    };
    const outcome = yield* callWithRetry(
      context,
      () => context.df.callActivityWithRetry(ACTIVITIES.runConfigBatch, CRASH_RETRY, payload),
      (r) => reported<ConfigBatchOutcome>(r),
      input.retry,
      {
        retrying: (failed) => {
          const first = failed[0];
          if (first) tracker.retrying(step.name, `${first.failure.code}; attempt ${first.attempts + 1}`);
          publish('switching');
        },
      },
    );
    const ran = outcome.ok ? outcome.value.steps[0] : undefined;
    if (!outcome.ok || ran?.status !== 'ran' || !ran.ok) {
      const error = !outcome.ok
        ? { step: step.name, code: outcome.failure.code, message: outcome.failure.message }
        : {
            step: step.name,
            code: 'ScriptFailed',
            message: ran?.status === 'ran' ? ran.message : (outcome.value.problem ?? 'the switchover reported nothing'),
          };
      tracker.fail(step.name, now(), `${error.code}: ${error.message}`);
      tracker.abandon(now());
      publish('failed', error);
      throw new DeploymentFailed(error);
    }
    tracker.succeed(step.name, now(), ran.message);
    active = step.node;
  }
  publish('completed');
  return { activeNode: active, switchovers: steps.length };
}

df.app.orchestration(ORCHESTRATIONS.failoverDrill, failoverDrill as OrchestrationHandler);
