/** The deployment's custom status and how a deployment fails: shared by the deployment's orchestrator and its parts. */
import type { OrchestrationContext } from 'durable-functions';
import type { DeploymentCustomStatus, DeploymentPhase } from '../../shared/deployments/contracts';
import type { DeploymentError, StepTracker } from '../../shared/deployments/stepTracker';
import type { DeploymentPlan } from '../../shared/plan';

export type Publish = (phase: DeploymentPhase, error?: DeploymentError) => void;

/** A publisher of the deployment's custom status ({phase, progress, steps, error}) from a step tracker. */
export function statusPublisher(
  context: OrchestrationContext,
  deploymentId: string,
  plan: DeploymentPlan,
  tracker: StepTracker,
): Publish {
  const cluster = { subscriptionId: plan.subscriptionId, resourceGroup: plan.resourceGroup, location: plan.location };
  return (phase, error) => {
    const status: DeploymentCustomStatus = {
      deploymentId,
      cluster,
      phase,
      progress: { done: tracker.done, total: tracker.total },
      steps: tracker.views(),
      ...(tracker.runCommands.length > 0 ? { runCommands: tracker.runCommands.map((r) => ({ ...r })) } : {}),
      ...(error ? { error } : {}),
    };
    context.df.setCustomStatus(status);
  };
}

export class DeploymentFailed extends Error {
  constructor(readonly failure: DeploymentError) {
    super(`${failure.step}: ${failure.code}: ${failure.message}`);
    this.name = 'DeploymentFailed';
  }
}

/**
 * Records a failure in the status (the failed step, in-flight steps interrupted, the rest skipped) and ends the
 * orchestration by throwing.
 */
export function deploymentFailer(tracker: StepTracker, publish: Publish, now: () => Date) {
  return (error: DeploymentError): never => {
    tracker.fail(error.step, now(), `${error.code}: ${error.message}`);
    tracker.abandon(now());
    publish('failed', error);
    throw new DeploymentFailed(error);
  };
}
