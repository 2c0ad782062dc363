/**
 * Activity: create or update one planned resource through the ARM SDK. ARM errors are reported as a classified
 * outcome (the orchestrator decides: retry or fail); only unexpected exceptions throw.
 */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import type { VirtualMachine } from '@azure/arm-compute';
import { classifyArmError } from '../../shared/azure/armErrors';
import { provisionResource } from '../../shared/azure/armProvisioner';
import { azureClients } from '../../shared/azure/clients';
import type { ProvisionResourceInput, StepOutcome } from '../../shared/deployments/contracts';
import { withCredentials } from '../../shared/plan';
import { readVmCredential } from '../../shared/secrets/credentialStore';
import { ACTIVITIES } from '../../shared/names';

const handler: ActivityHandler = async (input: ProvisionResourceInput): Promise<StepOutcome> => {
  const clients = azureClients();
  try {
    let body = input.resource.body;
    if (input.credential) {
      const credential = await readVmCredential(clients.secrets(), input.credential.secretName, input.credential.kind);
      body = withCredentials(body as VirtualMachine, credential);
    }
    const result = await provisionResource(clients, { ...input.resource, body });
    return {
      ok: true,
      detail: result.existed ? `exists (${result.provisioningState})` : result.provisioningState,
      // the step's own end (ARM's LRO done), not the end of its wave
      endedAt: new Date().toISOString(),
    };
  } catch (err) {
    return { ok: false, failure: classifyArmError(err) };
  }
};

df.app.activity(ACTIVITIES.provisionResource, { handler });
