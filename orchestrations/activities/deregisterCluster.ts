/** Activity: the cluster leaves monitoring — its registry row and its QWK snapshot row are deleted (idempotent). */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { classifyArmError } from '../../shared/azure/armErrors';
import type { StepOutcome } from '../../shared/deployments/contracts';
import { qwkSnapshotStore } from '../../shared/monitoring/qwkSnapshotStore';
import { clusterRegistry } from '../../shared/registry/clusterRegistry';
import { ACTIVITIES } from '../../shared/names';
import type { DeregisterInput } from '../../shared/teardown/teardown';

const handler: ActivityHandler = async (input: DeregisterInput): Promise<StepOutcome> => {
  try {
    const row = await clusterRegistry().remove(input.subscriptionId, input.resourceGroup);
    const snapshot = await qwkSnapshotStore().remove(input.subscriptionId, input.resourceGroup);
    return {
      ok: true,
      detail: `${row ? 'registry row deleted' : 'not registered'}; ${snapshot ? 'snapshot row deleted' : 'no snapshot row'}`,
    };
  } catch (err) {
    return { ok: false, failure: classifyArmError(err) };
  }
};

df.app.activity(ACTIVITIES.deregisterCluster, { handler });
