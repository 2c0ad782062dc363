/**
 * configureNode: runs a list of configuration steps on one VM, in as few Run Commands as it can: consecutive steps
 * go into one batch (shared/scripts/batch.ts: each step with its marker check and its own result line and times).
 * A batch stops at a step that failed or asks for a reboot; after a reboot (one ARM restart and a wait, on durable
 * timers, until the VM runs and answers a Run Command again) the rest runs as the next batch. A batch refused as
 * busy (409) or failing transiently is retried after a durable timer. The first failing step ends the list; the
 * result names it with the script's own message.
 *
 * Deterministic: no I/O, no clock but context.df.currentUtcDateTime.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import type { ArmFailure } from '../shared/azure/armErrors';
import type {
  ConfigBatchOutcome,
  ConfigStepReport,
  ConfigureNodeInput,
  ConfigureNodeResult,
  ProbeVmOutcome,
  RestartVmOutcome,
  RunCommandView,
  RunConfigBatchInput,
} from '../shared/configure/contracts';
import { ACTIVITIES, ORCHESTRATIONS } from '../shared/names';
import { callWithRetry, CRASH_RETRY, reported } from './steps/retry';
import { waitUntil, type Look } from './steps/waitUntil';

/** How long a VM may take to run and answer again after its restart (orchestration time: no activity waits). */
export const RESTART_TIMEOUT_MS = 30 * 60_000;

function* configureNode(context: OrchestrationContext): Generator<Task, ConfigureNodeResult, unknown> {
  const input = context.df.getInput<ConfigureNodeInput>();
  const now = () => context.df.currentUtcDateTime.toISOString();
  const reports: ConfigStepReport[] = [];

  /** One ARM restart, then looks at the VM (power state, then a Run Command) until it answers. */
  function* restart(): Generator<Task, { ok: true; detail: string } | { ok: false; failure: ArmFailure }, unknown> {
    const restarted = yield* callWithRetry(
      context,
      () => context.df.callActivityWithRetry(ACTIVITIES.restartVm, CRASH_RETRY, input.vm),
      (r) => reported<RestartVmOutcome>(r),
      input.retry,
    );
    if (!restarted.ok) return restarted;
    const back = yield* waitUntil(
      context,
      () => context.df.callActivityWithRetry(ACTIVITIES.probeVm, CRASH_RETRY, input.vm),
      (r): Look<string> => {
        const probe = r as ProbeVmOutcome;
        if (!probe.ok)
          return probe.failure.transient
            ? { done: false, seen: probe.failure.code }
            : { done: false, failure: probe.failure };
        return probe.ready ? { done: true, value: probe.state } : { done: false, seen: probe.state };
      },
      {
        intervalMs: input.retry.baseMs,
        maxIntervalMs: input.retry.capMs,
        timeoutMs: RESTART_TIMEOUT_MS,
        timeoutCode: 'RestartTimeout',
        what: `${input.vm.name} answering again after its restart`,
      },
    );
    if (!back.ok) return back;
    return { ok: true, detail: `restarted; answering again after ${(back.waitedMs / 1000).toFixed(1)} s` };
  }

  const runCommands: RunCommandView[] = [];
  const failedWith = (id: string, failure: ArmFailure): ConfigureNodeResult => ({
    vm: input.vm.name,
    steps: reports,
    failed: { id, code: failure.code, message: failure.message },
    runCommands,
  });
  let next = 0;
  while (next < input.steps.length) {
    const refs = input.steps.slice(next);
    const startedAt = now();
    const payload: RunConfigBatchInput = {
      vm: input.vm,
      refs,
      useMarker: input.useMarker.slice(next),
      params: input.params,
      nics: input.nics,
      secrets: input.secrets,
    };
    const outcome = yield* callWithRetry(
      context,
      () => context.df.callActivityWithRetry(ACTIVITIES.runConfigBatch, CRASH_RETRY, payload),
      (r) => reported<ConfigBatchOutcome>(r),
      input.retry,
    );
    const rc: RunCommandView = {
      vm: input.vm.name,
      steps: refs.map((r) => r.id),
      status: 'succeeded',
      startedAt,
      endedAt: now(),
      attempts: outcome.attempts,
    };
    runCommands.push(rc);
    const first = refs[0];
    if (!first) throw new Error(`configureNode ${input.vm.name}: a batch without steps`); // the loop runs while steps remain
    if (!outcome.ok || outcome.value.steps.length === 0) {
      const failure: ArmFailure = outcome.ok
        ? { transient: false, code: 'ScriptFailed', message: outcome.value.problem ?? 'the batch reported no step' }
        : outcome.failure;
      rc.status = 'failed';
      reports.push({
        id: first.id,
        ok: false,
        attempts: outcome.attempts,
        startedAt,
        endedAt: now(),
        detail: `${failure.code}: ${failure.message}`,
        code: failure.code,
      });
      return failedWith(first.id, failure);
    }
    const results = outcome.value.steps;
    rc.steps = results.map((r) => r.id);
    for (const r of results) {
      const ok = r.status === 'skipped' || r.ok;
      reports.push({
        id: r.id,
        ok,
        attempts: 1,
        startedAt: r.startedAt,
        endedAt: r.endedAt,
        detail: r.status === 'skipped' ? 'skipped: already done (its completion marker matches)' : r.message,
        ...(r.status === 'skipped' ? { skipped: true } : {}),
        ...(ok ? {} : { code: 'ScriptFailed' }),
      });
    }
    const last = results.at(-1);
    const lastReport = reports.at(-1);
    if (!last || !lastReport) throw new Error(`configureNode ${input.vm.name}: a batch that reported no step`); // checked above
    if (last.status === 'ran' && !last.ok) {
      rc.status = 'failed';
      return failedWith(last.id, { transient: false, code: 'ScriptFailed', message: last.message });
    }
    if (last.status === 'ran' && last.rebootRequired) {
      const restarted = yield* restart();
      lastReport.endedAt = now();
      if (!restarted.ok) {
        const failure = {
          ...restarted.failure,
          message: `restart after ${last.id} failed: ${restarted.failure.message}`,
        };
        lastReport.ok = false;
        lastReport.code = failure.code;
        lastReport.detail = `${failure.code}: ${failure.message}`;
        return failedWith(last.id, failure);
      }
      lastReport.detail = `${lastReport.detail}; ${restarted.detail}`;
    }
    next += results.length;
  }
  return { vm: input.vm.name, steps: reports, runCommands };
}

df.app.orchestration(ORCHESTRATIONS.configureNode, configureNode as OrchestrationHandler);
