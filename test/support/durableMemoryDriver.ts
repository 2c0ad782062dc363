/**
 * Drives an orchestrator of the real durable-functions SDK through the engine's pure episode logic, in memory:
 * activities run inline, timers fire at once, external events are delivered on a chosen episode. For unit tests
 * of the replay/decision logic against the SDK's own replay.
 */
import * as df from 'durable-functions';
// @ts-expect-error -- internal module of durable-functions, shipped without type declarations
import { createOrchestrator } from 'durable-functions/lib/src/util/testingUtils';
import {
  decideEpisode,
  triageMessages,
  triggerPayload,
  type EpisodeDecision,
  type InvocationOutcome,
} from '../../local/host/durable/episode';
import { events, type HistoryEvent } from '../../local/host/durable/history';
import type { OrchestratorStateDto } from '../../local/host/durable/actions';

export type Activity = (input: unknown) => unknown;

export type OrchestratorFn = (context: any) => Generator<unknown, unknown, any>;

export interface DriveOptions {
  input?: unknown;
  activities?: Record<string, Activity>;
  /** external events raised after the given episode number */
  raise?: Array<{ afterEpisode: number; name: string; data: unknown }>;
  /** swap the orchestrator code from this episode on */
  swap?: { fromEpisode: number; fn: OrchestratorFn };
  /** sub-orchestrators, run to completion in memory when scheduled */
  children?: Record<string, OrchestratorFn>;
  maxEpisodes?: number;
}

export interface DriveResult {
  decision: EpisodeDecision;
  history: HistoryEvent[];
  episodes: number;
  activityCalls: string[];
}

export async function drive(fn: OrchestratorFn, options: DriveOptions = {}): Promise<DriveResult> {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const identity = {
    instanceId: 'inst1',
    executionId: 'exec1',
    name: 'Orch',
    input: options.input === undefined ? null : JSON.stringify(options.input),
  };
  let past: HistoryEvent[] = [];
  let inbox: HistoryEvent[] = [events.executionStarted(new Date(t0), { ...identity })];
  const activityCalls: string[] = [];
  for (let episode = 0; episode < (options.maxEpisodes ?? 100); episode++) {
    const now = new Date(t0 + (episode + 1) * 1000);
    const triage = triageMessages(past, inbox, (e) => e);
    inbox = triage.early;
    const fresh = [events.orchestratorStarted(now), ...triage.accepted];
    const code = options.swap && episode >= options.swap.fromEpisode ? options.swap.fn : fn;
    const handler = (createOrchestrator as (f: OrchestratorFn) => (p: unknown, c: unknown) => Promise<unknown>)(code);
    const payload = JSON.parse(JSON.stringify(triggerPayload(identity, past, fresh)));
    let outcome: InvocationOutcome;
    try {
      const state = await handler(payload, new df.DummyOrchestrationContext());
      outcome = { ok: true, state: JSON.parse(JSON.stringify(state)) as OrchestratorStateDto };
    } catch (err) {
      outcome = { ok: false, message: (err as Error).message };
    }
    const decision = decideEpisode(identity, past, fresh, outcome, now);
    past = [...past, ...decision.appended];
    if (decision.status !== 'Running') return { decision, history: past, episodes: episode + 1, activityCalls };
    for (const r of options.raise ?? [])
      if (r.afterEpisode === episode) inbox.push(events.eventRaised(now, r.name, JSON.stringify(r.data)));
    for (const w of decision.work) {
      if (w.kind === 'activity') {
        activityCalls.push(w.name);
        try {
          const result = options.activities?.[w.name]?.(w.input === null ? null : JSON.parse(w.input));
          inbox.push(events.taskCompleted(now, w.id, JSON.stringify(result ?? null)));
        } catch (err) {
          inbox.push(
            events.taskFailed(
              now,
              w.id,
              `Activity function '${w.name}' failed: ${(err as Error).message}`,
              (err as Error).stack ?? '',
            ),
          );
        }
      } else if (w.kind === 'timer') {
        inbox.push(events.timerFired(now, w.id, w.fireAt));
      } else {
        const child = await drive(options.children![w.name], {
          ...options,
          swap: undefined,
          raise: [],
          input: w.input === null ? undefined : JSON.parse(w.input),
        });
        inbox.push(
          child.decision.status === 'Completed'
            ? events.subOrchestrationCompleted(now, w.id, child.decision.output)
            : events.subOrchestrationFailed(now, w.id, `child ${w.instanceId} failed`, child.decision.output ?? ''),
        );
      }
    }
  }
  throw new Error('orchestration did not finish');
}
