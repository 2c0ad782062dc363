/**
 * The configuration of a deployed cluster (issue 5), run inside deployCluster with `yield*` so that its steps
 * appear, stage by stage, in the deployment's own custom status (a sub-orchestration's status is not visible
 * through its parent): prepare (VM facts, generated secrets), the stages of shared/configure/stages.ts — each a
 * Task.all over one configureNode sub-orchestration per VM of the stage, every task yielded exactly once — then the
 * cluster's row in the registry and its Azure-native alerts (step `alerts`; the activity skips it, saying why, when
 * the app settings for the alert webhook are absent).
 *
 * Deterministic: no I/O, no clock but context.df.currentUtcDateTime.
 */
import type { OrchestrationContext, Task } from 'durable-functions';
import type {
  ClusterFacts,
  ConfigureNodeInput,
  ConfigureNodeResult,
  ReadVmFactsInput,
  ReadVmFactsOutcome,
} from '../../shared/configure/contracts';
import { generatedSecrets, secretBindings } from '../../shared/configure/secrets';
import { configurationStages } from '../../shared/configure/stages';
import type { DeployClusterInput, DeploymentPhase, StepOutcome } from '../../shared/deployments/contracts';
import type { DeploymentError, StepTracker } from '../../shared/deployments/stepTracker';
import type { EnsureAlertRulesInput } from '../../shared/monitoring/alertRulesDeployer';
import { ACTIVITIES, ORCHESTRATIONS, STEPS } from '../../shared/names';
import type { DeploymentPlan } from '../../shared/plan';
import { clusterPaging, clusterRecord, type ClusterRecord } from '../../shared/registry/clusterRecord';
import { scriptParamsFromSpec } from '../../shared/scripts';
import { errorMessage } from '../../shared/azure/errors';
import { callAllWithRetry, CRASH_RETRY, reported, type ReportedOutcome } from './retry';

export interface ConfigurationHooks {
  tracker: StepTracker;
  publish(this: void, phase: DeploymentPhase): void;
  /** Records the failure in the status and ends the orchestration (throws). */
  fail(this: void, error: DeploymentError): never;
}

export function* runConfiguration(
  context: OrchestrationContext,
  input: DeployClusterInput,
  plan: DeploymentPlan,
  hooks: ConfigurationHooks,
): Generator<Task, ClusterRecord, unknown> {
  const { tracker, publish, fail } = hooks;
  const now = () => context.df.currentUtcDateTime;
  const vmNames = plan.resources.filter((r) => r.kind === 'virtualMachine').map((r) => r.name);
  const vmRef = (name: string) => ({ subscriptionId: plan.subscriptionId, resourceGroup: plan.resourceGroup, name });

  /** One bookkeeping step made of activities that report {ok, failure}; each retried on its own. */
  function* step(name: string, phase: DeploymentPhase, calls: (() => Task)[]) {
    const result = yield* callAllWithRetry(
      context,
      calls,
      (call) => call(),
      (r) => reported<ReportedOutcome>(r),
      input.retry,
      {
        attempting: () => {
          tracker.start(name, now());
          publish(phase);
        },
        retrying: (failed) => {
          const first = failed[0];
          if (first) tracker.retrying(name, `${first.failure.code}; attempt ${first.attempts + 1}`);
          publish(phase);
        },
      },
    );
    if (!result.ok) return fail({ step: name, code: result.failure.code, message: result.failure.message });
    return calls.map((call) => result.values.get(call));
  }

  // Facts from ARM (MACs, IPs) and the secrets the deployment generates (cluster SSH key, PostgreSQL password).
  const factsInput: ReadVmFactsInput = {
    subscriptionId: plan.subscriptionId,
    resourceGroup: plan.resourceGroup,
    vms: vmNames,
  };
  const prepared = yield* step(STEPS.prepare, 'configuring', [
    () => context.df.callActivityWithRetry(ACTIVITIES.readVmFacts, CRASH_RETRY, factsInput),
    ...generatedSecrets(input.spec, plan.credentials).map(
      (c) => () => context.df.callActivityWithRetry(ACTIVITIES.ensureAdminCredential, CRASH_RETRY, c),
    ),
  ]);
  const facts: ClusterFacts = (prepared[0] as Extract<ReadVmFactsOutcome, { ok: true }>).facts;
  tracker.succeed(STEPS.prepare, now(), `facts of ${vmNames.length} VMs read; cluster secrets in Key Vault`);

  const params = scriptParamsFromSpec(input.spec, facts.runtime);
  const secrets = secretBindings(input.spec, plan.credentials);
  for (const stage of configurationStages(params)) {
    for (const { vm, steps } of stage.vms) if (steps[0]) tracker.start(STEPS.configure(vm, steps[0].id), now());
    publish('configuring');
    const tasks = stage.vms.map(({ vm, steps }) => {
      const nodeInput: ConfigureNodeInput = {
        vm: vmRef(vm),
        steps,
        params,
        nics: (facts.vms[vm]?.nics ?? []).map(({ device, macAddress }) => ({ device, macAddress })),
        secrets,
        retry: input.retry,
      };
      return context.df.callSubOrchestrator(ORCHESTRATIONS.configureNode, nodeInput);
    });
    try {
      yield context.df.Task.all(tasks);
    } catch {
      const i = Math.max(
        0,
        tasks.findIndex((t) => t.isFaulted),
      );
      const node = stage.vms[i];
      fail({
        step: node?.steps[0] ? STEPS.configure(node.vm, node.steps[0].id) : stage.name,
        code: 'OrchestrationFailed',
        message: errorMessage(tasks[i]?.result),
      });
    }
    let failed: DeploymentError | undefined;
    for (const result of tasks.map((t) => t.result as ConfigureNodeResult)) {
      for (const report of result.steps) {
        const name = STEPS.configure(result.vm, report.id);
        const first = tracker.attempts(name) === 0 ? 0 : 1; // the first attempt may already be marked running
        for (let a = first; a < report.attempts; a++) tracker.start(name, new Date(report.startedAt));
        if (report.ok) tracker.succeed(name, new Date(report.endedAt), report.detail);
        else tracker.fail(name, new Date(report.endedAt), report.detail);
      }
      if (result.failed && !failed)
        failed = {
          step: STEPS.configure(result.vm, result.failed.id),
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
  yield* step(STEPS.register, 'registering', [
    () => context.df.callActivityWithRetry(ACTIVITIES.registerCluster, CRASH_RETRY, record),
  ]);
  tracker.succeed(STEPS.register, now(), `registered; active node ${record.activeNode}`);

  // Azure Monitor alerts feeding POST /api/alerts. Only names and ids travel: the activity resolves the route's key.
  const alertsInput: EnsureAlertRulesInput = {
    record,
    ...(input.spec.monitoring?.azureAlerts ? { azureAlerts: input.spec.monitoring.azureAlerts } : {}),
    tags: input.spec.tags,
  };
  const [alerts] = yield* step(STEPS.alerts, 'registering', [
    () => context.df.callActivityWithRetry(ACTIVITIES.ensureAlertRules, CRASH_RETRY, alertsInput),
  ]);
  tracker.succeed(STEPS.alerts, now(), (alerts as Extract<StepOutcome, { ok: true }>).detail);
  return record;
}
