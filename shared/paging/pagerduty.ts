/**
 * PagerDuty Events API v2 events from incident transitions (Monitoring 4/5). Pure.
 *
 * PagerDuty's documented rules (Events API v2, "Send an Alert Event"):
 * - POST https://events.pagerduty.com/v2/enqueue with `routing_key`, `event_action` (trigger | acknowledge |
 *   resolve) and `dedup_key` (at most 255 characters); success is 202 Accepted.
 * - A trigger carries `payload` with the required `summary` (at most 1,024 characters), `source` and `severity`
 *   (critical | error | warning | info), and the optional `timestamp`, `component`, `group`, `class` and
 *   `custom_details`; `links` ([{href, text}]), `client` and `client_url` sit beside the payload.
 * - A trigger with the `dedup_key` of an open alert updates it instead of opening another; a resolve needs only
 *   `routing_key`, `event_action` and `dedup_key`.
 *
 * The routing key is a secret: events are built without it, and {@link withRoutingKey} adds it only at send time,
 * so nothing that is logged or stored carries it.
 */
import { createHash } from 'node:crypto';
import type { Evidence, IncidentTransition, Severity } from '../monitoring/contracts';
import { incidentSummary, truncate } from './summary';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
export const PAGERDUTY_MAX_SUMMARY = 1024;
export const PAGERDUTY_MAX_DEDUP_KEY = 255;
/** Evidence items carried in custom_details (the newest first); the rest are counted. */
export const PAGERDUTY_MAX_EVIDENCE = 20;

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';
export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';

/** Our severities are PagerDuty's; the mapping is spelled out so a change on either side shows here. */
export const PAGERDUTY_SEVERITY: Record<Severity, PagerDutySeverity> = {
  critical: 'critical',
  error: 'error',
  warning: 'warning',
  info: 'info',
};

export interface PagerDutyPayload {
  summary: string;
  source: string;
  severity: PagerDutySeverity;
  timestamp?: string;
  component?: string;
  group?: string;
  class?: string;
  custom_details?: Record<string, unknown>;
}

export interface PagerDutyLink {
  href: string;
  text: string;
}

/** An event without its routing key. */
export interface PagerDutyEventBody {
  event_action: PagerDutyAction;
  dedup_key: string;
  payload?: PagerDutyPayload;
  client?: string;
  client_url?: string;
  links?: PagerDutyLink[];
}

export type PagerDutyEvent = PagerDutyEventBody & { routing_key: string };

export interface PagerDutyOptions {
  /** A reminder for a critical incident still open (sent as a trigger of the same dedup_key). */
  reminder?: boolean;
}

/** The incident key as a dedup_key: itself when it fits, else a prefix plus its SHA-256 (still unique, stable). */
export function pagerDutyDedupKey(incidentKey: string): string {
  if (incidentKey.length <= PAGERDUTY_MAX_DEDUP_KEY) return incidentKey;
  const hash = createHash('sha256').update(incidentKey).digest('hex');
  return `${incidentKey.slice(0, PAGERDUTY_MAX_DEDUP_KEY - hash.length - 1)}#${hash}`;
}

/** trigger on opened and updated (a change of severity or evidence), resolve on resolved. */
export function pagerDutyAction(t: Pick<IncidentTransition, 'kind'>): PagerDutyAction {
  return t.kind === 'resolved' ? 'resolve' : 'trigger';
}

function evidenceDetails(evidence: readonly Evidence[]): { items: Evidence[]; omitted: number } {
  const sorted = [...evidence].sort((a, b) => b.observedAt.localeCompare(a.observedAt));
  return {
    items: sorted.slice(0, PAGERDUTY_MAX_EVIDENCE),
    omitted: Math.max(0, sorted.length - PAGERDUTY_MAX_EVIDENCE),
  };
}

/** The Events API v2 event for one transition (without routing_key). */
export function pagerDutyEvent(t: IncidentTransition, opts: PagerDutyOptions = {}): PagerDutyEventBody {
  const action = pagerDutyAction(t);
  const dedupKey = pagerDutyDedupKey(t.incident.key);
  const link = t.cluster.link;
  const links: PagerDutyLink[] | undefined = link ? [{ href: link, text: 'Cluster status (qwk-ops)' }] : undefined;
  if (action === 'resolve') {
    return { event_action: 'resolve', dedup_key: dedupKey };
  }
  const i = t.incident;
  const evidence = evidenceDetails(i.lastEvidence);
  const payload: PagerDutyPayload = {
    summary: incidentSummary(t, PAGERDUTY_MAX_SUMMARY, { reminder: opts.reminder }),
    // PagerDuty: "the unique location of the affected system, preferably a hostname": the node when the incident is
    // about one, else the cluster (its resource group).
    source: truncate(i.node ?? i.from ?? t.cluster.resourceGroup, 255),
    severity: PAGERDUTY_SEVERITY[i.severity],
    timestamp: t.at,
    component: t.cluster.serviceTag ?? 'lifekeeper',
    group: `${t.cluster.subscriptionId}/${t.cluster.resourceGroup}`,
    class: i.kind,
    custom_details: {
      incident: i.key,
      transition: t.id,
      transitionKind: t.kind,
      ...(opts.reminder ? { reminder: true } : {}),
      severity: i.severity,
      ...(t.previousSeverity ? { previousSeverity: t.previousSeverity } : {}),
      clusterState: t.cluster.state,
      ...(t.cluster.activeNode ? { activeNode: t.cluster.activeNode } : {}),
      ...(i.node ? { node: i.node } : {}),
      ...(i.from ? { from: i.from } : {}),
      ...(i.to ? { to: i.to } : {}),
      openedAt: i.openedAt,
      updatedAt: i.updatedAt,
      evidence: evidence.items,
      ...(evidence.omitted ? { evidenceOmitted: evidence.omitted } : {}),
    },
  };
  return {
    event_action: action,
    dedup_key: dedupKey,
    payload,
    client: 'qwk-ops',
    ...(link ? { client_url: link } : {}),
    ...(links ? { links } : {}),
  };
}

/** The event as sent: the routing key added at the last moment. */
export function withRoutingKey(body: PagerDutyEventBody, routingKey: string): PagerDutyEvent {
  return { routing_key: routingKey, ...body };
}

/** PagerDuty's documented rules for an event, as problems in words (empty = valid). Used by tests and the stand-in. */
export function pagerDutyEventProblems(event: PagerDutyEventBody & { routing_key?: string }): string[] {
  const problems: string[] = [];
  if (!['trigger', 'acknowledge', 'resolve'].includes(event.event_action)) problems.push('event_action');
  if (!event.dedup_key || event.dedup_key.length > PAGERDUTY_MAX_DEDUP_KEY) problems.push('dedup_key length');
  if (event.event_action === 'trigger') {
    const p = event.payload;
    if (!p) problems.push('payload missing');
    else {
      if (!p.summary || Array.from(p.summary).length > PAGERDUTY_MAX_SUMMARY) problems.push('payload.summary length');
      if (!p.source) problems.push('payload.source missing');
      if (!['critical', 'error', 'warning', 'info'].includes(p.severity)) problems.push('payload.severity');
      if (p.timestamp !== undefined && Number.isNaN(Date.parse(p.timestamp))) problems.push('payload.timestamp');
    }
  }
  for (const l of event.links ?? []) if (!l.href) problems.push('links[].href missing');
  return problems;
}
