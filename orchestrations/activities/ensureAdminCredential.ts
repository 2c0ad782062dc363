/** Activity: generate the cluster's admin credential into Key Vault unless it is there. Returns no secret. */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { classifyArmError } from '../../shared/azure/armErrors';
import { azureClients } from '../../shared/azure/clients';
import type { StepOutcome } from '../../shared/deployments/contracts';
import type { CredentialRef } from '../../shared/plan';
import { ensureAdminCredential } from '../../shared/secrets/credentialStore';
import { ACTIVITIES } from '../../shared/names';

const handler: ActivityHandler = async (input: CredentialRef): Promise<StepOutcome> => {
  try {
    const { created } = await ensureAdminCredential(azureClients().secrets(), input.secretName, input.kind);
    return {
      ok: true,
      detail: `${input.kind} '${input.secretName}' ${created ? 'generated into' : 'already in'} Key Vault`,
      endedAt: new Date().toISOString(),
    };
  } catch (err) {
    return { ok: false, failure: classifyArmError(err) };
  }
};

df.app.activity(ACTIVITIES.ensureAdminCredential, { handler });
