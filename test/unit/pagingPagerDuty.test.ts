import { describe, expect, it } from 'vitest';
import { CONDITION_SEVERITY, type ConditionKind } from '../../shared/monitoring/contracts';
import {
  PAGERDUTY_MAX_DEDUP_KEY,
  PAGERDUTY_MAX_SUMMARY,
  pagerDutyDedupKey,
  pagerDutyEvent,
  pagerDutyEventProblems,
  withRoutingKey,
} from '../../shared/paging/pagerduty';
import { EVIDENCE, RG, SUB, transition } from './pagingFixture';

const CONDITIONS = Object.keys(CONDITION_SEVERITY) as ConditionKind[];

describe('PagerDuty Events API v2 payload', () => {
  it('a failover trigger: short, specific summary and every documented field', () => {
    const t = transition();
    const e = pagerDutyEvent(t);
    expect(e.event_action).toBe('trigger');
    expect(e.dedup_key).toBe(t.incident.key);
    expect(e.payload?.summary).toBe('Clstr-nodeA lost; Clstr-nodeB took over pgsql-5432 (LKL-QWK-storage)');
    expect(e.payload).toMatchObject({
      source: 'Clstr-nodeA',
      severity: 'error',
      timestamp: t.at,
      component: 'pgsql-5432',
      group: `${SUB}/${RG}`,
      class: 'FailedOver',
    });
    expect(e.payload?.custom_details).toMatchObject({ incident: t.incident.key, evidence: expect.any(Array) });
    expect((e.payload?.custom_details?.evidence as unknown[]).length).toBe(EVIDENCE.length);
    expect(e.links).toEqual([{ href: t.cluster.link, text: expect.any(String) }]);
    expect(pagerDutyEventProblems(e)).toEqual([]);
  });

  it.each([
    ['opened', 'trigger'],
    ['updated', 'trigger'],
    ['resolved', 'resolve'],
  ] as const)('%s → event_action %s', (kind, action) => {
    const e = pagerDutyEvent(transition({ kind }));
    expect(e.event_action).toBe(action);
    expect(e.dedup_key).toBe(transition({ kind: 'opened' }).incident.key);
    expect(pagerDutyEventProblems(e)).toEqual([]);
  });

  it('a resolve carries only the dedup key (no payload needed)', () => {
    const e = pagerDutyEvent(transition({ kind: 'resolved' }));
    expect(e).toEqual({ event_action: 'resolve', dedup_key: transition().incident.key });
  });

  it.each(CONDITIONS)('%s: severity maps to PagerDuty, the event follows the rules', (condition) => {
    const t = transition({ condition });
    const e = pagerDutyEvent(t);
    expect(e.payload?.severity).toBe(CONDITION_SEVERITY[condition]);
    expect(['critical', 'error', 'warning', 'info']).toContain(e.payload?.severity);
    expect(e.payload?.summary).toContain(`(${RG})`);
    expect(pagerDutyEventProblems(e)).toEqual([]);
  });

  it.each(['critical', 'error', 'warning', 'info'] as const)('severity %s → PagerDuty %s', (severity) => {
    expect(pagerDutyEvent(transition({ severity })).payload?.severity).toBe(severity);
  });

  it('summary stays ≤ 1,024 characters and keeps the cluster, even with a huge evidence text', () => {
    const text = 'x'.repeat(5000);
    const t = transition({ condition: 'MonitoringBlind', evidence: [{ ...EVIDENCE[0], text }] });
    const summary = pagerDutyEvent(t).payload!.summary;
    expect(Array.from(summary).length).toBeLessThanOrEqual(PAGERDUTY_MAX_SUMMARY);
    expect(summary.endsWith(`(${RG})`)).toBe(true);
    expect(summary).toContain('…');
  });

  it('dedup_key ≤ 255 even for an over-long incident key, and stays unique and stable', () => {
    const long = `qwk/${SUB}/${'g'.repeat(300)}/NodeLost/a`;
    const other = `qwk/${SUB}/${'g'.repeat(300)}/NodeLost/b`;
    expect(pagerDutyDedupKey(long).length).toBeLessThanOrEqual(PAGERDUTY_MAX_DEDUP_KEY);
    expect(pagerDutyDedupKey(long)).toBe(pagerDutyDedupKey(long));
    expect(pagerDutyDedupKey(long)).not.toBe(pagerDutyDedupKey(other));
    expect(pagerDutyDedupKey('short')).toBe('short');
    // A real key with the longest resource group name Azure allows (90 characters).
    const t = transition({ condition: 'NodeLost', resourceGroup: 'r'.repeat(90) });
    expect(pagerDutyEvent(t).dedup_key).toBe(t.incident.key);
    expect(t.incident.key.length).toBeLessThanOrEqual(PAGERDUTY_MAX_DEDUP_KEY);
  });

  it('an update with a higher severity says so; a reminder says it is still open', () => {
    const up = pagerDutyEvent(transition({ kind: 'updated', severity: 'critical', previousSeverity: 'error' }));
    expect(up.payload?.summary).toMatch(/^Now critical: /);
    expect(up.payload?.custom_details).toMatchObject({ previousSeverity: 'error', severity: 'critical' });
    const reminder = pagerDutyEvent(transition({ condition: 'WitnessLost' }), { reminder: true });
    expect(reminder.event_action).toBe('trigger');
    expect(reminder.payload?.summary).toMatch(/^Still open: QWK witness lost/);
  });

  it('no link → no links or client_url', () => {
    const e = pagerDutyEvent(transition({ link: null }));
    expect(e.links).toBeUndefined();
    expect(e.client_url).toBeUndefined();
  });

  it('the routing key is added only at send time', () => {
    const body = pagerDutyEvent(transition());
    expect(JSON.stringify(body)).not.toContain('routing_key');
    expect(withRoutingKey(body, 'R0123456789abcdef0123456789abcdef')).toMatchObject({
      routing_key: 'R0123456789abcdef0123456789abcdef',
      dedup_key: body.dedup_key,
    });
  });

  it('the rule checker catches what PagerDuty refuses', () => {
    const good = pagerDutyEvent(transition());
    expect(pagerDutyEventProblems({ ...good, dedup_key: 'k'.repeat(256) })).toContain('dedup_key length');
    expect(pagerDutyEventProblems({ ...good, payload: { ...good.payload!, summary: 's'.repeat(1025) } })).toContain(
      'payload.summary length',
    );
    expect(
      pagerDutyEventProblems({ ...good, payload: { ...good.payload!, severity: 'fatal' as 'critical' } }),
    ).toContain('payload.severity');
    expect(pagerDutyEventProblems({ ...good, payload: undefined })).toContain('payload missing');
  });
});
