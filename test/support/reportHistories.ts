/**
 * Recorded cluster histories for the report tests: small builders plus the scripted day of the browser test
 * (guide §9.3 failover, heal, witness down 3 minutes, heal).
 */
import {
  HISTORY_VERSION,
  type ClusterHistory,
  type HistoryCluster,
  type ProbeMinute,
  type ProbeObservation,
} from '../../shared/reports/history';

export const SUB = '00000000-0000-4000-8000-000000000001';
export const A = 'Clstr-nodeA';
export const B = 'Clstr-nodeB';
export const W = 'Witness-node';

export function cluster(over: Partial<HistoryCluster> = {}): HistoryCluster {
  return {
    subscriptionId: SUB,
    resourceGroup: 'LKL-QWK-storage',
    nodes: [A, B],
    witness: W,
    registeredAt: '2026-11-01T00:00:00.000Z',
    serviceTag: 'pgsql-5432',
    ...over,
  };
}

export function history(over: Partial<ClusterHistory> = {}): ClusterHistory {
  return {
    version: HISTORY_VERSION,
    cluster: cluster(),
    states: [],
    probes: [],
    qwkGaps: [],
    relayGaps: [],
    maintenance: [],
    incidents: [],
    notifications: [],
    ...over,
  };
}

const t = (iso: string) => Date.parse(iso);
const s = (ms: number) => new Date(ms).toISOString();

/** Observations every `everySeconds` in [from, to) with the same answering nodes. */
export function observe(from: string, to: string, answering: string[], everySeconds = 10): ProbeObservation[] {
  const out: ProbeObservation[] = [];
  for (let x = t(from); x < t(to); x += everySeconds * 1000) out.push({ at: s(x), answering: [...answering] });
  return out;
}

/** One minute record per minute in [from, to) with the same answering nodes. */
export function minutes(from: string, to: string, answering: string[]): ProbeMinute[] {
  const out: ProbeMinute[] = [];
  for (let x = t(from); x < t(to); x += 60_000) out.push({ minute: s(x), answering: [...answering] });
  return out;
}

/** Answering nodes over piecewise intervals: [[from, nodes], …, [end]] → observations every 10 s. */
export function piecewise(pieces: Array<[string, string[]] | [string]>, everySeconds = 10): ProbeObservation[] {
  const out: ProbeObservation[] = [];
  for (let k = 0; k + 1 < pieces.length; k++) {
    const [from, nodes] = pieces[k] as [string, string[]];
    out.push(...observe(from, pieces[k + 1][0], nodes, everySeconds));
  }
  return out;
}

/**
 * The scripted day (08:00 → 08:00 UTC): §9.3 isolateNode on nodeA at 09:14:05 (nodeA's last probe answer
 * 09:14:00; nodeB answers from 09:14:40, 40 s later); heal at 09:52 (nodeA back as standby); witness down
 * 14:03:00–14:06:00 (3 minutes); heal; a maintenance window 20:00–20:20 for patching the standby.
 */
export function scriptedDay(): { history: ClusterHistory; period: { from: string; to: string } } {
  const period = { from: '2026-11-24T08:00:00.000Z', to: '2026-11-25T08:00:00.000Z' };
  const key = (kind: string, node?: string) => `qwk/${SUB}/lkl-qwk-storage/${kind}${node ? `/${node}` : ''}`;
  const h = history({
    cluster: cluster({ name: 'LKL-QWK-storage', link: 'https://qwk-ops.example/api/clusters/x/LKL-QWK-storage' }),
    states: [
      { at: '2026-11-20T10:00:00.000Z', state: 'Healthy', activeNode: A },
      { at: '2026-11-24T09:14:30.000Z', state: 'NodeLost', activeNode: undefined },
      { at: '2026-11-24T09:14:50.000Z', state: 'FailedOver', activeNode: B },
      { at: '2026-11-24T09:52:00.000Z', state: 'Healthy', activeNode: B },
      { at: '2026-11-24T14:03:20.000Z', state: 'WitnessLost', activeNode: B },
      { at: '2026-11-24T14:06:20.000Z', state: 'Healthy', activeNode: B },
    ],
    probes: piecewise([
      [period.from, [A]],
      ['2026-11-24T09:14:10.000Z', []],
      ['2026-11-24T09:14:40.000Z', [B]],
      [period.to],
    ]),
    qwkGaps: [
      { node: A, from: '2026-11-24T09:14:02.000Z', to: '2026-11-24T09:51:30.000Z' },
      { node: A, from: '2026-11-24T14:03:00.000Z', to: '2026-11-24T14:06:04.000Z' },
      { node: B, from: '2026-11-24T14:03:03.000Z', to: '2026-11-24T14:06:05.000Z' },
      { node: B, from: '2026-11-24T20:01:00.000Z', to: '2026-11-24T20:12:00.000Z' },
    ],
    relayGaps: [{ from: '2026-11-24T14:03:00.000Z', to: '2026-11-24T14:06:00.000Z' }],
    maintenance: [
      { from: '2026-11-24T20:00:00.000Z', to: '2026-11-24T20:20:00.000Z', reason: 'patching Clstr-nodeB (standby)' },
    ],
    incidents: [
      {
        key: key('NodeLost', A),
        kind: 'NodeLost',
        node: A,
        severity: 'error',
        openedAt: '2026-11-24T09:14:30.000Z',
        resolvedAt: '2026-11-24T09:51:40.000Z',
      },
      {
        key: key('FailedOver', A),
        kind: 'FailedOver',
        node: A,
        from: A,
        to: B,
        severity: 'error',
        openedAt: '2026-11-24T09:14:50.000Z',
        resolvedAt: '2026-11-24T09:52:00.000Z',
      },
      {
        key: key('WitnessLost'),
        kind: 'WitnessLost',
        severity: 'critical',
        openedAt: '2026-11-24T14:03:20.000Z',
        resolvedAt: '2026-11-24T14:06:20.000Z',
      },
      {
        key: key('NodeLost', B),
        kind: 'NodeLost',
        node: B,
        severity: 'error',
        openedAt: '2026-11-24T20:01:30.000Z',
        resolvedAt: '2026-11-24T20:12:10.000Z',
        maintenance: true,
      },
    ],
    notifications: [
      {
        transitionId: `${key('NodeLost', A)}#1`,
        incidentKey: key('NodeLost', A),
        route: 'pagerduty',
        status: 'sent',
        at: '2026-11-24T09:14:31.000Z',
      },
      {
        transitionId: `${key('FailedOver', A)}#1`,
        incidentKey: key('FailedOver', A),
        route: 'pagerduty',
        status: 'sent',
        at: '2026-11-24T09:14:51.000Z',
      },
      {
        transitionId: `${key('FailedOver', A)}#1`,
        incidentKey: key('FailedOver', A),
        route: 'teams',
        status: 'sent',
        at: '2026-11-24T09:14:52.000Z',
      },
      {
        transitionId: `${key('FailedOver', A)}#2`,
        incidentKey: key('FailedOver', A),
        route: 'pagerduty',
        status: 'sent',
        at: '2026-11-24T09:52:01.000Z',
      },
      {
        transitionId: `${key('WitnessLost')}#1`,
        incidentKey: key('WitnessLost'),
        route: 'pagerduty',
        status: 'sent',
        at: '2026-11-24T14:03:21.000Z',
      },
      {
        transitionId: `${key('WitnessLost')}#1`,
        incidentKey: key('WitnessLost'),
        route: 'teams',
        status: 'failed',
        at: '2026-11-24T14:05:21.000Z',
      },
      {
        transitionId: `${key('WitnessLost')}#2`,
        incidentKey: key('WitnessLost'),
        route: 'pagerduty',
        status: 'sent',
        at: '2026-11-24T14:06:21.000Z',
      },
    ],
  });
  return { history: h, period };
}

/** Two more clusters for a fleet: one healthy all day, one whose witness is lost at the end of the period. */
export function fleetNeighbours(period: { from: string; to: string }): ClusterHistory[] {
  const east = history({
    cluster: cluster({
      resourceGroup: 'LKL-QWK-east',
      name: 'LKL-QWK-east',
      nodes: ['East-nodeA', 'East-nodeB'],
      witness: 'East-witness',
    }),
    states: [{ at: '2026-11-10T00:00:00.000Z', state: 'Healthy', activeNode: 'East-nodeA' }],
    probeMinutes: minutes(period.from, period.to, ['East-nodeA']),
  });
  const westKey = `qwk/${SUB}/lkl-qwk-west/WitnessLost`;
  const west = history({
    cluster: cluster({
      resourceGroup: 'LKL-QWK-west',
      name: 'LKL-QWK-west',
      nodes: ['West-nodeA', 'West-nodeB'],
      witness: 'West-witness',
      registeredAt: '2026-11-24T12:00:00.000Z',
    }),
    states: [
      { at: '2026-11-24T12:00:00.000Z', state: 'Healthy', activeNode: 'West-nodeA' },
      { at: '2026-11-25T06:30:00.000Z', state: 'WitnessLost', activeNode: 'West-nodeA' },
    ],
    probeMinutes: minutes('2026-11-24T12:00:00.000Z', period.to, ['West-nodeA']),
    relayGaps: [{ from: '2026-11-25T06:29:40.000Z' }],
    qwkGaps: [
      { node: 'West-nodeA', from: '2026-11-25T06:29:38.000Z' },
      { node: 'West-nodeB', from: '2026-11-25T06:29:41.000Z' },
    ],
    incidents: [{ key: westKey, kind: 'WitnessLost', severity: 'critical', openedAt: '2026-11-25T06:30:00.000Z' }],
    notifications: [
      {
        transitionId: `${westKey}#1`,
        incidentKey: westKey,
        route: 'pagerduty',
        status: 'sent',
        at: '2026-11-25T06:30:01.000Z',
      },
    ],
  });
  return [east, west];
}
