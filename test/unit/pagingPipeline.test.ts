import { describe, expect, it } from 'vitest';
import { ConfigError, loadPagingConfig } from '../../shared/config';
import { pagerDutyEvent, pagerDutyEventProblems } from '../../shared/paging/pagerduty';
import { defaultRoutes, parseTransition, testTransition, validateSilenceInput } from '../../shared/paging/pipeline';
import { clusterPartition, notificationRow, stateRow } from '../../shared/paging/store';
import { clusterPaging } from '../../shared/registry/clusterRecord';
import { RG, SUB, transition } from './pagingFixture';

const NOW = new Date('2026-11-25T12:00:00Z');

describe('validateSilenceInput', () => {
  it.each([
    [
      { until: '2026-11-25T13:00:00Z', reason: ' patching ' },
      { ok: true, until: '2026-11-25T13:00:00.000Z', reason: 'patching' },
    ],
    [
      { until: '2026-12-02T12:00:00Z', reason: 'a week' },
      { ok: true, until: '2026-12-02T12:00:00.000Z', reason: 'a week' },
    ],
  ])('accepts %j', (body, expected) => {
    expect(validateSilenceInput(body, NOW)).toEqual(expected);
  });

  it.each([
    [{ until: '2026-11-25T11:00:00Z', reason: 'x' }, ['until'], 'in the future'],
    [{ until: '2026-12-02T12:00:01Z', reason: 'x' }, ['until'], 'at most 7 days'],
    [{ until: 'tomorrow', reason: 'x' }, ['until'], 'ISO 8601'],
    [{ until: '2026-11-25T13:00:00Z' }, ['reason'], 'required'],
    [{ until: '2026-11-25T13:00:00Z', reason: '   ' }, ['reason'], 'required'],
    [{ until: '2026-11-25T13:00:00Z', reason: 'x', by: 'me' }, ['by'], 'unknown field'],
    [null, ['until', 'reason'], 'ISO 8601'],
  ])('refuses %j', (body, paths, text) => {
    const r = validateSilenceInput(body, NOW);
    if (r.ok) throw new Error('accepted');
    expect(r.errors.map((e) => e.path)).toEqual(paths);
    expect(r.errors[0].message).toContain(text);
  });
});

describe('parseTransition', () => {
  it('accepts a transition as JSON text or object', () => {
    const t = transition();
    expect(parseTransition(JSON.stringify(t))).toEqual(t);
    expect(parseTransition(t)).toBe(t);
  });

  it.each([{}, { ...transition(), kind: 'closed' }, { ...transition(), cluster: {} }, 'null'])(
    'refuses %j',
    (message) => {
      expect(() => parseTransition(message)).toThrow(/not an IncidentTransition/);
    },
  );
});

describe('testTransition', () => {
  it('is an info transition with its own key, a valid PagerDuty event', () => {
    const a = testTransition({ subscriptionId: SUB, resourceGroup: RG }, NOW, 'https://x/api/clusters/a/b');
    const b = testTransition({ subscriptionId: SUB, resourceGroup: RG }, NOW);
    expect(a.incident.key).not.toBe(b.incident.key);
    expect(a.incident.severity).toBe('info');
    expect(a.id).toBe(`${a.incident.key}#1`);
    expect(pagerDutyEventProblems({ ...pagerDutyEvent(a), routing_key: 'k' })).toEqual([]);
  });
});

describe('loadPagingConfig', () => {
  it('defaults to the real PagerDuty endpoint and the documented delivery policy', () => {
    expect(loadPagingConfig({})).toEqual({
      pagerDutyUrl: 'https://events.pagerduty.com/v2/enqueue',
      defaultRoutesJson: undefined,
      maxAttempts: 12,
      baseDelayMs: 2000,
      maxDelayMs: 300000,
      sendLeaseMs: 60000,
      console: false,
      testCrashAfterSend: false,
    });
  });

  it('reads the settings and refuses a bad number', () => {
    const c = loadPagingConfig({ QWK_PAGERDUTY_URL: 'https://127.0.0.1:8443/pd', QWK_PAGING_MAX_ATTEMPTS: '3' });
    expect([c.pagerDutyUrl, c.maxAttempts]).toEqual(['https://127.0.0.1:8443/pd', 3]);
    expect(() => loadPagingConfig({ QWK_PAGING_BASE_DELAY_MS: '-1' })).toThrow(ConfigError);
  });
});

describe('defaultRoutes', () => {
  const config = (json: string | undefined) => ({ ...loadPagingConfig({}), defaultRoutesJson: json });
  it('parses the setting, empty when unset', () => {
    expect(defaultRoutes(config(undefined))).toEqual([]);
    expect(defaultRoutes(config('[{"kind":"pagerduty","routingKeySecretName":"pd"}]'))).toEqual([
      { kind: 'pagerduty', routingKeySecretName: 'pd', minSeverity: 'error' },
    ]);
  });
  it('names the setting when it is malformed', () => {
    expect(() => defaultRoutes(config('[{"kind":"sms"}]'))).toThrow(/QWK_PAGING_DEFAULT_ROUTES/);
  });
});

describe('table keys and the registry paging', () => {
  it('encodes what table keys must not hold', () => {
    const key = transition().incident.key;
    expect(clusterPartition({ subscriptionId: SUB, resourceGroup: RG })).toBe(`${SUB}|lkl-qwk-storage`);
    for (const k of [notificationRow(`${key}#1`, 'pd'), stateRow('pd', key)]) expect(k).not.toMatch(/[/\\#?]/);
  });

  it('keeps routes absent (= the defaults) apart from routes: []', () => {
    expect(clusterPaging({ renotifyMinutes: 5, repeatMinutes: 60 })).toEqual({ renotifyMinutes: 5, repeatMinutes: 60 });
    expect(clusterPaging({ routes: [], renotifyMinutes: 5, repeatMinutes: 60 }).routes).toEqual([]);
  });
});
