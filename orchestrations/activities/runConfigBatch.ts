/**
 * Activity: consecutive configuration steps of one VM in ONE Run Command (shared/scripts/batch.ts). Builds each
 * step's script from the builders, fetches the secrets the steps need from Key Vault (passed as Run Command
 * parameters, never in the script text; each step sees only its own), runs the batch and returns each step's
 * result with its own times. Secret values never leave this function.
 */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import type { SecretClient } from '@azure/keyvault-secrets';
import { classifyArmError } from '../../shared/azure/armErrors';
import { azureClients } from '../../shared/azure/clients';
import { appConfig } from '../../shared/config';
import { buildStepScript, type StepContext } from '../../shared/configure/buildStep';
import type { ConfigBatchOutcome, RunConfigBatchInput } from '../../shared/configure/contracts';
import { runCommandMessage } from '../../shared/configure/runCommand';
import type { SecretRequirement } from '../../shared/scripts';
import { batchSecrets, buildBatchScript, parseBatchOutput, type BatchEntry } from '../../shared/scripts/batch';
import { readSecretIfExists } from '../../shared/secrets/credentialStore';
import { ACTIVITIES } from '../../shared/names';

class MissingSecret extends Error {}

async function secretParameters(
  client: SecretClient,
  needed: SecretRequirement[],
  bindings: RunConfigBatchInput['secrets'],
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

const handler: ActivityHandler = async (input: RunConfigBatchInput): Promise<ConfigBatchOutcome> => {
  const ctx: StepContext = {
    subscriptionId: input.vm.subscriptionId,
    resourceGroup: input.vm.resourceGroup,
    publicUrl: appConfig().publicUrl,
  };
  let entries: BatchEntry[];
  let script: string;
  try {
    entries = input.refs.map((ref, i) => ({
      id: ref.id,
      script: buildStepScript(ref, input.params, input.nics, ctx),
      useMarker: input.useMarker[i] ?? true,
    }));
    script = buildBatchScript(entries);
  } catch (err) {
    return { ok: false, failure: { transient: false, code: 'ScriptUnavailable', message: (err as Error).message } };
  }
  let parameters: { name: string; value: string }[];
  try {
    parameters = await secretParameters(azureClients().secrets(), batchSecrets(entries), input.secrets);
  } catch (err) {
    if (err instanceof MissingSecret)
      return { ok: false, failure: { transient: false, code: 'SecretMissing', message: err.message } };
    return { ok: false, failure: classifyArmError(err) };
  }
  const run = await runCommandMessage(azureClients().compute(input.vm.subscriptionId), input.vm, script, parameters);
  if (!run.ok) return run;
  const out = parseBatchOutput(
    run.message,
    entries.map((e) => e.id),
  );
  return { ok: true, steps: out.steps, ...(out.problem ? { problem: out.problem } : {}) };
};

df.app.activity(ACTIVITIES.runConfigBatch, { handler });
