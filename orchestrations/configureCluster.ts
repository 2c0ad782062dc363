/**
 * Configuration of a deployed cluster (issue 5): the stages of shared/configure/stages.ts, each a Task.all over one
 * configureNode sub-orchestration per VM of the stage (every task yielded exactly once), then the cluster's row in
 * the registry.
 *
 * `runConfiguration` is a generator that deployCluster delegates to with `yield*`, so that the configuration runs in
 * the deployment's own orchestration and its steps appear, stage by stage, in the deployment's custom status (a
 * sub-orchestration's status is not visible through its parent). The same generator is registered as the
 * orchestration `configureCluster`, which (re)configures an existing cluster on its own.
 *
 * Deterministic: no I/O, no clock but context.df.currentUtcDateTime.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import { retryOrGiveUp, type ArmFailure } from '../shared/azure/armErrors';
import type {
  ClusterFacts,
  ConfigureNodeInput,
  ConfigureNodeResult,
  ReadVmFactsInput,
  ReadVmFactsOutcome,
} from '../shared/configure/contracts';
import { generatedSecrets, secretBindings } from '../shared/configure/secrets';
import {
  configStepName,
  configStepRefs,
  configurationStages,
  PREPARE_STEP,
  REGISTER_STEP,
} from '../shared/configure/stages';
import type { DeploymentCustomStatus, DeploymentPhase, RetryPolicy } from '../shared/deployments/contracts';
import { StepTracker, type DeploymentError, type StepDefinition } from '../shared/deployments/stepTracker';
import { planDeployment, type DeploymentPlan } from '../shared/plan';
import { clusterPaging, clusterRecord, type ClusterRecord } from '../shared/registry/clusterRecord';
import { scriptParamsFromSpec } from '../shared/scripts';
import type { ClusterSpec } from '../shared/spec';
import { ACTIVITIES, ORCHESTRATIONS } from './names';
import { CRASH_RETRY, deploymentFailer, errorMessage } from './orchestratorCommon';

export interface ConfigureClusterInput {
  deploymentId: string;
  spec: ClusterSpec;
  retry: RetryPolicy;
}

export interface ConfigurationHooks {
  tracker: StepTracker;
  publish(phase: DeploymentPhase): void;
  /** Records the failure in the status and ends the orchestration (throws). */
  fail(error: DeploymentError): never;
}

/** The configuration's steps for the status, after `after` (the infrastructure's last steps). */
export function configurationStepDefinitions(spec: ClusterSpec, after: string[]): StepDefinition[] {
  const refs = configStepRefs(configurationStages(scriptParamsFromSpec(spec)));
  const names = refs.map((r) => configStepName(r.vm, r.id));
  return [
    { name: PREPARE_STEP, dependsOn: after },
    ...names.map((name) => ({ name, dependsOn: [PREPARE_STEP] })),
    { name: REGISTER_STEP, dependsOn: names },
  ];
}

export function* runConfiguration(
  context: OrchestrationContext,
  input: ConfigureClusterInput,
  plan: DeploymentPlan,
  hooks: ConfigurationHooks,
): Generator<Task, ClusterRecord, unknown> {
  const { tracker, publish, fail } = hooks;
  const now = () => context.df.currentUtcDateTime;
  const vmNames = plan.resources.filter((r) => r.kind === 'virtualMachine').map((r) => r.name);
  const vmRef = (name: string) => ({ subscriptionId: plan.subscriptionId, resourceGroup: plan.resourceGroup, name });

  /** One bookkeeping step made of activities that report {ok, failure}: transient failures retried as a whole. */
  function* retrying(step: string, phase: DeploymentPhase, tasks: () => Task[]): Generator<Task, unknown[], unknown> {
    for (;;) {
      tracker.start(step, now());
      publish(phase);
      const pending = tasks();
      try {
        yield context.df.Task.all(pending);
      } catch {
        const faulted = pending.find((t) => t.isFaulted);
        fail({ step, code: 'ActivityFailed', message: errorMessage(faulted?.result) });
      }
      const results = pending.map((t) => t.result as { ok: boolean; failure?: ArmFailure });
      const failure = results.find((r) => !r.ok)?.failure;
      if (!failure) return results;
      const attempts = tracker.attempts(step);
      const next = retryOrGiveUp(failure, attempts, input.retry);
      if ('giveUp' in next) return fail({ step, code: next.giveUp.code, message: next.giveUp.message });
      tracker.retrying(step, `${failure.code}; attempt ${attempts + 1}`);
      publish(phase);
      yield context.df.createTimer(new Date(now().getTime() + next.retryInMs));
    }
  }

  // Facts from ARM (MACs, IPs) and the secrets the deployment generates (cluster SSH key, PostgreSQL password).
  const factsInput: ReadVmFactsInput = {
    subscriptionId: plan.subscriptionId,
    resourceGroup: plan.resourceGroup,
    vms: vmNames,
  };
  const prepared = yield* retrying(PREPARE_STEP, 'configuring', () => [
    context.df.callActivityWithRetry(ACTIVITIES.readVmFacts, CRASH_RETRY, factsInput),
    ...generatedSecrets(input.spec, plan.credentials).map((c) =>
      context.df.callActivityWithRetry(ACTIVITIES.ensureAdminCredential, CRASH_RETRY, c),
    ),
  ]);
  const facts: ClusterFacts = (prepared[0] as Extract<ReadVmFactsOutcome, { ok: true }>).facts;
  tracker.succeed(PREPARE_STEP, now(), `facts of ${vmNames.length} VMs read; cluster secrets in Key Vault`);

  const params = scriptParamsFromSpec(input.spec, facts.runtime);
  const secrets = secretBindings(input.spec, plan.credentials);
  for (const stage of configurationStages(params)) {
    for (const { vm, steps } of stage.vms) tracker.start(configStepName(vm, steps[0].id), now());
    publish('configuring');
    const tasks = stage.vms.map(({ vm, steps }) => {
      const nodeInput: ConfigureNodeInput = {
        vm: vmRef(vm),
        steps,
        params,
        nics: facts.vms[vm].nics.map(({ device, macAddress }) => ({ device, macAddress })),
        secrets,
        retry: input.retry,
      };
      return context.df.callSubOrchestrator(ORCHESTRATIONS.configureNode, nodeInput);
    });
    try {
      yield context.df.Task.all(tasks);
    } catch {
      const i = tasks.findIndex((t) => t.isFaulted);
      const { vm, steps } = stage.vms[Math.max(0, i)];
      fail({
        step: configStepName(vm, steps[0].id),
        code: 'OrchestrationFailed',
        message: errorMessage(tasks[i]?.result),
      });
    }
    let failed: DeploymentError | undefined;
    for (const result of tasks.map((t) => t.result as ConfigureNodeResult)) {
      for (const report of result.steps) {
        const name = configStepName(result.vm, report.id);
        const first = tracker.attempts(name) === 0 ? 0 : 1; // the first attempt may already be marked running
        for (let a = first; a < report.attempts; a++) tracker.start(name, new Date(report.startedAt));
        if (report.ok) tracker.succeed(name, new Date(report.endedAt), report.detail);
        else tracker.fail(name, new Date(report.endedAt), report.detail);
      }
      if (result.failed && !failed)
        failed = {
          step: configStepName(result.vm, result.failed.id),
          code: result.failed.code,
          message: result.failed.message,
        };
    }
    if (failed) fail(failed);
  }

  const record = clusterRecord(plan, params, {
    deploymentId: input.deploymentId,
    registeredAt: now().toISOString(),
    // Inputs of deployments started before paging existed have no `monitoring`.
    ...(input.spec.monitoring ? { paging: clusterPaging(input.spec.monitoring) } : {}),
  });
  yield* retrying(REGISTER_STEP, 'registering', () => [
    context.df.callActivityWithRetry(ACTIVITIES.registerCluster, CRASH_RETRY, record),
  ]);
  tracker.succeed(REGISTER_STEP, now(), `registered; active node ${record.activeNode}`);
  return record;
}

/** A publisher of the deployment's custom status ({phase, progress, steps, error}) from a step tracker. */
export function statusPublisher(
  context: OrchestrationContext,
  deploymentId: string,
  plan: DeploymentPlan,
  tracker: StepTracker,
) {
  const cluster = { subscriptionId: plan.subscriptionId, resourceGroup: plan.resourceGroup, location: plan.location };
  return (phase: DeploymentPhase, error?: DeploymentError) => {
    const status: DeploymentCustomStatus = {
      deploymentId,
      cluster,
      phase,
      progress: { done: tracker.done, total: tracker.total },
      steps: tracker.views(),
      ...(error ? { error } : {}),
    };
    context.df.setCustomStatus(status);
  };
}

/** Standalone: configure (again) a cluster whose infrastructure exists. */
function* configureCluster(context: OrchestrationContext): Generator<Task, ClusterRecord, unknown> {
  const input = context.df.getInput() as ConfigureClusterInput;
  const plan = planDeployment(input.spec);
  const tracker = new StepTracker(configurationStepDefinitions(input.spec, []));
  const publish = statusPublisher(context, input.deploymentId, plan, tracker);
  const fail = deploymentFailer(tracker, publish, () => context.df.currentUtcDateTime);
  const record = yield* runConfiguration(context, input, plan, { tracker, publish, fail });
  publish('completed');
  return record;
}

df.app.orchestration(ORCHESTRATIONS.configureCluster, configureCluster as OrchestrationHandler);
