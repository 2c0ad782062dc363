/** Queue QUEUES.evaluateShard: evaluates one shard's clusters (one metrics batch call for all of them). */
import { app, type InvocationContext } from '@azure/functions';
import { SETTINGS } from '../shared/config';
import { parseShardMessage, recheckShards } from '../shared/monitoring/clusterMonitor';
import { clusterMonitor, scheduleRechecks } from '../shared/monitoring/monitoringServices';
import { QUEUES } from '../shared/names';

export async function monitorShard(message: unknown, context: InvocationContext): Promise<void> {
  const shard = parseShardMessage(message);
  if (!shard) {
    context.error('monitoring: not a shard message; dropped', { message: JSON.stringify(message).slice(0, 500) });
    return;
  }
  const { results, metricsCalls } = await clusterMonitor((m, d) => context.warn(m, d)).evaluateShard(shard);
  const failed = results.filter((r) => !r.ok);
  // what is settling (both nodes answering, nobody answering, a condition seen once) is looked at again in 5 s
  const rechecks = recheckShards(shard, results, new Date().toISOString());
  await scheduleRechecks(rechecks);
  context.log(
    `monitoring shard ${shard.subscriptionId}/${shard.location} (${shard.reason}): ${results.length} clusters, ` +
      `${failed.length} failed, ${metricsCalls} metrics calls, ${rechecks.length} rechecks`,
  );
}

app.storageQueue('monitorShard', {
  queueName: QUEUES.evaluateShard,
  connection: SETTINGS.storage,
  handler: monitorShard,
});
