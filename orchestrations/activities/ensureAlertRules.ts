/**
 * Activity: the cluster's Azure Monitor alerts (action group → POST /api/alerts, metric and Resource Health rules),
 * PUT through @azure/arm-monitor. Skipped (succeeds, saying why) when the app settings for the webhook are absent.
 * The alert route's function key is read from Key Vault inside this activity and never leaves it.
 */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { azureClients } from '../../shared/azure/clients';
import { appConfig } from '../../shared/config';
import type { StepOutcome } from '../../shared/deployments/contracts';
import { ensureClusterAlertRules, type EnsureAlertRulesInput } from '../../shared/monitoring/alertRulesDeployer';
import { ACTIVITIES } from '../../shared/names';

const handler: ActivityHandler = async (input: EnsureAlertRulesInput): Promise<StepOutcome> => {
  const config = appConfig();
  const clients = azureClients();
  return ensureClusterAlertRules(
    {
      monitor: (sub) => clients.monitor(sub),
      readSecret: async (name) => (await clients.secrets().getSecret(name)).value,
      settings: { publicUrl: config.publicUrl, functionKeySecretName: config.alertsFunctionKeySecretName },
    },
    input,
  );
};

df.app.activity(ACTIVITIES.ensureAlertRules, { handler });
