/**
 * The paging pipeline (Monitoring 4/5): incident transitions in, one notification per effective route out, with
 * the guarantees of docs/PAGING.md. The queue/timer/HTTP functions in functions/ are thin wrappers of this module.
 *
 * One notification = (event id, route). Its idempotency record (store.ts) goes
 *   (none) → pending → sending → sent | failed          or (none) → skipped
 * and each step is an ETag-guarded write, so a message delivered twice, or two hosts working on the same message,
 * send at most once — except when a host dies between the send and its `sent` write: the next delivery finds a
 * `sending` record older than the send lease and, for PagerDuty and the webhook, sends again with the same
 * dedup_key / X-Qwk-Event-Id (the receiver deduplicates); Teams has no such key, so there it records `unknown`
 * and does not send again (a crash in that window can lose one Teams card, never duplicate it).
 *
 * Retries are messages on QUEUES.notificationDeliveries with a visibility delay (never a sleep in a function).
 */
import { randomUUID } from 'node:crypto';
import { type IncidentTransition, SEVERITY_RANK } from '../monitoring/contracts';
import type { PagingConfig } from '../config';
import type { ClusterRecord } from '../registry/clusterRecord';
import { decideCatchUp, decideReminder, decideTransition } from './decide';
import { type DeliveryPolicy, nextStep, type Outcome } from './delivery';
import { DEFAULT_RENOTIFY_MINUTES, DEFAULT_REPEAT_MINUTES, type RouteIncidentState } from './flapGuard';
import { take } from './rateLimiter';
import { describeRequest, notificationRequest, type NotificationRequest } from './request';
import { effectiveRoutes, parseDefaultRoutesSetting, type Route, routeId } from './routes';
import type { ClusterRef, Silence } from './silences';
import {
  type Etagged,
  type NotificationEvent,
  type NotificationRecord,
  type PagingStore,
  pagingStore,
  PreconditionFailed,
} from './store';

/** A message on QUEUES.notificationDeliveries: one notification on one route. */
export interface DeliveryMessage {
  v: 1;
  /** The notification's id: the transition id, or `<transition id>#reminder@<time>` / `#catchup`. */
  eventId: string;
  transition: IncidentTransition;
  /** The route as configured when the transition came in (a later change of routes does not reroute a retry). */
  route: Route;
  /** Set when the event was decided before enqueueing (reminders, catch-up); else decided on first processing. */
  decided?: 'trigger' | 'reminder';
  renotifyMinutes: number;
}

export interface PipelineDeps {
  store: PagingStore;
  registry: { get(subscriptionId: string, resourceGroup: string): Promise<ClusterRecord | undefined> };
  /** A Key Vault secret's value, or undefined when it does not exist. */
  secret(name: string): Promise<string | undefined>;
  /** Puts a delivery message on the queue, invisible for `delayMs`. */
  enqueue(msg: DeliveryMessage, delayMs: number): Promise<void>;
  /** Puts a given-up delivery on the poison queue. */
  poison(msg: DeliveryMessage & { error: string }): Promise<void>;
  send(req: NotificationRequest): Promise<Outcome>;
  config: PagingConfig;
  now(): Date;
  random?: () => number;
  log(message: string): void;
}

export interface DeliveryResult {
  route: string;
  kind: Route['kind'];
  status: NotificationRecord['status'] | 'retrying' | 'deferred' | 'duplicate';
  event?: NotificationEvent;
  reason?: string;
  httpStatus?: number;
}

function policyOf(config: PagingConfig): DeliveryPolicy {
  return {
    maxAttempts: config.maxAttempts,
    baseDelayMs: config.baseDelayMs,
    maxDelayMs: config.maxDelayMs,
    maxRetryAfterMs: Math.max(config.maxDelayMs, 900_000),
  };
}

/** The app-wide default routes (QWK_PAGING_DEFAULT_ROUTES); a malformed setting is an error that says where. */
export function defaultRoutes(config: PagingConfig): Route[] {
  const parsed = parseDefaultRoutesSetting(config.defaultRoutesJson, 'QWK_PAGING_DEFAULT_ROUTES');
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  return parsed.routes;
}

/** The routes and timing of a cluster's pages. */
export async function clusterRouting(
  deps: Pick<PipelineDeps, 'registry' | 'config'>,
  cluster: ClusterRef,
): Promise<{ routes: Route[]; renotifyMinutes: number; repeatMinutes: number; registered: boolean }> {
  const record = await deps.registry.get(cluster.subscriptionId, cluster.resourceGroup);
  const paging = record?.paging;
  return {
    routes: effectiveRoutes(defaultRoutes(deps.config), paging?.routes),
    renotifyMinutes: paging?.renotifyMinutes ?? DEFAULT_RENOTIFY_MINUTES,
    repeatMinutes: paging?.repeatMinutes ?? DEFAULT_REPEAT_MINUTES,
    registered: record !== undefined,
  };
}

/** Parses and checks a transition message; throws with a clear message on garbage (it then goes to poison). */
export function parseTransition(message: unknown): IncidentTransition {
  const t = (typeof message === 'string' ? JSON.parse(message) : message) as IncidentTransition;
  const i = t?.incident;
  if (
    !t ||
    typeof t.id !== 'string' ||
    !['opened', 'updated', 'resolved'].includes(t.kind) ||
    !i ||
    typeof i.key !== 'string' ||
    typeof i.revision !== 'number' ||
    !(i.severity in SEVERITY_RANK) ||
    !t.cluster?.subscriptionId ||
    !t.cluster.resourceGroup
  ) {
    throw new Error('not an IncidentTransition (id, kind, incident.key/revision/severity, cluster required)');
  }
  return t;
}

/** The queue-triggered step: one delivery per effective route of the transition's cluster, processed at once. */
export async function fanOut(t: IncidentTransition, deps: PipelineDeps): Promise<DeliveryResult[]> {
  const routing = await clusterRouting(deps, t.cluster);
  return Promise.all(
    routing.routes.map((route) =>
      processDelivery({ v: 1, eventId: t.id, transition: t, route, renotifyMinutes: routing.renotifyMinutes }, deps),
    ),
  );
}

const clusterOf = (t: IncidentTransition): ClusterRef => ({
  subscriptionId: t.cluster.subscriptionId,
  resourceGroup: t.cluster.resourceGroup,
});

/** Processes one delivery message: decide (first time), rate-limit, send, record; re-enqueue or poison on failure. */
export async function processDelivery(msg: DeliveryMessage, deps: PipelineDeps): Promise<DeliveryResult> {
  const t = msg.transition;
  const cluster = clusterOf(t);
  const rid = routeId(msg.route);
  const base = { route: rid, kind: msg.route.kind };
  let rec = await deps.store.getRecord(cluster, msg.eventId, rid);
  if (!rec) {
    rec = await decideAndInsert(msg, deps, cluster, rid);
  } else if (['sent', 'failed', 'skipped', 'unknown'].includes(rec.value.status)) {
    return { ...base, status: 'duplicate', event: rec.value.event };
  }
  const r = rec.value;
  await applyState(msg, deps, cluster, rid, r);
  if (r.status === 'skipped') return { ...base, status: 'skipped', reason: r.reason };
  if (r.status !== 'pending' && r.status !== 'sending') return { ...base, status: 'duplicate', event: r.event };

  const now = deps.now();
  if (r.event === 'trigger' || r.event === 'reminder') {
    // A later transition already went through on this route (e.g. its resolve, sent while this trigger waited for
    // a retry or was cut off by a crash): sending this trigger now would re-open the alert. PagerDuty opens a new
    // alert for a trigger after a resolve of the same dedup_key.
    const current = await deps.store.getState(cluster, rid, t.incident.key);
    const seen = current?.value.state.lastRevision;
    if (seen !== undefined && seen > r.revision) {
      await deps.store.replaceRecord(
        cluster,
        { ...r, status: 'skipped', reason: `superseded by revision ${seen}`, updatedAt: now.toISOString() },
        rec.etag,
      );
      return { ...base, status: 'skipped', event: r.event, reason: 'superseded' };
    }
  }
  if (r.status === 'sending') {
    const age = now.getTime() - Date.parse(r.sendingAt ?? r.updatedAt);
    if (age < deps.config.sendLeaseMs) {
      // Another delivery of this message may be sending right now: look again once its lease is over.
      await deps.enqueue(msg, deps.config.sendLeaseMs - age + 1000);
      return { ...base, status: 'deferred', event: r.event, reason: 'being sent by another delivery' };
    }
    if (msg.route.kind === 'teams') {
      // The sender died during the send; Teams cannot deduplicate, so never risk a second card.
      await deps.store.replaceRecord(
        cluster,
        {
          ...r,
          status: 'unknown',
          lastError: 'the host stopped during the send; Teams has no deduplication key, so it was not sent again',
          updatedAt: now.toISOString(),
        },
        rec.etag,
      );
      deps.log(`paging: ${msg.eventId} on ${rid}: interrupted send, not repeated (Teams)`);
      return { ...base, status: 'unknown', event: r.event };
    }
    deps.log(`paging: ${msg.eventId} on ${rid}: interrupted send, sending again (the receiver deduplicates)`);
  }

  // Per-route rate limit (a token bucket row per route, ETag-guarded).
  const wait = await takeToken(deps, rid, now);
  if (wait > 0) {
    await deps.enqueue(msg, wait);
    return { ...base, status: 'deferred', event: r.event, reason: 'rate limited' };
  }

  const attempt = r.attempts + 1;
  let etag: string;
  try {
    etag = await deps.store.replaceRecord(
      cluster,
      { ...r, status: 'sending', attempts: attempt, sendingAt: now.toISOString(), updatedAt: now.toISOString() },
      rec.etag,
    );
  } catch (err) {
    if (err instanceof PreconditionFailed) return { ...base, status: 'duplicate', event: r.event };
    throw err;
  }

  const outcome = await sendOnce(msg, r.event!, deps);
  if (deps.config.testCrashAfterSend) {
    // TEST ONLY (QWK_TEST_CRASH_AFTER_SEND): die between the send and its record, like a host losing power.
    process.kill(process.pid, 'SIGKILL');
  }
  const after = deps.now();
  const step = nextStep(attempt, outcome, policyOf(deps.config), deps.random);
  const httpStatus = 'status' in outcome ? outcome.status : undefined;
  const common = { ...r, attempts: attempt, updatedAt: after.toISOString(), lastStatus: httpStatus };
  if (step.action === 'done') {
    await deps.store.replaceRecord(
      cluster,
      { ...common, status: 'sent', sentAt: after.toISOString(), lastError: undefined, nextAttemptAt: undefined },
      etag,
    );
    deps.log(`paging: sent ${r.event} ${msg.eventId} on ${rid} (attempt ${attempt})`);
    return { ...base, status: 'sent', event: r.event, httpStatus };
  }
  const reason = 'reason' in outcome ? outcome.reason : '';
  if (step.action === 'retry') {
    const nextAttemptAt = new Date(after.getTime() + step.delayMs).toISOString();
    await deps.store.replaceRecord(cluster, { ...common, status: 'pending', lastError: reason, nextAttemptAt }, etag);
    await deps.enqueue(msg, step.delayMs);
    deps.log(`paging: ${msg.eventId} on ${rid}: ${reason}; retry ${attempt + 1} in ${step.delayMs} ms`);
    return { ...base, status: 'retrying', event: r.event, reason, httpStatus };
  }
  await deps.store.replaceRecord(
    cluster,
    { ...common, status: 'failed', lastError: step.reason, nextAttemptAt: undefined },
    etag,
  );
  await deps.poison({ ...msg, error: step.reason });
  deps.log(`paging: notification FAILED ${msg.eventId} on ${rid}: ${step.reason}`);
  return { ...base, status: 'failed', event: r.event, reason: step.reason, httpStatus };
}

async function decideAndInsert(
  msg: DeliveryMessage,
  deps: PipelineDeps,
  cluster: ClusterRef,
  rid: string,
): Promise<Etagged<NotificationRecord>> {
  const t = msg.transition;
  const now = deps.now();
  let event: NotificationEvent | undefined;
  let reason: string | undefined;
  let next: RouteIncidentState | undefined;
  let recheckAt: string | undefined;
  if (msg.decided) {
    event = msg.decided;
  } else {
    const state = await deps.store.getState(cluster, rid, t.incident.key);
    const silences = await deps.store.listSilences(cluster);
    const d = decideTransition({
      transition: t,
      route: msg.route,
      state: state?.value.state,
      silences,
      now,
      renotifyMinutes: msg.renotifyMinutes,
    });
    next = d.next;
    if (d.send) event = d.event;
    else {
      reason = d.reason;
      recheckAt = d.recheckAt;
    }
  }
  const record: NotificationRecord = {
    eventId: msg.eventId,
    route: rid,
    kind: msg.route.kind,
    incidentKey: t.incident.key,
    transitionId: t.id,
    revision: t.incident.revision,
    status: event ? 'pending' : 'skipped',
    ...(event ? { event } : {}),
    ...(reason ? { reason: recheckAt ? `${reason} (held until ${recheckAt})` : reason } : {}),
    attempts: 0,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    ...(next ? { stateNext: JSON.stringify({ ...next, ...(recheckAt ? { recheckAt } : {}) }) } : {}),
  };
  const inserted = await deps.store.insertRecord(cluster, record);
  if (inserted) return inserted;
  const existing = await deps.store.getRecord(cluster, msg.eventId, rid);
  if (!existing) throw new Error(`notification record ${msg.eventId}/${rid} vanished`);
  return existing;
}

/** Brings the route × incident state up to the record's decision (idempotent: only a newer revision moves it). */
async function applyState(
  msg: DeliveryMessage,
  deps: PipelineDeps,
  cluster: ClusterRef,
  rid: string,
  r: NotificationRecord,
): Promise<void> {
  if (!r.stateNext) return;
  const { recheckAt, ...next } = JSON.parse(r.stateNext) as RouteIncidentState & { recheckAt?: string };
  for (let i = 0; i < 5; i++) {
    const current = await deps.store.getState(cluster, rid, msg.transition.incident.key);
    const seen = current?.value.state.lastRevision;
    if (seen !== undefined && seen >= r.revision) return;
    const routing = await deps.registry.get(cluster.subscriptionId, cluster.resourceGroup);
    try {
      await deps.store.putState(
        cluster,
        msg.transition.incident.key,
        {
          state: next,
          transition: msg.transition,
          route: msg.route,
          renotifyMinutes: msg.renotifyMinutes,
          repeatMinutes: routing?.paging?.repeatMinutes ?? DEFAULT_REPEAT_MINUTES,
          ...(recheckAt ? { recheckAt } : {}),
        },
        current?.etag,
      );
      return;
    } catch (err) {
      if (!(err instanceof PreconditionFailed)) throw err;
    }
  }
  throw new Error(`route state of ${msg.transition.incident.key} on ${rid} keeps changing; retrying the message`);
}

/** Takes a token from the route's bucket; returns 0, or how long to wait for one. */
async function takeToken(deps: PipelineDeps, rid: string, now: Date): Promise<number> {
  for (let i = 0; i < 10; i++) {
    const bucket = await deps.store.getBucket(rid);
    const result = take(bucket?.value, now.getTime());
    try {
      await deps.store.putBucket(rid, result.state, bucket?.etag);
    } catch (err) {
      if (err instanceof PreconditionFailed) continue;
      throw err;
    }
    return result.ok ? 0 : result.retryAfterMs;
  }
  return 1000; // heavy contention on the bucket row: try again in a second
}

async function sendOnce(msg: DeliveryMessage, event: NotificationEvent, deps: PipelineDeps): Promise<Outcome> {
  const secretName =
    msg.route.kind === 'pagerduty'
      ? msg.route.routingKeySecretName
      : msg.route.kind === 'teams'
        ? msg.route.webhookUrlSecretName
        : msg.route.hmacSecretName;
  let secret: string | undefined;
  try {
    secret = await deps.secret(secretName);
  } catch (err) {
    return { kind: 'retryable', reason: `Key Vault: ${(err as Error).message}` };
  }
  if (secret === undefined) {
    // Retried: an operator may be storing it right now; the attempts bound it.
    return { kind: 'retryable', reason: `Key Vault secret "${secretName}" does not exist` };
  }
  let req: NotificationRequest;
  try {
    req = buildRequest(msg, event, secret, deps);
  } catch (err) {
    return { kind: 'permanent', reason: `cannot build the request: ${(err as Error).message}` };
  }
  const outcome = await deps.send(req);
  if (deps.config.console) {
    const summary = requestSummary(req);
    console.log(`[page] ${event} ${describeRequest(req)}: ${summary} → ${outcomeText(outcome)}`);
  }
  return outcome;
}

function buildRequest(
  msg: DeliveryMessage,
  event: NotificationEvent,
  secret: string,
  deps: PipelineDeps,
): NotificationRequest {
  const req = notificationRequest(msg.route, msg.transition, secret, {
    pagerDutyUrl: deps.config.pagerDutyUrl,
    reminder: event === 'reminder',
    eventId: msg.eventId,
    now: deps.now(),
  });
  if (event !== 'test' || req.kind !== 'pagerduty') return req;
  const body = JSON.parse(req.body) as { payload?: { summary: string } };
  if (body.payload) body.payload.summary = TEST_SUMMARY(msg.transition.cluster.resourceGroup);
  return { ...req, body: JSON.stringify(body) };
}

const TEST_SUMMARY = (rg: string) => `TEST page from qwk-ops: this route works, no action needed (${rg})`;

function requestSummary(req: NotificationRequest): string {
  try {
    const body = JSON.parse(req.body) as {
      payload?: { summary?: string };
      event_action?: string;
      summary?: string;
      attachments?: { content?: { body?: { text?: string }[] } }[];
    };
    const cardText = body.attachments?.[0]?.content?.body?.find((b) => typeof b.text === 'string')?.text;
    return body.payload?.summary ?? body.summary ?? cardText ?? body.event_action ?? '';
  } catch {
    return '';
  }
}

function outcomeText(o: Outcome): string {
  return o.kind === 'delivered' ? `${o.status}` : `${o.kind}: ${o.reason}`;
}

// ---- reminders and held triggers (the timer)

/**
 * The sweep: a reminder for each critical incident still open `repeatMinutes` after its route was paged, and the
 * held trigger of an incident still open once its hold (flapping guard, silence) ended. Returns what it enqueued.
 */
export async function sweep(deps: PipelineDeps): Promise<{ reminders: number; catchUps: number }> {
  const now = deps.now();
  let reminders = 0;
  let catchUps = 0;
  const silenceCache = new Map<string, Silence[]>();
  for (const { cluster, value, etag } of await deps.store.listActiveStates()) {
    const key = `${cluster.subscriptionId}|${cluster.resourceGroup}`.toLowerCase();
    let silences = silenceCache.get(key);
    if (!silences) silenceCache.set(key, (silences = await deps.store.listSilences(cluster)));
    const incident = value.transition.incident;
    const rid = routeId(value.route);
    if (value.state.outstanding) {
      const d = decideReminder({ incident, state: value.state, silences, now, repeatMinutes: value.repeatMinutes });
      if (!d.send) continue;
      if (!(await claim(deps, cluster, incident.key, { ...value, state: d.next }, etag))) continue;
      await deps.enqueue(
        {
          v: 1,
          eventId: `${value.transition.id}#reminder@${now.toISOString()}`,
          transition: value.transition,
          route: value.route,
          decided: 'reminder',
          renotifyMinutes: value.renotifyMinutes,
        },
        0,
      );
      reminders++;
      deps.log(`paging: reminder for ${incident.key} on ${rid}`);
    } else if (value.recheckAt && Date.parse(value.recheckAt) <= now.getTime()) {
      const d = decideCatchUp({
        incident,
        route: value.route,
        state: value.state,
        silences,
        now,
        renotifyMinutes: value.renotifyMinutes,
      });
      const { recheckAt: _old, ...rest } = value;
      void _old;
      if (!d.send) {
        await claim(deps, cluster, incident.key, d.recheckAt ? { ...rest, recheckAt: d.recheckAt } : rest, etag);
        continue;
      }
      if (!(await claim(deps, cluster, incident.key, { ...rest, state: d.next }, etag))) continue;
      await deps.enqueue(
        {
          v: 1,
          eventId: `${value.transition.id}#catchup`,
          transition: value.transition,
          route: value.route,
          decided: 'trigger',
          renotifyMinutes: value.renotifyMinutes,
        },
        0,
      );
      catchUps++;
      deps.log(`paging: held trigger of ${incident.key} sent on ${rid}`);
    }
  }
  return { reminders, catchUps };
}

async function claim(
  deps: PipelineDeps,
  cluster: ClusterRef,
  incidentKey: string,
  value: Parameters<PagingStore['putState']>[2],
  etag: string,
): Promise<boolean> {
  try {
    await deps.store.putState(cluster, incidentKey, value, etag);
    return true;
  } catch (err) {
    if (err instanceof PreconditionFailed) return false; // another sweep (or a transition) got there first
    throw err;
  }
}

// ---- silences and the test page

export const MAX_SILENCE_DAYS = 7;

/** Silences the cluster's pages until `until` (deployments and drills silence their own cluster). */
export async function silenceCluster(
  cluster: ClusterRef,
  until: string,
  reason: string,
  source: string,
  store: PagingStore = pagingStore(),
  now: Date = new Date(),
): Promise<Silence> {
  const silence: Silence = {
    id: randomUUID(),
    subscriptionId: cluster.subscriptionId,
    resourceGroup: cluster.resourceGroup,
    startsAt: now.toISOString(),
    until: new Date(until).toISOString(),
    reason,
    createdBy: source,
    createdAt: now.toISOString(),
  };
  await store.addSilence(silence);
  return silence;
}

/** What the silences route accepts: `until` (ISO, in the future, at most 7 days ahead) and `reason`. */
export function validateSilenceInput(
  body: unknown,
  now: Date,
): { ok: true; until: string; reason: string } | { ok: false; errors: { path: string; message: string }[] } {
  const errors: { path: string; message: string }[] = [];
  const b = (body && typeof body === 'object' ? body : {}) as { until?: unknown; reason?: unknown };
  const extra = Object.keys(b).filter((k) => k !== 'until' && k !== 'reason');
  for (const k of extra) errors.push({ path: k, message: 'unknown field (expected until and reason)' });
  let until = '';
  if (typeof b.until !== 'string' || Number.isNaN(Date.parse(b.until)) || !/^\d{4}-\d{2}-\d{2}T/.test(b.until)) {
    errors.push({ path: 'until', message: 'expected an ISO 8601 date-time, e.g. 2026-11-25T18:00:00Z' });
  } else {
    const t = Date.parse(b.until);
    if (t <= now.getTime()) errors.push({ path: 'until', message: `must be in the future (now ${now.toISOString()})` });
    else if (t > now.getTime() + MAX_SILENCE_DAYS * 86_400_000) {
      errors.push({ path: 'until', message: `must be at most ${MAX_SILENCE_DAYS} days ahead` });
    } else until = new Date(t).toISOString();
  }
  let reason = '';
  if (typeof b.reason !== 'string' || !b.reason.trim()) errors.push({ path: 'reason', message: 'required: say why' });
  else if (b.reason.length > 500) errors.push({ path: 'reason', message: 'at most 500 characters' });
  else reason = b.reason.trim();
  return errors.length ? { ok: false, errors } : { ok: true, until, reason };
}

/** A transition standing for a test page (severity info, its own incident key). */
export function testTransition(cluster: ClusterRef, now: Date, link?: string): IncidentTransition {
  const key = `qwk-test/${cluster.subscriptionId}/${cluster.resourceGroup.toLowerCase()}/${randomUUID()}`;
  const at = now.toISOString();
  return {
    id: `${key}#1`,
    kind: 'opened',
    at,
    incident: {
      key,
      subscriptionId: cluster.subscriptionId,
      resourceGroup: cluster.resourceGroup,
      kind: 'MonitoringBlind',
      severity: 'info',
      status: 'open',
      openedAt: at,
      updatedAt: at,
      revision: 1,
      firstEvidence: [],
      lastEvidence: [
        { source: 'alert', text: 'TEST page from qwk-ops: this route works, no action needed', observedAt: at },
      ],
      maintenance: false,
    },
    cluster: {
      subscriptionId: cluster.subscriptionId,
      resourceGroup: cluster.resourceGroup,
      state: 'Healthy',
      ...(link ? { link } : {}),
    },
  };
}

function resolvedTest(t: IncidentTransition, now: Date): IncidentTransition {
  const at = now.toISOString();
  return {
    ...t,
    id: `${t.incident.key}#2`,
    kind: 'resolved',
    at,
    incident: { ...t.incident, status: 'resolved', revision: 2, updatedAt: at, resolvedAt: at },
  };
}

/** Sends one test notification on each of the cluster's routes now (one attempt each) and records it in the log. */
export async function testPage(cluster: ClusterRef, deps: PipelineDeps, link?: string): Promise<DeliveryResult[]> {
  const routing = await clusterRouting(deps, cluster);
  const t = testTransition(cluster, deps.now(), link);
  return Promise.all(
    routing.routes.map(async (route): Promise<DeliveryResult> => {
      const rid = routeId(route);
      const msg: DeliveryMessage = { v: 1, eventId: t.id, transition: t, route, renotifyMinutes: 0 };
      const started = deps.now();
      const outcome = await sendOnce(msg, 'test', deps);
      const ok = outcome.kind === 'delivered';
      if (ok && route.kind === 'pagerduty') {
        // Resolve the test alert at once so that it does not stay open in PagerDuty (best effort).
        await sendOnce({ ...msg, transition: resolvedTest(t, deps.now()) }, 'test', deps);
      }
      const httpStatus = 'status' in outcome ? outcome.status : undefined;
      const reason = 'reason' in outcome ? outcome.reason : undefined;
      await deps.store.insertRecord(cluster, {
        eventId: t.id,
        route: rid,
        kind: route.kind,
        incidentKey: t.incident.key,
        transitionId: t.id,
        revision: 1,
        status: ok ? 'sent' : 'failed',
        event: 'test',
        attempts: 1,
        ...(httpStatus !== undefined ? { lastStatus: httpStatus } : {}),
        ...(reason ? { lastError: reason } : {}),
        createdAt: started.toISOString(),
        updatedAt: deps.now().toISOString(),
        ...(ok ? { sentAt: deps.now().toISOString() } : {}),
      });
      return {
        route: rid,
        kind: route.kind,
        status: ok ? 'sent' : 'failed',
        event: 'test',
        ...(reason ? { reason } : {}),
        ...(httpStatus !== undefined ? { httpStatus } : {}),
      };
    }),
  );
}

/** The cluster's delivery log (what the cluster API shows): every notification record, oldest first. */
export async function notificationLog(
  cluster: ClusterRef,
  store: PagingStore = pagingStore(),
): Promise<Omit<NotificationRecord, 'stateNext'>[]> {
  return (await store.listRecords(cluster)).map(({ stateNext: _s, ...r }) => (void _s, r));
}
