/** What the orchestrators share: the retry of activities that throw, and how a deployment fails. */
import * as df from 'durable-functions';
import type { DeploymentPhase } from '../shared/deployments/contracts';
import type { DeploymentError, StepTracker } from '../shared/deployments/stepTracker';

/** Retries of an activity that *threw* (a bug or a lost worker), as opposed to the failures it reports. */
export const CRASH_RETRY = new df.RetryOptions(1_000, 3);

/** The message of a faulted task's result. */
export const errorMessage = (value: unknown) => (value instanceof Error ? value.message : String(value));

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
export function deploymentFailer(
  tracker: StepTracker,
  publish: (phase: DeploymentPhase, error?: DeploymentError) => void,
  now: () => Date,
) {
  return (error: DeploymentError): never => {
    tracker.fail(error.step, now(), `${error.code}: ${error.message}`);
    tracker.abandon(now());
    publish('failed', error);
    throw new DeploymentFailed(error);
  };
}
