/**
 * Stand-ins for the paging services operators use, served by the simulator (HTTPS, no auth):
 * - `POST /_pager/pagerduty/v2/enqueue`: PagerDuty Events API v2;
 * - `POST /_pager/teams/{id}`: a Microsoft Teams Workflows webhook;
 * - `POST /_pager/webhook/{id}`: a generic sink (200, records the body).
 * Control: `GET /_sim/pager/events`, `DELETE /_sim/pager/events`, `POST|GET|DELETE /_sim/pager/faults`,
 * `GET /_sim/pager/alerts`.
 *
 * PagerDuty's stand-in keeps alerts as PagerDuty does ("Alert De-Duplication", Events API v2): an alert per
 * (routing key, dedup_key); a trigger whose dedup_key has an open (triggered or acknowledged) alert is added to that
 * alert's log instead of opening another; acknowledge and resolve act on the open alert (and are dropped when there
 * is none); once resolved, a trigger with the same dedup_key opens a new alert. Every request stays in the event
 * list too, marked with what it did to the alerts (`alert`), so tests can count raw triggers as well as alerts.
 */
import type { SimRequest, SimResponse } from '../arm/httpTypes';
import { EVENTS_PER_MINUTE, newDedupKey, validatePagerDutyEvent } from './pagerduty';
import { cardErrors, envelopeErrors } from './teams';

export type PagerChannel = 'pagerduty' | 'teams' | 'webhook';
const CHANNELS: PagerChannel[] = ['pagerduty', 'teams', 'webhook'];

export interface PagerEvent {
  receivedAt: string;
  channel: PagerChannel;
  path: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** Teams: what the adaptivecards library reported about the cards (the request is accepted regardless). */
  cardErrors?: string[];
  /** Set when an injected fault produced the answer. */
  fault?: PagerFault['kind'];
  /** PagerDuty: what the accepted event did to the alerts (see PagerAlert). */
  alert?: { id: number; effect: 'opened' | 'merged' | 'acknowledged' | 'resolved' } | { effect: 'dropped' };
}

/** A PagerDuty alert as the stand-in keeps it: one per open (routing key, dedup_key). */
export interface PagerAlert {
  id: number;
  routingKey: string;
  dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  summary: string;
  severity: string;
  createdAt: string;
  updatedAt: string;
  resolvedAt?: string;
  /** How many events the alert's log holds (the opening trigger included). */
  eventCount: number;
  /** Triggers merged into it after the one that opened it. */
  mergedTriggers: number;
}

export interface PagerFault {
  id: number;
  channel?: PagerChannel;
  /** down: 503 with no body; throttle: 429; serverError: 500. */
  kind: 'down' | 'throttle' | 'serverError';
  /** PagerDuty only: the fault hits events of this routing key only (one integration down, the others up). */
  routingKey?: string;
  /** Active until this real time (from `seconds`), or for `times` requests; neither: until cleared. */
  until?: number;
  remaining?: number;
}

export class PagerService {
  private events: PagerEvent[] = [];
  private alerts: PagerAlert[] = [];
  private nextAlertId = 1;
  private faults: PagerFault[] = [];
  private nextFaultId = 1;
  /** routing_key → arrival times (ms) within the last minute. */
  private readonly rate = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** `/_pager/...` requests. */
  handle(req: SimRequest): SimResponse {
    const [, channel, ...rest] = req.segments;
    if (req.method !== 'POST' || !CHANNELS.includes(channel as PagerChannel))
      return { status: 404, body: { error: `No pager route ${req.method} ${req.url.pathname}` } };
    const ch = channel as PagerChannel;
    if (ch === 'pagerduty' && rest.join('/') !== 'v2/enqueue')
      return { status: 404, body: { error: `No pager route ${req.method} ${req.url.pathname}` } };
    if ((ch === 'teams' || ch === 'webhook') && rest.length !== 1)
      return { status: 404, body: { error: `No pager route ${req.method} ${req.url.pathname}` } };
    const fault = this.takeFault(
      ch,
      ch === 'pagerduty' ? (req.body as { routing_key?: unknown })?.routing_key : undefined,
    );
    let out: SimResponse;
    let extra: Partial<PagerEvent> = {};
    if (fault) {
      out = faultResponse(ch, fault.kind);
      extra = { fault: fault.kind };
    } else if (ch === 'pagerduty') {
      out = this.pagerDuty(req.body);
      if (out.status === 202)
        extra = { alert: this.applyToAlerts(req.body, (out.body as { dedup_key: string }).dedup_key) };
    } else if (ch === 'teams') {
      const errors = envelopeErrors(req.body);
      if (errors.length) {
        out = {
          status: 400,
          body: {
            error: {
              code: 'TriggerInputSchemaMismatch',
              message: `The input body for trigger 'manual' of type 'Request' did not match its schema definition. Error details: '${errors.join(' ')}'.`,
            },
          },
        };
      } else {
        out = { status: 202 };
        const errs = (req.body.attachments as { content: unknown }[]).flatMap((a) => cardErrors(a.content));
        extra = { cardErrors: errs };
      }
    } else out = { status: 200 };
    this.events.push({
      receivedAt: new Date(this.now()).toISOString(),
      channel: ch,
      path: req.url.pathname,
      status: out.status,
      headers: Object.fromEntries(
        Object.entries(req.headers)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]),
      ),
      body: req.body,
      ...extra,
    });
    return out;
  }

  private pagerDuty(body: any): SimResponse {
    const errors = validatePagerDutyEvent(body);
    if (errors.length)
      return { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } };
    const now = this.now();
    const times = (this.rate.get(body.routing_key) ?? []).filter((t) => t > now - 60_000);
    if (times.length >= EVENTS_PER_MINUTE) {
      this.rate.set(body.routing_key, times);
      return {
        status: 429,
        body: {
          status: 'throttle event',
          message: 'Requests for this service are arriving too quickly. Please retry later.',
        },
      };
    }
    times.push(now);
    this.rate.set(body.routing_key, times);
    return {
      status: 202,
      body: { status: 'success', message: 'Event processed', dedup_key: body.dedup_key || newDedupKey() },
    };
  }

  /** PagerDuty's de-duplication: a trigger joins the open alert of its dedup_key; resolve/acknowledge act on it. */
  private applyToAlerts(body: any, dedupKey: string): NonNullable<PagerEvent['alert']> {
    const at = new Date(this.now()).toISOString();
    const open = this.alerts.find(
      (a) => a.routingKey === body.routing_key && a.dedupKey === dedupKey && a.status !== 'resolved',
    );
    const action = body.event_action as 'trigger' | 'acknowledge' | 'resolve';
    if (action === 'trigger') {
      if (open) {
        open.eventCount += 1;
        open.mergedTriggers += 1;
        open.updatedAt = at;
        return { id: open.id, effect: 'merged' };
      }
      const alert: PagerAlert = {
        id: this.nextAlertId++,
        routingKey: body.routing_key,
        dedupKey,
        status: 'triggered',
        summary: String(body.payload?.summary ?? ''),
        severity: String(body.payload?.severity ?? ''),
        createdAt: at,
        updatedAt: at,
        eventCount: 1,
        mergedTriggers: 0,
      };
      this.alerts.push(alert);
      return { id: alert.id, effect: 'opened' };
    }
    if (!open) return { effect: 'dropped' };
    open.eventCount += 1;
    open.updatedAt = at;
    if (action === 'acknowledge') {
      open.status = 'acknowledged';
      return { id: open.id, effect: 'acknowledged' };
    }
    open.status = 'resolved';
    open.resolvedAt = at;
    return { id: open.id, effect: 'resolved' };
  }

  private takeFault(channel: PagerChannel, routingKey: unknown): PagerFault | undefined {
    const now = this.now();
    this.faults = this.faults.filter((f) => (f.until === undefined || f.until > now) && f.remaining !== 0);
    const f = this.faults.find(
      (x) => (!x.channel || x.channel === channel) && (x.routingKey === undefined || x.routingKey === routingKey),
    );
    if (f && f.remaining !== undefined) f.remaining -= 1;
    return f;
  }

  /** `/_sim/pager/...` control routes, else undefined. */
  control(req: SimRequest): SimResponse | undefined {
    const [, what, sub] = req.segments;
    if (what !== 'pager') return undefined;
    const m = req.method;
    if (sub === 'events' && m === 'GET') return { status: 200, body: this.events };
    if (sub === 'alerts' && m === 'GET') return { status: 200, body: this.alerts };
    if (sub === 'events' && m === 'DELETE') {
      this.events = [];
      this.alerts = [];
      this.rate.clear();
      return { status: 204 };
    }
    if (sub === 'faults' && m === 'GET') return { status: 200, body: this.faults };
    if (sub === 'faults' && m === 'DELETE') {
      this.faults = [];
      return { status: 204 };
    }
    if (sub === 'faults' && m === 'POST') {
      try {
        return { status: 201, body: this.addFault(req.body) };
      } catch (e) {
        return { status: 400, body: { error: { code: 'InvalidFault', message: (e as Error).message } } };
      }
    }
    return {
      status: 404,
      body: { error: { code: 'NotFound', message: `No simulator control route ${m} ${req.url.pathname}` } },
    };
  }

  addFault(spec: any): PagerFault {
    if (typeof spec !== 'object' || spec === null) throw new Error('The fault must be an object.');
    if (!['down', 'throttle', 'serverError'].includes(spec.kind))
      throw new Error("kind must be 'down', 'throttle' or 'serverError'.");
    if (spec.channel !== undefined && !CHANNELS.includes(spec.channel))
      throw new Error(`channel must be one of ${CHANNELS.join(', ')}.`);
    if (spec.seconds !== undefined && spec.times !== undefined) throw new Error('Give seconds or times, not both.');
    if (spec.routingKey !== undefined && (typeof spec.routingKey !== 'string' || spec.channel !== 'pagerduty'))
      throw new Error('routingKey must be a string, with channel "pagerduty".');
    if (spec.seconds !== undefined && !(typeof spec.seconds === 'number' && spec.seconds > 0))
      throw new Error('seconds must be a positive number.');
    if (spec.times !== undefined && !(Number.isInteger(spec.times) && spec.times > 0))
      throw new Error('times must be a positive integer.');
    const f: PagerFault = {
      id: this.nextFaultId++,
      kind: spec.kind,
      ...(spec.channel ? { channel: spec.channel } : {}),
      ...(spec.routingKey !== undefined ? { routingKey: spec.routingKey } : {}),
      ...(spec.seconds !== undefined ? { until: this.now() + spec.seconds * 1000 } : {}),
      ...(spec.times !== undefined ? { remaining: spec.times } : {}),
    };
    this.faults.push(f);
    return f;
  }

  reset(): void {
    this.events = [];
    this.alerts = [];
    this.faults = [];
    this.rate.clear();
  }
}

function faultResponse(channel: PagerChannel, kind: PagerFault['kind']): SimResponse {
  if (kind === 'down') return { status: 503 };
  if (kind === 'throttle')
    return channel === 'pagerduty'
      ? {
          status: 429,
          body: {
            status: 'throttle event',
            message: 'Requests for this service are arriving too quickly. Please retry later.',
          },
        }
      : { status: 429, headers: { 'Retry-After': '1' } };
  return {
    status: 500,
    body: channel === 'pagerduty' ? { status: 'error', message: 'Internal Server Error' } : undefined,
  };
}
