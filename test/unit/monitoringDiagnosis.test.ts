import { describe, expect, it } from 'vitest';
import { diagnose, type ClusterHealth, type TimelineEntry } from '../../shared/monitoring/diagnosis';
import { evaluateCluster, type ClusterMemory } from '../../shared/monitoring/evaluation';
import { planDeployment } from '../../shared/plan';
import { clusterRecord } from '../../shared/registry/clusterRecord';
import { scriptParamsFromSpec } from '../../shared/scripts';
import { parseClusterSpec } from '../../shared/spec';
import type { IncidentTransition } from '../../shared/monitoring/contracts';
import type {
  AvailabilityMetrics,
  ClusterFacts,
  ClusterSignals,
  MaintenanceWindow,
  PowerState,
} from '../../shared/monitoring/signals';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const iso = (t: number) => new Date(T0 + t * 1000).toISOString();
const A = 'Clstr-nodeA';
const B = 'Clstr-nodeB';
const W = 'Witness-node';
const SUB = '00000000-0000-0000-0000-000000000001';
const RG = 'LKL-QWK-storage';
const vmId = (n: string) =>
  `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/${n}`;
const LB = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/loadBalancers/LKL-QWK-storage-ILB`;

/** The guide's cluster: HBEATTIME 6 × NUMHBEATS 4 = 24 s. */
const facts: ClusterFacts = {
  subscriptionId: SUB,
  resourceGroup: RG,
  loadBalancerId: LB,
  probePort: 12345,
  nodes: [
    { name: A, vmId: vmId(A), serviceIp: '10.5.1.11', priority: 1 },
    { name: B, vmId: vmId(B), serviceIp: '10.5.1.12', priority: 10 },
  ],
  witness: { name: W, vmId: vmId(W) },
  qwk: { hbeatTime: 6, numHbeats: 4 },
  activeNode: A,
};
const IP: Record<'A' | 'B', string> = { A: '10.5.1.11', B: '10.5.1.12' };

type N = 'A' | 'B';
interface Step {
  /** Seconds after T0 (app clock). */
  t: number;
  /** Nodes answering the probe; null = no probe read. */
  up?: N[] | null;
  /** Age of the probe read in seconds (default 0). */
  probeAge?: number;
  /** Seconds since each object advanced, by the witness's clock at the snapshot; null = no object. */
  age?: Partial<Record<N, number | null>>;
  commstat?: Partial<Record<N, string>>;
  /** Seconds since the last snapshot arrived (app clock); null = never a snapshot. */
  relayAge?: number | null;
  /** Witness clock minus app clock, seconds. */
  skew?: number;
  power?: Record<string, PowerState>;
  metrics?: AvailabilityMetrics;
  maintenance?: MaintenanceWindow[];
  expect?: { state: ClusterHealth['state']; active?: string; kinds?: string[] };
}

function signalsOf(s: Step): ClusterSignals {
  const now = T0 + s.t * 1000;
  const up = s.up === undefined ? ['A'] : s.up;
  const relayAge = s.relayAge === undefined ? 1 : s.relayAge;
  const skew = (s.skew ?? 0) * 1000;
  const ages: Record<N, number | null> = { A: 2, B: 4, ...(s.age ?? {}) };
  const signals: ClusterSignals = {
    now: new Date(now).toISOString(),
    facts,
    power: s.power ?? { [A]: 'running', [B]: 'running', [W]: 'running' },
    ...(s.metrics ? { metrics: s.metrics } : {}),
    ...(s.maintenance ? { maintenance: s.maintenance } : {}),
  };
  if (up !== null) {
    signals.probe = {
      observedAt: new Date(now - (s.probeAge ?? 0) * 1000).toISOString(),
      backends: (['A', 'B'] as N[]).map((n) => ({ ipAddress: IP[n], state: up.includes(n) ? 'Up' : 'Down' })),
    };
  }
  if (relayAge !== null) {
    const receivedAt = now - relayAge * 1000;
    const witnessTime = receivedAt + skew;
    signals.relay = {
      receivedAt: new Date(receivedAt).toISOString(),
      witnessTime: new Date(witnessTime).toISOString(),
      counter: Math.floor(receivedAt / 5000),
      nodes: (['A', 'B'] as N[])
        .filter((n) => ages[n] !== null)
        .map((n) => ({
          node: n === 'A' ? A : B,
          sequence: Math.floor((witnessTime - ages[n]! * 1000) / 6000),
          lastAdvancedAt: new Date(witnessTime - ages[n]! * 1000).toISOString(),
          commstat: s.commstat?.[n] ?? 'UP',
          peer: n === 'A' ? B : A,
        })),
    };
  }
  return signals;
}

function run(steps: Step[], start?: ClusterHealth) {
  let health = start;
  const out: { health: ClusterHealth; timeline: TimelineEntry[] }[] = [];
  for (const s of steps) {
    const r = diagnose(signalsOf(s), health);
    health = r.health;
    out.push(r);
  }
  return out;
}

const kinds = (h: ClusterHealth) => h.conditions.map((c) => (c.node ? `${c.kind}:${c.node}` : c.kind)).sort();

/** Healthy steps every 5 s from t = -20 to 0: the cluster's normal life before a scenario starts. */
const warmup: Step[] = [-20, -15, -10, -5, 0].map((t) => ({ t }));

interface Scenario {
  name: string;
  steps: Step[];
}

// Each step's `expect` is checked; a step without one is not.
const scenarios: Scenario[] = [
  {
    name: 'steady healthy cluster',
    steps: [...warmup, { t: 5, expect: { state: 'Healthy', active: A, kinds: [] } }],
  },
  {
    name: "guide §9.3: isolateNode on nodeA → NodeLost(A) and FailedOver A → B, no Outage; A's reboot heals",
    steps: [
      ...warmup,
      // nodeA's interfaces go down at t=0: its object stops (last advance at t=-1), it stops answering.
      { t: 5, up: [], age: { A: 6 }, expect: { state: 'Healthy', active: A } },
      { t: 10, up: [], age: { A: 11 } },
      { t: 20, up: [], age: { A: 21 } },
      // 26 s without an advance: first sighting, not yet reported
      { t: 25, up: [], age: { A: 26 }, commstat: { B: 'DOWN' }, expect: { state: 'Healthy', kinds: [] } },
      // LifeKeeper on B took over at ~24 s: B answers
      {
        t: 30,
        up: ['B'],
        age: { A: 31 },
        commstat: { B: 'DOWN' },
        expect: { state: 'NodeLost', kinds: [`NodeLost:${A}`] },
      },
      {
        t: 35,
        up: ['B'],
        age: { A: 36 },
        commstat: { B: 'DOWN' },
        expect: { state: 'FailedOver', active: B, kinds: [`FailedOver:${A}`, `NodeLost:${A}`] },
      },
      { t: 60, up: ['B'], age: { A: 61 }, commstat: { B: 'DOWN' }, expect: { state: 'FailedOver', active: B } },
      // nodeA rebooted from the portal: its object advances again, commstat UP, it does not answer (standby)
      { t: 65, up: ['B'], age: { A: 2 }, expect: { state: 'FailedOver', active: B } },
      // two observations as standby: healed, B stays active
      { t: 70, up: ['B'], age: { A: 1 }, expect: { state: 'Healthy', active: B, kinds: [] } },
    ],
  },
  {
    name: 'a normal failover (nobody answers for 25 s) is not an Outage',
    steps: [
      ...warmup,
      ...[3, 8, 13, 18, 23].map((t) => ({ t, up: [] as N[] })),
      { t: 28, up: [], expect: { state: 'Healthy', kinds: [] } },
      { t: 30, up: ['B'] },
      { t: 35, up: ['B'], expect: { state: 'FailedOver', active: B, kinds: [`FailedOver:${A}`] } },
    ],
  },
  {
    name: 'Outage: nobody answers for longer than 24 s + 10 s, reported at once',
    steps: [
      ...warmup,
      ...[5, 10, 15, 20, 25, 30].map((t) => ({ t, up: [] as N[] })),
      { t: 35, up: [], expect: { state: 'Healthy' } },
      { t: 40, up: [], expect: { state: 'Outage', active: A, kinds: ['Outage'] } },
      { t: 45, up: ['A'], expect: { state: 'Outage' } },
      { t: 50, up: ['A'], expect: { state: 'Healthy', kinds: [] } },
    ],
  },
  {
    name: 'SplitBrain: both answer in two reads ≥ 5 s apart, reported at once',
    steps: [
      ...warmup,
      { t: 1, up: ['A', 'B'] },
      { t: 4, up: ['A', 'B'], expect: { state: 'Healthy' } },
      {
        t: 6,
        up: ['A', 'B'],
        commstat: { A: 'DOWN', B: 'DOWN' },
        expect: { state: 'SplitBrain', kinds: ['SplitBrain'] },
      },
      {
        t: 11,
        up: ['A', 'B'],
        commstat: { A: 'DOWN', B: 'DOWN' },
        expect: { state: 'SplitBrain', kinds: ['CommPathsDown', 'SplitBrain'] },
      },
    ],
  },
  {
    name: 'flapping probe (both up, one up, alternately) is never a SplitBrain',
    steps: [
      ...warmup,
      ...[5, 10, 15, 20, 25, 30, 35].map((t, i): Step => ({
        t,
        up: i % 2 ? ['A'] : ['A', 'B'],
        expect: { state: 'Healthy', active: A, kinds: [] },
      })),
    ],
  },
  {
    name: 'flapping active node (B alone for single reads) is never a failover',
    steps: [
      ...warmup,
      ...[5, 10, 15, 20, 25].map((t, i): Step => ({
        t,
        up: i % 2 ? ['A'] : ['B'],
        expect: { state: 'Healthy', active: A, kinds: [] },
      })),
    ],
  },
  {
    name: 'CommPathsDown: both objects fresh with commstat=DOWN, after two observations; no failover',
    steps: [
      ...warmup,
      { t: 5, commstat: { A: 'DOWN', B: 'DOWN' }, expect: { state: 'Healthy' } },
      {
        t: 10,
        commstat: { A: 'DOWN', B: 'DOWN' },
        expect: { state: 'CommPathsDown', active: A, kinds: ['CommPathsDown'] },
      },
      { t: 15, commstat: { A: 'DOWN', B: 'DOWN' }, expect: { state: 'CommPathsDown', active: A } },
      { t: 20, expect: { state: 'CommPathsDown' } },
      { t: 25, expect: { state: 'Healthy', kinds: [] } },
    ],
  },
  {
    name: 'a single DOWN (one object, or one observation) is not CommPathsDown',
    steps: [
      ...warmup,
      { t: 5, commstat: { B: 'DOWN' }, expect: { state: 'Healthy' } },
      { t: 10, commstat: { B: 'DOWN' }, expect: { state: 'Healthy' } },
      { t: 15, commstat: { A: 'DOWN', B: 'DOWN' }, expect: { state: 'Healthy' } },
      { t: 20, expect: { state: 'Healthy', kinds: [] } },
    ],
  },
  {
    name: 'witnessDown: both objects stop together while the probe shows service → WitnessLost, no NodeLost',
    steps: [
      ...warmup,
      { t: 25, age: { A: 26, B: 29 }, expect: { state: 'Healthy' } },
      { t: 30, age: { A: 31, B: 34 }, expect: { state: 'WitnessLost', active: A, kinds: [`WitnessLost:${W}`] } },
    ],
  },
  {
    name: 'both objects still for > 2 × HBEATTIME + relay interval (17 s) → WitnessLost before LifeKeeper decides at 24 s',
    steps: [
      ...warmup,
      { t: 5, age: { A: 15, B: 17 }, expect: { state: 'Healthy', kinds: [] } },
      { t: 10, age: { A: 18, B: 20 }, expect: { state: 'Healthy' } },
      { t: 15, age: { A: 18.5, B: 20.5 }, expect: { state: 'WitnessLost', active: A, kinds: [`WitnessLost:${W}`] } },
    ],
  },
  {
    name: 'one object still for 20 s (< 24 s), its peer advancing → neither NodeLost nor WitnessLost',
    steps: [
      ...warmup,
      { t: 5, age: { A: 20 }, expect: { state: 'Healthy', kinds: [] } },
      { t: 10, age: { A: 22 }, expect: { state: 'Healthy', kinds: [] } },
    ],
  },
  {
    name: 'relay silent for > 3 × 5 s + 5 s → WitnessLost (no verdict on the nodes)',
    steps: [
      ...warmup,
      { t: 5, relayAge: 16, age: { A: 20, B: 22 }, expect: { state: 'Healthy' } },
      { t: 10, relayAge: 21, age: { A: 30, B: 28 } },
      { t: 15, relayAge: 26, age: { A: 30, B: 28 }, expect: { state: 'WitnessLost', kinds: [`WitnessLost:${W}`] } },
    ],
  },
  {
    name: 'the witness VM stopped → WitnessLost; a node VM stopped → NodeLost at once from power',
    steps: [
      ...warmup,
      { t: 5, power: { [A]: 'running', [B]: 'deallocated', [W]: 'stopped' } },
      {
        t: 10,
        power: { [A]: 'running', [B]: 'deallocated', [W]: 'stopped' },
        expect: { state: 'WitnessLost', kinds: [`NodeLost:${B}`, `WitnessLost:${W}`] },
      },
    ],
  },
  {
    name: 'no probe read: MonitoringBlind at once, never Healthy',
    steps: [
      ...warmup,
      { t: 5, up: null, expect: { state: 'MonitoringBlind', kinds: ['MonitoringBlind'] } },
      { t: 10, probeAge: 45, expect: { state: 'MonitoringBlind' } },
      { t: 15, expect: { state: 'MonitoringBlind' } },
      { t: 20, expect: { state: 'Healthy' } },
    ],
  },
  {
    name: 'never a relay snapshot: MonitoringBlind from the first evaluation',
    steps: [{ t: 0, relayAge: null, expect: { state: 'MonitoringBlind', kinds: ['MonitoringBlind'] } }],
  },
  {
    name: 'witness clock 10 minutes ahead of the app: ages are read on the witness clock only',
    steps: [
      ...warmup.map((s) => ({ ...s, skew: 600 })),
      { t: 5, skew: 600, expect: { state: 'Healthy', kinds: [] } },
      { t: 25, skew: 600, age: { A: 26 } },
      { t: 30, skew: 600, age: { A: 31 }, expect: { state: 'NodeLost', kinds: [`NodeLost:${A}`] } },
    ],
  },
  {
    name: 'witness clock 10 minutes behind the app: same verdicts',
    steps: [
      ...warmup.map((s) => ({ ...s, skew: -600 })),
      { t: 5, skew: -600, expect: { state: 'Healthy', kinds: [] } },
      { t: 25, skew: -600, age: { A: 26 } },
      { t: 30, skew: -600, age: { A: 31 }, expect: { state: 'NodeLost', kinds: [`NodeLost:${A}`] } },
    ],
  },
  {
    name: 'hysteresis: a one-observation stale object is never reported',
    steps: [
      ...warmup,
      { t: 5, age: { B: 30 } },
      { t: 10, expect: { state: 'Healthy', kinds: [] } },
      { t: 15, age: { B: 30 } },
      { t: 20, expect: { state: 'Healthy', kinds: [] } },
    ],
  },
  {
    name: 'hysteresis: observations less than 2 s apart count once',
    steps: [
      ...warmup,
      { t: 5, age: { B: 30 } },
      { t: 5.5, age: { B: 30.5 }, expect: { state: 'Healthy' } },
      { t: 6, age: { B: 31 }, expect: { state: 'Healthy' } },
      { t: 8, age: { B: 33 }, expect: { state: 'NodeLost', kinds: [`NodeLost:${B}`] } },
    ],
  },
  {
    name: 'the first evaluation reports what it finds at once',
    steps: [{ t: 0, age: { B: 40 }, expect: { state: 'NodeLost', active: A, kinds: [`NodeLost:${B}`] } }],
  },
];

describe('diagnose: scenarios', () => {
  for (const sc of scenarios) {
    it(sc.name, () => {
      const results = run(sc.steps);
      sc.steps.forEach((s, i) => {
        if (!s.expect) return;
        const h = results[i].health;
        const where = `${sc.name} @ t=${s.t}`;
        expect(h.state, where).toBe(s.expect.state);
        if (s.expect.active) expect(h.activeNode, where).toBe(s.expect.active);
        if (s.expect.kinds) expect(kinds(h), where).toEqual([...s.expect.kinds].sort());
      });
    });
  }
});

describe('diagnose: evidence and timeline', () => {
  it("NodeLost says how long the object has not advanced, by the witness's clock, against 24 s", () => {
    const r = run([...warmup, { t: 25, age: { A: 26 } }, { t: 30, age: { A: 31 } }]);
    const c = r.at(-1)!.health.conditions.find((x) => x.kind === 'NodeLost')!;
    expect(c.severity).toBe('error');
    expect(c.evidence[0].source).toBe('qwk');
    expect(c.evidence[0].text).toMatch(/31 s by the witness's clock \(limit 24 s = HBEATTIME 6 × NUMHBEATS 4\)/);
    expect(c.evidence[0].data).toMatchObject({ fact: 'qwk.stale', ageSeconds: 31, limitSeconds: 24 });
  });

  it('the timeline records each state change and the active node change once', () => {
    const steps: Step[] = [
      ...warmup,
      { t: 25, up: [], age: { A: 26 } },
      { t: 30, up: ['B'], age: { A: 31 } },
      { t: 35, up: ['B'], age: { A: 36 } },
      { t: 40, up: ['B'], age: { A: 41 } },
    ];
    const timeline = run(steps).flatMap((r) => r.timeline);
    expect(timeline.map((e) => `${e.kind}:${e.from ?? ''}→${e.to}`)).toEqual([
      'state:→Healthy',
      'state:Healthy→NodeLost',
      `activeNode:${A}→${B}`,
      'state:NodeLost→FailedOver',
    ]);
    expect(timeline.at(-1)!.text).toContain(`FailedOver ${A} → ${B} (Unprotected)`);
  });

  it('MonitoringBlind says which signal is missing; metrics and power missing are listed but not blinding', () => {
    const s = signalsOf({ t: 0, up: null });
    delete s.power;
    const h = diagnose(s, undefined).health;
    expect(h.state).toBe('MonitoringBlind');
    expect(h.conditions[0].missingSignals).toEqual(['probe']);
    expect(h.missingSignals).toEqual(['probe', 'power', 'metrics']);
  });

  it('an unknown commstat value is kept, and is not DOWN', () => {
    const h = run([
      ...warmup,
      { t: 5, commstat: { A: 'PARTIAL', B: 'DOWN' } },
      { t: 10, commstat: { A: 'PARTIAL', B: 'DOWN' } },
    ]).at(-1)!.health;
    expect(h.state).toBe('Healthy');
    expect(h.nodes[0].qwk?.commstat).toBe('PARTIAL');
  });

  it('alerts that fired about the load balancer are evidence of an Outage', () => {
    const steps: Step[] = [...warmup, ...[5, 10, 15, 20, 25, 30, 35, 40].map((t) => ({ t, up: [] as N[] }))];
    let health: ClusterHealth | undefined;
    for (const s of steps) {
      const sig = signalsOf(s);
      sig.alerts = [
        {
          alertId: 'a-1',
          rule: 'ilb-dip-outage',
          condition: 'DipAvailability < 25',
          monitorCondition: 'Fired',
          firedAt: iso(30),
          targets: [LB.toUpperCase()],
        },
      ];
      health = diagnose(sig, health).health;
    }
    const outage = health!.conditions.find((c) => c.kind === 'Outage')!;
    expect(outage.evidence.map((e) => e.source)).toEqual(['probe', 'alert']);
  });
});

/** Per-minute availability, as Azure samples it: a steady 50 % can read 46.15. */
function wobble(i: number): AvailabilityMetrics {
  const minutes = [0, 1, 2].map((m) => iso(-180 + 60 * (m + i)));
  const v = i % 2 ? 46.15 : 50;
  return {
    dip: {
      [IP.A]: minutes.map((timeStamp) => ({ timeStamp, average: 2 * v })),
      [IP.B]: minutes.map((timeStamp) => ({ timeStamp, average: 0 })),
    },
    vip: minutes.map((timeStamp, k) => (k === 2 ? { timeStamp } : { timeStamp, average: 100 })),
  };
}

function evaluateAll(steps: Step[]) {
  let memory: ClusterMemory = { incidents: [] };
  const transitions: IncidentTransition[] = [];
  const states: string[] = [];
  for (const s of steps) {
    const r = evaluateCluster(signalsOf(s), memory);
    memory = { health: r.health, incidents: r.incidents };
    transitions.push(...r.transitions);
    states.push(r.health.state);
  }
  return { memory, transitions, states };
}

describe('diagnose + incidents', () => {
  it('the 46.15 wobble of a steady 50 % changes nothing: Healthy, no timeline, no transition', () => {
    const steps = Array.from({ length: 10 }, (_, i) => ({ t: i * 10, metrics: wobble(i) }));
    const results = run(steps);
    expect(results.map((r) => r.health.state)).toEqual(Array(10).fill('Healthy'));
    expect(results.flatMap((r) => r.timeline)).toHaveLength(1);
    expect(evaluateAll(steps).transitions).toEqual([]);
  });

  it('the wobble during an Outage is evidence, never an incident update', () => {
    const steps: Step[] = [
      ...warmup,
      ...Array.from({ length: 16 }, (_, i) => ({ t: 5 + i * 5, up: [] as N[], metrics: wobble(i) })),
    ];
    const { transitions } = evaluateAll(steps);
    expect(transitions.map((t) => `${t.kind}:${t.incident.kind}`)).toEqual(['opened:Outage']);
    expect(transitions[0].incident.firstEvidence.some((e) => e.source === 'metrics')).toBe(true);
  });

  it("the deployment's own switchover under maintenance: conditions recorded, no incident", () => {
    const maintenance: MaintenanceWindow[] = [{ from: iso(0), until: iso(60), reason: 'deployment switchover test' }];
    const m = (s: Step): Step => ({ ...s, maintenance });
    const steps: Step[] = [
      ...warmup,
      m({ t: 5, up: [] }),
      m({ t: 10, up: ['B'] }),
      m({ t: 15, up: ['B'] }),
      m({ t: 20, up: ['B'] }),
      m({ t: 25, up: [] }),
      m({ t: 30, up: ['A'] }),
      m({ t: 35, up: ['A'] }),
      m({ t: 40, up: ['A'] }),
      { t: 65 },
      { t: 70 },
    ];
    const results = run(steps);
    const during = results.slice(warmup.length, warmup.length + 8);
    expect(during.every((r) => r.health.maintenance)).toBe(true);
    const recorded = during.flatMap((r) => r.health.conditions);
    expect(recorded.some((c) => c.kind === 'FailedOver' && c.from === A && c.to === B && c.maintenance)).toBe(true);
    expect(results.at(-1)!.health.state).toBe('Healthy');
    expect(results.at(-1)!.health.activeNode).toBe(A);
    const { transitions, memory } = evaluateAll(steps);
    expect(transitions).toEqual([]);
    expect(memory.incidents).toEqual([]);
  });

  it('a condition that outlasts maintenance opens its incident after it', () => {
    const maintenance: MaintenanceWindow[] = [{ from: iso(0), until: iso(30), reason: 'failover drill' }];
    const steps: Step[] = [
      ...warmup,
      ...[5, 10, 15, 20, 25].map((t) => ({ t, age: { B: 30 + t }, maintenance })),
      { t: 35, age: { B: 65 }, maintenance },
      { t: 40, age: { B: 70 }, maintenance },
    ];
    const { transitions } = evaluateAll(steps);
    expect(transitions.map((t) => `${t.kind}:${t.incident.kind}:${t.at}`)).toEqual([`opened:NodeLost:${iso(40)}`]);
  });

  it('§9.3 end to end: FailedOver and NodeLost open, then resolve when nodeA is back as standby', () => {
    const steps: Step[] = [
      ...warmup,
      { t: 25, up: [], age: { A: 26 } },
      { t: 30, up: ['B'], age: { A: 31 } },
      { t: 35, up: ['B'], age: { A: 36 } },
      { t: 65, up: ['B'], age: { A: 2 } },
      { t: 70, up: ['B'], age: { A: 2 } },
      { t: 75, up: ['B'], age: { A: 2 } },
    ];
    const { transitions } = evaluateAll(steps);
    expect(transitions.map((t) => `${t.kind}:${t.incident.kind}:${t.incident.node}#${t.incident.revision}`)).toEqual([
      `opened:NodeLost:${A}#1`,
      `opened:FailedOver:${A}#1`,
      `resolved:FailedOver:${A}#2`,
      `resolved:NodeLost:${A}#2`,
    ]);
    const failedOver = transitions[1];
    expect(failedOver.incident).toMatchObject({ from: A, to: B, severity: 'error' });
    expect(failedOver.cluster).toMatchObject({ activeNode: B, state: 'FailedOver' });
    expect(failedOver.id).toBe(`qwk/${SUB}/${RG.toLowerCase()}/FailedOver/${A}#1`);
  });
});

describe('diagnose: one probe read counts once', () => {
  it('a cached probe read showing another node alone does not confirm a failover by itself', () => {
    let health: ClusterHealth | undefined;
    for (const s of warmup) health = diagnose(signalsOf(s), health).health;
    const read = signalsOf({ t: 5, up: ['B'] }).probe!;
    for (const t of [5, 10, 15]) {
      const sig = signalsOf({ t });
      sig.probe = read; // the same read, 0–10 s old
      health = diagnose(sig, health).health;
    }
    expect(health!.activeNode).toBe(A);
    expect(health!.state).toBe('Healthy');
    health = diagnose(signalsOf({ t: 20, up: ['B'] }), health).health;
    expect(health.activeNode).toBe(B);
  });
});

describe('diagnose: the registry record is the facts', () => {
  it("a seed cluster's ClusterRecord drives the diagnosis as it is", () => {
    const parsed = parseClusterSpec({
      subscriptionId: SUB,
      witness: { sshSourceCidr: '203.0.113.0/24' },
      lifeKeeper: { installerLocation: 'https://mystorage.blob.core.windows.net/media/sps.img' },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const record = clusterRecord(planDeployment(parsed.spec), scriptParamsFromSpec(parsed.spec), {
      deploymentId: 'dpl-1',
      registeredAt: iso(-60),
    });
    const sig = signalsOf({ t: 0 });
    const h = diagnose({ ...sig, facts: record }, undefined).health;
    expect(h).toMatchObject({ state: 'Healthy', activeNode: A, resourceGroup: RG });
    expect(h.nodes.map((n) => [n.name, n.serviceIp, n.probe])).toEqual([
      [A, '10.5.1.11', 'Up'],
      [B, '10.5.1.12', 'Down'],
    ]);
  });
});
