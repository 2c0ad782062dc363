/**
 * The Azure-native alerts of one cluster (PURE): the ARM bodies, for `@azure/arm-monitor`, of the action group whose
 * webhook is `POST /api/alerts` and of the alert rules that feed it, so Azure's alerting keeps working even when our
 * sweep does not run (issue Monitoring 3/5, item 6):
 *
 * - the action group: the webhook (Common Alert Schema) and an optional operator e-mail;
 * - on the ILB, DipAvailability **average, not split**: < 25 → no backend answers (outage), > 75 → both answer
 *   (split-brain); an active/passive pair averages 50, which is why Azure's baseline alert (< 90) does not fit;
 *   PT1M frequency, PT5M window;
 * - VipAvailability < 90 (the frontend's data path);
 * - Resource Health activity-log alerts on the three VMs (the witness above all: §9.4);
 * - VmAvailabilityMetric < 1 on the witness.
 *
 * NOT WIRED YET: the deployment activity that PUTs these (after registration, reading the function key from Key
 * Vault by a secret-name setting) is for the integrator. The webhook URL carries the function key: it is a secret
 * and must never be logged or put in orchestration history (build it inside the activity).
 */
import type {
  ActionGroupResource,
  ActivityLogAlertResource,
  MetricAlertResource,
  MetricCriteria,
} from '@azure/arm-monitor';
import type { ClusterRecord } from '../registry/clusterRecord';

export interface AlertRuleSettings {
  /** Full webhook URL: public URL + `/api/alerts` + `?code=<function key>` (a secret). */
  webhookUrl: string;
  operatorEmail?: string;
  /** Name prefix of every rule (default `qwk-<resource group>`). */
  prefix?: string;
  outageBelow?: number;
  splitBrainAbove?: number;
  vipBelow?: number;
  witnessAvailabilityBelow?: number;
  tags?: Record<string, string>;
}

export const ALERT_RULE_DEFAULTS = {
  outageBelow: 25,
  splitBrainAbove: 75,
  vipBelow: 90,
  witnessAvailabilityBelow: 1,
  evaluationFrequency: 'PT1M',
  windowSize: 'PT5M',
} as const;

export interface ClusterAlertRules {
  actionGroup: { name: string; body: ActionGroupResource };
  metricAlerts: { name: string; body: MetricAlertResource }[];
  activityLogAlerts: { name: string; body: ActivityLogAlertResource }[];
}

/** An action group's short name: at most 12 characters. */
export function groupShortName(resourceGroup: string): string {
  return `qwk${resourceGroup.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 12);
}

export function clusterAlertRules(r: ClusterRecord, s: AlertRuleSettings): ClusterAlertRules {
  if (!/^https:\/\//.test(s.webhookUrl)) throw new Error('the alert webhook URL must be https://');
  const prefix = s.prefix ?? `qwk-${r.resourceGroup}`;
  const tags = s.tags ?? {};
  const agName = `${prefix}-ops`;
  const actionGroupId = `/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroup}/providers/microsoft.insights/actionGroups/${agName}`;
  const actionGroup: ActionGroupResource = {
    location: 'Global',
    tags,
    groupShortName: groupShortName(r.resourceGroup),
    enabled: true,
    webhookReceivers: [{ name: 'qwk-ops', serviceUri: s.webhookUrl, useCommonAlertSchema: true }],
    ...(s.operatorEmail
      ? { emailReceivers: [{ name: 'operator', emailAddress: s.operatorEmail, useCommonAlertSchema: true }] }
      : {}),
  };
  const metric = (
    name: string,
    description: string,
    severity: number,
    scope: string,
    criterion: Omit<MetricCriteria, 'criterionType' | 'name' | 'timeAggregation'>,
  ): { name: string; body: MetricAlertResource } => ({
    name: `${prefix}-${name}`,
    body: {
      location: 'global',
      tags,
      description,
      severity,
      enabled: true,
      scopes: [scope],
      evaluationFrequency: ALERT_RULE_DEFAULTS.evaluationFrequency,
      windowSize: ALERT_RULE_DEFAULTS.windowSize,
      autoMitigate: true,
      criteria: {
        odataType: 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria',
        allOf: [{ criterionType: 'StaticThresholdCriterion', name: 'c1', timeAggregation: 'Average', ...criterion }],
      },
      actions: [{ actionGroupId }],
    },
  });
  const lbNs = 'Microsoft.Network/loadBalancers';
  const metricAlerts = [
    metric(
      'outage',
      'No backend answers the ILB health probe (DipAvailability average, not split)',
      0,
      r.loadBalancerId,
      {
        metricName: 'DipAvailability',
        metricNamespace: lbNs,
        operator: 'LessThan',
        threshold: s.outageBelow ?? ALERT_RULE_DEFAULTS.outageBelow,
      },
    ),
    metric(
      'split-brain',
      'Both nodes answer the ILB health probe (DipAvailability average, not split)',
      0,
      r.loadBalancerId,
      {
        metricName: 'DipAvailability',
        metricNamespace: lbNs,
        operator: 'GreaterThan',
        threshold: s.splitBrainAbove ?? ALERT_RULE_DEFAULTS.splitBrainAbove,
      },
    ),
    metric('vip', 'The ILB frontend data path is degraded (VipAvailability)', 1, r.loadBalancerId, {
      metricName: 'VipAvailability',
      metricNamespace: lbNs,
      operator: 'LessThan',
      threshold: s.vipBelow ?? ALERT_RULE_DEFAULTS.vipBelow,
    }),
    metric('witness-availability', 'The witness VM is unavailable (VmAvailabilityMetric)', 0, r.witness.vmId, {
      metricName: 'VmAvailabilityMetric',
      metricNamespace: 'Microsoft.Compute/virtualMachines',
      operator: 'LessThan',
      threshold: s.witnessAvailabilityBelow ?? ALERT_RULE_DEFAULTS.witnessAvailabilityBelow,
    }),
  ];
  const vms = [...r.nodes.map((n) => n.vmId), r.witness.vmId];
  const activityLogAlerts = [
    {
      name: `${prefix}-resource-health`,
      body: {
        location: 'Global',
        tags,
        scopes: [`/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroup}`],
        enabled: true,
        description: 'Resource Health of the cluster VMs (nodes and witness)',
        condition: {
          allOf: [
            { field: 'category', equals: 'ResourceHealth' },
            { anyOf: vms.map((id) => ({ field: 'resourceId', equals: id })) },
          ],
        },
        actions: { actionGroups: [{ actionGroupId }] },
      } satisfies ActivityLogAlertResource,
    },
  ];
  return { actionGroup: { name: agName, body: actionGroup }, metricAlerts, activityLogAlerts };
}
