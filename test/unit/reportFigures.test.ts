import { describe, expect, it } from 'vitest';
import { buildReport, clusterFigures, fleetSummary, reportId } from '../../shared/reports/figures';
import { minutesFromObservations } from '../../shared/reports/history';
import { A, B, SUB, W, cluster, history, minutes, observe, piecewise, scriptedDay } from '../support/reportHistories';

const key = (kind: string, node?: string) => `qwk/${SUB}/lkl-qwk-storage/${kind}${node ? `/${node}` : ''}`;

/** §9.3 failover at 08:20:05 inside 08:00–09:00, healed at 08:50. */
function failover() {
  const period = { from: '2026-11-24T08:00:00.000Z', to: '2026-11-24T09:00:00.000Z' };
  const h = history({
    states: [
      { at: '2026-11-24T07:00:00.000Z', state: 'Healthy', activeNode: A },
      { at: '2026-11-24T08:20:30.000Z', state: 'NodeLost' },
      { at: '2026-11-24T08:20:40.000Z', state: 'FailedOver', activeNode: B },
      { at: '2026-11-24T08:50:00.000Z', state: 'Healthy', activeNode: B },
    ],
    // Observations every 10 s: nodeA answers up to 08:20:00 (the observation at 08:20:00 is its last answer),
    // nobody at 08:20:10, :20, :30, nodeB from 08:20:40.
    probes: piecewise([
      [period.from, [A]],
      ['2026-11-24T08:20:10.000Z', []],
      ['2026-11-24T08:20:40.000Z', [B]],
      [period.to],
    ]),
    qwkGaps: [{ node: A, from: '2026-11-24T08:20:02.000Z', to: '2026-11-24T08:49:20.000Z' }],
    incidents: [
      {
        key: key('NodeLost', A),
        kind: 'NodeLost',
        node: A,
        severity: 'error',
        openedAt: '2026-11-24T08:20:30.000Z',
        resolvedAt: '2026-11-24T08:49:30.000Z',
      },
      {
        key: key('FailedOver', A),
        kind: 'FailedOver',
        node: A,
        from: A,
        to: B,
        severity: 'error',
        openedAt: '2026-11-24T08:20:40.000Z',
        resolvedAt: '2026-11-24T08:50:00.000Z',
      },
    ],
    notifications: [
      {
        transitionId: 'f#1',
        incidentKey: key('FailedOver', A),
        route: 'pagerduty',
        status: 'sent',
        at: '2026-11-24T08:20:41.000Z',
      },
      {
        transitionId: 'f#1',
        incidentKey: key('FailedOver', A),
        route: 'teams',
        status: 'sent',
        at: '2026-11-24T08:20:42.000Z',
      },
      {
        transitionId: 'f#2',
        incidentKey: key('FailedOver', A),
        route: 'pagerduty',
        status: 'sent',
        at: '2026-11-24T08:50:01.000Z',
      },
      {
        transitionId: 'f#2',
        incidentKey: key('FailedOver', A),
        route: 'teams',
        status: 'failed',
        at: '2026-11-24T08:55:00.000Z',
      },
      // Before the period: not counted.
      {
        transitionId: 'old#1',
        incidentKey: 'old',
        route: 'pagerduty',
        status: 'failed',
        at: '2026-11-24T07:59:59.000Z',
      },
    ],
  });
  return { h, period };
}

/** Flapping probe over 10 minutes (10:00–10:10), nodeA stays active. */
function flapping() {
  const period = { from: '2026-11-24T10:00:00.000Z', to: '2026-11-24T10:10:00.000Z' };
  const perMinute: string[][] = [[A], [A, B], [A], [], [A], [A, B], [A], [], [A], [A]];
  const h = history({
    states: [
      { at: '2026-11-24T09:00:00.000Z', state: 'Healthy', activeNode: A },
      { at: '2026-11-24T10:01:10.000Z', state: 'SplitBrain', activeNode: A },
      { at: '2026-11-24T10:02:00.000Z', state: 'Healthy', activeNode: A },
      { at: '2026-11-24T10:03:05.000Z', state: 'Outage' },
      { at: '2026-11-24T10:03:55.000Z', state: 'Healthy', activeNode: A },
      { at: '2026-11-24T10:05:10.000Z', state: 'SplitBrain', activeNode: A },
      { at: '2026-11-24T10:05:40.000Z', state: 'Healthy', activeNode: A },
      { at: '2026-11-24T10:07:10.000Z', state: 'Outage' },
      { at: '2026-11-24T10:07:50.000Z', state: 'Healthy', activeNode: A },
    ],
    probeMinutes: perMinute.map((answering, k) => ({
      minute: new Date(Date.parse(period.from) + k * 60_000).toISOString(),
      answering,
    })),
    incidents: [
      {
        key: key('SplitBrain'),
        kind: 'SplitBrain',
        severity: 'critical',
        openedAt: '2026-11-24T10:01:10.000Z',
        resolvedAt: '2026-11-24T10:02:00.000Z',
      },
      {
        key: key('Outage'),
        kind: 'Outage',
        severity: 'critical',
        openedAt: '2026-11-24T10:03:05.000Z',
        resolvedAt: '2026-11-24T10:03:55.000Z',
      },
      {
        key: key('SplitBrain'),
        kind: 'SplitBrain',
        severity: 'critical',
        openedAt: '2026-11-24T10:05:10.000Z',
        resolvedAt: '2026-11-24T10:05:40.000Z',
      },
      {
        key: key('Outage'),
        kind: 'Outage',
        severity: 'critical',
        openedAt: '2026-11-24T10:07:10.000Z',
        resolvedAt: '2026-11-24T10:07:50.000Z',
      },
    ],
  });
  return { h, period };
}

/** Witness down 12:10:30–12:40:30 inside 12:00–13:00; the probe shows service throughout. */
function witnessOutage() {
  const period = { from: '2026-11-24T12:00:00.000Z', to: '2026-11-24T13:00:00.000Z' };
  const h = history({
    states: [
      { at: '2026-11-24T11:00:00.000Z', state: 'Healthy', activeNode: A },
      { at: '2026-11-24T12:10:30.000Z', state: 'WitnessLost', activeNode: A },
      { at: '2026-11-24T12:40:30.000Z', state: 'Healthy', activeNode: A },
    ],
    probeMinutes: minutes(period.from, period.to, [A]),
    relayGaps: [{ from: '2026-11-24T12:10:00.000Z', to: '2026-11-24T12:40:00.000Z' }],
    qwkGaps: [
      { node: A, from: '2026-11-24T12:10:05.000Z', to: '2026-11-24T12:40:10.000Z' },
      { node: B, from: '2026-11-24T12:10:08.000Z', to: '2026-11-24T12:40:12.000Z' },
      { node: B, from: '2026-11-24T12:50:00.000Z', to: '2026-11-24T12:51:00.000Z' },
    ],
    incidents: [
      {
        key: key('WitnessLost'),
        kind: 'WitnessLost',
        severity: 'critical',
        openedAt: '2026-11-24T12:10:30.000Z',
        resolvedAt: '2026-11-24T12:40:30.000Z',
      },
    ],
    notifications: [
      {
        transitionId: 'w#1',
        incidentKey: key('WitnessLost'),
        route: 'pagerduty',
        status: 'sent',
        at: '2026-11-24T12:10:31.000Z',
      },
      {
        transitionId: 'w#2',
        incidentKey: key('WitnessLost'),
        route: 'pagerduty',
        status: 'sent',
        at: '2026-11-24T12:40:31.000Z',
      },
    ],
  });
  return { h, period };
}

/** The witness is lost at 12:50 and still lost at the end (13:00). */
function witnessLostAtEnd() {
  const period = { from: '2026-11-24T12:00:00.000Z', to: '2026-11-24T13:00:00.000Z' };
  const h = history({
    states: [
      { at: '2026-11-24T11:00:00.000Z', state: 'Healthy', activeNode: A },
      { at: '2026-11-24T12:50:00.000Z', state: 'WitnessLost', activeNode: A },
    ],
    probeMinutes: minutes(period.from, period.to, [A]),
    incidents: [
      { key: key('WitnessLost'), kind: 'WitnessLost', severity: 'critical', openedAt: '2026-11-24T12:50:00.000Z' },
    ],
  });
  return { h, period };
}

/** Registered at 00:30:30 inside 00:00–01:00; the probe records before registration show nobody answering. */
function registeredMidPeriod() {
  const period = { from: '2026-11-24T00:00:00.000Z', to: '2026-11-24T01:00:00.000Z' };
  const h = history({
    cluster: cluster({ registeredAt: '2026-11-24T00:30:30.000Z' }),
    states: [{ at: '2026-11-24T00:30:30.000Z', state: 'Healthy', activeNode: A }],
    probeMinutes: [
      ...minutes(period.from, '2026-11-24T00:31:00.000Z', []),
      ...minutes('2026-11-24T00:31:00.000Z', period.to, [A]),
    ],
    relayGaps: [{ from: '2026-11-24T00:00:00.000Z', to: '2026-11-24T00:31:00.000Z' }],
    incidents: [
      // Resolved before registration: not part of the report.
      {
        key: key('Outage'),
        kind: 'Outage',
        severity: 'critical',
        openedAt: '2026-11-24T00:05:00.000Z',
        resolvedAt: '2026-11-24T00:10:00.000Z',
      },
    ],
  });
  return { h, period };
}

/** Nothing recorded in 06:00–07:00 (the cluster was Healthy on nodeA since 05:00). */
function emptyPeriod() {
  const period = { from: '2026-11-24T06:00:00.000Z', to: '2026-11-24T07:00:00.000Z' };
  const h = history({ states: [{ at: '2026-11-24T05:00:00.000Z', state: 'Healthy', activeNode: A }] });
  return { h, period };
}

describe('report figures', () => {
  it('a failover: availability, effective RTO, time without standby, incidents and pages', () => {
    const { h, period } = failover();
    const f = clusterFigures(h, period);
    // 60 whole minutes. Minutes are derived from 10 s observations (6 per minute, a node counts when it answers in
    // ≥ 3): 08:00–08:19 nodeA (20 up); the 08:20 minute has A at :00 only (1/6) and B at :40, :50 (2/6) → nobody
    // → 1 outage; 08:21–08:59 nodeB (39 up). Availability 59/60.
    expect(f.availability).toEqual({
      watchedMinutes: 60,
      notWatchedMinutes: 0,
      upMinutes: 59,
      outageMinutes: 1,
      splitBrainMinutes: 0,
      noDataMinutes: 0,
      maintenanceMinutes: 0,
      availability: 59 / 60,
    });
    // nodeA last answered at 08:20:00, nodeB first at 08:20:40 → effective RTO 40 s.
    expect(f.failovers).toEqual([
      {
        from: A,
        to: B,
        at: '2026-11-24T08:20:40.000Z',
        oldLastAnswer: '2026-11-24T08:20:00.000Z',
        newFirstAnswer: '2026-11-24T08:20:40.000Z',
        rtoSeconds: 40,
        planned: false,
      },
    ]);
    // Without standby = NodeLost [08:20:30, 08:49:30) ∪ FailedOver [08:20:40, 08:50:00) = [08:20:30, 08:50:00) = 1770 s.
    expect(f.withoutStandby.seconds).toBe(1770);
    expect(f.withoutStandby.spans).toEqual([
      { from: '2026-11-24T08:20:30.000Z', to: '2026-11-24T08:50:00.000Z', seconds: 1770, open: false },
    ]);
    expect(f.witness).toEqual({ availability: 1, lostSeconds: 0, spans: [] });
    expect(f.relay.availability).toBe(1);
    // nodeA's object stopped 08:20:02 → 08:49:20 = 29 min 18 s = 1758 s.
    expect(f.qwk).toEqual([
      {
        node: A,
        gaps: 1,
        totalSeconds: 1758,
        longest: { from: '2026-11-24T08:20:02.000Z', to: '2026-11-24T08:49:20.000Z', seconds: 1758, open: false },
      },
      { node: B, gaps: 0, totalSeconds: 0, longest: null },
    ]);
    // Time to resolve: NodeLost 08:20:30 → 08:49:30 = 1740 s, FailedOver 08:20:40 → 08:50:00 = 1760 s;
    // median (1740 + 1760) / 2 = 1750, max 1760.
    expect(f.incidents).toMatchObject({
      opened: 2,
      resolved: 2,
      openAtEnd: 0,
      medianSecondsToResolve: 1750,
      maxSecondsToResolve: 1760,
    });
    // Pages in the period: pagerduty 2 sent; teams 1 sent, 1 failed (the 07:59:59 failure is before the period).
    expect(f.pages).toEqual({
      sent: 3,
      failed: 1,
      byRoute: [
        { route: 'pagerduty', sent: 2, failed: 0 },
        { route: 'teams', sent: 1, failed: 1 },
      ],
    });
    expect(f.present).toEqual({
      state: 'Healthy',
      activeNode: B,
      since: '2026-11-24T08:50:00.000Z',
      open: [],
      unprotected: false,
      actions: [],
    });
    // Risk: 1 outage minute × 2 + 1 unplanned failover × 10 + 0 whole hours without standby + 1 failed page × 5 = 17.
    expect(f.risk.score).toBe(17);
    // Timeline bands: nodeA until 08:20:30, NodeLost (no active node) until 08:20:40, nodeB after.
    expect(f.timeline.activeBands.map((b) => [b.node, b.state, b.from.slice(11, 19), b.to.slice(11, 19)])).toEqual([
      [A, 'Healthy', '08:00:00', '08:20:30'],
      [null, 'NodeLost', '08:20:30', '08:20:40'],
      [B, 'FailedOver', '08:20:40', '08:50:00'],
      [B, 'Healthy', '08:50:00', '09:00:00'],
    ]);
  });

  it('a flapping probe: split-brain and outage minutes, no failover while the active node stays', () => {
    const { h, period } = flapping();
    const f = clusterFigures(h, period);
    // Minutes: A | AB | A | – | A | AB | A | – | A | A → up 6, split-brain 2, outage 2 → availability 6/10.
    expect(f.availability).toMatchObject({
      watchedMinutes: 10,
      upMinutes: 6,
      splitBrainMinutes: 2,
      outageMinutes: 2,
      availability: 0.6,
    });
    expect(f.timeline.probeRuns.map((r) => r.class)).toEqual([
      'up',
      'splitBrain',
      'up',
      'outage',
      'up',
      'splitBrain',
      'up',
      'outage',
      'up',
    ]);
    // Outage states carry no active node; nodeA before and after → no failover.
    expect(f.failovers).toEqual([]);
    // Time to resolve: 50, 50, 30, 40 s → sorted 30, 40, 50, 50 → median 45, max 50.
    expect(f.incidents).toMatchObject({
      opened: 4,
      resolved: 4,
      openAtEnd: 0,
      medianSecondsToResolve: 45,
      maxSecondsToResolve: 50,
    });
    // Risk: 2 outage minutes × 2 + 2 split-brain minutes × 3 = 10.
    expect(f.risk.score).toBe(10);
    expect(f.present.state).toBe('Healthy');
  });

  it('a witness outage: witness and relay availability, QWK gaps of both nodes, service unaffected', () => {
    const { h, period } = witnessOutage();
    const f = clusterFigures(h, period);
    expect(f.availability.availability).toBe(1);
    // WitnessLost 12:10:30 → 12:40:30 = 1800 s of 3600 → 0.5.
    expect(f.witness).toEqual({
      availability: 0.5,
      lostSeconds: 1800,
      spans: [{ from: '2026-11-24T12:10:30.000Z', to: '2026-11-24T12:40:30.000Z', seconds: 1800, open: false }],
    });
    // Relay silent 12:10:00 → 12:40:00 = 1800 s → 0.5.
    expect(f.relay).toMatchObject({ availability: 0.5, silentSeconds: 1800 });
    // nodeA: 12:10:05 → 12:40:10 = 1805 s; nodeB: 12:10:08 → 12:40:12 = 1804 s (longest) and 60 s.
    expect(f.qwk.map((q) => [q.node, q.gaps, q.totalSeconds, q.longest?.seconds])).toEqual([
      [A, 1, 1805, 1805],
      [B, 2, 1864, 1804],
    ]);
    expect(f.failovers).toEqual([]);
    expect(f.withoutStandby.seconds).toBe(0);
    expect(f.pages).toMatchObject({ sent: 2, failed: 0 });
    // Risk: floor(1800 / 600) = 3 ten-minute stretches without witness.
    expect(f.risk.score).toBe(3);
  });

  it('a witness still lost at the end: present state and the action of §9.4', () => {
    const { h, period } = witnessLostAtEnd();
    const f = clusterFigures(h, period);
    // Lost 12:50 → 13:00 (end) = 600 s of 3600 → 1 − 1/6.
    expect(f.witness.lostSeconds).toBe(600);
    expect(f.witness.availability).toBeCloseTo(5 / 6, 12);
    expect(f.witness.spans[0].open).toBe(true);
    expect(f.present.state).toBe('WitnessLost');
    expect(f.present.open).toEqual([{ kind: 'WitnessLost', severity: 'critical', since: '2026-11-24T12:50:00.000Z' }]);
    expect(f.present.actions).toHaveLength(1);
    expect(f.present.actions[0]).toContain(`Restore ${W}`);
    expect(f.present.actions[0]).toContain('§9.4');
    expect(f.incidents).toMatchObject({ opened: 1, resolved: 0, openAtEnd: 1, medianSecondsToResolve: null });
    // Risk: one open critical incident 100 + floor(600 / 600) = 1 → 101.
    expect(f.risk.score).toBe(101);
  });

  it('a cluster registered mid-period: minutes before registration are in no figure', () => {
    const { h, period } = registeredMidPeriod();
    const f = clusterFigures(h, period);
    // Registered 00:30:30: whole minutes from 00:31 to 00:59 → 29 watched; 60 − 29 = 31 not watched. The 00:30
    // minute is partial and, like the "nobody answered" minutes before it, not counted.
    expect(f.availability).toMatchObject({
      watchedMinutes: 29,
      notWatchedMinutes: 31,
      upMinutes: 29,
      outageMinutes: 0,
      availability: 1,
    });
    expect(f.period.watchedFrom).toBe('2026-11-24T00:30:30.000Z');
    // Relay silent until 00:31:00 → 30 s after registration, of 29.5 min = 1770 s watched → 1 − 30/1770.
    expect(f.relay.silentSeconds).toBe(30);
    expect(f.relay.availability).toBeCloseTo(1 - 30 / 1770, 12);
    // The outage of 00:05–00:10 was before registration.
    expect(f.incidents).toMatchObject({ opened: 0, resolved: 0, list: [] });
    expect(f.present).toMatchObject({ state: 'Healthy', activeNode: A, since: '2026-11-24T00:30:30.000Z' });
    expect(f.risk.score).toBe(0);
  });

  it('an empty period: no data is shown as no data, never as availability', () => {
    const { h, period } = emptyPeriod();
    const f = clusterFigures(h, period);
    expect(f.availability).toMatchObject({ watchedMinutes: 60, noDataMinutes: 60, upMinutes: 0, availability: null });
    expect(f.timeline.probeRuns).toEqual([{ class: 'noData', from: period.from, to: period.to }]);
    expect(f.failovers).toEqual([]);
    expect(f.incidents).toMatchObject({
      opened: 0,
      resolved: 0,
      openAtEnd: 0,
      medianSecondsToResolve: null,
      maxSecondsToResolve: null,
    });
    expect(f.pages).toEqual({ sent: 0, failed: 0, byRoute: [] });
    // The state at the start still holds (recorded at 05:00).
    expect(f.present).toMatchObject({ state: 'Healthy', activeNode: A, since: '2026-11-24T05:00:00.000Z' });
    // Risk: floor(60 / 30) = 2 half-hours without probe data.
    expect(f.risk.score).toBe(2);
  });

  it('a cluster registered after the period: nothing watched, state unknown', () => {
    const period = { from: '2026-11-24T06:00:00.000Z', to: '2026-11-24T07:00:00.000Z' };
    const f = clusterFigures(history({ cluster: cluster({ registeredAt: '2026-11-24T08:00:00.000Z' }) }), period);
    expect(f.period.watchedFrom).toBeNull();
    expect(f.availability).toMatchObject({ watchedMinutes: 0, notWatchedMinutes: 60, availability: null });
    expect(f.witness.availability).toBeNull();
    expect(f.present).toMatchObject({ state: 'Unknown', activeNode: null, since: null, open: [] });
  });

  it('a failover inside a maintenance window is planned, and its minutes are not in availability', () => {
    const { h, period } = failover();
    h.maintenance = [{ from: '2026-11-24T08:19:30.000Z', to: '2026-11-24T08:22:00.000Z', reason: 'switchover test' }];
    const f = clusterFigures(h, period);
    // Minutes 08:19, 08:20, 08:21 overlap the window → maintenance; 08:00–08:18 (19) + 08:22–08:59 (38) up.
    expect(f.availability).toMatchObject({ maintenanceMinutes: 3, upMinutes: 57, outageMinutes: 0, availability: 1 });
    expect(f.failovers[0].planned).toBe(true);
    // Risk: no outage minute, no unplanned failover, 1 failed page × 5.
    expect(f.risk.score).toBe(5);
  });

  it('the fleet ranks by risk, then availability, then name', () => {
    const cases = { failover, flapping, witnessOutage, witnessLostAtEnd, registeredMidPeriod, emptyPeriod };
    const figures = Object.entries(cases).map(([name, make]) => {
      const { h, period } = make();
      h.cluster.name = name;
      return clusterFigures(h, period);
    });
    expect(fleetSummary(figures).map((r) => [r.rank, r.name, r.riskScore])).toEqual([
      [1, 'witnessLostAtEnd', 101],
      [2, 'failover', 17],
      [3, 'flapping', 10],
      [4, 'witnessOutage', 3],
      [5, 'emptyPeriod', 2],
      [6, 'registeredMidPeriod', 0],
    ]);
  });

  it('the scripted day: one failover of 40 s, witness lost 3 minutes, maintenance shaded', () => {
    const { history: h, period } = scriptedDay();
    const report = buildReport([h], period, { generatedAt: '2026-11-25T08:00:05.000Z' });
    const f = report.clusters[0];
    expect(report.id).toBe('hr-20261124T080000Z-20261125T080000Z');
    expect(f.failovers.map((x) => [x.from, x.to, x.rtoSeconds])).toEqual([[A, B, 40]]);
    // 1440 minutes: 09:14 has A at :00 only → outage; 20 maintenance minutes (20:00–20:19); the rest up.
    expect(f.availability).toMatchObject({
      watchedMinutes: 1440,
      outageMinutes: 1,
      maintenanceMinutes: 20,
      upMinutes: 1419,
    });
    expect(f.witness.lostSeconds).toBe(180);
    // NodeLost A [09:14:30, 09:51:40) ∪ FailedOver [09:14:50, 09:52:00) = 37.5 min = 2250 s, + NodeLost B in
    // maintenance [20:01:30, 20:12:10) = 640 s → 2890 s.
    expect(f.withoutStandby.seconds).toBe(2890);
    expect(f.pages).toMatchObject({ sent: 6, failed: 1 });
  });
});

describe('report figures: more failover cases', () => {
  it('a failover and back: each RTO is measured from its own answers; without probe data it is unknown', () => {
    const period = { from: '2026-11-24T08:00:00.000Z', to: '2026-11-24T09:00:00.000Z' };
    const h = history({
      states: [
        { at: '2026-11-24T07:00:00.000Z', state: 'Healthy', activeNode: A },
        { at: '2026-11-24T08:10:30.000Z', state: 'FailedOver', activeNode: B },
        { at: '2026-11-24T08:30:20.000Z', state: 'FailedOver', activeNode: A },
      ],
      // A answers until the piece ending 08:10:10, so its last answer is at 08:10:00; nobody 08:10:10–08:10:20; B from 08:10:30 → RTO 30 s. B until 08:30:00 (last answer), A from
      // 08:30:10 → RTO 10 s.
      probes: piecewise([
        [period.from, [A]],
        ['2026-11-24T08:10:10.000Z', []],
        ['2026-11-24T08:10:30.000Z', [B]],
        ['2026-11-24T08:30:10.000Z', [A]],
        [period.to],
      ]),
    });
    const f = clusterFigures(h, period);
    expect(
      f.failovers.map((x) => [
        x.from,
        x.to,
        x.oldLastAnswer?.slice(11, 19),
        x.newFirstAnswer?.slice(11, 19),
        x.rtoSeconds,
      ]),
    ).toEqual([
      [A, B, '08:10:00', '08:10:30', 30],
      [B, A, '08:30:00', '08:30:10', 10],
    ]);
    const blind = clusterFigures({ ...h, probes: [], probeMinutes: [] }, period);
    expect(blind.failovers.map((x) => [x.oldLastAnswer, x.newFirstAnswer, x.rtoSeconds])).toEqual([
      [null, null, null],
      [null, null, null],
    ]);
    // 2 unplanned failovers × 10 + 60 no-data minutes → floor(60 / 30) = 2 → 22.
    expect(blind.risk.score).toBe(22);
  });

  it('a history survives JSON: the same figures after a round trip (the store keeps it as JSON)', () => {
    const { history: h, period } = scriptedDay();
    const back = JSON.parse(JSON.stringify(h));
    expect(clusterFigures(back, period)).toEqual(clusterFigures(h, period));
  });
});

describe('report helpers', () => {
  it.each([
    ['all six observations', 6, 6, [A]],
    ['half of them', 3, 6, [A]],
    ['fewer than half', 2, 6, []],
  ])('minutesFromObservations: a node answering in %s counts as answering', (_l, answered, total, expected) => {
    const obs = observe('2026-11-24T08:00:00.000Z', '2026-11-24T08:01:00.000Z', [], 60 / total).map((o, k) => ({
      ...o,
      answering: k < answered ? [A] : [],
    }));
    expect(minutesFromObservations(obs)).toEqual([{ minute: '2026-11-24T08:00:00.000Z', answering: expected }]);
  });

  it('reportId is stable per period and scope, and refuses a reversed period', () => {
    const p = { from: '2026-11-24T08:00:00Z', to: '2026-11-25T08:00:00Z' };
    expect(reportId(p)).toBe('hr-20261124T080000Z-20261125T080000Z');
    expect(reportId(p, `${SUB}/LKL-QWK-storage`)).toBe(`hr-20261124T080000Z-20261125T080000Z-${SUB}-lkl-qwk-storage`);
    expect(() => clusterFigures(history(), { from: p.to, to: p.from })).toThrow(/must end after/);
    expect(() => clusterFigures(history(), { from: 'yesterday', to: p.to })).toThrow(/not an ISO time/);
  });
});
