import { describe, expect, it } from 'vitest';
import { PAGERDUTY_EVENTS_URL } from '../../shared/paging/pagerduty';
import { describeRequest, notificationRequest } from '../../shared/paging/request';
import { type Route, parseRoutes } from '../../shared/paging/routes';
import { SIGNATURE_HEADER, verifyWebhook } from '../../shared/paging/webhook';
import { transition } from './pagingFixture';

const NOW = new Date('2026-11-25T10:00:10.000Z');
const parsed = parseRoutes([
  { kind: 'pagerduty', routingKeySecretName: 'pd-key' },
  { kind: 'teams', webhookUrlSecretName: 'teams-url' },
  { kind: 'webhook', url: 'https://hooks.example.net/qwk', hmacSecretName: 'hook-key' },
]);
const [pd, teams, hook] = parsed.ok ? parsed.routes : ([] as Route[]);
const TEAMS_URL = 'https://prod-00.japaneast.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=SECRETSIG';

describe('notificationRequest', () => {
  it('PagerDuty: the configured endpoint, the routing key in the body', () => {
    const r = notificationRequest(pd, transition(), 'ROUTINGKEY', { now: NOW });
    expect(r.url).toBe(PAGERDUTY_EVENTS_URL);
    expect(JSON.parse(r.body)).toMatchObject({ routing_key: 'ROUTINGKEY', event_action: 'trigger' });
    const local = notificationRequest(pd, transition(), 'K', {
      now: NOW,
      pagerDutyUrl: 'https://127.0.0.1:8443/v2/enqueue',
    });
    expect(local.url).toBe('https://127.0.0.1:8443/v2/enqueue');
  });

  it('Teams: the secret is the URL; the body is the Workflows envelope', () => {
    const r = notificationRequest(teams, transition(), TEAMS_URL, { now: NOW });
    expect(r.url).toBe(TEAMS_URL);
    expect(JSON.parse(r.body)).toMatchObject({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }],
    });
  });

  it('webhook reminders: each has its own event id, the same on every retry of it', () => {
    const t = transition();
    const id = (eventId: string, now: Date) =>
      notificationRequest(hook, t, 'HOOKKEY', { now, reminder: true, eventId }).headers['X-Qwk-Event-Id'];
    const first = `${t.id}#reminder@2026-11-25T11:00:00.000Z`;
    const second = `${t.id}#reminder@2026-11-25T12:00:00.000Z`;
    expect(id(first, NOW)).toBe(first);
    expect(id(first, new Date(NOW.getTime() + 60_000))).toBe(first); // a retry, signed afresh
    expect(id(second, NOW)).toBe(second);
    expect(
      JSON.parse(notificationRequest(hook, t, 'K', { now: NOW, reminder: true, eventId: second }).body),
    ).toMatchObject({ id: second, kind: 'reminder' });
    // Not a reminder: the transition's id, whatever the notification is called.
    expect(notificationRequest(hook, t, 'K', { now: NOW, eventId: `${t.id}#catchup` }).headers['X-Qwk-Event-Id']).toBe(
      t.id,
    );
  });

  it('webhook: the route URL and a body that verifies with the secret', () => {
    const r = notificationRequest(hook, transition({ kind: 'resolved' }), 'HOOKKEY', { now: NOW });
    expect(r.url).toBe('https://hooks.example.net/qwk');
    expect(r.headers[SIGNATURE_HEADER]).toMatch(/^sha256=/);
    expect(verifyWebhook(r.body, r.headers, 'HOOKKEY', NOW)).toMatchObject({ ok: true });
    expect(JSON.parse(r.body)).toMatchObject({ kind: 'resolved' });
  });

  it('the loggable description holds no secret', () => {
    for (const [route, secret] of [
      [pd, 'ROUTINGKEY'],
      [teams, TEAMS_URL],
      [hook, 'HOOKKEY'],
    ] as const) {
      const text = describeRequest(notificationRequest(route, transition(), secret, { now: NOW }));
      expect(text).not.toContain('ROUTINGKEY');
      expect(text).not.toContain('SECRETSIG');
      expect(text).not.toContain('/workflows/');
      expect(text).toMatch(new RegExp(`^${route.kind} route `));
    }
  });
});
