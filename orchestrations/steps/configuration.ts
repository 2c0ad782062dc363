/**
 * The configuration of a deployed cluster (issue 5), run inside deployCluster with `yield*` so that its steps
 * appear, stage by stage, in the deployment's own custom status (a sub-orchestration's status is not visible
 * through its parent): prepare (VM facts, generated secrets, whether the registry knows the cluster), the stages of
 * shared/configure/stages.ts — each a Task.all over one configureNode sub-orchestration per VM of the stage (its
 * steps in as few Run Commands as restarts allow), every task yielded exactly once, the status updated when the
 * stage ends with each step's own times from its result line — then the cluster's row in the registry and its
 * Azure-native alerts (step `alerts`; the activity skips it, saying why, when the app settings for the alert webhook
 * are absent).
 *
 * Re-runs (issue 9): steps whose completion marker on the VM matches are reported "skipped: already done"; the
 * switchover verification runs as verify.switchover says (default: only while the registry does not know the
 * cluster), else its steps are skipped as not needed.
 *
 * Deterministic: no I/O, no clock but context.df.currentUtcDateTime.
 */
import type { OrchestrationContext, Task } from 'durable-functions';
import type {
  ClusterFacts,
  ClusterRegistration,
  ConfigureNodeInput,
  ConfigureNodeResult,
  ReadClusterRegistrationInput,
  ReadVmFactsInput,
  ReadVmFactsOutcome,
} from '../../shared/configure/contracts';
import { generatedSecrets, secretBindings } from '../../shared/configure/secrets';
import { configurationStages, usesMarker, type SwitchoverPolicy } from '../../shared/configure/stages';
import type { DeployClusterInput, DeploymentPhase, StepOutcome } from '../../shared/deployments/contracts';
import type { DeploymentError, RunCommandStatus, StepTracker } from '../../shared/deployments/stepTracker';
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
  const registrationInput: ReadClusterRegistrationInput = {
    subscriptionId: plan.subscriptionId,
    resourceGroup: plan.resourceGroup,
  };
  const prepared = yield* step(STEPS.prepare, 'configuring', [
    () => context.df.callActivityWithRetry(ACTIVITIES.readVmFacts, CRASH_RETRY, factsInput),
    () => context.df.callActivityWithRetry(ACTIVITIES.readClusterRegistration, CRASH_RETRY, registrationInput),
    ...generatedSecrets(input.spec, plan.credentials).map(
      (c) => () => context.df.callActivityWithRetry(ACTIVITIES.ensureAdminCredential, CRASH_RETRY, c),
    ),
  ]);
  const facts: ClusterFacts = (prepared[0] as Extract<ReadVmFactsOutcome, { ok: true }>).facts;
  const registered = (prepared[1] as Extract<ClusterRegistration, { ok: true }>).registered;
  // Inputs of deployments started before verify.switchover existed have no `verify`.
  const policy: SwitchoverPolicy =
    (input.spec.verify as { switchover?: SwitchoverPolicy } | undefined)?.switchover ?? 'first';
  const switchover = policy === 'always' || (policy === 'first' && !registered);
  const notNeeded =
    policy === 'never'
      ? 'not run: verify.switchover is never'
      : 'not needed: the cluster was verified before (it is registered) and verify.switchover is first';
  tracker.succeed(
    STEPS.prepare,
    now(),
    `facts of ${vmNames.length} VMs read; cluster secrets in Key Vault; ${
      registered ? 'registered before' : 'not registered yet'
    }; switchover ${switchover ? 'runs' : 'skipped'}`,
  );

  const params = scriptParamsFromSpec(input.spec, facts.runtime);
  const secrets = secretBindings(input.spec, plan.credentials);
  for (const stage of configurationStages(params)) {
    const parts: { vm: string; steps: ConfigureNodeInput['steps'] }[] = [];
    for (const { vm, steps } of stage.vms) {
      const run = steps.filter((r) => switchover || !r.switchover);
      for (const r of steps) if (!run.includes(r)) tracker.skip(STEPS.configure(vm, r.id), now(), notNeeded);
      if (run.length > 0) parts.push({ vm, steps: run });
    }
    if (parts.length === 0) {
      publish('configuring');
      continue;
    }
    // Until a VM's part ends, its steps stay pending: which of them runs inside the batch is only known from the
    // result lines at its end. The Run Command itself shows as running.
    const running = parts.map(({ vm, steps }) => {
      const view: RunCommandStatus = {
        vm,
        steps: steps.map((r) => r.id),
        status: 'running',
        startedAt: now().toISOString(),
      };
      tracker.runCommands.push(view);
      return view;
    });
    publish('configuring');
    const tasks = parts.map(({ vm, steps }) => {
      const nodeInput: ConfigureNodeInput = {
        vm: vmRef(vm),
        steps,
        useMarker: steps.map((r) => usesMarker(r, policy)),
        params,
        nics: (facts.vms[vm]?.nics ?? []).map(({ device, macAddress }) => ({ device, macAddress })),
        secrets,
        retry: input.retry,
      };
      return context.df.callSubOrchestrator(ORCHESTRATIONS.configureNode, nodeInput);
    });
    // One Task.all per stage, each task yielded exactly once (see shared/deployments/waves.ts: a task re-yielded
    // in a new Task.any is scheduled again by the Durable extension). A stage's VMs therefore report together.
    try {
      yield context.df.Task.all(tasks);
    } catch {
      // A sub-orchestration that threw reports nothing: its Run Commands end with the deployment.
      for (const view of running) Object.assign(view, { status: 'failed', endedAt: now().toISOString() });
      const i = Math.max(
        0,
        tasks.findIndex((t) => t.isFaulted),
      );
      const part = parts[i];
      fail({
        step: part?.steps[0] ? STEPS.configure(part.vm, part.steps[0].id) : stage.name,
        code: 'OrchestrationFailed',
        message: errorMessage(tasks[i]?.result),
      });
    }
    let failed: DeploymentError | undefined;
    for (const [i, task] of tasks.entries()) {
      const result = task.result as ConfigureNodeResult;
      // The placeholder becomes the part's real Run Commands (one per batch).
      const placeholder = running[i];
      const at = placeholder ? tracker.runCommands.indexOf(placeholder) : -1;
      if (at >= 0) tracker.runCommands.splice(at, 1, ...result.runCommands);
      else tracker.runCommands.push(...result.runCommands);
      for (const report of result.steps) {
        const name = STEPS.configure(result.vm, report.id);
        for (let a = 0; a < report.attempts; a++) tracker.start(name, new Date(report.startedAt));
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
