import { describe, expect, it } from 'vitest';
import type { Condition, Evidence, Incident } from '../../shared/monitoring/contracts';
import { CONDITION_SEVERITY } from '../../shared/monitoring/contracts';
import { evidenceSignature, incidentLifecycle, type LifecycleInput } from '../../shared/monitoring/incidents';

const SUB = 'sub-1';
const RG = 'RG-One';
const at = (s: number) => new Date(Date.parse('2026-11-25T10:00:00Z') + s * 1000).toISOString();

const stale = (age: number): Evidence => ({
  source: 'qwk',
  text: `object has not advanced for ${age} s`,
  observedAt: at(age),
  data: { fact: 'qwk.stale', ageSeconds: age },
});
const off: Evidence = {
  source: 'power',
  text: 'Clstr-nodeA is stopped',
  observedAt: at(0),
  data: { fact: 'power.off' },
};
const metric = (v: number): Evidence => ({
  source: 'metrics',
  text: `DipAvailability ${v} %`,
  observedAt: at(0),
  data: { fact: 'metrics.availability', v },
});
const cond = (kind: Condition['kind'], evidence: Evidence[], extra: Partial<Condition> = {}): Condition => ({
  kind,
  severity: CONDITION_SEVERITY[kind],
  evidence,
  ...extra,
});
const nodeLost = (evidence: Evidence[], extra: Partial<Condition> = {}) =>
  cond('NodeLost', evidence, { node: 'Clstr-nodeA', ...extra });

function step(incidents: Incident[], conditions: Condition[], t: number, maintenance = false) {
  const input: LifecycleInput = {
    subscriptionId: SUB,
    resourceGroup: RG,
    incidents,
    conditions,
    now: at(t),
    maintenance,
    cluster: { state: conditions[0]?.kind ?? 'Healthy', activeNode: 'Clstr-nodeB', serviceTag: 'pgsql-5432' },
  };
  return incidentLifecycle(input);
}

/** Runs a sequence of evaluations; returns every transition as "kind key#revision". */
function sequence(steps: { conditions: Condition[]; maintenance?: boolean }[]) {
  let incidents: Incident[] = [];
  const seen: string[] = [];
  steps.forEach((s, i) => {
    const r = step(incidents, s.conditions, i * 5, s.maintenance);
    incidents = r.incidents;
    seen.push(...r.transitions.map((t) => `${t.kind} ${t.id}`));
  });
  return { seen, incidents };
}

const KEY = `qwk/${SUB}/rg-one/NodeLost/Clstr-nodeA`;

describe('incidentLifecycle', () => {
  const cases: { name: string; steps: { conditions: Condition[]; maintenance?: boolean }[]; expected: string[] }[] = [
    { name: 'nothing found, nothing happens', steps: [{ conditions: [] }, { conditions: [] }], expected: [] },
    {
      name: 'a condition opens its incident once',
      steps: [{ conditions: [nodeLost([stale(25)])] }, { conditions: [nodeLost([stale(25)])] }],
      expected: [`opened ${KEY}#1`],
    },
    {
      name: 'a changing figure (an age) is no change',
      steps: [30, 35, 40].map((a) => ({ conditions: [nodeLost([stale(a)])] })),
      expected: [`opened ${KEY}#1`],
    },
    {
      name: 'a new fact is an update',
      steps: [{ conditions: [nodeLost([stale(30)])] }, { conditions: [nodeLost([stale(35), off])] }],
      expected: [`opened ${KEY}#1`, `updated ${KEY}#2`],
    },
    {
      name: 'metrics are never an update',
      steps: [50, 46.15, 50].map((v) => ({ conditions: [nodeLost([stale(30), metric(v)])] })),
      expected: [`opened ${KEY}#1`],
    },
    {
      name: 'a severity change is an update',
      steps: [
        { conditions: [nodeLost([stale(30)])] },
        { conditions: [nodeLost([stale(30)], { severity: 'critical' })] },
      ],
      expected: [`opened ${KEY}#1`, `updated ${KEY}#2`],
    },
    {
      name: 'gone: resolved; back: reopened with the next revision',
      steps: [
        { conditions: [nodeLost([stale(30)])] },
        { conditions: [] },
        { conditions: [] },
        { conditions: [nodeLost([stale(30)])] },
      ],
      expected: [`opened ${KEY}#1`, `resolved ${KEY}#2`, `opened ${KEY}#3`],
    },
    {
      name: 'maintenance opens nothing',
      steps: [
        { conditions: [nodeLost([stale(30)])], maintenance: true },
        { conditions: [nodeLost([stale(30)], { maintenance: true })] },
      ],
      expected: [],
    },
    {
      name: 'an incident open before maintenance still updates and resolves in it',
      steps: [
        { conditions: [nodeLost([stale(30)])] },
        { conditions: [nodeLost([stale(30), off])], maintenance: true },
        { conditions: [], maintenance: true },
      ],
      expected: [`opened ${KEY}#1`, `updated ${KEY}#2`, `resolved ${KEY}#3`],
    },
    {
      name: 'one incident per condition and node',
      steps: [
        {
          conditions: [
            nodeLost([stale(30)]),
            nodeLost([stale(30)], { node: 'Clstr-nodeB' }),
            cond('CommPathsDown', [stale(1)]),
          ],
        },
      ],
      expected: [
        `opened qwk/${SUB}/rg-one/CommPathsDown#1`,
        `opened ${KEY}#1`,
        `opened qwk/${SUB}/rg-one/NodeLost/Clstr-nodeB#1`,
      ],
    },
  ];
  for (const c of cases) it(c.name, () => expect(sequence(c.steps).seen).toEqual(c.expected));

  it('an opened incident carries its severity, evidence, from → to and the cluster facts', () => {
    const c = cond('FailedOver', [stale(30)], { node: 'Clstr-nodeA', from: 'Clstr-nodeA', to: 'Clstr-nodeB' });
    const [t] = step([], [c], 0).transitions;
    expect(t).toMatchObject({
      kind: 'opened',
      at: at(0),
      incident: {
        kind: 'FailedOver',
        severity: 'error',
        status: 'open',
        revision: 1,
        from: 'Clstr-nodeA',
        to: 'Clstr-nodeB',
        maintenance: false,
        openedAt: at(0),
      },
      cluster: { subscriptionId: SUB, resourceGroup: RG, activeNode: 'Clstr-nodeB', serviceTag: 'pgsql-5432' },
    });
    expect(t.incident.firstEvidence).toEqual([stale(30)]);
  });

  it('an update keeps the first evidence, records the last one and the previous severity', () => {
    const first = step([], [nodeLost([stale(30)])], 0);
    const second = step(first.incidents, [nodeLost([stale(40), off], { severity: 'critical' })], 10);
    const [t] = second.transitions;
    expect(t.previousSeverity).toBe('error');
    expect(t.incident.firstEvidence).toEqual([stale(30)]);
    expect(t.incident.lastEvidence).toEqual([stale(40), off]);
    expect(t.incident.openedAt).toBe(at(0));
    expect(t.incident.updatedAt).toBe(at(10));
  });

  it('a resolution stamps resolvedAt and keeps the incident in the list', () => {
    const first = step([], [nodeLost([stale(30)])], 0);
    const r = step(first.incidents, [], 10);
    expect(r.transitions[0].incident).toMatchObject({ status: 'resolved', resolvedAt: at(10), revision: 2 });
    expect(r.incidents).toHaveLength(1);
  });

  it('evidenceSignature ignores figures and metrics but not facts', () => {
    expect(evidenceSignature([stale(30), metric(50)])).toBe(evidenceSignature([stale(99)]));
    expect(evidenceSignature([stale(30)])).not.toBe(evidenceSignature([stale(30), off]));
  });
});
