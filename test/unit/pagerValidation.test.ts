import { describe, expect, it } from 'vitest';
import { validatePagerDutyEvent } from '../../local/azure-sim/pager/pagerduty';
import { cardErrors, envelopeErrors } from '../../local/azure-sim/pager/teams';

/** PagerDuty's documented example trigger event (Events API v2, "Send an Alert Event"). */
const documentedExample = {
  payload: {
    summary: 'Example alert on host1.example.com',
    timestamp: '2015-07-17T08:42:58.315+0000',
    severity: 'info',
    source: 'host1.example.com',
    component: 'postgres',
    group: 'prod-datapipe',
    class: 'deploy',
    custom_details: { 'ping time': '1500ms', 'load avg': 0.75 },
  },
  routing_key: 'samplekeyhere',
  dedup_key: 'samplekeyhere',
  images: [
    {
      src: 'https://www.pagerduty.com/wp-content/uploads/2016/05/pagerduty-logo-green.png',
      href: 'https://example.com/',
      alt: 'Example text',
    },
  ],
  links: [{ href: 'https://example.com/', text: 'Link text' }],
  event_action: 'trigger',
  client: 'Sample Monitoring Service',
  client_url: 'https://monitoring.service.com',
};

describe('PagerDuty Events API v2 validation', () => {
  it('accepts the documented example, and acknowledge/resolve with a dedup_key', () => {
    expect(validatePagerDutyEvent(documentedExample)).toEqual([]);
    expect(validatePagerDutyEvent({ routing_key: 'k', event_action: 'resolve', dedup_key: 'd' })).toEqual([]);
    expect(validatePagerDutyEvent({ routing_key: 'k', event_action: 'acknowledge', dedup_key: 'd' })).toEqual([]);
  });
  const mutate = (f: (e: any) => void) => {
    const e = structuredClone(documentedExample) as any;
    f(e);
    return e;
  };
  const cases: [string, unknown, RegExp][] = [
    ['missing routing_key', mutate((e) => delete e.routing_key), /routing_key/],
    ['blank routing_key', mutate((e) => (e.routing_key = ' ')), /routing_key/],
    ['missing event_action', mutate((e) => delete e.event_action), /event_action/],
    ['unknown event_action', mutate((e) => (e.event_action = 'create')), /event_action/],
    ['summary over 1024 characters', mutate((e) => (e.payload.summary = 'x'.repeat(1025))), /summary.*1024/],
    ['missing summary', mutate((e) => delete e.payload.summary), /summary/],
    ['missing source', mutate((e) => delete e.payload.source), /source/],
    ['bad severity', mutate((e) => (e.payload.severity = 'high')), /severity/],
    ['upper-case severity', mutate((e) => (e.payload.severity = 'Critical')), /severity/],
    ['missing severity', mutate((e) => delete e.payload.severity), /severity/],
    ['dedup_key over 255 characters', mutate((e) => (e.dedup_key = 'k'.repeat(256))), /dedup_key.*255/],
    ['trigger without payload', mutate((e) => delete e.payload), /payload/],
    ['resolve without dedup_key', { routing_key: 'k', event_action: 'resolve' }, /dedup_key/],
    ['bad timestamp', mutate((e) => (e.payload.timestamp = 'yesterday')), /timestamp/],
    ['images without src', mutate((e) => (e.images = [{ href: 'x' }])), /images/],
    ['not an object', 'hello', /object/],
  ];
  it.each(cases)('refuses %s', (_what, event, re) => {
    const errors = validatePagerDutyEvent(event);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join(' ')).toMatch(re);
  });
  it('accepts a summary of exactly 1024 and a dedup_key of exactly 255 characters', () => {
    expect(
      validatePagerDutyEvent(mutate((e) => ((e.payload.summary = 'x'.repeat(1024)), (e.dedup_key = 'k'.repeat(255))))),
    ).toEqual([]);
  });
});

describe('Teams Workflows envelope and card', () => {
  const card = {
    type: 'AdaptiveCard',
    version: '1.4',
    body: [{ type: 'TextBlock', text: 'Failover on qwk-rg', wrap: true }],
  };
  const envelope = (content: unknown, contentType = 'application/vnd.microsoft.card.adaptive') => ({
    type: 'message',
    attachments: [{ contentType, content }],
  });
  it('accepts a message with an Adaptive Card attachment', () => {
    expect(envelopeErrors(envelope(card))).toEqual([]);
    expect(cardErrors(card)).toEqual([]);
  });
  const cases: [string, unknown, RegExp][] = [
    ['plain {text} (the old connector format)', { text: 'hello' }, /attachments/],
    ['no type', { attachments: [] }, /type/],
    ['type not message', { type: 'note', attachments: [] }, /message/],
    ['attachment (singular)', { type: 'message', attachment: [] }, /attachments/],
    ['MessageCard content type', envelope(card, 'application/vnd.microsoft.teams.card.o365connector'), /contentType/],
    [
      'attachment without content',
      { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }] },
      /content/,
    ],
  ];
  it.each(cases)('refuses %s', (_w, body, re) => expect(envelopeErrors(body).join(' ')).toMatch(re));
  it('reports cards the adaptivecards library rejects', () => {
    expect(cardErrors({ ...card, body: [{ type: 'Bogus' }] }).join(' ')).toMatch(/Bogus/);
    expect(cardErrors({ type: 'MessageCard' }).join(' ')).toMatch(/AdaptiveCard/);
    expect(cardErrors({ type: 'AdaptiveCard', body: [] }).join(' ')).toMatch(/version/);
  });
});
