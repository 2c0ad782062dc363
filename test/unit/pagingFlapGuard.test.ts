import { describe, expect, it } from 'vitest';
import type { Incident, IncidentTransition } from '../../shared/monitoring/contracts';
import { type Decision, decideCatchUp, decideReminder, decideTransition } from '../../shared/paging/decide';
import {
  DEFAULT_RENOTIFY_MINUTES,
  type RouteIncidentState,
  afterTrigger,
  flapCheck,
  reminderDue,
} from '../../shared/paging/flapGuard';
import { type Silence, activeSilences, isSilenced, silencedUntil } from '../../shared/paging/silences';
import { RG, SUB, transition } from './pagingFixture';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);
const route = { minSeverity: 'warning' as const };

function silence(o: Partial<Silence> = {}): Silence {
  return {
    id: 's1',
    subscriptionId: SUB,
    resourceGroup: RG,
    until: at(600_000).toISOString(),
    reason: 'maintenance window',
    ...o,
  };
}

describe('flapCheck', () => {
  const state = afterTrigger(undefined, 'error', at(0));
  it.each([
    ['no trigger yet', undefined, 'error', 0, true],
    ['same severity inside the window', state, 'error', 60_000, false],
    ['lower severity inside the window', state, 'warning', 60_000, false],
    ['severity rises inside the window', state, 'critical', 60_000, true],
    ['window over', state, 'error', DEFAULT_RENOTIFY_MINUTES * 60_000, true],
  ] as const)('%s', (_n, s, severity, ms, allow) => {
    expect(flapCheck(s, severity, at(ms)).allow).toBe(allow);
  });
  it('says until when', () => {
    expect(flapCheck(state, 'error', at(1000), 5)).toEqual({ allow: false, until: at(300_000).toISOString() });
  });
});

/** Runs transitions (and the catch-ups they ask for) through one route in time order; returns what was sent. */
function run(
  transitions: { ms: number; t: IncidentTransition }[],
  incidentAt: (ms: number) => Incident,
  endMs: number,
) {
  let state: RouteIncidentState | undefined;
  const sent: { ms: number; event: string }[] = [];
  const queue: { ms: number; t?: IncidentTransition }[] = transitions.map((x) => ({ ms: x.ms, t: x.t }));
  const apply = (d: Decision, ms: number) => {
    state = d.next;
    if (d.send) sent.push({ ms, event: d.event });
    else if (d.recheckAt) queue.push({ ms: Date.parse(d.recheckAt) - T0 });
  };
  while (queue.length) {
    queue.sort((a, b) => a.ms - b.ms);
    const item = queue.shift()!;
    if (item.ms > endMs) break;
    if (item.t) apply(decideTransition({ transition: item.t, route, state, silences: [], now: at(item.ms) }), item.ms);
    else apply(decideCatchUp({ incident: incidentAt(item.ms), route, state, silences: [], now: at(item.ms) }), item.ms);
  }
  return sent;
}

/** An incident that fails and heals `cycles` times, one flip every `stepMs`; ends open when `endOpen`. */
function flapping(cycles: number, stepMs: number, endOpen: boolean) {
  const list: { ms: number; t: IncidentTransition }[] = [];
  let revision = 0;
  for (let i = 0; i < cycles; i++) {
    list.push({
      ms: 2 * i * stepMs,
      t: transition({ kind: 'opened', revision: ++revision, at: at(2 * i * stepMs).toISOString() }),
    });
    const healMs = (2 * i + 1) * stepMs;
    if (i < cycles - 1 || !endOpen) {
      list.push({
        ms: healMs,
        t: transition({ kind: 'resolved', revision: ++revision, at: at(healMs).toISOString() }),
      });
    }
  }
  const last = list[list.length - 1];
  const incidentAt = (ms: number): Incident => {
    const current = [...list].reverse().find((x) => x.ms <= ms) ?? last;
    return current.t.incident;
  };
  return { list, incidentAt };
}

describe('a flapping incident (healed and failed 10 times in 2 minutes)', () => {
  it.each([
    ['ends healed', false, 1],
    ['ends failed', true, 2],
  ])('%s → at most 2 triggers', (_n, endOpen, expectedTriggers) => {
    const { list, incidentAt } = flapping(10, 6_000, endOpen);
    expect(list[list.length - 1].ms).toBeLessThanOrEqual(120_000);
    const sent = run(list, incidentAt, 3_600_000);
    const triggers = sent.filter((s) => s.event === 'trigger');
    expect(triggers.length).toBeLessThanOrEqual(2);
    expect(triggers.length).toBe(expectedTriggers);
    // The receiver ends in the incident's real state: open iff the incident is open.
    const last = sent[sent.length - 1];
    expect(last.event).toBe(endOpen ? 'trigger' : 'resolve');
    // Resolves never outnumber triggers.
    expect(sent.filter((s) => s.event === 'resolve').length).toBeLessThanOrEqual(triggers.length);
    if (endOpen) expect(triggers[1].ms).toBe(DEFAULT_RENOTIFY_MINUTES * 60_000);
  });
});

describe('decideTransition', () => {
  const paged = afterTrigger({ outstanding: false, lastRevision: 1 }, 'error', at(0));

  it.each<[string, Parameters<typeof decideTransition>[0], Partial<Decision>]>([
    [
      'opened → trigger',
      { transition: transition(), route, state: undefined, silences: [], now: at(0) },
      { send: true, event: 'trigger' },
    ],
    [
      'opened in maintenance → nothing',
      { transition: transition({ maintenance: true }), route, state: undefined, silences: [], now: at(0) },
      { send: false, reason: 'maintenance' },
    ],
    [
      'below the route’s minimum → nothing',
      {
        transition: transition({ condition: 'CommPathsDown' }),
        route: { minSeverity: 'error' },
        state: undefined,
        silences: [],
        now: at(0),
      },
      { send: false, reason: 'below-min-severity' },
    ],
    [
      'silenced → nothing, recheck when the silence ends',
      { transition: transition(), route, state: undefined, silences: [silence()], now: at(0) },
      { send: false, reason: 'silenced', recheckAt: at(600_000).toISOString() },
    ],
    [
      'silence of another cluster → trigger',
      {
        transition: transition(),
        route,
        state: undefined,
        silences: [silence({ resourceGroup: 'other-rg' })],
        now: at(0),
      },
      { send: true, event: 'trigger' },
    ],
    [
      'resolved after a page → resolve',
      { transition: transition({ kind: 'resolved' }), route, state: paged, silences: [], now: at(1000) },
      { send: true, event: 'resolve' },
    ],
    [
      'resolved after a page, silenced → resolve still goes out',
      { transition: transition({ kind: 'resolved' }), route, state: paged, silences: [silence()], now: at(1000) },
      { send: true, event: 'resolve' },
    ],
    [
      'resolved, never paged (silenced at the time) → nothing',
      {
        transition: transition({ kind: 'resolved' }),
        route,
        state: { outstanding: false, lastRevision: 1 },
        silences: [],
        now: at(1000),
      },
      { send: false, reason: 'not-paged' },
    ],
    [
      'updated, same severity, inside the window → held (receiver shows it open: no recheck)',
      { transition: transition({ kind: 'updated' }), route, state: paged, silences: [], now: at(30_000) },
      { send: false, reason: 'flapping' },
    ],
    [
      'updated, severity rises → trigger at once',
      {
        transition: transition({ kind: 'updated', severity: 'critical', previousSeverity: 'error' }),
        route,
        state: paged,
        silences: [],
        now: at(30_000),
      },
      { send: true, event: 'trigger' },
    ],
    [
      'an older revision arriving late → nothing',
      {
        transition: transition({ kind: 'updated', revision: 1 }),
        route,
        state: { ...paged, lastRevision: 3 },
        silences: [],
        now: at(30_000),
      },
      { send: false, reason: 'stale' },
    ],
    [
      'the same transition twice → nothing the second time',
      { transition: transition({ revision: 1 }), route, state: paged, silences: [], now: at(1) },
      { send: false, reason: 'stale' },
    ],
  ])('%s', (_n, input, expected) => {
    const d = decideTransition(input);
    expect(d).toMatchObject(expected);
    if (!('recheckAt' in expected) && !d.send) expect(d.recheckAt).toBeUndefined();
    expect(d.next.lastRevision).toBe(Math.max(input.transition.incident.revision, input.state?.lastRevision ?? 0));
  });

  it('a silenced incident is paged once the silence ends, if still open', () => {
    const t = transition();
    const held = decideTransition({ transition: t, route, state: undefined, silences: [silence()], now: at(0) });
    expect(held).toMatchObject({ send: false, recheckAt: at(600_000).toISOString() });
    const still = decideCatchUp({
      incident: t.incident,
      route,
      state: held.next,
      silences: [silence()],
      now: at(300_000),
    });
    expect(still).toMatchObject({ send: false, reason: 'silenced' });
    const after = decideCatchUp({
      incident: t.incident,
      route,
      state: held.next,
      silences: [silence()],
      now: at(600_000),
    });
    expect(after).toMatchObject({ send: true, event: 'trigger' });
    const healed = decideCatchUp({
      incident: transition({ kind: 'resolved' }).incident,
      route,
      state: held.next,
      silences: [],
      now: at(600_000),
    });
    expect(healed).toMatchObject({ send: false });
  });
});

describe('reminders for critical incidents', () => {
  const critical = transition({ condition: 'WitnessLost' }).incident;
  const paged = afterTrigger(undefined, 'critical', at(0));
  it.each([
    ['59 min after the page', paged, critical, 59 * 60_000, false],
    ['60 min after the page', paged, critical, 60 * 60_000, true],
    ['not critical', paged, transition({ condition: 'NodeLost' }).incident, 2 * 3_600_000, false],
    ['resolved', paged, transition({ condition: 'WitnessLost', kind: 'resolved' }).incident, 2 * 3_600_000, false],
    ['never paged', undefined, critical, 2 * 3_600_000, false],
    ['in maintenance', paged, { ...critical, maintenance: true }, 2 * 3_600_000, false],
    [
      '60 min after the last reminder',
      { ...paged, lastReminderAt: at(3_600_000).toISOString() },
      critical,
      7_200_000,
      true,
    ],
    [
      '30 min after the last reminder',
      { ...paged, lastReminderAt: at(3_600_000).toISOString() },
      critical,
      5_400_000,
      false,
    ],
  ] as const)('%s', (_n, state, incident, ms, due) => {
    expect(reminderDue(state, incident, at(ms))).toBe(due);
  });

  it('repeatMinutes is honoured and a reminder moves the clock; silences hold reminders', () => {
    expect(reminderDue(paged, critical, at(15 * 60_000), 15)).toBe(true);
    const d = decideReminder({ incident: critical, state: paged, silences: [], now: at(3_600_000) });
    expect(d).toMatchObject({ send: true, event: 'reminder' });
    expect(decideReminder({ incident: critical, state: d.next, silences: [], now: at(3_700_000) }).send).toBe(false);
    const silenced = decideReminder({
      incident: critical,
      state: paged,
      silences: [silence({ until: at(4_000_000).toISOString() })],
      now: at(3_600_000),
    });
    expect(silenced).toMatchObject({ send: false, reason: 'silenced' });
  });
});

describe('isSilenced', () => {
  it.each([
    ['no silences', [], 0, false],
    ['active silence', [silence()], 0, true],
    ['resource group in another case', [silence({ resourceGroup: RG.toUpperCase() })], 0, true],
    ['expired (until is exclusive)', [silence()], 600_000, false],
    ['not started yet', [silence({ startsAt: at(60_000).toISOString() })], 0, false],
    ['started', [silence({ startsAt: at(60_000).toISOString() })], 60_000, true],
    ['another subscription', [silence({ subscriptionId: '11111111-2222-3333-4444-555555555555' })], 0, false],
    ['another resource group', [silence({ resourceGroup: 'other' })], 0, false],
    ['unreadable until', [silence({ until: 'tomorrow' })], 0, false],
  ] as const)('%s', (_n, silences, ms, expected) => {
    expect(isSilenced(silences, { subscriptionId: SUB, resourceGroup: RG }, at(ms))).toBe(expected);
  });

  it('silencedUntil is the latest end of the silences in force', () => {
    const s = [
      silence({ id: 'a' }),
      silence({ id: 'b', until: at(900_000).toISOString() }),
      silence({ id: 'c', resourceGroup: 'x', until: at(9e6).toISOString() }),
    ];
    expect(silencedUntil(s, { subscriptionId: SUB, resourceGroup: RG }, at(0))).toBe(at(900_000).toISOString());
    expect(activeSilences(s, { subscriptionId: SUB, resourceGroup: RG }, at(0)).map((x) => x.id)).toEqual(['a', 'b']);
    expect(silencedUntil(s, { subscriptionId: SUB, resourceGroup: RG }, at(950_000))).toBeUndefined();
  });
});
