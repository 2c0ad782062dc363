/**
 * POST /api/clusters/{subscriptionId}/{resourceGroup}/qwk — the QWK relay's snapshots. Anonymous at the host (the
 * relay holds no function key); every request is checked by its HMAC signature under the cluster's relay key.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { azureClients } from '../shared/azure/clients';
import { ingestSnapshot } from '../shared/monitoring/qwkIngest';
import { RELAY_MAX_BODY_BYTES } from '../shared/monitoring/qwkSnapshot';
import { qwkSnapshotStore } from '../shared/monitoring/qwkSnapshotStore';
import { RelayKeyReader } from '../shared/monitoring/relayKey';
import { clusterRegistry } from '../shared/registry/clusterRegistry';

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
  const res = await ingestSnapshot(
    {
      subscriptionId: request.params.subscriptionId ?? '',
      resourceGroup: request.params.resourceGroup ?? '',
      header: (name) => request.headers.get(name),
      body,
      source,
    },
    {
      isRegistered: async (sub, rg) => (await clusterRegistry().get(sub, rg)) !== undefined,
      relayKey: (sub, rg, fresh) => keys.get(sub, rg, fresh),
      keyMayBeStale: (sub, rg) => (keys.cachedAgeMs(sub, rg) ?? 0) > 10_000,
      getSnapshot: (sub, rg) => qwkSnapshotStore().get(sub, rg),
      putSnapshot: (record, etag) => qwkSnapshotStore().put(record, etag),
      now: Date.now,
      warn: (message, data) => context.warn(message, data),
    },
  );
  return { status: res.status, jsonBody: res.body };
}

app.http('qwkIngest', {
  route: 'clusters/{subscriptionId}/{resourceGroup}/qwk',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: postQwkSnapshot,
});
