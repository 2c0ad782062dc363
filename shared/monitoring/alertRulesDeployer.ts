/**
 * Creates (PUTs) a cluster's Azure-native alerts through `@azure/arm-monitor` (the deployment's step `alerts`): the
 * action group first, then every rule at once, all idempotent. The function key of the alert route is read from Key
 * Vault here and only here: it reaches Azure inside the action group's webhook URL and nothing else (no return
 * value, no error message, no log line holds it).
 */
import type { MonitorClient } from '@azure/arm-monitor';
import { classifyArmError, type ArmFailure } from '../azure/armErrors';
import { isNotFound } from '../azure/errors';
import { SETTINGS } from '../config';
import type { StepOutcome } from '../deployments/contracts';
import type { ClusterRecord } from '../registry/clusterRecord';
import {
  alertRulePuts,
  alertRuleSettings,
  alertStepDecision,
  alertWebhookUrl,
  clusterAlertRules,
  type AlertPut,
  type AzureAlertsSpec,
} from './azureAlertRules';

/** The activity's input: what travels through the orchestration's history (no secret). */
export interface EnsureAlertRulesInput {
  record: ClusterRecord;
  /** The spec's monitoring.azureAlerts; absent in deployments started before it existed. */
  azureAlerts?: AzureAlertsSpec;
  tags: Record<string, string>;
}

export interface AlertRulesDeps {
  monitor(subscriptionId: string): Pick<MonitorClient, 'actionGroups' | 'metricAlerts' | 'activityLogAlerts'>;
  /** A Key Vault secret's value; throws a 404 RestError when it does not exist. */
  readSecret(name: string): Promise<string | undefined>;
  settings: { publicUrl: string | undefined; functionKeySecretName: string | undefined };
}

/** A failure whose message cannot hold the key (Azure echoes request values in some messages). */
function scrubbed(failure: ArmFailure, secret: string): ArmFailure {
  return secret ? { ...failure, message: failure.message.split(secret).join('***') } : failure;
}

export async function ensureClusterAlertRules(
  deps: AlertRulesDeps,
  input: EnsureAlertRulesInput,
): Promise<StepOutcome> {
  const decision = alertStepDecision(deps.settings, input.azureAlerts, {
    publicUrl: SETTINGS.publicUrl,
    functionKeySecret: SETTINGS.alertsFunctionKeySecret,
  });
  if ('skip' in decision) return { ok: true, detail: decision.skip };
  let key: string | undefined;
  try {
    key = await deps.readSecret(decision.functionKeySecretName);
  } catch (err) {
    if (!isNotFound(err)) return { ok: false, failure: classifyArmError(err) };
  }
  if (!key)
    return {
      ok: false,
      failure: {
        transient: false,
        code: 'AlertRouteKeyMissing',
        message: `Key Vault has no secret '${decision.functionKeySecretName}' (app setting ${SETTINGS.alertsFunctionKeySecret}): store the function key of POST /api/alerts there, then re-POST the deployment (every step is idempotent)`,
      },
    };
  const { record } = input;
  const rules = clusterAlertRules(
    record,
    alertRuleSettings(input.azureAlerts, alertWebhookUrl(decision.publicUrl, key), input.tags),
  );
  const client = deps.monitor(record.subscriptionId);
  const put = (p: AlertPut): Promise<unknown> =>
    p.kind === 'actionGroup'
      ? client.actionGroups.createOrUpdate(record.resourceGroup, p.name, p.body)
      : p.kind === 'metricAlert'
        ? client.metricAlerts.createOrUpdate(record.resourceGroup, p.name, p.body)
        : client.activityLogAlerts.createOrUpdate(record.resourceGroup, p.name, p.body);
  try {
    for (const round of alertRulePuts(rules)) await Promise.all(round.map(put));
  } catch (err) {
    return { ok: false, failure: scrubbed(classifyArmError(err), key) };
  }
  const email = rules.actionGroup.body.emailReceivers?.length ? ' and the operator e-mail' : '';
  return {
    ok: true,
    detail:
      `action group ${rules.actionGroup.name} (webhook POST /api/alerts${email}); ` +
      `${rules.metricAlerts.length} metric alerts (${rules.metricAlerts.map((m) => m.name).join(', ')}); ` +
      `${rules.activityLogAlerts.length} Resource Health alerts`,
  };
}
