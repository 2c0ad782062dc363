import { describe, expect, it } from 'vitest';
import {
  ClusterMonitor,
  recheckShards,
  clustersForTargets,
  factsFromRecord,
  needsPowerRead,
  parseShardMessage,
  relayFromRecord,
  shardClusters,
  snapshotCallsForEvaluation,
  snapshotChanges,
} from '../../shared/monitoring/clusterMonitor';
import { clusterDetail, clusterList } from '../../shared/monitoring/clusterView';
import type { ClusterHealth } from '../../shared/monitoring/diagnosis';
import type { ClusterMemory, EvaluationOutcome } from '../../shared/monitoring/evaluation';
import type { IncidentStore } from '../../shared/monitoring/incidentStore';
import type { QwkSnapshotRecord } from '../../shared/monitoring/qwkSnapshot';
import type { ClusterRecord } from '../../shared/registry/clusterRecord';

const SUB_A = '00000000-0000-0000-0000-00000000000a';
const SUB_B = '00000000-0000-0000-0000-00000000000b';

function record(sub: string, rg: string, location = 'japaneast'): ClusterRecord {
  const base = `/subscriptions/${sub}/resourceGroups/${rg}/providers`;
  return {
    subscriptionId: sub,
    resourceGroup: rg,
    location,
    deploymentId: `dpl-${rg}`,
    loadBalancerId: `${base}/Microsoft.Network/loadBalancers/lb-${rg}`,
    loadBalancingRule: 'LKL-QWK-storage-rule',
    frontendIp: '10.0.1.100',
    servicePort: 5432,
    probePort: 12345,
    nodes: ['A', 'B'].map((x, i) => ({
      name: `Clstr-node${x}`,
      vmId: `${base}/Microsoft.Compute/virtualMachines/Clstr-node${x}`,
      serviceIp: `10.0.1.${11 + i}`,
      replicationIp: `10.0.2.${11 + i}`,
      priority: i + 1,
      qwkObject: `Clstr_node${x}`,
    })),
    witness: {
      name: 'Clstr-witness',
      vmId: `${base}/Microsoft.Compute/virtualMachines/Clstr-witness`,
      serviceIp: '10.0.1.13',
    },
    qwk: { sharePath: '/root/qwkshare', mountPoint: '/qwk', hbeatTime: 6, numHbeats: 4, quorumLossAction: 'fastkill' },
    activeNode: 'Clstr-nodeA',
    relayIntervalSeconds: 5,
    registeredAt: '2026-11-25T00:00:00.000Z',
  };
}

describe('shardClusters', () => {
  const at = '2026-11-25T10:00:00.000Z';
  it.each([
    { name: 'empty registry', clusters: [] as ClusterRecord[], shards: [] as number[] },
    { name: 'one cluster', clusters: [record(SUB_A, 'rg-1')], shards: [1] },
    { name: '50 in one group', clusters: Array.from({ length: 50 }, (_, i) => record(SUB_A, `rg-${i}`)), shards: [50] },
    {
      name: '51 in one group',
      clusters: Array.from({ length: 51 }, (_, i) => record(SUB_A, `rg-${i}`)),
      shards: [50, 1],
    },
    {
      name: 'two subscriptions',
      clusters: [record(SUB_A, 'rg-1'), record(SUB_B, 'rg-1'), record(SUB_A, 'rg-2')],
      shards: [2, 1],
    },
    {
      name: 'two regions of one subscription',
      clusters: [record(SUB_A, 'rg-1', 'japaneast'), record(SUB_A, 'rg-2', 'japanwest')],
      shards: [1, 1],
    },
    {
      name: 'region and subscription case-insensitive',
      clusters: [record(SUB_A, 'rg-1', 'JapanEast'), record(SUB_A.toUpperCase(), 'rg-2', 'japaneast')],
      shards: [2],
    },
    {
      name: '1,000 over two subscriptions',
      clusters: Array.from({ length: 1000 }, (_, i) => record(i % 2 ? SUB_A : SUB_B, `rg-${i}`)),
      shards: Array.from({ length: 20 }, () => 50),
    },
  ])('$name', ({ clusters, shards }) => {
    const out = shardClusters(clusters, 'sweep', at);
    expect(out.map((s) => s.clusters.length)).toEqual(shards);
    for (const s of out) {
      expect(s.clusters.length).toBeLessThanOrEqual(50);
      expect(new Set(s.clusters.map((c) => c.subscriptionId.toLowerCase()))).toEqual(new Set([s.subscriptionId]));
      expect(s.at).toBe(at);
    }
    // every cluster exactly once
    const ids = out.flatMap((s) => s.clusters.map((c) => `${c.subscriptionId}/${c.resourceGroup}`.toLowerCase()));
    expect(new Set(ids).size).toBe(clusters.length);
    expect(ids.length).toBe(clusters.length);
  });
});

describe('recheckShards', () => {
  const shard = {
    subscriptionId: 'sub',
    location: 'japaneast',
    clusters: [
      { subscriptionId: 'sub', resourceGroup: 'RG-a' },
      { subscriptionId: 'sub', resourceGroup: 'rg-b' },
      { subscriptionId: 'sub', resourceGroup: 'rg-c' },
    ],
  };
  it.each([
    ['nothing settling', [false, false, false], []],
    ['one settling', [false, true, false], ['rg-b']],
    ['two settling', [true, false, true], ['RG-a', 'rg-c']],
  ] as const)('%s', (_name, settling, expected) => {
    const results = shard.clusters.map((c, i) => ({
      cluster: `sub/${c.resourceGroup.toLowerCase()}`,
      ok: true,
      settling: settling[i],
      signalErrors: [],
    }));
    const out = recheckShards(shard, results, '2026-11-25T00:00:00Z');
    expect(out.map((s) => s.clusters.map((c) => c.resourceGroup)).flat()).toEqual(expected);
    expect(out.every((s) => s.reason === 'recheck' && s.clusters.length === 1 && s.location === 'japaneast')).toBe(
      true,
    );
    for (const s of out) expect(parseShardMessage(JSON.stringify(s))).toMatchObject({ reason: 'recheck' });
  });
  it('a failed evaluation is not rechecked (the sweep retries it)', () => {
    const failed = [{ cluster: 'sub/rg-a', ok: false, settling: true, signalErrors: [] }];
    expect(recheckShards(shard, failed, '2026-11-25T00:00:00Z')).toEqual([]);
  });
});

describe('parseShardMessage', () => {
  const ok = {
    subscriptionId: SUB_A,
    location: 'japaneast',
    clusters: [{ subscriptionId: SUB_A, resourceGroup: 'rg' }],
    reason: 'sweep',
    at: 'x',
  };
  it.each([
    { name: 'a message', input: ok, valid: true },
    { name: 'as JSON text', input: JSON.stringify(ok), valid: true },
    { name: 'not JSON', input: '{', valid: false },
    { name: 'no clusters', input: { ...ok, clusters: [] }, valid: false },
    {
      name: 'too many clusters',
      input: { ...ok, clusters: Array.from({ length: 51 }, () => ok.clusters[0]) },
      valid: false,
    },
    { name: 'cluster without group', input: { ...ok, clusters: [{ subscriptionId: SUB_A }] }, valid: false },
    { name: 'no location', input: { ...ok, location: undefined }, valid: false },
    { name: 'null', input: null, valid: false },
  ])('$name', ({ input, valid }) => {
    expect(parseShardMessage(input) !== undefined).toBe(valid);
  });
});

describe('clustersForTargets', () => {
  const r1 = record(SUB_A, 'rg-one');
  const r2 = record(SUB_A, 'rg-two');
  it.each([
    { name: 'the LB id', targets: [r1.loadBalancerId], clusters: ['rg-one'], unknown: 0 },
    { name: 'LB id in upper case', targets: [r1.loadBalancerId.toUpperCase()], clusters: ['rg-one'], unknown: 0 },
    { name: 'a node VM, lower case', targets: [r2.nodes[1].vmId.toLowerCase()], clusters: ['rg-two'], unknown: 0 },
    { name: 'the witness VM', targets: [r1.witness.vmId], clusters: ['rg-one'], unknown: 0 },
    { name: 'a child of a VM', targets: [`${r1.nodes[0].vmId}/extensions/x`], clusters: ['rg-one'], unknown: 0 },
    { name: 'trailing slash', targets: [`${r1.loadBalancerId}/`], clusters: ['rg-one'], unknown: 0 },
    {
      name: 'the resource group',
      targets: [`/subscriptions/${SUB_A}/resourceGroups/RG-TWO`],
      clusters: ['rg-two'],
      unknown: 0,
    },
    {
      name: 'both clusters, deduplicated',
      targets: [r1.loadBalancerId, r1.witness.vmId, r2.loadBalancerId],
      clusters: ['rg-one', 'rg-two'],
      unknown: 0,
    },
    {
      name: 'an unknown VM',
      targets: [`/subscriptions/${SUB_B}/resourceGroups/other/providers/Microsoft.Compute/virtualMachines/x`],
      clusters: [],
      unknown: 1,
    },
    {
      name: 'another VM in a cluster group maps by its group',
      targets: [`/subscriptions/${SUB_A}/resourceGroups/rg-one/providers/Microsoft.Compute/virtualMachines/other`],
      clusters: ['rg-one'],
      unknown: 0,
    },
    { name: 'a subscription only', targets: [`/subscriptions/${SUB_A}`], clusters: [], unknown: 1 },
    { name: 'no targets', targets: [], clusters: [], unknown: 0 },
  ])('$name', ({ targets, clusters, unknown }) => {
    const out = clustersForTargets(targets, [r1, r2]);
    expect(out.clusters.map((c) => c.resourceGroup).sort()).toEqual(clusters);
    expect(out.unknown).toHaveLength(unknown);
  });
});

describe('relayFromRecord and snapshotChanges', () => {
  const snap = (
    seqA: number,
    commstatA = 'UP',
    peersB: { node: string; commstat?: string }[] = [{ node: 'Clstr-nodeA', commstat: 'UP' }],
  ): QwkSnapshotRecord => ({
    subscriptionId: SUB_A,
    resourceGroup: 'rg',
    counter: 7,
    witnessTime: '2026-11-25T10:00:05.000Z',
    receivedAt: '2026-11-25T10:00:05.300Z',
    objects: [],
    nodes: [
      {
        node: 'Clstr-nodeA',
        object: 'Clstr_nodeA',
        sequence: seqA,
        lastAdvancedAt: '2026-11-25T10:00:03.000Z',
        advanceSeenAt: '2026-11-25T10:00:05.000Z',
        mtime: '2026-11-25T10:00:03.000Z',
        peers: [{ node: 'Clstr-nodeB', commstat: commstatA }],
      },
      {
        node: 'Clstr-nodeB',
        object: 'Clstr_nodeB',
        sequence: 40,
        lastAdvancedAt: '2026-11-25T10:00:01.000Z',
        advanceSeenAt: '2026-11-25T10:00:05.000Z',
        mtime: '2026-11-25T10:00:01.000Z',
        peers: peersB,
      },
    ],
  });
  it('maps each node with its peer and commstat; times unchanged', () => {
    const relay = relayFromRecord(snap(12, 'DOWN', []));
    expect(relay).toEqual({
      receivedAt: '2026-11-25T10:00:05.300Z',
      witnessTime: '2026-11-25T10:00:05.000Z',
      counter: 7,
      nodes: [
        {
          node: 'Clstr-nodeA',
          sequence: 12,
          lastAdvancedAt: '2026-11-25T10:00:03.000Z',
          commstat: 'DOWN',
          peer: 'Clstr-nodeB',
        },
        { node: 'Clstr-nodeB', sequence: 40, lastAdvancedAt: '2026-11-25T10:00:01.000Z', commstat: 'unknown' },
      ],
    });
  });
  it.each([
    { name: 'first snapshot', prev: undefined, next: snap(1), changes: true },
    { name: 'nothing moved', prev: snap(1), next: { ...snap(1), counter: 8 }, changes: false },
    { name: 'sequence advanced', prev: snap(1), next: snap(2), changes: true },
    { name: 'commstat changed', prev: snap(1), next: snap(1, 'DOWN'), changes: true },
    {
      name: 'peer (node=) changed',
      prev: snap(1),
      next: snap(1, 'UP', [{ node: 'Clstr-nodeC', commstat: 'UP' }]),
      changes: true,
    },
    { name: 'a node appeared', prev: { ...snap(1), nodes: snap(1).nodes.slice(0, 1) }, next: snap(1), changes: true },
  ])('$name', ({ prev, next, changes }) => {
    expect(snapshotChanges(prev, next)).toBe(changes);
  });
  const at = (r: QwkSnapshotRecord, witnessTime: string): QwkSnapshotRecord => ({ ...r, counter: 8, witnessTime });
  it.each([
    {
      name: 'healthy and unchanged: the sweep is enough',
      prev: snap(1),
      next: at(snap(1), '2026-11-25T10:00:05Z'),
      calls: false,
    },
    { name: 'changed', prev: snap(1), next: snap(2), calls: true },
    {
      name: 'objects 9 s and 11 s old (≤ half of 24 s)',
      prev: snap(1),
      next: at(snap(1), '2026-11-25T10:00:12Z'),
      calls: false,
    },
    {
      name: "nodeB's object 13 s old (> half of 24 s)",
      prev: snap(1),
      next: at(snap(1), '2026-11-25T10:00:14Z'),
      calls: true,
    },
    {
      name: 'commstat DOWN, unchanged',
      prev: snap(1, 'DOWN'),
      next: at(snap(1, 'DOWN'), '2026-11-25T10:00:05Z'),
      calls: true,
    },
    {
      name: 'a peer without commstat counts as UP',
      prev: snap(1, 'UP', [{ node: 'Clstr-nodeA' }]),
      next: at(snap(1, 'UP', [{ node: 'Clstr-nodeA' }]), '2026-11-25T10:00:05Z'),
      calls: false,
    },
    {
      name: 'a registered node without an object, unchanged',
      prev: { ...snap(1), nodes: snap(1).nodes.slice(0, 1) },
      next: { ...snap(1), counter: 8, nodes: snap(1).nodes.slice(0, 1) },
      calls: true,
    },
  ])('snapshotCallsForEvaluation: $name', ({ prev, next, calls }) => {
    expect(snapshotCallsForEvaluation(prev, next, record(SUB_A, 'rg'))).toBe(calls);
  });
  it('facts come from the registry row', () => {
    const f = factsFromRecord(record(SUB_A, 'rg'));
    expect(f.qwk).toEqual({ hbeatTime: 6, numHbeats: 4 });
    expect(f.nodes.map((n) => n.serviceIp)).toEqual(['10.0.1.11', '10.0.1.12']);
    expect(f.activeNode).toBe('Clstr-nodeA');
    expect(f.relayIntervalSeconds).toBe(5);
  });
});

describe('cluster view', () => {
  const r = record(SUB_A, 'rg-one');
  const health = {
    subscriptionId: SUB_A,
    resourceGroup: 'rg-one',
    state: 'FailedOver',
    since: '2026-11-25T10:00:00.000Z',
    activeNode: 'Clstr-nodeB',
    failover: { from: 'Clstr-nodeA', to: 'Clstr-nodeB', at: '2026-11-25T10:00:00.000Z' },
    tracks: [],
    conditions: [],
    maintenance: false,
    missingSignals: ['metrics'],
    notes: [],
    nodes: [
      { name: 'Clstr-nodeA', serviceIp: '10.0.1.11', probe: 'Down' },
      {
        name: 'Clstr-nodeB',
        serviceIp: '10.0.1.12',
        probe: 'Up',
        qwk: { sequence: 3, lastAdvancedAt: 'x', ageSeconds: 1, fresh: true, commstat: 'UP' },
      },
    ],
    witness: { name: 'Clstr-witness', power: 'running' },
    lastEvaluatedAt: '2026-11-25T10:00:10.000Z',
    evaluations: 9,
  } as unknown as ClusterHealth;
  const incident = (status: 'open' | 'resolved', openedAt: string) => ({
    key: `k-${openedAt}`,
    subscriptionId: SUB_A,
    resourceGroup: 'rg-one',
    kind: 'FailedOver' as const,
    severity: 'error' as const,
    status,
    openedAt,
    updatedAt: openedAt,
    revision: 1,
    firstEvidence: [],
    lastEvidence: [],
    maintenance: false,
  });
  it('lists registered clusters, evaluated or not', () => {
    const list = clusterList(
      [record(SUB_A, 'rg-two'), r],
      [{ health, incidents: [incident('open', 'a'), incident('resolved', 'b')] }],
    );
    expect(list).toEqual([
      {
        subscriptionId: SUB_A,
        resourceGroup: 'rg-one',
        location: 'japaneast',
        state: 'FailedOver',
        activeNode: 'Clstr-nodeB',
        since: health.since,
        openIncidents: 1,
        lastEvaluatedAt: health.lastEvaluatedAt,
      },
      {
        subscriptionId: SUB_A,
        resourceGroup: 'rg-two',
        location: 'japaneast',
        state: null,
        activeNode: 'Clstr-nodeA',
        since: null,
        openIncidents: 0,
        lastEvaluatedAt: null,
      },
    ]);
  });
  it('details nodes, open incidents and the timeline newest first (at most 50)', () => {
    const timeline = Array.from({ length: 60 }, (_, i) => ({
      at: new Date(Date.UTC(2026, 10, 25, 10, 0, i)).toISOString(),
      kind: 'state' as const,
      to: 'Healthy',
      maintenance: false,
      text: `t${i}`,
    }));
    const d = clusterDetail(
      r,
      { health, incidents: [incident('resolved', 'a'), incident('open', 'c'), incident('open', 'b')] },
      timeline,
    );
    expect(d.nodes.map((n) => [n.name, n.probe, n.active])).toEqual([
      ['Clstr-nodeA', 'Down', false],
      ['Clstr-nodeB', 'Up', true],
    ]);
    expect(d.incidents.map((i) => i.openedAt)).toEqual(['b', 'c']);
    expect(d.timeline).toHaveLength(50);
    expect(d.timeline[0].text).toBe('t59');
    expect(d.failover?.to).toBe('Clstr-nodeB');
    expect(d.missingSignals).toEqual(['metrics']);
  });
  it('before the first evaluation every node is missing', () => {
    const d = clusterDetail(r, undefined, []);
    expect(d.state).toBeNull();
    expect(d.nodes.every((n) => n.probe === 'missing')).toBe(true);
    expect(d.witness).toEqual({ name: 'Clstr-witness' });
  });
});

describe('needsPowerRead', () => {
  const facts = factsFromRecord(record(SUB_A, 'rg'));
  const now = Date.parse('2026-11-25T10:00:10.000Z');
  const probe = (a: 'Up' | 'Down', b: 'Up' | 'Down') => ({
    observedAt: '2026-11-25T10:00:09.000Z',
    backends: [
      { ipAddress: '10.0.1.11', state: a },
      { ipAddress: '10.0.1.12', state: b },
    ],
  });
  const relay = (o: { receivedAt?: string; ageA?: number; commstat?: string } = {}) => ({
    receivedAt: o.receivedAt ?? '2026-11-25T10:00:08.000Z',
    witnessTime: '2026-11-25T10:00:08.000Z',
    counter: 3,
    nodes: [
      {
        node: 'Clstr-nodeA',
        sequence: 1,
        lastAdvancedAt: new Date(Date.parse('2026-11-25T10:00:08.000Z') - (o.ageA ?? 2) * 1000).toISOString(),
        commstat: o.commstat ?? 'UP',
      },
      { node: 'Clstr_nodeB', sequence: 1, lastAdvancedAt: '2026-11-25T10:00:06.000Z', commstat: 'UP' },
    ],
  });
  it.each([
    { name: 'plainly healthy', p: probe('Up', 'Down'), r: relay(), read: false },
    { name: 'no probe', p: undefined, r: relay(), read: true },
    { name: 'no relay', p: probe('Up', 'Down'), r: undefined, read: true },
    { name: 'nobody answers', p: probe('Down', 'Down'), r: relay(), read: true },
    { name: 'both answer', p: probe('Up', 'Up'), r: relay(), read: true },
    { name: 'relay late', p: probe('Up', 'Down'), r: relay({ receivedAt: '2026-11-25T09:59:50.000Z' }), read: true },
    { name: 'an object going stale', p: probe('Up', 'Down'), r: relay({ ageA: 13 }), read: true },
    { name: 'commstat DOWN', p: probe('Up', 'Down'), r: relay({ commstat: 'DOWN' }), read: true },
  ])('$name → read: $read', ({ p, r, read }) => {
    expect(needsPowerRead(facts, p, r, now)).toBe(read);
  });
});

describe("ClusterMonitor: the registry row's maintenance windows reach the diagnosis", () => {
  const NOW = new Date('2026-11-25T10:00:00.000Z');
  async function evaluate(maintenance?: ClusterRecord['maintenance']) {
    let outcome: EvaluationOutcome | undefined;
    const store = {
      evaluate: async (_s: string, _r: string, _now: string, fn: (m: ClusterMemory) => Promise<EvaluationOutcome>) => {
        outcome = await fn({ incidents: [] });
        return { ...outcome, published: [] };
      },
    } as unknown as IncidentStore;
    const rec = { ...record(SUB_A, 'rg'), ...(maintenance ? { maintenance } : {}) };
    const monitor = new ClusterMonitor({
      registry: { get: () => Promise.resolve(rec), list: () => Promise.resolve([rec]) },
      snapshots: { get: () => Promise.resolve(undefined) },
      store,
      alerts: { recentBySubscription: () => Promise.resolve(new Map()) },
      readers: {
        // Nobody answers and no relay: conditions a first evaluation would report at once.
        probe: () => Promise.resolve({ observedAt: NOW.toISOString(), backends: [] }),
        power: () => Promise.resolve({}),
        metrics: () => Promise.resolve({ byLoadBalancer: new Map(), calls: 0, errors: [] }),
      },
      now: () => NOW,
      alertLookbackMinutes: 60,
      warn: () => undefined,
    });
    const result = await monitor.evaluateRecord(rec, { now: NOW, alerts: [] });
    expect(result.ok).toBe(true);
    return outcome!;
  }

  it.each([
    ['no window', undefined, false],
    [
      'a window around now',
      [{ from: '2026-11-25T09:59:00.000Z', until: '2026-11-25T10:01:00.000Z', reason: 'drill', by: 'drl-1' }],
      true,
    ],
    [
      'a window that ended',
      [{ from: '2026-11-25T09:00:00.000Z', until: '2026-11-25T09:59:59.000Z', reason: 'old', by: 'dpl-0' }],
      false,
    ],
  ])('%s', async (_name, windows, inMaintenance) => {
    const o = await evaluate(windows);
    expect(o.health.maintenance).toBe(inMaintenance);
    expect(o.health.conditions.length).toBeGreaterThan(0);
    // In maintenance the conditions are recorded and open nothing.
    expect(o.transitions.length === 0).toBe(inMaintenance);
  });
});
