/**
 * Whether one incident transition goes out on one route, and as what (Monitoring 4/5). Pure: the pipeline reads the
 * route's state for the incident and the cluster's silences, calls this, sends, then records the returned state.
 *
 * Rules, in order:
 * 1. A transition older than one this route already processed (queues do not keep order) changes nothing.
 * 2. resolved → a resolve, if and only if this route was paged for the incident and not yet resolved ("resolves
 *    still go out for what was paged", silenced or not, whatever the severity).
 * 3. opened / updated → a trigger, unless the incident opened during maintenance, its severity is below the route's
 *    minimum, the cluster is silenced, or the flapping guard holds it (one trigger per renotifyMinutes unless the
 *    severity rises). A held trigger of an incident the receiver does not show open comes with `recheckAt`: at
 *    that time the pipeline calls {@link decideCatchUp} and sends it if the incident is still open.
 */
import type { Incident, IncidentTransition } from '../monitoring/contracts';
import {
  DEFAULT_RENOTIFY_MINUTES,
  DEFAULT_REPEAT_MINUTES,
  INITIAL_ROUTE_STATE,
  type RouteIncidentState,
  afterReminder,
  afterResolve,
  afterTrigger,
  flapCheck,
  reminderDue,
} from './flapGuard';
import { type Route, routeAccepts } from './routes';
import { type Silence, silencedUntil } from './silences';

export type SkipReason =
  'stale' | 'maintenance' | 'below-min-severity' | 'silenced' | 'flapping' | 'not-paged' | 'not-due';

export type Decision =
  | { send: true; event: 'trigger' | 'resolve' | 'reminder'; next: RouteIncidentState }
  | { send: false; reason: SkipReason; recheckAt?: string; next: RouteIncidentState };

export interface DecideInput {
  transition: IncidentTransition;
  route: Pick<Route, 'minSeverity'>;
  state: RouteIncidentState | undefined;
  silences: readonly Silence[];
  now: Date;
  renotifyMinutes?: number;
}

export function decideTransition(input: DecideInput): Decision {
  const { transition: t, route, now } = input;
  const state = input.state ?? INITIAL_ROUTE_STATE;
  const revision = t.incident.revision;
  if (state.lastRevision !== undefined && revision <= state.lastRevision) {
    return { send: false, reason: 'stale', next: state };
  }
  const seen: RouteIncidentState = { ...state, lastRevision: revision };

  if (t.kind === 'resolved') {
    return state.outstanding
      ? { send: true, event: 'resolve', next: afterResolve(seen, now) }
      : { send: false, reason: 'not-paged', next: seen };
  }

  const hold = holdReason(t.incident, route, seen, input.silences, now, input.renotifyMinutes);
  if (hold) return { send: false, ...hold, next: seen };
  return { send: true, event: 'trigger', next: afterTrigger(seen, t.incident.severity, now) };
}

function holdReason(
  incident: Incident,
  route: Pick<Route, 'minSeverity'>,
  state: RouteIncidentState,
  silences: readonly Silence[],
  now: Date,
  renotifyMinutes = DEFAULT_RENOTIFY_MINUTES,
): { reason: SkipReason; recheckAt?: string } | undefined {
  if (incident.maintenance) return { reason: 'maintenance' };
  if (!routeAccepts(route, incident.severity)) return { reason: 'below-min-severity' };
  const silenced = silencedUntil(silences, incident, now);
  if (silenced) return { reason: 'silenced', ...(state.outstanding ? {} : { recheckAt: silenced }) };
  const flap = flapCheck(state, incident.severity, now, renotifyMinutes);
  if (!flap.allow) return { reason: 'flapping', ...(state.outstanding ? {} : { recheckAt: flap.until }) };
  return undefined;
}

/**
 * At a `recheckAt` (or on any sweep): a trigger for an open incident that this route does not show open and whose
 * hold has ended. `incident` is the incident as stored now.
 */
export function decideCatchUp(input: {
  incident: Incident;
  route: Pick<Route, 'minSeverity'>;
  state: RouteIncidentState | undefined;
  silences: readonly Silence[];
  now: Date;
  renotifyMinutes?: number;
}): Decision {
  const state = input.state ?? INITIAL_ROUTE_STATE;
  if (input.incident.status !== 'open' || state.outstanding) return { send: false, reason: 'not-due', next: state };
  const hold = holdReason(input.incident, input.route, state, input.silences, input.now, input.renotifyMinutes);
  if (hold) return { send: false, ...hold, next: state };
  return { send: true, event: 'trigger', next: afterTrigger(state, input.incident.severity, input.now) };
}

/**
 * On a sweep: a reminder for a critical incident still open `repeatMinutes` after this route was paged. Not while
 * the cluster is silenced.
 */
export function decideReminder(input: {
  incident: Incident;
  state: RouteIncidentState | undefined;
  silences: readonly Silence[];
  now: Date;
  repeatMinutes?: number;
}): Decision {
  const state = input.state ?? INITIAL_ROUTE_STATE;
  if (!reminderDue(state, input.incident, input.now, input.repeatMinutes ?? DEFAULT_REPEAT_MINUTES)) {
    return { send: false, reason: 'not-due', next: state };
  }
  if (silencedUntil(input.silences, input.incident, input.now)) return { send: false, reason: 'silenced', next: state };
  return { send: true, event: 'reminder', next: afterReminder(state, input.now) };
}
