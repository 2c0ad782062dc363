/**
 * What one route has been told about one incident, and the time rules built on it (Monitoring 4/5). Pure: the state
 * is a plain object (a table row per (route, incident key)), time is passed in.
 *
 * - Flapping guard: at most one trigger per incident key per `renotifyMinutes`, unless the severity rises.
 * - Reminders: a critical incident still open and paged is sent again every `repeatMinutes` (default 60).
 * - Catch-up: an open incident whose trigger was held back (flapping, silence) is sent once the hold ends.
 */
import { type Incident, type Severity, SEVERITY_RANK } from '../monitoring/contracts';

export const DEFAULT_RENOTIFY_MINUTES = 5;
export const DEFAULT_REPEAT_MINUTES = 60;

export interface RouteIncidentState {
  /** A trigger went out and no resolve since: the receiver shows the incident open. */
  outstanding: boolean;
  /** Highest incident revision this route has processed (older transitions arriving late are ignored). */
  lastRevision?: number;
  lastTriggerAt?: string;
  lastTriggerSeverity?: Severity;
  lastReminderAt?: string;
  lastResolveAt?: string;
}

export const INITIAL_ROUTE_STATE: RouteIncidentState = { outstanding: false };

const MINUTE = 60_000;

export type FlapCheck = { allow: true } | { allow: false; until: string };

/**
 * Whether a trigger of `severity` may go out at `now`: yes when none went out in the last `renotifyMinutes`, or
 * when the severity rises above the last trigger's; else not until the window ends.
 */
export function flapCheck(
  state: RouteIncidentState | undefined,
  severity: Severity,
  now: Date,
  renotifyMinutes = DEFAULT_RENOTIFY_MINUTES,
): FlapCheck {
  if (!state?.lastTriggerAt) return { allow: true };
  if (state.lastTriggerSeverity && SEVERITY_RANK[severity] < SEVERITY_RANK[state.lastTriggerSeverity]) {
    return { allow: true };
  }
  const windowEnd = Date.parse(state.lastTriggerAt) + renotifyMinutes * MINUTE;
  if (Number.isNaN(windowEnd) || now.getTime() >= windowEnd) return { allow: true };
  return { allow: false, until: new Date(windowEnd).toISOString() };
}

/** The state after a trigger went out. */
export function afterTrigger(state: RouteIncidentState | undefined, severity: Severity, now: Date): RouteIncidentState {
  return {
    ...(state ?? INITIAL_ROUTE_STATE),
    outstanding: true,
    lastTriggerAt: now.toISOString(),
    lastTriggerSeverity: severity,
    lastReminderAt: undefined,
  };
}

/** The state after a resolve went out. */
export function afterResolve(state: RouteIncidentState | undefined, now: Date): RouteIncidentState {
  return { ...(state ?? INITIAL_ROUTE_STATE), outstanding: false, lastResolveAt: now.toISOString() };
}

/** The state after a reminder went out. */
export function afterReminder(state: RouteIncidentState, now: Date): RouteIncidentState {
  return { ...state, lastReminderAt: now.toISOString() };
}

/**
 * Whether a reminder is due: the incident is critical, open, not in maintenance, and this route was paged and not
 * resolved, and `repeatMinutes` have passed since the last trigger or reminder.
 */
export function reminderDue(
  state: RouteIncidentState | undefined,
  incident: Pick<Incident, 'status' | 'severity' | 'maintenance'>,
  now: Date,
  repeatMinutes = DEFAULT_REPEAT_MINUTES,
): boolean {
  if (!state?.outstanding || !state.lastTriggerAt) return false;
  if (incident.status !== 'open' || incident.severity !== 'critical' || incident.maintenance) return false;
  const last = Math.max(Date.parse(state.lastTriggerAt), state.lastReminderAt ? Date.parse(state.lastReminderAt) : 0);
  return now.getTime() - last >= repeatMinutes * MINUTE;
}
