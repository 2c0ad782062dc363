import { describe, expect, it } from 'vitest';
import type { Incident, IncidentTransition } from '../../shared/monitoring/contracts';
import type { ClusterHealth, TimelineEntry } from '../../shared/monitoring/diagnosis';
import {
  historyRowKey,
  recordHistory,
  type HistoryAccumulator,
  type HistoryRow,
} from '../../shared/monitoring/historyRecord';
import { qwkGapSeconds } from '../../shared/monitoring/signals';
import type { NotificationRecord } from '../../shared/paging/store';
import { clusterFigures } from '../../shared/reports/figures';
import {
  assembleHistory,
  incidentsFromRecords,
  notificationsFromRecords,
  statesFromTimeline,
} from '../../shared/reports/historyBuilder';

const A = 'Clstr-nodeA';
const B = 'Clstr-nodeB';
const T0 = Date.parse('2026-11-24T08:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

/** A health with the fields the recorder reads. */
function health(
  s: number,
  o: {
    up?: string[];
    probe?: boolean;
    qwk?: Record<string, { last: number; age: number }>;
    relay?: { received: number; fresh: boolean };
    maintenance?: string;
  } = {},
): ClusterHealth {
  const probe = o.probe ?? true;
  return {
    subscriptionId: 'sub',
    resourceGroup: 'rg',
    state: 'Healthy',
    since: at(0),
    ...(probe ? { lastProbeAt: at(s) } : {}),
    tracks: [],
    conditions: [],
    maintenance: o.maintenance !== undefined,
    ...(o.maintenance ? { maintenanceReason: o.maintenance } : {}),
    missingSignals: [],
    notes: [],
    nodes: [A, B].map((name) => ({
      name,
      serviceIp: '10.0.0.1',
      probe: probe ? ((o.up ?? [A]).includes(name) ? 'Up' : 'Down') : 'missing',
      ...(o.qwk?.[name]
        ? {
            qwk: {
              sequence: 1,
              lastAdvancedAt: at(o.qwk[name].last),
              ageSeconds: o.qwk[name].age,
              fresh: true,
              commstat: 'UP',
            },
          }
        : {}),
    })),
    witness: {
      name: 'Witness-node',
      ...(o.relay
        ? {
            relay: {
              receivedAt: at(o.relay.received),
              witnessTime: at(o.relay.received),
              counter: 1,
              ageSeconds: s - o.relay.received,
              fresh: o.relay.fresh,
            },
          }
        : {}),
    },
    lastEvaluatedAt: at(s),
    evaluations: 1,
  };
}

/** Runs the recorder over a sequence of healths; returns every row written and the last accumulator. */
function run(healths: ClusterHealth[], limit = qwkGapSeconds(6, 5)) {
  let acc: HistoryAccumulator | undefined;
  let prev: ClusterHealth | undefined;
  const rows: HistoryRow[] = [];
  for (const h of healths) {
    const r = recordHistory(acc, h, prev, { qwkGapSeconds: limit });
    rows.push(...r.rows);
    acc = r.history;
    prev = h;
  }
  return { rows, acc };
}

describe('recordHistory', () => {
  it('the QWK gap threshold is two heartbeats and one relay interval', () => {
    expect(qwkGapSeconds(6, 5)).toBe(17);
  });

  it('writes one row per finished minute with per-node counts, and nothing for a minute in progress', () => {
    // 08:00:00..08:00:50 six observations: A answers in 4, B in 3 (08:00:20..40 both); 08:01:00 starts a new minute.
    const ups = [[A], [A], [A, B], [A, B], [A, B], [B], [B]];
    const { rows, acc } = run(ups.map((up, k) => health(k * 10, { up })));
    const minutes = rows.filter((r) => r.kind === 'minute');
    expect(minutes).toEqual([{ kind: 'minute', minute: at(0), observations: 6, counts: { [A]: 5, [B]: 4 } }]);
    expect(acc?.minute).toEqual({ minute: at(60), observations: 1, counts: { [B]: 1 } });
  });

  it('records a probe change as the observation before and after, once per change', () => {
    const ups = [[A], [A], [], [], [B], [B]];
    const { rows } = run(ups.map((up, k) => health(k * 10, { up })));
    expect(rows.filter((r) => r.kind === 'probeChange')).toEqual([
      { kind: 'probeChange', before: { at: at(10), answering: [A] }, after: { at: at(20), answering: [] } },
      { kind: 'probeChange', before: { at: at(30), answering: [] }, after: { at: at(40), answering: [B] } },
    ]);
  });

  it('counts no observation without a new usable probe read', () => {
    const h1 = health(0);
    const same = { ...health(10), lastProbeAt: at(0) }; // a cached read, seen already
    const missing = health(20, { probe: false });
    const { acc } = run([h1, same, missing]);
    expect(acc?.minute?.observations).toBe(1);
  });

  it('opens a QWK gap when an object stops past the limit and closes it at the next advance', () => {
    const q = (lastA: number, ageA: number) => ({ [A]: { last: lastA, age: ageA }, [B]: { last: 0, age: 0 } });
    const { rows, acc } = run([
      health(0, { qwk: q(0, 0) }),
      health(10, { qwk: q(6, 4) }), // advanced 6 s later: no gap
      health(30, { qwk: q(6, 18) }), // 18 s > 17 s: opens from 6
      health(40, { qwk: q(6, 28) }), // still open: nothing new
      health(250, { qwk: q(246, 0) }), // advanced again: closes 6 → 246
      health(260, { qwk: q(250, 0) }),
      health(300, { qwk: q(290, 0) }), // 40 s between advances without a stale look: a closed gap 250 → 290
    ]);
    expect(rows.filter((r) => r.kind === 'qwkGap')).toEqual([
      { kind: 'qwkGap', node: A, from: at(6) },
      { kind: 'qwkGap', node: A, from: at(6), to: at(246) },
      { kind: 'qwkGap', node: A, from: at(250), to: at(290) },
    ]);
    expect(acc?.qwk[A]).toEqual({ lastAdvancedAt: at(290) });
    // The open and the closed row of one gap share a row key: the closed one replaces it.
    const [open, closed] = rows.filter((r) => r.kind === 'qwkGap');
    expect(historyRowKey(open)).toBe(historyRowKey(closed));
  });

  it('opens a relay gap when the relay is found silent and closes it at the next snapshot', () => {
    const { rows } = run([
      health(0, { relay: { received: 0, fresh: true } }),
      health(20, { relay: { received: 0, fresh: false } }),
      health(30, { relay: { received: 0, fresh: false } }),
      health(200, { relay: { received: 195, fresh: true } }),
    ]);
    expect(rows.filter((r) => r.kind === 'relayGap')).toEqual([
      { kind: 'relayGap', from: at(0) },
      { kind: 'relayGap', from: at(0), to: at(195) },
    ]);
  });

  it('records maintenance windows from the diagnosis', () => {
    const { rows } = run([health(0), health(10, { maintenance: 'switchover test' }), health(20), health(30)]);
    expect(rows.filter((r) => r.kind === 'maintenance')).toEqual([
      { kind: 'maintenance', from: at(10), reason: 'switchover test' },
      { kind: 'maintenance', from: at(10), reason: 'switchover test', to: at(20) },
    ]);
  });
});

const entry = (s: number, kind: 'state' | 'activeNode', to: string): TimelineEntry => ({
  at: at(s),
  kind,
  to,
  maintenance: false,
  text: '',
});

describe('statesFromTimeline', () => {
  const period = { from: at(3600), to: at(7200) };
  it('merges state and active-node entries, keeps the last change before the period, drops those after', () => {
    const timeline = [
      entry(0, 'state', 'Healthy'),
      entry(1000, 'state', 'Healthy'),
      entry(4000, 'state', 'NodeLost'),
      entry(4010, 'activeNode', B),
      entry(4010, 'state', 'FailedOver'),
      entry(8000, 'state', 'Healthy'),
    ].reverse();
    expect(statesFromTimeline(timeline, A, period)).toEqual([
      { at: at(1000), state: 'Healthy', activeNode: A },
      { at: at(4000), state: 'NodeLost', activeNode: A },
      { at: at(4010), state: 'FailedOver', activeNode: B },
    ]);
  });
  it('is empty without any state entry', () => {
    expect(statesFromTimeline([], A, period)).toEqual([]);
  });
});

function incident(kind: Incident['kind'], rev: number, openedAt: number, resolvedAt?: number): Incident {
  return {
    key: `qwk/sub/rg/${kind}`,
    subscriptionId: 'sub',
    resourceGroup: 'rg',
    kind,
    severity: 'critical',
    status: resolvedAt === undefined ? 'open' : 'resolved',
    openedAt: at(openedAt),
    updatedAt: at(resolvedAt ?? openedAt),
    ...(resolvedAt !== undefined ? { resolvedAt: at(resolvedAt) } : {}),
    revision: rev,
    firstEvidence: [],
    lastEvidence: [],
    maintenance: false,
  };
}
const transition = (i: Incident): IncidentTransition => ({
  id: `${i.key}#${i.revision}`,
  kind: i.status === 'open' ? 'opened' : 'resolved',
  at: i.updatedAt,
  incident: i,
  cluster: { subscriptionId: 'sub', resourceGroup: 'rg', state: 'Healthy' },
});

describe('incidentsFromRecords', () => {
  it('makes one episode per opening of a key, at its latest revision, overlapping the period', () => {
    const period = { from: at(3600), to: at(7200) };
    const transitions = [
      incident('WitnessLost', 1, 100), // opened before, resolved before the period: left out
      incident('WitnessLost', 2, 100, 200),
      incident('WitnessLost', 3, 4000), // reopened in the period
      incident('WitnessLost', 4, 4000, 4180),
      incident('Outage', 1, 7000), // still open at the end
    ].map(transition);
    const latest = [incident('WitnessLost', 4, 4000, 4180), incident('Outage', 1, 7000)];
    const out = incidentsFromRecords(transitions, latest, period);
    expect(out.map((i) => [i.kind, i.openedAt, i.resolvedAt])).toEqual([
      ['WitnessLost', at(4000), at(4180)],
      ['Outage', at(7000), undefined],
    ]);
  });
});

describe('notificationsFromRecords', () => {
  const base: NotificationRecord = {
    eventId: 'e',
    route: 'teams',
    kind: 'teams',
    incidentKey: 'k',
    transitionId: 'k#1',
    status: 'sent',
    attempts: 1,
    createdAt: at(0),
    updatedAt: at(10),
    sentAt: at(5),
    revision: 1,
  };
  it('keeps sent (at sentAt) and failed (at the last update) in the period, not tests, skips or pending', () => {
    const out = notificationsFromRecords(
      [
        base,
        { ...base, status: 'failed', route: 'pd', updatedAt: at(20) },
        { ...base, status: 'skipped' },
        { ...base, status: 'pending' },
        { ...base, event: 'test' },
        { ...base, sentAt: at(99999) },
      ],
      { from: at(0), to: at(3600) },
    );
    expect(out).toEqual([
      { transitionId: 'k#1', incidentKey: 'k', route: 'teams', status: 'sent', at: at(5) },
      { transitionId: 'k#1', incidentKey: 'k', route: 'pd', status: 'failed', at: at(20) },
    ]);
  });
});

describe('assembleHistory', () => {
  it('turns recorded rows into a history whose figures show the failover, its RTO and the gaps', () => {
    const period = { from: at(0), to: at(3600) };
    // Probe every 10 s: A until 600, nobody 610..640, B from 650.
    const healths: ClusterHealth[] = [];
    for (let s = 0; s < 3600; s += 10) {
      const up = s <= 600 ? [A] : s < 650 ? [] : [B];
      healths.push(health(s, { up }));
    }
    healths.push(health(3600, { up: [B] })); // flushes the last minute
    const { rows } = run(healths);
    rows.push({ kind: 'qwkGap', node: A, from: at(602) }, { kind: 'qwkGap', node: A, from: at(602), to: at(3000) });
    rows.push({ kind: 'relayGap', from: at(5000) }); // after the period: left out
    const h = assembleHistory(
      {
        record: {
          subscriptionId: 'sub',
          resourceGroup: 'rg',
          nodes: [
            { name: B, vmId: 'b', serviceIp: '10.0.0.5', replicationIp: '', priority: 2, qwkObject: '' },
            { name: A, vmId: 'a', serviceIp: '10.0.0.4', replicationIp: '', priority: 1, qwkObject: '' },
          ],
          witness: { name: 'Witness-node', vmId: 'w', serviceIp: '10.0.0.6' },
          registeredAt: at(-86400),
          activeNode: A,
        },
        timeline: [entry(-100, 'state', 'Healthy'), entry(660, 'activeNode', B), entry(660, 'state', 'FailedOver')],
        historyRows: rows,
        transitions: [],
        incidents: [],
        notifications: [],
        publicUrl: 'https://app.example',
      },
      period,
    );
    expect(h.cluster.nodes).toEqual([A, B]);
    expect(h.cluster.link).toBe('https://app.example/api/clusters/sub/rg');
    expect(h.probes.map((p) => [p.at, p.answering])).toEqual([
      [at(600), [A]],
      [at(610), []],
      [at(640), []],
      [at(650), [B]],
    ]);
    expect(h.qwkGaps).toEqual([{ node: A, from: at(602), to: at(3000) }]);
    expect(h.relayGaps).toEqual([]);
    const f = clusterFigures(h, period);
    // RTO: B's first answer 650 − A's last 600 = 50 s.
    expect(f.failovers).toMatchObject([{ from: A, to: B, at: at(660), rtoSeconds: 50 }]);
    // Minute 600..660: A in 1 of 6 (600), B in 1 of 6 (650): neither ≥ half → outage. Every other minute: one node.
    expect(f.availability).toMatchObject({ watchedMinutes: 60, upMinutes: 59, outageMinutes: 1, noDataMinutes: 0 });
    expect(f.qwk.find((q) => q.node === A)?.longest?.seconds).toBe(2398);
  });
});
