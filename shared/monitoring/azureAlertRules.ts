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
 * - Resource Health activity-log alerts on the three VMs (the witness above all: §9.4), one rule per VM: a leaf
 *   condition per field, as every activity log alert API version takes it (`anyOf` exists only from 2020-10-01);
 * - VmAvailabilityMetric < 1 on the witness.
 *
 * The deployment's step `alerts` PUTs them (orchestrations/activities/ensureAlertRules.ts). The webhook URL carries
 * the function key: it is a secret and must never be logged or put in orchestration history (it is built inside the
 * activity; nothing here logs).
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
  const vms = [...r.nodes.map((n) => ({ name: n.name, vmId: n.vmId })), { name: r.witness.name, vmId: r.witness.vmId }];
  const activityLogAlerts = vms.map((vm) => ({
    name: `${prefix}-health-${vm.name}`,
    body: {
      location: 'Global',
      tags,
      scopes: [vm.vmId],
      enabled: true,
      description: `Resource Health of ${vm.name === r.witness.name ? 'the witness' : 'cluster node'} ${vm.name}`,
      condition: {
        allOf: [
          { field: 'category', equals: 'ResourceHealth' },
          { field: 'resourceId', equals: vm.vmId },
        ],
      },
      actions: { actionGroups: [{ actionGroupId }] },
    } satisfies ActivityLogAlertResource,
  }));
  return { actionGroup: { name: agName, body: actionGroup }, metricAlerts, activityLogAlerts };
}

/** The spec's `monitoring.azureAlerts` (absent from deployments started before it existed: the defaults apply). */
export interface AzureAlertsSpec {
  enabled: boolean;
  operatorEmail?: string;
  namePrefix?: string;
  outageBelow: number;
  splitBrainAbove: number;
  vipBelow: number;
}

/** The alert route as an action group calls it: `<public URL>/api/alerts?code=<function key>`. A SECRET. */
export function alertWebhookUrl(publicUrl: string, functionKey: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/api/alerts?code=${encodeURIComponent(functionKey)}`;
}

/** Whether the deployment creates the alerts, from the app settings and the spec (pure); `skip` says why not. */
export function alertStepDecision(
  settings: { publicUrl: string | undefined; functionKeySecretName: string | undefined },
  spec: AzureAlertsSpec | undefined,
  names: { publicUrl: string; functionKeySecret: string },
): { skip: string } | { publicUrl: string; functionKeySecretName: string } {
  if (spec && !spec.enabled) return { skip: 'skipped: monitoring.azureAlerts.enabled is false in the spec' };
  const missing = [
    ...(settings.functionKeySecretName ? [] : [names.functionKeySecret]),
    ...(settings.publicUrl ? [] : [names.publicUrl]),
  ];
  if (missing.length > 0 || !settings.publicUrl || !settings.functionKeySecretName)
    return {
      skip: `skipped: no Azure alerts created, app setting ${missing.join(' and ')} not set (the webhook of the action group needs the app's public URL and the Key Vault secret holding the function key of POST /api/alerts)`,
    };
  return { publicUrl: settings.publicUrl, functionKeySecretName: settings.functionKeySecretName };
}

/** The rule settings of a cluster from its spec (defaults where the spec is older than the field). */
export function alertRuleSettings(
  spec: AzureAlertsSpec | undefined,
  webhookUrl: string,
  tags: Record<string, string> = {},
): AlertRuleSettings {
  return {
    webhookUrl,
    tags,
    ...(spec?.operatorEmail ? { operatorEmail: spec.operatorEmail } : {}),
    ...(spec?.namePrefix ? { prefix: spec.namePrefix } : {}),
    outageBelow: spec?.outageBelow ?? ALERT_RULE_DEFAULTS.outageBelow,
    splitBrainAbove: spec?.splitBrainAbove ?? ALERT_RULE_DEFAULTS.splitBrainAbove,
    vipBelow: spec?.vipBelow ?? ALERT_RULE_DEFAULTS.vipBelow,
  };
}

export type AlertPut =
  | { kind: 'actionGroup'; name: string; body: ActionGroupResource }
  | { kind: 'metricAlert'; name: string; body: MetricAlertResource }
  | { kind: 'activityLogAlert'; name: string; body: ActivityLogAlertResource };

/**
 * The PUTs of a cluster's alerts in two rounds: the action group alone (the rules refer to it, and Azure refuses a
 * rule whose action group does not exist), then every rule at once. Each PUT is idempotent (fixed names).
 */
export function alertRulePuts(rules: ClusterAlertRules): AlertPut[][] {
  return [
    [{ kind: 'actionGroup', ...rules.actionGroup }],
    [
      ...rules.metricAlerts.map((m): AlertPut => ({ kind: 'metricAlert', ...m })),
      ...rules.activityLogAlerts.map((a): AlertPut => ({ kind: 'activityLogAlert', ...a })),
    ],
  ];
}
