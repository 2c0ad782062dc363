/** Activity: whether the cluster has a row in the registry, i.e. a deployment of it completed (verify.switchover). */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { classifyArmError } from '../../shared/azure/armErrors';
import type { ClusterRegistration, ReadClusterRegistrationInput } from '../../shared/configure/contracts';
import { clusterRegistry } from '../../shared/registry/clusterRegistry';
import { ACTIVITIES } from '../../shared/names';

const handler: ActivityHandler = async (input: ReadClusterRegistrationInput): Promise<ClusterRegistration> => {
  try {
    const row = await clusterRegistry().get(input.subscriptionId, input.resourceGroup);
    return row
      ? { ok: true, registered: true, deploymentId: row.deploymentId, registeredAt: row.registeredAt }
      : { ok: true, registered: false };
  } catch (err) {
    return { ok: false, failure: classifyArmError(err) };
  }
};

df.app.activity(ACTIVITIES.readClusterRegistration, { handler });
