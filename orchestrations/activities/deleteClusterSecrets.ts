/**
 * Activity: deletes the cluster's generated Key Vault secrets by name (Key Vault soft delete: beginDeleteSecret's
 * first response; the poller is not awaited). Never reads a value. Absent secrets are reported, not an error.
 */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { classifyArmError } from '../../shared/azure/armErrors';
import { azureClients } from '../../shared/azure/clients';
import { isNotFound } from '../../shared/azure/errors';
import type { StepOutcome } from '../../shared/deployments/contracts';
import { ACTIVITIES } from '../../shared/names';

const handler: ActivityHandler = async (names: string[]): Promise<StepOutcome> => {
  const client = azureClients().secrets();
  const deleted: string[] = [];
  try {
    for (const name of names) {
      try {
        await client.beginDeleteSecret(name);
        deleted.push(name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return { ok: true, detail: deleted.length ? `deleted ${deleted.join(', ')}` : 'no generated secrets found' };
  } catch (err) {
    return { ok: false, failure: classifyArmError(err) };
  }
};

df.app.activity(ACTIVITIES.deleteClusterSecrets, { handler });
