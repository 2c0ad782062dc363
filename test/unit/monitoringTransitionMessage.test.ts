import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../local/host/queues';
import type { Evidence, IncidentTransition } from '../../shared/monitoring/contracts';
import { MAX_MESSAGE_JSON_BYTES, transitionMessage } from '../../shared/monitoring/incidentStore';

function transition(evidence: Evidence[]): IncidentTransition {
  const key = 'qwk/sub/rg/NodeLost/Clstr-nodeA';
  return {
    id: `${key}#1`,
    kind: 'opened',
    at: '2026-11-25T10:00:00.000Z',
    incident: {
      key,
      subscriptionId: 'sub',
      resourceGroup: 'rg',
      kind: 'NodeLost',
      node: 'Clstr-nodeA',
      severity: 'error',
      status: 'open',
      openedAt: '2026-11-25T10:00:00.000Z',
      updatedAt: '2026-11-25T10:00:00.000Z',
      revision: 1,
      firstEvidence: evidence,
      lastEvidence: evidence,
      maintenance: false,
    },
    cluster: { subscriptionId: 'sub', resourceGroup: 'rg', state: 'NodeLost', activeNode: 'Clstr-nodeB' },
  };
}

const ev = (text: string): Evidence => ({ source: 'qwk', text, observedAt: '2026-11-25T10:00:00.000Z' });

describe('transitionMessage', () => {
  it('is the transition as base64 JSON, as the Functions host decodes queue messages', () => {
    const t = transition([ev("Clstr-nodeA's QWK object has not advanced for 31 s — 限界 24 s")]);
    expect(JSON.parse(decodeMessage(transitionMessage(t), 'base64'))).toEqual(t);
  });

  it('cuts the evidence of a transition too large for a queue message, keeping its id', () => {
    const t = transition(Array.from({ length: 200 }, (_, i) => ev(`${i} ${'x'.repeat(1000)}`)));
    const message = transitionMessage(t);
    expect(message.length).toBeLessThanOrEqual(64 * 1024);
    const back = JSON.parse(decodeMessage(message, 'base64')) as IncidentTransition;
    expect(Buffer.byteLength(JSON.stringify(back))).toBeLessThanOrEqual(MAX_MESSAGE_JSON_BYTES);
    expect(back.id).toBe(t.id);
    expect(back.incident.lastEvidence).toHaveLength(5);
    expect(back.incident.lastEvidence[0].text).toHaveLength(500);
  });
});
