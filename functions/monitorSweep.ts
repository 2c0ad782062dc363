/**
 * Timer (six-field NCRONTAB from QWK_MONITOR_SCHEDULE, default every 10 s): lists the registry and fans out over
 * QUEUES.evaluateShard in shards of ≤ 50 clusters of one subscription and region (one metrics call per shard).
 */
import { app, output, type InvocationContext, type Timer } from '@azure/functions';
import { monitoringConfig, SETTINGS } from '../shared/config';
import { clusterMonitor } from '../shared/monitoring/monitoringServices';
import { QUEUES } from '../shared/names';

const shards = output.storageQueue({ queueName: QUEUES.evaluateShard, connection: SETTINGS.storage });

export async function monitorSweep(_timer: Timer, context: InvocationContext): Promise<void> {
  const messages = await clusterMonitor((m, d) => context.warn(m, d)).sweepShards();
  context.extraOutputs.set(shards, messages);
  context.log(
    `monitoring sweep: ${messages.reduce((n, m) => n + m.clusters.length, 0)} clusters in ${messages.length} shards`,
  );
}

app.timer('monitorSweep', {
  schedule: monitoringConfig().schedule,
  extraOutputs: [shards],
  handler: monitorSweep,
});
