/**
 * teardownCluster: a cluster leaves the app (DELETE /api/clusters/{subscriptionId}/{resourceGroup}). It is
 * deregistered first (no more monitoring or paging for what is about to vanish); with deleteResources its resource
 * group is then deleted — ARM's DELETE is started by a short activity and its end awaited with one-look activities
 * on durable timers (waitUntil) — and, once the group is gone, its generated Key Vault secrets. Its status has the
 * shape of a deployment's, read at GET /api/deployments/{id}.
 *
 * Deterministic: no I/O, no clock but context.df.currentUtcDateTime, no environment reads.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import type { DeploymentCustomStatus, DeploymentPhase, StepOutcome } from '../shared/deployments/contracts';
import { StepTracker, type DeploymentError, type StepDefinition } from '../shared/deployments/stepTracker';
import { ACTIVITIES, ORCHESTRATIONS, STEPS } from '../shared/names';
import type { DeregisterInput, ResourceGroupLook, TeardownInput } from '../shared/teardown/teardown';
import { DeploymentFailed } from './steps/deploymentStatus';
import { callWithRetry, CRASH_RETRY, reported } from './steps/retry';
import { waitUntil } from './steps/waitUntil';

/** How long ARM may take to delete a resource group (Azure: typically minutes; VMs and disks dominate). */
const DELETE_WAIT = { intervalMs: 1_000, maxIntervalMs: 15_000, timeoutMs: 60 * 60_000 };

export interface TeardownSummary {
  deregistered: boolean;
  resourceGroupDeleted: boolean;
  secretsDeleted: boolean;
}

function teardownSteps(deleteResources: boolean): StepDefinition[] {
  const steps: StepDefinition[] = [{ name: STEPS.deregister, dependsOn: [] }];
  if (deleteResources) {
    steps.push({ name: STEPS.deleteResourceGroup, dependsOn: [STEPS.deregister] });
    steps.push({ name: STEPS.deleteSecrets, dependsOn: [STEPS.deleteResourceGroup] });
  }
  return steps;
}

function* teardownCluster(context: OrchestrationContext): Generator<Task, TeardownSummary, unknown> {
  const input = context.df.getInput<TeardownInput>();
  const tracker = new StepTracker(teardownSteps(input.deleteResources));
  const now = () => context.df.currentUtcDateTime;
  const publish = (phase: DeploymentPhase, error?: DeploymentError) => {
    const status: DeploymentCustomStatus = {
      deploymentId: input.teardownId,
      cluster: input.cluster,
      phase,
      progress: { done: tracker.done, total: tracker.total },
      steps: tracker.views(),
      ...(error ? { error } : {}),
    };
    context.df.setCustomStatus(status);
  };
  const fail = (error: DeploymentError): never => {
    tracker.fail(error.step, now(), `${error.code}: ${error.message}`);
    tracker.abandon(now());
    publish('failed', error);
    throw new DeploymentFailed(error);
  };
  const target: DeregisterInput = {
    subscriptionId: input.cluster.subscriptionId,
    resourceGroup: input.cluster.resourceGroup,
  };
  /** One failure-reporting activity of a step, retried on transient failures. */
  function* step(name: string, activity: string, payload: unknown): Generator<Task, void, unknown> {
    tracker.start(name, now());
    publish(name === STEPS.deregister ? 'deregistering' : 'deleting');
    const result = yield* callWithRetry(
      context,
      () => context.df.callActivityWithRetry(activity, CRASH_RETRY, payload),
      (r) => reported<StepOutcome>(r),
      input.retry,
    );
    if (!result.ok) fail({ step: name, code: result.failure.code, message: result.failure.message });
    else if (name !== STEPS.deleteResourceGroup) tracker.succeed(name, now(), result.value.detail);
  }

  yield* step(STEPS.deregister, ACTIVITIES.deregisterCluster, target);
  if (input.deleteResources) {
    yield* step(STEPS.deleteResourceGroup, ACTIVITIES.deleteResourceGroup, target);
    const gone = yield* waitUntil(
      context,
      () => context.df.callActivityWithRetry(ACTIVITIES.probeResourceGroup, CRASH_RETRY, target),
      (r) => {
        const look = r as ResourceGroupLook;
        return look.exists
          ? { done: false, seen: `provisioningState ${look.provisioningState}` }
          : { done: true, value: true };
      },
      { ...DELETE_WAIT, timeoutCode: 'ResourceGroupDeletionTimedOut', what: `deletion of ${target.resourceGroup}` },
    );
    if (!gone.ok) fail({ step: STEPS.deleteResourceGroup, code: gone.failure.code, message: gone.failure.message });
    else tracker.succeed(STEPS.deleteResourceGroup, now(), `gone after ${(gone.waitedMs / 1000).toFixed(1)} s`);
    yield* step(STEPS.deleteSecrets, ACTIVITIES.deleteClusterSecrets, input.secretNames);
  }
  publish('completed');
  return { deregistered: true, resourceGroupDeleted: input.deleteResources, secretsDeleted: input.deleteResources };
}

df.app.orchestration(ORCHESTRATIONS.teardownCluster, teardownCluster as OrchestrationHandler);
