/**
 * deployCluster: runs the plan of one cluster along its dependency graph, wave by wave (see shared/deployments/
 * waves.ts for why waves, and why they lose nothing on the seed's graph). Transient ARM failures are retried with
 * backoff (durable timers, honouring Retry-After); fatal ones fail the deployment at once with ARM's code and the
 * failing step. Once the resources are verified, the VMs are configured and the cluster registered
 * (runConfiguration in ./steps/configuration.ts), with those steps in the same status — unless the spec says
 * `configure: false`.
 *
 * The whole run is under maintenance (./steps/maintenance.ts): a registered cluster re-deployed is switched over by
 * its verification, which must open no incident and page nobody.
 *
 * Deterministic: no I/O, no clock but context.df.currentUtcDateTime, no environment reads.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import type {
  DeployClusterInput,
  DeploymentSummary,
  ProvisionResourceInput,
  StepOutcome,
  VerifyDeploymentInput,
} from '../shared/deployments/contracts';
import { configurationStepDefinitions, deploymentSteps } from '../shared/deployments/deploymentSteps';
import { StepTracker } from '../shared/deployments/stepTracker';
import { alapWaves } from '../shared/deployments/waves';
import { ACTIVITIES, ORCHESTRATIONS, STEPS } from '../shared/names';
import { planDeployment } from '../shared/plan';
import { runConfiguration } from './steps/configuration';
import { deploymentFailer, statusPublisher } from './steps/deploymentStatus';
import { underMaintenance } from './steps/maintenance';
import { callAllWithRetry, CRASH_RETRY, reported, type Classified } from './steps/retry';

function* deployCluster(context: OrchestrationContext): Generator<Task, DeploymentSummary, unknown> {
  const input = context.df.getInput<DeployClusterInput>();
  const cluster = { subscriptionId: input.spec.subscriptionId, resourceGroup: input.spec.resourceGroup };
  const request = { cluster, operationId: input.deploymentId, reason: `deployment ${input.deploymentId}` };
  return yield* underMaintenance(context, request, deploy(context, input));
}

function* deploy(
  context: OrchestrationContext,
  input: DeployClusterInput,
): Generator<Task, DeploymentSummary, unknown> {
  const plan = planDeployment(input.spec);
  const byKey = new Map(plan.resources.map((r) => [r.key, r]));
  const steps = deploymentSteps(plan);
  // Configuration (issue 5) follows the infrastructure in the same status; the waves below cover the infrastructure.
  const configure = input.spec.configure;
  const tracker = new StepTracker(
    configure ? [...steps, ...configurationStepDefinitions(input.spec, [STEPS.verify])] : steps,
  );
  const now = () => context.df.currentUtcDateTime;
  const publish = statusPublisher(context, input.deploymentId, plan, tracker);
  const fail = deploymentFailer(tracker, publish, now);
  const activityFor = (step: string): Task => {
    if (step === STEPS.credentials)
      return context.df.callActivityWithRetry(ACTIVITIES.ensureAdminCredential, CRASH_RETRY, plan.credentials);
    if (step === STEPS.verify) {
      const verify: VerifyDeploymentInput = {
        resources: plan.resources.map((r) => ({ step: r.key, kind: r.kind, id: r.id })),
      };
      return context.df.callActivityWithRetry(ACTIVITIES.verifyDeployment, CRASH_RETRY, verify);
    }
    const r = byKey.get(step);
    if (!r) throw new Error(`deployCluster: no planned resource for step '${step}'`);
    const payload: ProvisionResourceInput = {
      step,
      resource: { kind: r.kind, id: r.id, body: r.body },
      ...(r.kind === 'virtualMachine' ? { credential: plan.credentials } : {}),
    };
    return context.df.callActivityWithRetry(ACTIVITIES.provisionResource, CRASH_RETRY, payload);
  };
  let summary: DeploymentSummary | undefined;
  // verifyDeployment returns the summary (it throws when a resource is bad); the others report {ok, failure}.
  const classify = (result: unknown, step: string): Classified<{ detail?: string; endedAt?: string }> => {
    if (step === STEPS.verify) {
      summary = result as DeploymentSummary;
      return { ok: true, value: { detail: `${summary.resources.length} resources verified` } };
    }
    const outcome = reported<StepOutcome>(result);
    return outcome.ok ? { ok: true, value: outcome.value } : outcome;
  };

  for (const wave of alapWaves(steps)) {
    const phase = wave.includes(STEPS.verify) ? 'verifying' : 'provisioning';
    const result = yield* callAllWithRetry(context, wave, activityFor, classify, input.retry, {
      attempting: (todo) => {
        for (const step of todo) tracker.start(step, now());
        publish(phase);
      },
      // each step ends when its activity's work ended (true to the second), not when its wave did
      succeeded: (step, { detail, endedAt }) => tracker.succeed(step, endedAt ? new Date(endedAt) : now(), detail),
      retrying: (failed, delayMs) => {
        for (const r of failed)
          tracker.retrying(r.key, `${r.failure.code}; attempt ${r.attempts + 1} in ${(delayMs / 1000).toFixed(1)} s`);
        publish('provisioning');
      },
    });
    if (!result.ok) fail({ step: result.key, code: result.failure.code, message: result.failure.message });
  }
  if (configure) yield* runConfiguration(context, input, plan, { tracker, publish, fail });
  publish('completed');
  if (!summary) throw new Error('deployCluster: the verify step produced no summary');
  return summary;
}

df.app.orchestration(ORCHESTRATIONS.deployCluster, deployCluster as OrchestrationHandler);
