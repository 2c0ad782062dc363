/**
 * configureNode: runs a list of configuration steps on one VM, one after the other (Run Command runs one script
 * at a time per VM). A step whose Run Command is refused as busy (409) or fails transiently is retried after a
 * durable timer; a step whose script asks for a reboot is followed by one ARM restart and a wait, on durable
 * timers, until the VM runs and answers a Run Command again. The first failing step ends the list; the result
 * names it with the script's own message.
 *
 * Deterministic: no I/O, no clock but context.df.currentUtcDateTime.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import type { ArmFailure } from '../shared/azure/armErrors';
import type {
  ConfigStepOutcome,
  ConfigStepReport,
  ConfigureNodeInput,
  ConfigureNodeResult,
  ProbeVmOutcome,
  RestartVmOutcome,
  RunConfigStepInput,
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

  for (const ref of input.steps) {
    const startedAt = now();
    const payload: RunConfigStepInput = {
      vm: input.vm,
      ref,
      params: input.params,
      nics: input.nics,
      secrets: input.secrets,
    };
    const outcome = yield* callWithRetry(
      context,
      () => context.df.callActivityWithRetry(ACTIVITIES.runConfigStep, CRASH_RETRY, payload),
      (r) => reported<ConfigStepOutcome>(r),
      input.retry,
    );
    let detail = outcome.ok ? outcome.value.message : `${outcome.failure.code}: ${outcome.failure.message}`;
    let failure = outcome.ok ? undefined : outcome.failure;
    if (outcome.ok && outcome.value.rebootRequired) {
      const restarted = yield* restart();
      if (restarted.ok) detail = `${detail}; ${restarted.detail}`;
      else {
        failure = { ...restarted.failure, message: `restart after ${ref.id} failed: ${restarted.failure.message}` };
        detail = `${failure.code}: ${failure.message}`;
      }
    }
    reports.push({
      id: ref.id,
      ok: !failure,
      attempts: outcome.attempts,
      startedAt,
      endedAt: now(),
      detail,
      ...(failure ? { code: failure.code } : {}),
    });
    if (failure)
      return {
        vm: input.vm.name,
        steps: reports,
        failed: { id: ref.id, code: failure.code, message: failure.message },
      };
  }
  return { vm: input.vm.name, steps: reports };
}

df.app.orchestration(ORCHESTRATIONS.configureNode, configureNode as OrchestrationHandler);
