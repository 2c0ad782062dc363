/**
 * POST /api/clusters/{subscriptionId}/{resourceGroup}/qwk — the QWK relay's snapshots. Anonymous at the host (the
 * relay holds no function key); every request is checked by its HMAC signature under the cluster's relay key.
 */
import { app, output, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { azureClients } from '../shared/azure/clients';
import { ingestSnapshot } from '../shared/monitoring/qwkIngest';
import { RELAY_MAX_BODY_BYTES } from '../shared/monitoring/qwkSnapshot';
import { qwkSnapshotStore } from '../shared/monitoring/qwkSnapshotStore';
import { RelayKeyReader } from '../shared/monitoring/relayKey';
import { clusterRegistry } from '../shared/registry/clusterRegistry';
import { SETTINGS } from '../shared/config';
import { shardClusters, snapshotCallsForEvaluation } from '../shared/monitoring/clusterMonitor';
import { QUEUES } from '../shared/names';
import type { ClusterRecord } from '../shared/registry/clusterRecord';

/**
 * A snapshot that changes something (a sequence advanced, a commstat or peer changed, a node appeared), or that
 * shows the cluster settling into a condition (an object stopped for over half of HBEATTIME × NUMHBEATS, a comm path
 * not UP: `snapshotCallsForEvaluation`), puts a one-cluster shard on QUEUES.evaluateShard: the evaluation (ARM
 * reads) runs off the relay's request path.
 */
const evaluate = output.storageQueue({ queueName: QUEUES.evaluateShard, connection: SETTINGS.storage });

const keys = new RelayKeyReader(() => azureClients().secrets(), 60_000);

export async function postQwkSnapshot(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > RELAY_MAX_BODY_BYTES)
    return {
      status: 413,
      jsonBody: { errors: [{ path: '', message: `at most ${RELAY_MAX_BODY_BYTES} bytes are accepted` }] },
    };
  const body = Buffer.from(await request.arrayBuffer());
  const source = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || 'unknown';
  let registered: ClusterRecord | undefined;
  const res = await ingestSnapshot(
    {
      subscriptionId: request.params.subscriptionId ?? '',
      resourceGroup: request.params.resourceGroup ?? '',
      header: (name) => request.headers.get(name),
      body,
      source,
    },
    {
      isRegistered: async (sub, rg) => (registered = await clusterRegistry().get(sub, rg)) !== undefined,
      relayKey: (sub, rg, fresh) => keys.get(sub, rg, fresh),
      keyMayBeStale: (sub, rg) => (keys.cachedAgeMs(sub, rg) ?? 0) > 10_000,
      getSnapshot: (sub, rg) => qwkSnapshotStore().get(sub, rg),
      putSnapshot: (record, etag) => qwkSnapshotStore().put(record, etag),
      now: Date.now,
      warn: (message, data) => context.warn(message, data),
      onStored: (previous, record) => {
        if (registered && snapshotCallsForEvaluation(previous, record, registered))
          context.extraOutputs.set(evaluate, shardClusters([registered], 'snapshot', record.receivedAt));
      },
    },
  );
  return { status: res.status, jsonBody: res.body };
}

app.http('qwkIngest', {
  route: 'clusters/{subscriptionId}/{resourceGroup}/qwk',
  methods: ['POST'],
  authLevel: 'anonymous',
  extraOutputs: [evaluate],
  handler: postQwkSnapshot,
});
