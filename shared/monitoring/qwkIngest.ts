/**
 * Acceptance of one relay POST (POST /api/clusters/{subscriptionId}/{resourceGroup}/qwk). A snapshot is stored only
 * if all hold: the cluster is registered; the body is under 64 KiB; the signature verifies under the cluster's
 * relay key; the timestamp is within ±5 minutes; the counter advances; the body has the documented shape and every
 * object parses. Anything else is a 4xx and nothing changes. A bad signature is a bare 401, logged with the cluster
 * and the source address. Dependencies are passed in, so the rules are tested against the real stores.
 */
import { RELAY_HEADERS } from '../scripts/relay';
import { nextSnapshotRecord, parseSnapshotBody, RELAY_MAX_BODY_BYTES, type QwkSnapshotRecord } from './qwkSnapshot';
import { SnapshotConflictError, type StoredSnapshot } from './qwkSnapshotStore';
import { verifyRelayRequest, type RelayVerdict } from './relaySignature';

export interface IngestRequest {
  subscriptionId: string;
  resourceGroup: string;
  /** Lower-case header lookup. */
  header(name: string): string | null | undefined;
  body: Buffer;
  /** Client address (first X-Forwarded-For entry, else the connection's). */
  source: string;
}

export interface IngestDeps {
  isRegistered(subscriptionId: string, resourceGroup: string): Promise<boolean>;
  /** The cluster's relay key; `fresh` bypasses any cache. */
  relayKey(subscriptionId: string, resourceGroup: string, fresh: boolean): Promise<string | undefined>;
  /** Whether a key read now may be stale (cached for a while): a failing signature is then re-checked once. */
  keyMayBeStale(subscriptionId: string, resourceGroup: string): boolean;
  getSnapshot(subscriptionId: string, resourceGroup: string): Promise<StoredSnapshot | undefined>;
  putSnapshot(record: QwkSnapshotRecord, etag: string | undefined): Promise<void>;
  now(): number;
  /** Called once the snapshot is stored (the evaluation trigger: Monitoring 3/5). Its failure does not undo it. */
  onStored?(previous: QwkSnapshotRecord | undefined, record: QwkSnapshotRecord): Promise<void> | void;
  warn(message: string, data: Record<string, unknown>): void;
}

export interface IngestResponse {
  status: number;
  body: { accepted: true; counter: number; objects: number } | { errors: { path: string; message: string }[] };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RG = /^[-\w._()]{1,90}$/;

const fail = (status: number, message: string): IngestResponse => ({
  status,
  body: { errors: [{ path: '', message }] },
});

export async function ingestSnapshot(req: IngestRequest, deps: IngestDeps): Promise<IngestResponse> {
  const { subscriptionId, resourceGroup } = req;
  if (!GUID.test(subscriptionId) || !RG.test(resourceGroup) || resourceGroup.endsWith('.'))
    return fail(400, 'the route must name a subscription id (GUID) and a resource group');
  if (req.body.length > RELAY_MAX_BODY_BYTES)
    return fail(413, `the body is ${req.body.length} bytes; at most ${RELAY_MAX_BODY_BYTES} are accepted`);
  if (!(await deps.isRegistered(subscriptionId, resourceGroup)))
    return fail(404, `no registered cluster ${subscriptionId}/${resourceGroup}`);

  const headers = {
    timestamp: req.header(RELAY_HEADERS.timestamp),
    counter: req.header(RELAY_HEADERS.counter),
    signature: req.header(RELAY_HEADERS.signature),
  };
  const cluster = `${subscriptionId}/${resourceGroup}`;
  const unauthorized = (why: string): IngestResponse => {
    deps.warn('qwk relay: request refused (401)', { cluster, source: req.source, why });
    return fail(401, 'unauthorized');
  };
  let stored = await deps.getSnapshot(subscriptionId, resourceGroup);
  const verify = (key: string): RelayVerdict =>
    verifyRelayRequest({ key, headers, body: req.body, nowMs: deps.now(), lastCounter: stored?.record.counter });

  let key = await deps.relayKey(subscriptionId, resourceGroup, false);
  if (!key) return unauthorized('no relay key in Key Vault for this cluster');
  let verdict = verify(key);
  if (!verdict.ok && verdict.reason === 'signature' && deps.keyMayBeStale(subscriptionId, resourceGroup)) {
    key = await deps.relayKey(subscriptionId, resourceGroup, true); // the key may have been rotated
    if (!key) return unauthorized('no relay key in Key Vault for this cluster');
    verdict = verify(key);
  }
  if (!verdict.ok) {
    switch (verdict.reason) {
      case 'malformed':
        return fail(400, verdict.message);
      case 'signature':
        return unauthorized('signature does not verify');
      case 'timestamp':
        deps.warn('qwk relay: timestamp outside the window', { cluster, source: req.source, why: verdict.message });
        return fail(401, verdict.message);
      case 'counter':
        return fail(409, verdict.message);
    }
  }

  const parsed = parseSnapshotBody(req.body, { subscriptionId, resourceGroup }, verdict.counter);
  if (!parsed.ok) return fail(parsed.status, parsed.message);

  for (let attempt = 0; ; attempt++) {
    const record = nextSnapshotRecord(stored?.record, parsed.snapshot, {
      subscriptionId,
      resourceGroup,
      receivedAt: new Date(deps.now()).toISOString(),
      source: req.source,
    });
    try {
      await deps.putSnapshot(record, stored?.etag);
      try {
        await deps.onStored?.(stored?.record, record);
      } catch (err) {
        deps.warn('qwk relay: the evaluation after a snapshot could not be queued', {
          cluster,
          error: err instanceof Error ? err.message : String(err),
        });
      }
      return { status: 202, body: { accepted: true, counter: record.counter, objects: record.objects.length } };
    } catch (err) {
      if (!(err instanceof SnapshotConflictError) || attempt >= 3) throw err;
      stored = await deps.getSnapshot(subscriptionId, resourceGroup);
      if (stored && stored.record.counter >= verdict.counter)
        return fail(409, `counter ${verdict.counter} does not advance past the last accepted ${stored.record.counter}`);
    }
  }
}
