/**
 * The HTTP request for one notification on one route (Monitoring 4/5): channel payload, endpoint and headers, with
 * the route's secret (read from Key Vault by the caller) applied last. Pure.
 *
 * The request holds the secret (the routing key in the PagerDuty body, the Workflows URL, the HMAC signature): send
 * it, never log or store it. `describeRequest` is the loggable view.
 */
import type { IncidentTransition } from '../monitoring/contracts';
import { PAGERDUTY_EVENTS_URL, pagerDutyEvent, withRoutingKey } from './pagerduty';
import { type Route, routeId } from './routes';
import { teamsMessage } from './teams';
import { signWebhook, webhookBody } from './webhook';

export interface NotificationRequest {
  route: string;
  kind: Route['kind'];
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface RequestOptions {
  /** The Events API endpoint (a setting; the simulator's stand-in locally). */
  pagerDutyUrl?: string;
  reminder?: boolean;
  /** The notification's id (for a reminder: its own webhook event id). */
  eventId?: string;
  now: Date;
}

/** Builds the request; `secret` is the value of the route's Key Vault secret. */
export function notificationRequest(
  route: Route,
  t: IncidentTransition,
  secret: string,
  opts: RequestOptions,
): NotificationRequest {
  const base = { route: routeId(route), kind: route.kind, method: 'POST' as const };
  switch (route.kind) {
    case 'pagerduty':
      return {
        ...base,
        url: opts.pagerDutyUrl ?? PAGERDUTY_EVENTS_URL,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(withRoutingKey(pagerDutyEvent(t, { reminder: opts.reminder }), secret)),
      };
    case 'teams':
      return {
        ...base,
        url: secret,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(teamsMessage(t, { reminder: opts.reminder })),
      };
    case 'webhook': {
      const signed = signWebhook(
        webhookBody(t, { reminder: opts.reminder, ...(opts.eventId ? { reminderId: opts.eventId } : {}) }),
        secret,
        opts.now,
      );
      return { ...base, url: route.url, headers: signed.headers, body: signed.body };
    }
  }
}

/** What may be logged about a request: route, kind, host (not the Workflows URL's path or query), size. */
export function describeRequest(req: NotificationRequest): string {
  let host = '?';
  try {
    host = new URL(req.url).host;
  } catch {
    // an unreadable URL is reported as '?'
  }
  return `${req.kind} route ${req.route} → ${host} (${Buffer.byteLength(req.body)} bytes)`;
}
