/**
 * Activity: one configuration step on one VM. Builds the step's script from the builders, fetches the secrets it
 * needs from Key Vault (passed as Run Command parameters, never in the script text), runs it and returns the
 * script's result line. Secret values never leave this function.
 */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import type { SecretClient } from '@azure/keyvault-secrets';
import { classifyArmError } from '../../shared/azure/armErrors';
import { azureClients } from '../../shared/azure/clients';
import { appConfig } from '../../shared/config';
import { buildStepScript, type StepContext } from '../../shared/configure/buildStep';
import type { ConfigStepOutcome, RunConfigStepInput } from '../../shared/configure/contracts';
import { runScript } from '../../shared/configure/runCommand';
import type { SecretRequirement } from '../../shared/scripts';
import { readSecretIfExists } from '../../shared/secrets/credentialStore';
import { ACTIVITIES } from '../../shared/names';

class MissingSecret extends Error {}

async function secretParameters(
  client: SecretClient,
  needed: SecretRequirement[],
  bindings: RunConfigStepInput['secrets'],
) {
  const out: { name: string; value: string }[] = [];
  for (const s of needed) {
    const secretName = bindings[s.name];
    if (!secretName) {
      if (s.required) throw new MissingSecret(`the step needs ${s.name} but the spec names no Key Vault secret for it`);
      continue;
    }
    const value = await readSecretIfExists(client, secretName);
    if (value === undefined || value === '') {
      if (s.required)
        throw new MissingSecret(
          `Key Vault secret '${secretName}' is missing: store it in the Key Vault first, then re-run the deployment`,
        );
      continue;
    }
    out.push({ name: s.name, value });
  }
  return out;
}

const handler: ActivityHandler = async (input: RunConfigStepInput): Promise<ConfigStepOutcome> => {
  const ctx: StepContext = {
    subscriptionId: input.vm.subscriptionId,
    resourceGroup: input.vm.resourceGroup,
    publicUrl: appConfig().publicUrl,
  };
  let step: ReturnType<typeof buildStepScript>;
  try {
    step = buildStepScript(input.ref, input.params, input.nics, ctx);
  } catch (err) {
    return { ok: false, failure: { transient: false, code: 'ScriptUnavailable', message: (err as Error).message } };
  }
  let parameters: { name: string; value: string }[];
  try {
    parameters = await secretParameters(azureClients().secrets(), step.secrets, input.secrets);
  } catch (err) {
    if (err instanceof MissingSecret)
      return { ok: false, failure: { transient: false, code: 'SecretMissing', message: err.message } };
    return { ok: false, failure: classifyArmError(err) };
  }
  const run = await runScript(azureClients().compute(input.vm.subscriptionId), input.vm, {
    script: step.script,
    parameters,
    step: step.name,
  });
  if (!run.ok) return run;
  const r = run.result;
  if (!r.ok) return { ok: false, failure: { transient: false, code: 'ScriptFailed', message: r.message } };
  return { ok: true, changed: r.changed, rebootRequired: r.rebootRequired, message: r.message, data: r.data };
};

df.app.activity(ACTIVITIES.runConfigStep, { handler });
