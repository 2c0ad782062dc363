/**
 * PagerDuty Events API v2 (`POST https://events.pagerduty.com/v2/enqueue`) event validation, after PagerDuty's
 * developer docs ("Send an Alert Event", "Send a Change Event" not modelled): routing_key and event_action
 * (trigger | acknowledge | resolve) are required; dedup_key is at most 255 characters and required to acknowledge or
 * resolve; a trigger needs payload.summary (at most 1024 characters), payload.source and payload.severity
 * (critical | error | warning | info); payload.timestamp is ISO 8601; images/links are arrays of objects with src/href.
 */
import { randomBytes } from 'node:crypto';

export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export const EVENT_ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;
export const MAX_SUMMARY = 1024;
export const MAX_DEDUP_KEY = 255;
/** Events accepted per routing key per minute before 429 (PagerDuty: 120 events/min per integration key). */
export const EVENTS_PER_MINUTE = 120;

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/** The reasons PagerDuty would refuse the event (empty: valid). */
export function validatePagerDutyEvent(e: unknown): string[] {
  if (!isObj(e)) return ['Event object is not a JSON object'];
  const errors: string[] = [];
  if (!nonEmpty(e.routing_key)) errors.push("'routing_key' is missing or blank");
  else if (e.routing_key.length > 255) errors.push("'routing_key' is too long");
  if (!nonEmpty(e.event_action)) errors.push("'event_action' is missing or blank");
  else if (!(EVENT_ACTIONS as readonly string[]).includes(e.event_action))
    errors.push(`'event_action' must be one of ${EVENT_ACTIONS.join(', ')}`);
  if (e.dedup_key !== undefined && e.dedup_key !== null) {
    if (typeof e.dedup_key !== 'string') errors.push("'dedup_key' must be a string");
    else if (e.dedup_key.length > MAX_DEDUP_KEY)
      errors.push(`'dedup_key' is too long (maximum is ${MAX_DEDUP_KEY} characters)`);
  }
  if ((e.event_action === 'acknowledge' || e.event_action === 'resolve') && !nonEmpty(e.dedup_key))
    errors.push(`'dedup_key' is required to ${e.event_action} an alert`);
  if (e.event_action === 'trigger') {
    const p = e.payload;
    if (!isObj(p)) errors.push("'payload' is missing or not an object");
    else {
      if (!nonEmpty(p.summary)) errors.push("'payload.summary' is missing or blank");
      else if (p.summary.length > MAX_SUMMARY)
        errors.push(`'payload.summary' is too long (maximum is ${MAX_SUMMARY} characters)`);
      if (!nonEmpty(p.source)) errors.push("'payload.source' is missing or blank");
      if (!nonEmpty(p.severity)) errors.push("'payload.severity' is missing or blank");
      else if (!(SEVERITIES as readonly string[]).includes(p.severity))
        errors.push(`'payload.severity' must be one of ${SEVERITIES.join(', ')}`);
      if (p.timestamp !== undefined && (typeof p.timestamp !== 'string' || Number.isNaN(Date.parse(p.timestamp))))
        errors.push("'payload.timestamp' must be an ISO 8601 date-time");
      for (const k of ['component', 'group', 'class'])
        if (p[k] !== undefined && typeof p[k] !== 'string') errors.push(`'payload.${k}' must be a string`);
      if (p.custom_details !== undefined && typeof p.custom_details !== 'object')
        errors.push("'payload.custom_details' must be an object");
    }
  }
  if (e.images !== undefined) {
    if (!Array.isArray(e.images) || e.images.some((i: unknown) => !isObj(i) || !nonEmpty(i.src)))
      errors.push("'images' must be an array of objects with 'src'");
  }
  if (e.links !== undefined) {
    if (!Array.isArray(e.links) || e.links.some((l: unknown) => !isObj(l) || !nonEmpty(l.href)))
      errors.push("'links' must be an array of objects with 'href'");
  }
  return errors;
}

/** A dedup key as PagerDuty generates one when the event has none (32 hex characters). */
export function newDedupKey(): string {
  return randomBytes(16).toString('hex');
}
