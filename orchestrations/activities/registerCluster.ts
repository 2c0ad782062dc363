/** Activity: the cluster's row in the registry (upsert: a re-run overwrites it). */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { classifyArmError } from '../../shared/azure/armErrors';
import type { StepOutcome } from '../../shared/deployments/contracts';
import type { ClusterRecord } from '../../shared/registry/clusterRecord';
import { clusterRegistry } from '../../shared/registry/clusterRegistry';
import { ACTIVITIES } from '../../shared/names';

const handler: ActivityHandler = async (record: ClusterRecord): Promise<StepOutcome> => {
  try {
    await clusterRegistry().upsert(record);
    return { ok: true, detail: `registered ${record.resourceGroup} (active node ${record.activeNode})` };
  } catch (err) {
    return { ok: false, failure: classifyArmError(err) };
  }
};

df.app.activity(ACTIVITIES.registerCluster, { handler });
