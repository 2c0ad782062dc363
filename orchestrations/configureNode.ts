/**
 * configureNode: runs a list of configuration steps on one VM, one after the other (Run Command runs one script
 * at a time per VM). A step whose Run Command is refused as busy (409) or fails transiently is retried after a
 * durable timer; a step whose script asks for a reboot is followed by an ARM restart and a wait until the VM
 * answers. The first failing step ends the list; the result names it with the script's own message.
 *
 * Deterministic: no I/O, no clock but context.df.currentUtcDateTime.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import { retryOrGiveUp, type ArmFailure } from '../shared/azure/armErrors';
import type {
  ConfigStepOutcome,
  ConfigStepReport,
  ConfigureNodeInput,
  ConfigureNodeResult,
  RestartVmOutcome,
  RunConfigStepInput,
} from '../shared/configure/contracts';
import { ACTIVITIES, ORCHESTRATIONS } from './names';
import { CRASH_RETRY, errorMessage } from './orchestratorCommon';

function* configureNode(context: OrchestrationContext): Generator<Task, ConfigureNodeResult, unknown> {
  const input = context.df.getInput() as ConfigureNodeInput;
  const now = () => context.df.currentUtcDateTime.toISOString();
  const reports: ConfigStepReport[] = [];

  /** Calls the activity until it succeeds, fails for good, or the attempts are used up. */
  function* attempt<T extends { ok: boolean }>(
    call: () => Task,
    count: { attempts: number },
  ): Generator<Task, T | { ok: false; failure: ArmFailure }, unknown> {
    for (;;) {
      count.attempts += 1;
      let outcome: T | { ok: false; failure: ArmFailure };
      try {
        outcome = (yield call()) as T;
      } catch (err) {
        return { ok: false, failure: { transient: false, code: 'ActivityFailed', message: errorMessage(err) } };
      }
      if (outcome.ok) return outcome;
      const next = retryOrGiveUp((outcome as unknown as { failure: ArmFailure }).failure, count.attempts, input.retry);
      if ('giveUp' in next) return { ok: false, failure: next.giveUp };
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + next.retryInMs));
    }
  }

  for (const ref of input.steps) {
    const startedAt = now();
    const count = { attempts: 0 };
    const payload: RunConfigStepInput = {
      vm: input.vm,
      ref,
      params: input.params,
      nics: input.nics,
      secrets: input.secrets,
    };
    const outcome = yield* attempt<ConfigStepOutcome>(
      () => context.df.callActivityWithRetry(ACTIVITIES.runConfigStep, CRASH_RETRY, payload),
      count,
    );
    let detail = outcome.ok ? outcome.message : `${outcome.failure.code}: ${outcome.failure.message}`;
    let failure = outcome.ok ? undefined : outcome.failure;
    if (outcome.ok && outcome.rebootRequired) {
      const restart = yield* attempt<RestartVmOutcome>(
        () => context.df.callActivityWithRetry(ACTIVITIES.restartVm, CRASH_RETRY, input.vm),
        { attempts: 0 },
      );
      if (restart.ok) detail = `${detail}; ${restart.detail}`;
      else {
        failure = { ...restart.failure, message: `restart after ${ref.id} failed: ${restart.failure.message}` };
        detail = `${failure.code}: ${failure.message}`;
      }
    }
    reports.push({
      id: ref.id,
      ok: !failure,
      attempts: count.attempts,
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
