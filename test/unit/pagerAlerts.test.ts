/** The PagerDuty stand-in's alerts: merged by dedup_key like PagerDuty's Events API v2 "Alert De-Duplication". */
import { describe, expect, it } from 'vitest';
import { PagerService, type PagerAlert, type PagerEvent } from '../../local/azure-sim/pager/service';

const event = (action: 'trigger' | 'acknowledge' | 'resolve', dedup: string, routingKey = 'rk-1') => ({
  routing_key: routingKey,
  dedup_key: dedup,
  event_action: action,
  ...(action === 'trigger' ? { payload: { summary: `about ${dedup}`, source: 'qwk-ops', severity: 'error' } } : {}),
});

function post(svc: PagerService, body: unknown) {
  const url = new URL('https://127.0.0.1/_pager/pagerduty/v2/enqueue');
  return svc.handle({
    method: 'POST',
    url,
    segments: ['_pager', 'pagerduty', 'v2', 'enqueue'],
    headers: {},
    body,
    baseUrl: 'https://127.0.0.1',
  });
}

function control(svc: PagerService, method: string, what: string) {
  const url = new URL(`https://127.0.0.1/_sim/pager/${what}`);
  return svc.control({ method, url, segments: ['_sim', 'pager', what], headers: {}, body: undefined, baseUrl: '' });
}

const alerts = (svc: PagerService) => control(svc, 'GET', 'alerts')!.body as PagerAlert[];
const events = (svc: PagerService) => control(svc, 'GET', 'events')!.body as PagerEvent[];

describe('PagerDuty stand-in de-duplication', () => {
  it.each([
    // [requests, alerts as (dedup key, status, events in its log)]
    [[['trigger', 'a']], [['a', 'triggered', 1]]],
    [
      [
        ['trigger', 'a'],
        ['trigger', 'a'],
      ],
      [['a', 'triggered', 2]],
    ],
    [
      [
        ['trigger', 'a'],
        ['trigger', 'b'],
      ],
      [
        ['a', 'triggered', 1],
        ['b', 'triggered', 1],
      ],
    ],
    [
      [
        ['trigger', 'a'],
        ['acknowledge', 'a'],
        ['trigger', 'a'],
      ],
      [['a', 'acknowledged', 3]],
    ],
    [
      [
        ['trigger', 'a'],
        ['resolve', 'a'],
      ],
      [['a', 'resolved', 2]],
    ],
    [
      [
        ['trigger', 'a'],
        ['resolve', 'a'],
        ['trigger', 'a'],
      ],
      [
        ['a', 'resolved', 2],
        ['a', 'triggered', 1],
      ],
    ],
    [[['resolve', 'a']], []],
  ] as [[string, string][], [string, string, number][]][])('%j → %j', (requests, expected) => {
    const svc = new PagerService(() => Date.parse('2026-11-25T12:00:00Z'));
    for (const [action, dedup] of requests) expect(post(svc, event(action as 'trigger', dedup)).status).toBe(202);
    expect(alerts(svc).map((a) => [a.dedupKey, a.status, a.eventCount])).toEqual(expected);
    // Every request is still an event: "exactly one trigger" counts stay possible.
    expect(events(svc)).toHaveLength(requests.length);
  });

  it('keeps routing keys apart and marks what each event did', () => {
    const svc = new PagerService();
    post(svc, event('trigger', 'a', 'rk-1'));
    post(svc, event('trigger', 'a', 'rk-2'));
    post(svc, event('trigger', 'a', 'rk-1'));
    post(svc, event('resolve', 'a', 'rk-1'));
    post(svc, event('resolve', 'a', 'rk-1'));
    expect(events(svc).map((e) => e.alert?.effect)).toEqual(['opened', 'opened', 'merged', 'resolved', 'dropped']);
    expect(alerts(svc).map((a) => [a.routingKey, a.status, a.mergedTriggers])).toEqual([
      ['rk-1', 'resolved', 1],
      ['rk-2', 'triggered', 0],
    ]);
  });

  it('an invalid or refused event touches no alert; clearing the events clears the alerts', () => {
    const svc = new PagerService();
    expect(post(svc, { ...event('trigger', 'a'), payload: undefined }).status).toBe(400);
    expect(alerts(svc)).toEqual([]);
    svc.addFault({ channel: 'pagerduty', kind: 'down', times: 1 });
    expect(post(svc, event('trigger', 'a')).status).toBe(503);
    expect(alerts(svc)).toEqual([]);
    post(svc, event('trigger', 'a'));
    expect(alerts(svc)).toHaveLength(1);
    expect(control(svc, 'DELETE', 'events')!.status).toBe(204);
    expect(alerts(svc)).toEqual([]);
  });
});

describe('PagerDuty stand-in faults per routing key', () => {
  it('a fault with routingKey hits that key only', () => {
    const svc = new PagerService();
    svc.addFault({ channel: 'pagerduty', kind: 'down', routingKey: 'rk-down' });
    expect(post(svc, event('trigger', 'a', 'rk-down')).status).toBe(503);
    expect(post(svc, event('trigger', 'a', 'rk-up')).status).toBe(202);
    expect(() => svc.addFault({ channel: 'teams', kind: 'down', routingKey: 'x' })).toThrow(/pagerduty/);
    expect(() => svc.addFault({ channel: 'pagerduty', kind: 'down', routingKey: 7 })).toThrow(/string/);
  });
});
