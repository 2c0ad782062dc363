import { describe, expect, it } from 'vitest';
import { clusterAlertRules, groupShortName } from '../../shared/monitoring/azureAlertRules';
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

  it('Resource Health on the three VMs', () => {
    const [rh] = rules.activityLogAlerts;
    expect(rh.body.condition?.allOf[0]).toEqual({ field: 'category', equals: 'ResourceHealth' });
    expect(rh.body.condition?.allOf[1].anyOf?.map((c) => c.equals)).toEqual([
      record.nodes[0].vmId,
      record.nodes[1].vmId,
      record.witness.vmId,
    ]);
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
