import { describe, expect, it } from 'vitest';
import {
  alertRulePuts,
  alertRuleSettings,
  alertStepDecision,
  alertWebhookUrl,
  clusterAlertRules,
  groupShortName,
} from '../../shared/monitoring/azureAlertRules';
import type { ClusterRecord } from '../../shared/registry/clusterRecord';

const SUB = '00000000-0000-0000-0000-00000000000a';
const base = `/subscriptions/${SUB}/resourceGroups/LKL-QWK-storage/providers`;
const record = {
  subscriptionId: SUB,
  resourceGroup: 'LKL-QWK-storage',
  loadBalancerId: `${base}/Microsoft.Network/loadBalancers/lkl-ilb`,
  nodes: [
    { name: 'Clstr-nodeA', vmId: `${base}/Microsoft.Compute/virtualMachines/Clstr-nodeA` },
    { name: 'Clstr-nodeB', vmId: `${base}/Microsoft.Compute/virtualMachines/Clstr-nodeB` },
  ],
  witness: { name: 'Witness-node', vmId: `${base}/Microsoft.Compute/virtualMachines/Witness-node` },
} as unknown as ClusterRecord;
const URL = 'https://qwk-ops.azurewebsites.net/api/alerts?code=secret';

describe('clusterAlertRules', () => {
  const rules = clusterAlertRules(record, { webhookUrl: URL });
  const byName = Object.fromEntries(rules.metricAlerts.map((m) => [m.name, m.body]));
  const criterion = (name: string) =>
    (byName[name].criteria as unknown as { allOf: Record<string, unknown>[] }).allOf[0];

  it.each([
    ['qwk-LKL-QWK-storage-outage', 'DipAvailability', 'LessThan', 25, record.loadBalancerId],
    ['qwk-LKL-QWK-storage-split-brain', 'DipAvailability', 'GreaterThan', 75, record.loadBalancerId],
    ['qwk-LKL-QWK-storage-vip', 'VipAvailability', 'LessThan', 90, record.loadBalancerId],
    ['qwk-LKL-QWK-storage-witness-availability', 'VmAvailabilityMetric', 'LessThan', 1, record.witness.vmId],
  ])('%s: %s %s %d on its scope, average not split, PT1M / PT5M', (name, metric, operator, threshold, scope) => {
    expect(byName[name]).toBeDefined();
    expect(criterion(name)).toMatchObject({ metricName: metric, operator, threshold, timeAggregation: 'Average' });
    expect(criterion(name).dimensions).toBeUndefined();
    expect(byName[name].scopes).toEqual([scope]);
    expect(byName[name]).toMatchObject({ evaluationFrequency: 'PT1M', windowSize: 'PT5M', enabled: true });
    expect(byName[name].actions).toEqual([
      {
        actionGroupId: `/subscriptions/${SUB}/resourceGroups/LKL-QWK-storage/providers/microsoft.insights/actionGroups/qwk-LKL-QWK-storage-ops`,
      },
    ]);
  });

  it('the action group posts the Common Alert Schema to the alert route; e-mail only when given', () => {
    expect(rules.actionGroup.body.webhookReceivers).toEqual([
      { name: 'qwk-ops', serviceUri: URL, useCommonAlertSchema: true },
    ]);
    expect(rules.actionGroup.body.emailReceivers).toBeUndefined();
    const withMail = clusterAlertRules(record, { webhookUrl: URL, operatorEmail: 'ops@example.com' });
    expect(withMail.actionGroup.body.emailReceivers).toEqual([
      { name: 'operator', emailAddress: 'ops@example.com', useCommonAlertSchema: true },
    ]);
  });

  it('Resource Health on the three VMs: one rule per VM, leaf conditions only (every API version takes them)', () => {
    expect(rules.activityLogAlerts.map((a) => a.name)).toEqual([
      'qwk-LKL-QWK-storage-health-Clstr-nodeA',
      'qwk-LKL-QWK-storage-health-Clstr-nodeB',
      'qwk-LKL-QWK-storage-health-Witness-node',
    ]);
    const vms = [record.nodes[0].vmId, record.nodes[1].vmId, record.witness.vmId];
    rules.activityLogAlerts.forEach((rh, i) => {
      expect(rh.body.scopes).toEqual([vms[i]]);
      expect(rh.body.condition?.allOf).toEqual([
        { field: 'category', equals: 'ResourceHealth' },
        { field: 'resourceId', equals: vms[i] },
      ]);
      expect(rh.body.actions?.actionGroups?.[0].actionGroupId).toMatch(/\/actionGroups\/qwk-LKL-QWK-storage-ops$/);
    });
  });

  it('thresholds and prefix from settings', () => {
    const r = clusterAlertRules(record, { webhookUrl: URL, prefix: 'p', outageBelow: 10, splitBrainAbove: 90 });
    expect(r.metricAlerts.map((m) => m.name)).toEqual(['p-outage', 'p-split-brain', 'p-vip', 'p-witness-availability']);
    expect((r.metricAlerts[0].body.criteria as unknown as { allOf: { threshold: number }[] }).allOf[0].threshold).toBe(
      10,
    );
    expect((r.metricAlerts[1].body.criteria as unknown as { allOf: { threshold: number }[] }).allOf[0].threshold).toBe(
      90,
    );
  });

  it('refuses a plain-http webhook; short names fit 12 characters', () => {
    expect(() => clusterAlertRules(record, { webhookUrl: 'http://x/api/alerts' })).toThrow(/https/);
    expect(groupShortName('LKL-QWK-storage')).toBe('qwkLKLQWKsto');
    expect(groupShortName('a')).toBe('qwka');
  });
});

describe('the deployment step `alerts` (pure parts)', () => {
  const NAMES = { publicUrl: 'QWK_PUBLIC_URL', functionKeySecret: 'QWK_ALERTS_FUNCTION_KEY_SECRET' };
  const spec = { enabled: true, outageBelow: 25, splitBrainAbove: 75, vipBelow: 90 };

  it.each<[string, { publicUrl?: string; functionKeySecretName?: string }, typeof spec | undefined, RegExp | null]>([
    ['both settings', { publicUrl: 'https://a.test', functionKeySecretName: 'k' }, spec, null],
    [
      'both settings, an older spec without azureAlerts',
      { publicUrl: 'https://a.test', functionKeySecretName: 'k' },
      undefined,
      null,
    ],
    ['no key secret setting', { publicUrl: 'https://a.test' }, spec, /QWK_ALERTS_FUNCTION_KEY_SECRET not set/],
    ['no public URL', { functionKeySecretName: 'k' }, spec, /QWK_PUBLIC_URL not set/],
    ['neither', {}, spec, /QWK_ALERTS_FUNCTION_KEY_SECRET and QWK_PUBLIC_URL not set/],
    [
      'disabled by the spec',
      { publicUrl: 'https://a.test', functionKeySecretName: 'k' },
      { ...spec, enabled: false },
      /enabled is false/,
    ],
  ])('%s', (_name, settings, s, skip) => {
    const d = alertStepDecision(
      { publicUrl: settings.publicUrl, functionKeySecretName: settings.functionKeySecretName },
      s,
      NAMES,
    );
    if (skip) expect('skip' in d && d.skip).toMatch(skip);
    else expect(d).toEqual({ publicUrl: 'https://a.test', functionKeySecretName: 'k' });
  });

  it('builds the webhook URL with the key as ?code=, encoded', () => {
    expect(alertWebhookUrl('https://app.test/', 'a/b+c==')).toBe('https://app.test/api/alerts?code=a%2Fb%2Bc%3D%3D');
  });

  it('takes names and thresholds from the spec, defaults for an older spec', () => {
    const s = alertRuleSettings({ ...spec, operatorEmail: 'o@x.test', namePrefix: 'p', outageBelow: 10 }, URL, {
      'managed-by': 'qwk-ops',
    });
    expect(s).toEqual({
      webhookUrl: URL,
      tags: { 'managed-by': 'qwk-ops' },
      operatorEmail: 'o@x.test',
      prefix: 'p',
      outageBelow: 10,
      splitBrainAbove: 75,
      vipBelow: 90,
    });
    expect(alertRuleSettings(undefined, URL)).toEqual({
      webhookUrl: URL,
      tags: {},
      outageBelow: 25,
      splitBrainAbove: 75,
      vipBelow: 90,
    });
  });

  it('PUTs the action group alone first, then every rule', () => {
    const rounds = alertRulePuts(clusterAlertRules(record, { webhookUrl: URL }));
    expect(rounds.map((r) => r.map((p) => `${p.kind}:${p.name}`))).toEqual([
      ['actionGroup:qwk-LKL-QWK-storage-ops'],
      [
        'metricAlert:qwk-LKL-QWK-storage-outage',
        'metricAlert:qwk-LKL-QWK-storage-split-brain',
        'metricAlert:qwk-LKL-QWK-storage-vip',
        'metricAlert:qwk-LKL-QWK-storage-witness-availability',
        'activityLogAlert:qwk-LKL-QWK-storage-health-Clstr-nodeA',
        'activityLogAlert:qwk-LKL-QWK-storage-health-Clstr-nodeB',
        'activityLogAlert:qwk-LKL-QWK-storage-health-Witness-node',
      ],
    ]);
  });
});
