/**
 * Activity: the cluster's row in the registry (upsert: a re-run overwrites it). Registered by a deployment still in
 * maintenance (its silence holds), the row gets that deployment's maintenance window (shared/monitoring/maintenance).
 */
import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { classifyArmError } from '../../shared/azure/armErrors';
import type { StepOutcome } from '../../shared/deployments/contracts';
import type { ClusterRecord } from '../../shared/registry/clusterRecord';
import { clusterRegistry } from '../../shared/registry/clusterRegistry';
import { registrationWindow } from '../../shared/monitoring/maintenance';
import { ACTIVITIES, MAINTENANCE_SILENCE_ID } from '../../shared/names';
import { pagingStore } from '../../shared/paging/store';

const handler: ActivityHandler = async (record: ClusterRecord): Promise<StepOutcome> => {
  try {
    const silence = await pagingStore().getSilence(record, MAINTENANCE_SILENCE_ID(record.deploymentId));
    const maintenance = registrationWindow(silence, record.deploymentId, new Date());
    await clusterRegistry().upsert(maintenance.length ? { ...record, maintenance } : record);
    return { ok: true, detail: `registered ${record.resourceGroup} (active node ${record.activeNode})` };
  } catch (err) {
    return { ok: false, failure: classifyArmError(err) };
  }
};

df.app.activity(ACTIVITIES.registerCluster, { handler });
