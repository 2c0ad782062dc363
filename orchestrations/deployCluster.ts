/**
 * deployCluster: runs the plan of one cluster along its dependency graph, wave by wave (see shared/deployments/
 * waves.ts for why waves, and why they lose nothing on the seed's graph). Transient ARM failures are retried with
 * backoff (durable timers, honouring Retry-After); fatal ones fail the deployment at once with ARM's code and the
 * failing step. Once the resources are verified, the VMs are configured and the cluster registered
 * (runConfiguration in ./configureCluster.ts), with those steps in the same status — unless the spec says
 * `configure: false`.
 *
 * Deterministic: no I/O, no clock but context.df.currentUtcDateTime, no environment reads.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import { retryOrGiveUp } from '../shared/azure/armErrors';
import type {
  DeployClusterInput,
  DeploymentSummary,
  ProvisionResourceInput,
  StepOutcome,
  VerifyDeploymentInput,
} from '../shared/deployments/contracts';
import { CREDENTIALS_STEP, VERIFY_STEP, deploymentSteps } from '../shared/deployments/deploymentSteps';
import { StepTracker } from '../shared/deployments/stepTracker';
import { alapWaves } from '../shared/deployments/waves';
import { planDeployment } from '../shared/plan';
import { configurationStepDefinitions, runConfiguration, statusPublisher } from './configureCluster';
import { ACTIVITIES, ORCHESTRATIONS } from './names';
import { CRASH_RETRY, deploymentFailer, errorMessage } from './orchestratorCommon';

function* deployCluster(context: OrchestrationContext): Generator<Task, DeploymentSummary, unknown> {
  const input = context.df.getInput() as DeployClusterInput;
  const plan = planDeployment(input.spec);
  const byKey = new Map(plan.resources.map((r) => [r.key, r]));
  const steps = deploymentSteps(plan);
  // Configuration (issue 5) follows the infrastructure in the same status; the waves below cover the infrastructure.
  const configure = input.spec.configure;
  const tracker = new StepTracker(
    configure ? [...steps, ...configurationStepDefinitions(input.spec, [VERIFY_STEP])] : steps,
  );
  const now = () => context.df.currentUtcDateTime;
  const publish = statusPublisher(context, input.deploymentId, plan, tracker);
  const fail = deploymentFailer(tracker, publish, now);
  const activityFor = (step: string): Task => {
    if (step === CREDENTIALS_STEP)
      return context.df.callActivityWithRetry(ACTIVITIES.ensureAdminCredential, CRASH_RETRY, plan.credentials);
    if (step === VERIFY_STEP) {
      const verify: VerifyDeploymentInput = {
        resources: plan.resources.map((r) => ({ step: r.key, kind: r.kind, id: r.id })),
      };
      return context.df.callActivityWithRetry(ACTIVITIES.verifyDeployment, CRASH_RETRY, verify);
    }
    const r = byKey.get(step)!;
    const payload: ProvisionResourceInput = {
      step,
      resource: { kind: r.kind, id: r.id, body: r.body },
      ...(r.kind === 'virtualMachine' ? { credential: plan.credentials } : {}),
    };
    return context.df.callActivityWithRetry(ACTIVITIES.provisionResource, CRASH_RETRY, payload);
  };

  let summary: DeploymentSummary | undefined;
  for (const wave of alapWaves(steps)) {
    let todo = wave;
    while (todo.length > 0) {
      for (const step of todo) tracker.start(step, now());
      publish(wave.includes(VERIFY_STEP) ? 'verifying' : 'provisioning');
      const tasks = todo.map(activityFor);
      try {
        yield context.df.Task.all(tasks);
      } catch {
        const faulted = todo.findIndex((_, i) => tasks[i].isFaulted);
        fail({
          step: todo[faulted] ?? todo[0],
          code: 'ActivityFailed',
          message: errorMessage(tasks[faulted]?.result),
        });
      }
      const retry: { step: string; delay: number; code: string }[] = [];
      todo.forEach((step, i) => {
        const result = tasks[i].result;
        if (step === VERIFY_STEP) {
          summary = result as DeploymentSummary;
          tracker.succeed(step, now(), `${summary.resources.length} resources verified`);
          return;
        }
        const outcome = result as StepOutcome;
        if (outcome.ok) return tracker.succeed(step, now(), outcome.detail);
        const next = retryOrGiveUp(outcome.failure, tracker.attempts(step), input.retry);
        if ('giveUp' in next) return fail({ step, code: next.giveUp.code, message: next.giveUp.message });
        retry.push({ step, delay: next.retryInMs, code: outcome.failure.code });
      });
      if (retry.length === 0) break;
      const delay = Math.max(...retry.map((r) => r.delay));
      for (const r of retry)
        tracker.retrying(
          r.step,
          `${r.code}; attempt ${tracker.attempts(r.step) + 1} in ${(delay / 1000).toFixed(1)} s`,
        );
      publish('provisioning');
      yield context.df.createTimer(new Date(now().getTime() + delay));
      todo = retry.map((r) => r.step);
    }
  }
  if (configure) yield* runConfiguration(context, input, plan, { tracker, publish, fail });
  publish('completed');
  return summary!;
}

df.app.orchestration(ORCHESTRATIONS.deployCluster, deployCluster as OrchestrationHandler);
