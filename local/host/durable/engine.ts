/**
 * The Durable engine's dispatcher: runs orchestration episodes (one at a time per instance), activities and
 * durable timers, on top of the task hub in Azure Storage. Work this host produces is handed over in memory
 * at once (and also written to the queues, invisible while this host holds it), so a busy host never waits for
 * a poll; the queues are polled adaptively for work left by other or crashed hosts.
 */
import { randomUUID } from 'node:crypto';
import type { HostContext } from '../extension';
import { parseJsonText, type OrchestratorStateDto } from './actions';
import {
  decideEpisode,
  playedJson,
  triageMessages,
  triggerPayloadJson,
  type EpisodeDecision,
  type InstanceIdentity,
  type InvocationOutcome,
  type RuntimeStatus,
  type TimerSettings,
} from './episode';
import { ActivityPool } from './activityPool';
import { EventType, SCHEDULING_EVENTS, completedId, events, type HistoryEvent } from './history';
import { logLifecycle } from './lifecycleLog';
import {
  batchActivities,
  typedDataToJson,
  type ActivityItem,
  type ControlMessage,
  type WorkBatchMessage,
} from './messages';
import { QueuePoller } from './queuePoller';
import { HeldMessage, LeaseKeeper } from './leases';
import type { ScheduledWork } from './replay';
import { ConflictError, TaskHubStore, type InstanceRecord, type StoredInstance } from './store';

export interface EngineSettings {
  hubName: string;
  /** Visibility lease of queue messages a worker owns (seconds). */
  leaseSeconds: number;
  /** Longest wait between polls of an idle queue (ms). */
  maxPollingIntervalMs: number;
  maxConcurrentActivityFunctions: number;
  maxConcurrentOrchestratorFunctions: number;
  timers: TimerSettings;
  /** How long stop() waits for running episodes and activities (ms). */
  stopGraceMs: number;
}

/**
 * An event waiting in an instance's mailbox, and the queue message that makes it durable until the episode
 * that consumes it is committed (a control message, or the work batch whose activity produced the result).
 */
interface Inbound {
  event: HistoryEvent;
  executionId?: string;
  source: HeldMessage<unknown>;
  strikes?: number;
}

interface SessionCache {
  stored: StoredInstance;
  history: HistoryEvent[];
  /** playedJson(history), maintained incrementally. */
  pastJson: string;
}

interface Session {
  instanceId: string;
  mailbox: Inbound[];
  running: boolean;
  dirty: boolean;
  cache?: SessionCache;
  /** Executions this session ended by continueAsNew (their late messages are dropped without a reload). */
  retired?: Set<string>;
}

export const TERMINAL: ReadonlySet<RuntimeStatus> = new Set(['Completed', 'Failed', 'Terminated']);
const CONTROL_EVENTS = new Set([
  EventType.ExecutionTerminated,
  EventType.ExecutionSuspended,
  EventType.ExecutionResumed,
]);
const MAX_EARLY_EPISODES = 50;

export class InstanceExistsError extends Error {}

function appendAll<T>(target: T[], items: readonly T[]): T[] {
  for (const item of items) target.push(item);
  return target;
}

export class DurableEngine {
  readonly store: TaskHubStore;
  private readonly leases: LeaseKeeper;
  private readonly sessions = new Map<string, Session>();
  private readonly activities: ActivityPool;
  private readonly pollers: QueuePoller<unknown>[] = [];
  private episodesRunning = 0;
  private readonly waitingSessions: Session[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<unknown>>();
  private stopped = false;
  private readonly log: HostContext['logger'];

  constructor(
    private readonly ctx: HostContext,
    private readonly settings: EngineSettings,
    private readonly orchestrators: ReadonlySet<string>,
  ) {
    this.log = ctx.logger;
    this.store = new TaskHubStore(ctx.storageConnectionString(), settings.hubName);
    this.leases = new LeaseKeeper(this.store, settings.leaseSeconds, (m) => this.log.warn(m));
    this.activities = new ActivityPool(
      settings.maxConcurrentActivityFunctions,
      (name, request) => ctx.invoke(name, request),
      (held, event) => this.deliver(held.body.instanceId, { event, executionId: held.body.executionId, source: held }),
      (p) => this.track(p),
    );
  }

  async start(): Promise<void> {
    await this.store.init();
    this.leases.start();
    const poll = <T>(
      queue: TaskHubStore['control'],
      label: string,
      busy: () => boolean,
      handle: (held: HeldMessage<T>) => void,
    ) => {
      const poller = new QueuePoller<T>(this.store, queue, {
        leaseSeconds: this.settings.leaseSeconds,
        maxIntervalMs: this.settings.maxPollingIntervalMs,
        busy,
        log: this.log,
        label,
        onMessage: (m) => {
          const held = new HeldMessage(
            queue,
            m.body,
            { messageId: m.messageId, popReceipt: m.popReceipt },
            m.nextVisibleOn,
          );
          if (this.leases.hold(held)) handle(held);
        },
      });
      this.pollers.push(poller as QueuePoller<unknown>);
      void this.track(poller.run());
    };
    poll<ControlMessage>(
      this.store.control,
      'control',
      () => false,
      (held) => this.deliverControl(held),
    );
    poll<WorkBatchMessage>(
      this.store.workItems,
      'work-item',
      () => this.activities.queued >= this.settings.maxConcurrentActivityFunctions,
      (held) => this.activities.enqueue(held),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const p of this.pollers) p.stop();
    this.activities.stop();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), this.settings.stopGraceMs)));
    const outcome = await Promise.race([Promise.allSettled([...this.inflight]).then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout')
      this.log.warn('Durable engine: in-flight work abandoned at shutdown; its messages will be redelivered');
    await this.leases.releaseAll();
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => undefined);
    return p;
  }

  // ---- sending ------------------------------------------------------------------------------------

  /** Writes a message that this host holds (invisible to others while the lease is renewed). */
  private hold<T>(queue: TaskHubStore['control'], body: T, invisibleSeconds: number): HeldMessage<T> {
    const held = new HeldMessage(
      queue,
      body,
      this.store.send(queue, body, invisibleSeconds),
      Date.now() + invisibleSeconds * 1000,
    );
    held.ready.catch(() => undefined);
    this.leases.hold(held);
    return held;
  }

  private sendControl(body: ControlMessage): HeldMessage<ControlMessage> {
    return this.hold(this.store.control, body, this.settings.leaseSeconds);
  }

  private sendTimer(
    instanceId: string,
    executionId: string,
    w: { id: number; fireAt: string },
  ): HeldMessage<ControlMessage> {
    const fireAt = Date.parse(w.fireAt);
    const body: ControlMessage = {
      instanceId,
      executionId,
      event: events.timerFired(new Date(fireAt), w.id, w.fireAt),
    };
    return this.hold(this.store.control, body, Math.max(1, (fireAt - Date.now()) / 1000));
  }

  /** Sends activities as work-batch messages. */
  private sendWork(instanceId: string, executionId: string, items: ActivityItem[]): HeldMessage<WorkBatchMessage>[] {
    return batchActivities(items).map((batch) => {
      const held = this.hold(
        this.store.workItems,
        { instanceId, executionId, items: batch },
        this.settings.leaseSeconds,
      );
      held.pending = batch.length;
      return held;
    });
  }

  private later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  // ---- receiving ----------------------------------------------------------------------------------

  private deliverControl(held: HeldMessage<ControlMessage>): void {
    this.deliver(held.body.instanceId, { event: held.body.event, executionId: held.body.executionId, source: held });
  }

  /** Puts an event into its instance's mailbox (timers at their due time) and wakes the instance. */
  private deliver(instanceId: string, inbound: Inbound): void {
    if (this.stopped) return;
    const e = inbound.event;
    if (e.EventType === EventType.TimerFired && e.FireAt) {
      const wait = Date.parse(e.FireAt) - Date.now();
      if (wait > 0) {
        this.later(wait, () => this.deliver(instanceId, inbound));
        return;
      }
    }
    const session = this.session(instanceId);
    session.mailbox.push(inbound);
    session.dirty = true;
    this.kick(session);
  }

  private session(instanceId: string): Session {
    let s = this.sessions.get(instanceId);
    if (!s) {
      s = { instanceId, mailbox: [], running: false, dirty: false };
      this.sessions.set(instanceId, s);
    }
    return s;
  }

  private kick(session: Session): void {
    if (session.running || !session.dirty || session.mailbox.length === 0 || this.stopped) return;
    if (this.episodesRunning >= this.settings.maxConcurrentOrchestratorFunctions) {
      if (!this.waitingSessions.includes(session)) this.waitingSessions.push(session);
      return;
    }
    session.running = true;
    session.dirty = false;
    this.episodesRunning++;
    void this.track(
      this.runEpisode(session)
        .catch((e: Error) => {
          // e.g. storage unavailable: retry from storage a little later
          session.cache = undefined;
          this.log.error(`Durable engine: episode of ${session.instanceId} failed: ${e.message}`);
          this.later(500, () => {
            session.dirty = true;
            this.kick(session);
          });
        })
        .finally(() => {
          session.running = false;
          this.episodesRunning--;
          const finished = !session.cache || TERMINAL.has(session.cache.stored.record.status);
          if (session.mailbox.length === 0 && finished) this.sessions.delete(session.instanceId);
          const next = this.waitingSessions.shift();
          if (next) this.kick(next);
          if (session.dirty) this.kick(session);
        }),
    );
  }

  // ---- client operations --------------------------------------------------------------------------

  /** Creates (or restarts a finished) instance and enqueues its ExecutionStarted. */
  async startInstance(
    name: string,
    instanceId: string,
    input: string | null,
    parent?: { instanceId: string; executionId: string; taskId: number; name: string },
  ): Promise<void> {
    const existing = await this.store.getInstance(instanceId);
    if (existing && !TERMINAL.has(existing.record.status))
      throw new InstanceExistsError(
        `An instance with ID '${instanceId}' already exists with status ${existing.record.status}.`,
      );
    const now = new Date();
    const record: InstanceRecord = {
      instanceId,
      name,
      status: 'Pending',
      executionId: randomUUID().replace(/-/g, ''),
      input,
      output: null,
      customStatus: null,
      createdTime: now.toISOString(),
      lastUpdatedTime: now.toISOString(),
      episodes: 0,
      ...(parent
        ? { parentInstanceId: parent.instanceId, parentExecutionId: parent.executionId, parentTaskId: parent.taskId }
        : {}),
    };
    const started = events.executionStarted(now, {
      name,
      instanceId,
      executionId: record.executionId,
      input,
      parent: parent
        ? {
            Name: parent.name,
            OrchestrationInstance: { InstanceId: parent.instanceId, ExecutionId: parent.executionId },
            TaskScheduleId: parent.taskId,
          }
        : undefined,
    });
    // The start message and the instance row are written together; the message stays invisible (held) until
    // the row exists, and a message whose row never got written is dropped as stale by whoever receives it.
    const held = this.sendControl({ instanceId, executionId: record.executionId, event: started });
    try {
      await Promise.all([held.ready, this.store.putInstance(record, existing?.etag)]);
    } catch (e) {
      this.leases.forget(held);
      if (e instanceof ConflictError)
        throw new InstanceExistsError(`An instance with ID '${instanceId}' was started concurrently.`);
      throw e;
    }
    const session = this.sessions.get(instanceId);
    if (session) session.cache = undefined;
    if (existing)
      void this.track(this.store.deleteOtherExecutions(instanceId, record.executionId).catch(() => undefined));
    this.deliverControl(held);
  }

  /** Enqueues an event/terminate/suspend/resume for an instance. */
  async signal(instanceId: string, event: HistoryEvent): Promise<void> {
    const held = this.sendControl({ instanceId, event });
    await held.ready;
    this.deliverControl(held);
  }

  // ---- episodes -----------------------------------------------------------------------------------

  /** Reads an instance this host has no current copy of; re-dispatches its outstanding work (recovery). */
  private async load(session: Session): Promise<SessionCache | undefined> {
    if (session.cache) return session.cache;
    const stored = await this.store.getInstance(session.instanceId);
    if (!stored) return undefined;
    const history = await this.store.readHistory(session.instanceId, stored.record.executionId);
    session.cache = { stored, history, pastJson: playedJson(history) };
    if (!TERMINAL.has(stored.record.status)) await this.redispatch(stored.record, history);
    return session.cache;
  }

  /**
   * Work recorded in history without a result may have lost its message (a host died between commit and send,
   * or the message was released): schedule it again. Duplicate results are dropped when they arrive.
   */
  private async redispatch(record: InstanceRecord, history: HistoryEvent[]): Promise<void> {
    const done = new Set<number>();
    for (const e of history) {
      const id = completedId(e);
      if (id !== undefined) done.add(id);
    }
    const open = history.filter((e) => SCHEDULING_EVENTS.has(e.EventType) && e.EventId >= 0 && !done.has(e.EventId));
    if (open.length === 0) return;
    const activities = open
      .filter((e) => e.EventType === EventType.TaskScheduled)
      .map((e) => ({ id: e.EventId, name: e.Name ?? '', input: e.Input ?? null }));
    const batches = this.sendWork(record.instanceId, record.executionId, activities);
    const timers = open
      .filter((e) => e.EventType === EventType.TimerCreated)
      .map((e) =>
        this.sendTimer(record.instanceId, record.executionId, {
          id: e.EventId,
          fireAt: e.FireAt ?? new Date().toISOString(),
        }),
      );
    const children = open
      .filter((e) => e.EventType === EventType.SubOrchestrationInstanceCreated)
      .map((e) =>
        this.startInstance(e.Name ?? '', e.InstanceId ?? '', e.Input ?? null, {
          instanceId: record.instanceId,
          executionId: record.executionId,
          taskId: e.EventId,
          name: record.name,
        }).catch(
          () => undefined, // the child exists (running or finished): it reports to the parent itself
        ),
      );
    await Promise.all([...batches.map((b) => b.ready), ...timers.map((t) => t.ready), ...children]);
    for (const b of batches) this.activities.enqueue(b);
    for (const t of timers) this.deliverControl(t);
    this.log.info(
      `${record.instanceId}: re-dispatched ${activities.length} activities, ${timers.length} timers, ${children.length} sub-orchestrations after recovery`,
    );
  }

  /** Drops mailbox entries whose effect is durable (or that are to be ignored) and releases their messages. */
  private consume(session: Session, inbound: Inbound[]): void {
    const gone = new Set(inbound);
    session.mailbox = session.mailbox.filter((m) => !gone.has(m));
    for (const m of inbound) {
      m.source.pending--;
      if (m.source.pending <= 0) void this.track(this.leases.complete(m.source).catch(() => undefined));
    }
  }

  private async runEpisode(session: Session): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.episode(session);
        return;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        session.cache = undefined;
      }
    }
    // Another worker keeps winning: let it have these messages.
    for (const m of session.mailbox) this.leases.forget(m.source);
    session.mailbox = [];
  }

  private async episode(session: Session): Promise<void> {
    const batch = session.mailbox.filter((m) => !m.source.lost);
    let state = await this.load(session);
    const staleCache = (st: SessionCache) =>
      TERMINAL.has(st.stored.record.status) ||
      batch.some(
        (m) =>
          m.executionId !== undefined &&
          m.executionId !== st.stored.record.executionId &&
          !session.retired?.has(m.executionId),
      );
    if (state && staleCache(state)) {
      // The instance may have been restarted (new execution) by a client or a parent: re-read it.
      session.cache = undefined;
      state = await this.load(session);
    }
    if (!state) {
      // No such instance (purged, or a stray message): drop.
      this.consume(session, batch);
      return;
    }
    const { stored, history } = state;
    const record = stored.record;
    if (TERMINAL.has(record.status)) {
      this.consume(session, batch);
      return;
    }
    const stale = batch.filter((m) => m.executionId !== undefined && m.executionId !== record.executionId);
    let current = batch.filter((m) => !stale.includes(m));
    if (stale.length) this.consume(session, stale);
    if (current.length === 0) return;

    const now = new Date();
    const identity: InstanceIdentity = {
      instanceId: record.instanceId,
      executionId: record.executionId,
      name: record.name,
      input: record.input,
      parentInstanceId: record.parentInstanceId,
    };
    const control = (type: EventType) => current.find((m) => m.event.EventType === type);
    const terminate = control(EventType.ExecutionTerminated);
    if (terminate) {
      const reason = terminate.event.Input ?? null;
      const output = reason ?? JSON.stringify('');
      const appended = [
        events.orchestratorStarted(now),
        terminate.event,
        events.executionCompleted(now, -1, 'Terminated', output),
        events.orchestratorCompleted(now),
      ];
      await this.commit(session, state, { appended, work: [], status: 'Terminated', output }, current, []);
      return;
    }
    const prefix: HistoryEvent[] = [];
    if (record.status === 'Suspended') {
      const resume = control(EventType.ExecutionResumed);
      if (!resume) return; // everything else waits for resume
      prefix.push(resume.event);
    } else {
      const suspend = control(EventType.ExecutionSuspended);
      if (suspend) {
        const appended = [events.orchestratorStarted(now), suspend.event, events.orchestratorCompleted(now)];
        await this.commit(session, state, { appended, work: [], status: 'Suspended', output: null }, [suspend], []);
        return;
      }
    }
    const controlMessages = current.filter((m) => CONTROL_EVENTS.has(m.event.EventType));
    current = current.filter((m) => !CONTROL_EVENTS.has(m.event.EventType));
    const triage = triageMessages(history, current, (m) => m.event);
    for (const m of triage.early) {
      m.strikes = (m.strikes ?? 0) + 1;
      if (m.strikes > MAX_EARLY_EPISODES) triage.duplicates.push(m);
    }
    if (triage.accepted.length === 0 && prefix.length === 0) {
      this.consume(session, [...triage.duplicates, ...controlMessages]);
      return;
    }
    const fresh = [events.orchestratorStarted(now), ...prefix, ...triage.accepted.map((m) => m.event)];
    const outcome = await this.invokeOrchestrator(record.name, identity, state.pastJson, fresh);
    const decision = decideEpisode(identity, history, fresh, outcome, now);
    await this.commit(session, state, decision, [...triage.accepted, ...triage.duplicates, ...controlMessages], fresh);
  }

  private async invokeOrchestrator(
    name: string,
    identity: InstanceIdentity,
    pastJson: string,
    fresh: HistoryEvent[],
  ): Promise<InvocationOutcome> {
    if (!this.orchestrators.has(name.toLowerCase()))
      return { ok: false, message: `The function '${name}' doesn't exist or is not an orchestrator function.` };
    try {
      const result = await this.ctx.invoke(name, {
        triggerData: { json: triggerPayloadJson(identity, pastJson, fresh, this.settings.timers) },
      });
      const state = parseJsonText(typedDataToJson(result.returnValue)) as OrchestratorStateDto | null;
      if (!state || typeof state !== 'object' || !Array.isArray(state.actions))
        return { ok: false, message: 'The orchestrator returned an invalid state.' };
      return { ok: true, state };
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
  }

  /**
   * Makes an episode durable: the outbound messages and the history + status transaction (ETag-guarded) are
   * written concurrently; only when both are done are the consumed messages deleted and the new work
   * dispatched locally. A crash in between leaves the consumed messages in the queue, and the instance is
   * recovered from history by the host that receives them (see redispatch).
   */
  private async commit(
    session: Session,
    state: SessionCache,
    decision: EpisodeDecision,
    consumed: Inbound[],
    fresh: HistoryEvent[],
  ): Promise<void> {
    const { stored, history } = state;
    const before = stored.record;
    const now = new Date();
    const record: InstanceRecord = {
      ...before,
      status: decision.status === 'ContinuedAsNew' ? 'Running' : decision.status,
      output: decision.status === 'Running' || decision.status === 'Suspended' ? before.output : decision.output,
      customStatus: decision.customStatus !== undefined ? decision.customStatus : before.customStatus,
      lastUpdatedTime: now.toISOString(),
      episodes: before.episodes + 1,
    };
    const chunk = { executionId: before.executionId, episode: before.episodes };
    const outbound: HeldMessage<unknown>[] = [];
    const local: Array<() => void> = [];
    const sends: Promise<unknown>[] = [];
    const parentLink = { instanceId: before.instanceId, executionId: before.executionId, name: before.name };

    const activities = decision.work.filter(
      (w): w is Extract<ScheduledWork, { kind: 'activity' }> => w.kind === 'activity',
    );
    for (const held of this.sendWork(
      before.instanceId,
      before.executionId,
      activities.map(({ id, name, input }) => ({ id, name, input })),
    )) {
      outbound.push(held);
      sends.push(held.ready);
      local.push(() => this.activities.enqueue(held));
    }
    for (const w of decision.work) {
      if (w.kind === 'timer') {
        const held = this.sendTimer(before.instanceId, before.executionId, w);
        outbound.push(held);
        sends.push(held.ready);
        local.push(() => this.deliverControl(held));
      } else if (w.kind === 'subOrchestration') {
        sends.push(
          this.startInstance(w.name, w.instanceId, w.input, { ...parentLink, taskId: w.id }).catch((e: Error) => {
            if (!(e instanceof InstanceExistsError)) throw e; // else: created by an earlier attempt of this episode
          }),
        );
      }
    }
    if (TERMINAL.has(decision.status) && before.parentInstanceId) {
      const parentEvent =
        decision.status === 'Completed'
          ? events.subOrchestrationCompleted(now, before.parentTaskId ?? -1, decision.output)
          : events.subOrchestrationFailed(
              now,
              before.parentTaskId ?? -1,
              `Sub-orchestration '${before.name}' ${decision.status.toLowerCase()}: ${String(parseJsonText(decision.output))}`,
              decision.output ?? '',
              decision.failure,
            );
      const held = this.sendControl({
        instanceId: before.parentInstanceId,
        executionId: before.parentExecutionId,
        event: parentEvent,
      });
      outbound.push(held);
      sends.push(held.ready);
      local.push(() => this.deliverControl(held));
    }
    if (decision.status === 'ContinuedAsNew') {
      record.executionId = randomUUID().replace(/-/g, '');
      record.input = decision.continueAsNewInput ?? null;
      record.output = null;
      record.episodes = 0;
      const started = events.executionStarted(now, {
        name: before.name,
        instanceId: before.instanceId,
        executionId: record.executionId,
        input: record.input,
      });
      const held = this.sendControl({ instanceId: before.instanceId, executionId: record.executionId, event: started });
      outbound.push(held);
      sends.push(held.ready);
      local.push(() => this.deliverControl(held));
    }

    const committed = this.store.commitEpisodeAt(record, stored.etag, decision.appended, chunk);
    const [sent, etag] = await Promise.allSettled([Promise.all(sends), committed]);
    if (sent.status === 'rejected' || etag.status === 'rejected') {
      for (const h of outbound) this.leases.forget(h);
      session.cache = undefined;
      throw etag.status === 'rejected' ? etag.reason : (sent as PromiseRejectedResult).reason;
    }
    const executionChanged = record.executionId !== before.executionId;
    if (executionChanged) (session.retired ??= new Set()).add(before.executionId);
    session.cache = executionChanged
      ? { stored: { record, etag: etag.value }, history: [], pastJson: '' }
      : {
          stored: { record, etag: etag.value },
          history: appendAll(history, decision.appended),
          pastJson: state.pastJson
            ? `${state.pastJson},${playedJson(decision.appended)}`
            : playedJson(decision.appended),
        };
    this.consume(session, consumed);
    for (const fn of local) fn();
    if (executionChanged)
      void this.track(this.store.deleteOtherExecutions(record.instanceId, record.executionId).catch(() => undefined));
    logLifecycle(this.log, before, record, decision, fresh);
  }
}
