import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type * as AdaptiveCards from 'adaptivecards';
import { describe, expect, it } from 'vitest';
import { CONDITION_SEVERITY, type ConditionKind, type Evidence } from '../../shared/monitoring/contracts';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  TEAMS_MAX_EVIDENCE_FACTS,
  type AdaptiveCard,
  teamsCard,
  teamsMessage,
} from '../../shared/paging/teams';
import { EVIDENCE, RG, transition } from './pagingFixture';

// The package's `main` is ESM that Node cannot load; its UMD bundle works.
const AC = createRequire(resolve('package.json'))('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCards;

/** Parses with the adaptivecards object model: parse-time events and validation events, both must be empty. */
function validate(card: AdaptiveCard): { parseEvents: string[]; validation: string[]; roundTrip: unknown } {
  const ac = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  ac.parse(card, ctx);
  const parseEvents: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) parseEvents.push(ctx.getEventAt(i).message);
  const validation = ac.validateProperties().validationEvents.map((e) => e.message);
  return { parseEvents, validation, roundTrip: ac.toJSON() };
}

function containers(card: AdaptiveCard): Record<string, unknown>[] {
  return card.body.filter((e) => e.type === 'Container');
}

function factSets(card: AdaptiveCard): { title: string; value: string }[][] {
  return card.body.filter((e) => e.type === 'FactSet').map((e) => e.facts as { title: string; value: string }[]);
}

const CONDITIONS = Object.keys(CONDITION_SEVERITY) as ConditionKind[];

describe('Teams Workflows message', () => {
  it('the envelope Workflows requires: a message with one Adaptive Card attachment', () => {
    const m = teamsMessage(transition());
    expect(Object.keys(m).sort()).toEqual(['attachments', 'type']);
    expect(m.type).toBe('message');
    expect(m.attachments).toHaveLength(1);
    expect(m.attachments[0]).toEqual({
      contentType: ADAPTIVE_CARD_CONTENT_TYPE,
      contentUrl: null,
      content: expect.objectContaining({ type: 'AdaptiveCard', version: '1.4' }),
    });
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
    expect('text' in m).toBe(false);
  });

  it.each(CONDITIONS.flatMap((c) => (['opened', 'updated', 'resolved'] as const).map((k) => [c, k] as const)))(
    '%s %s: adaptivecards parses and validates it with zero failures, nothing dropped',
    (condition, kind) => {
      const card = teamsCard(
        transition({ condition, kind, previousSeverity: kind === 'updated' ? 'warning' : undefined }),
      );
      const { parseEvents, validation, roundTrip } = validate(card);
      expect(parseEvents).toEqual([]);
      expect(validation).toEqual([]);
      // The object model keeps every element and property we sent (msteams is a Teams host extension).
      const { msteams: _msteams, ...standard } = card;
      expect(roundTrip).toEqual(standard);
    },
  );

  it('an unknown element would be caught (the validation can fail)', () => {
    const card = teamsCard(transition());
    const broken = { ...card, body: [...card.body, { type: 'TextBlok', text: 'x' }] };
    expect(validate(broken).parseEvents.length).toBeGreaterThan(0);
  });

  it.each([
    ['critical', 'attention', 'Attention'],
    ['error', 'attention', 'Attention'],
    ['warning', 'warning', 'Warning'],
    ['info', 'emphasis', 'Accent'],
  ] as const)('coloured by severity: %s → Container %s, label %s', (severity, style, color) => {
    const card = teamsCard(transition({ severity }));
    const header = containers(card)[0];
    expect(header.style).toBe(style);
    expect((header.items as Record<string, unknown>[])[0].color).toBe(color);
  });

  it('the resolve card is green and says resolved', () => {
    const card = teamsCard(transition({ kind: 'resolved' }));
    const header = containers(card)[0];
    expect(header.style).toBe('good');
    const texts = (header.items as { text: string }[]).map((i) => i.text);
    expect(texts[0]).toBe('RESOLVED');
    expect(texts[1]).toMatch(/^Resolved: Clstr-nodeA lost; Clstr-nodeB took over pgsql-5432/);
    expect(factSets(card)[0]).toContainEqual({ title: 'Resolved', value: '2026-11-25T10:00:07.000Z' });
  });

  it('the evidence as facts, the newest first, capped', () => {
    const card = teamsCard(transition());
    const [facts, evidence] = factSets(card);
    expect(facts).toContainEqual({ title: 'Cluster', value: expect.stringContaining(RG) });
    expect(facts).toContainEqual({ title: 'Failover', value: 'Clstr-nodeA → Clstr-nodeB' });
    expect(evidence.map((f) => f.value)).toEqual([EVIDENCE[1].text, EVIDENCE[0].text]);

    const many: Evidence[] = Array.from({ length: 25 }, (_, i) => ({
      source: 'probe',
      text: `observation ${i}`,
      observedAt: new Date(Date.UTC(2026, 10, 25, 10, 0, i)).toISOString(),
    }));
    const capped = factSets(teamsCard(transition({ evidence: many })))[1];
    expect(capped).toHaveLength(TEAMS_MAX_EVIDENCE_FACTS + 1);
    expect(capped[0].value).toBe('observation 24');
    expect(capped.at(-1)?.value).toMatch(/^15 more/);
    expect(validate(teamsCard(transition({ evidence: many }))).validation).toEqual([]);
  });

  it('links to the cluster status when the link is known', () => {
    expect(teamsCard(transition()).actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open cluster status', url: transition().cluster.link },
    ]);
    expect(teamsCard(transition({ link: null })).actions).toBeUndefined();
  });

  it('a reminder is labelled', () => {
    const header = containers(teamsCard(transition({ condition: 'SplitBrain' }), { reminder: true }))[0];
    expect((header.items as { text: string }[])[0].text).toBe('CRITICAL · reminder');
  });
});
