/**
 * The paging pipeline's state in Azure Tables (Monitoring 4/5), on the app's storage account:
 *
 * Table `notifications` (TABLES.notifications), partition = the cluster (`<subscription>|<resource group>`, lower
 * case), except the rate limiter's partition:
 * - `n|<event id>|<route>`: the idempotency record and delivery log entry of one notification on one route
 *   (status pending → sending → sent | failed; skipped, unknown), updated with ETags;
 * - `s|<route>|<incident key>`: what the route has been told about the incident (flapping guard, reminders);
 * - partition `ratelimit`, row `<route>`: the route's token bucket.
 * Table `silences` (TABLES.silences): partition = the cluster, row = the silence id.
 *
 * Keys are URI-encoded (an incident key holds '/' and '#', which table keys must not).
 */
import { isConflict, isNotFound, isPreconditionFailed, statusCodeOf } from '../azure/errors';
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { tableClient, tableCreator } from '../azure/tables';
import { appConfig, ConfigError, SETTINGS } from '../config';
import type { IncidentTransition } from '../monitoring/contracts';
import { TABLES } from '../names';
import type { RouteIncidentState } from './flapGuard';
import type { TokenBucketState } from './rateLimiter';
import { type Route, routeId } from './routes';
import type { ClusterRef, Silence } from './silences';

export type NotificationStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped' | 'unknown';
export type NotificationEvent = 'trigger' | 'resolve' | 'reminder' | 'test';

/** One notification on one route: its idempotency record and its line in the delivery log. */
export interface NotificationRecord {
  eventId: string;
  route: string;
  kind: Route['kind'];
  incidentKey: string;
  transitionId: string;
  status: NotificationStatus;
  /** What is (or would have been) sent. */
  event?: NotificationEvent;
  /** skipped: why (silenced, flapping, below-min-severity…). */
  reason?: string;
  /** Sends tried so far. */
  attempts: number;
  /** HTTP status of the last attempt, if it got a response. */
  lastStatus?: number;
  lastError?: string;
  createdAt: string;
  updatedAt: string;
  sendingAt?: string;
  sentAt?: string;
  nextAttemptAt?: string;
  /** The route's state for the incident once this notification is through (JSON). */
  stateNext?: string;
  /** Incident revision this record is about. */
  revision: number;
}

export interface StoredRouteState {
  state: RouteIncidentState;
  /** The last transition this route processed for the incident (for reminders and catch-up). */
  transition: IncidentTransition;
  route: Route;
  renotifyMinutes: number;
  repeatMinutes: number;
  /** A held trigger to send then if the incident is still open (decide.ts recheckAt). */
  recheckAt?: string;
}

export interface Etagged<T> {
  value: T;
  etag: string;
}

export class PreconditionFailed extends Error {
  constructor() {
    super('the row changed meanwhile (ETag mismatch)');
    this.name = 'PreconditionFailed';
  }
}

const enc = (s: string) => encodeURIComponent(s);
export const clusterPartition = (c: ClusterRef) => `${c.subscriptionId.toLowerCase()}|${c.resourceGroup.toLowerCase()}`;
export const notificationRow = (eventId: string, route: string) => `n|${enc(eventId)}|${route}`;
export const stateRow = (route: string, incidentKey: string) => `s|${route}|${enc(incidentKey)}`;
const RATE_PARTITION = 'ratelimit';

type RecordRow = NotificationRecord & { partitionKey: string; rowKey: string };
interface StateEntity {
  partitionKey: string;
  rowKey: string;
  outstanding: boolean;
  state: string;
  transition: string;
  route: string;
  renotifyMinutes: number;
  repeatMinutes: number;
  recheckAt?: string;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export class PagingStore {
  private readonly ensureNotifications: () => Promise<void>;
  private readonly ensureSilences: () => Promise<void>;

  constructor(
    private readonly notifications: TableClient,
    private readonly silences: TableClient,
  ) {
    this.ensureNotifications = tableCreator(notifications);
    this.ensureSilences = tableCreator(silences);
  }

  static fromConnectionString(connectionString: string): PagingStore {
    return new PagingStore(
      tableClient(connectionString, TABLES.notifications),
      tableClient(connectionString, TABLES.silences),
    );
  }

  // ---- notification records

  async getRecord(
    cluster: ClusterRef,
    eventId: string,
    route: string,
  ): Promise<Etagged<NotificationRecord> | undefined> {
    await this.ensureNotifications();
    try {
      const row = await this.notifications.getEntity<RecordRow>(
        clusterPartition(cluster),
        notificationRow(eventId, route),
      );
      return { value: toRecord(row), etag: row.etag };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Inserts a new record; undefined when one exists already (another delivery of the same message got there). */
  async insertRecord(
    cluster: ClusterRef,
    record: NotificationRecord,
  ): Promise<Etagged<NotificationRecord> | undefined> {
    await this.ensureNotifications();
    try {
      const r = await this.notifications.createEntity<RecordRow>(
        stripUndefined({
          partitionKey: clusterPartition(cluster),
          rowKey: notificationRow(record.eventId, record.route),
          ...record,
        }),
      );
      return { value: record, etag: r.etag! };
    } catch (err) {
      if (isConflict(err)) return undefined;
      throw err;
    }
  }

  /** Replaces a record if it has not changed since `etag`; throws PreconditionFailed otherwise. */
  async replaceRecord(cluster: ClusterRef, record: NotificationRecord, etag: string): Promise<string> {
    try {
      const r = await this.notifications.updateEntity<RecordRow>(
        stripUndefined({
          partitionKey: clusterPartition(cluster),
          rowKey: notificationRow(record.eventId, record.route),
          ...record,
        }),
        'Replace',
        { etag },
      );
      return r.etag!;
    } catch (err) {
      if (isPreconditionFailed(err)) throw new PreconditionFailed();
      throw err;
    }
  }

  /** The cluster's notification records, oldest first. */
  async listRecords(cluster: ClusterRef): Promise<NotificationRecord[]> {
    await this.ensureNotifications();
    const out: NotificationRecord[] = [];
    const pk = clusterPartition(cluster).replace(/'/g, "''");
    const filter = `PartitionKey eq '${pk}' and RowKey ge 'n|' and RowKey lt 'n}'`;
    for await (const row of this.notifications.listEntities<RecordRow>({ queryOptions: { filter } })) {
      out.push(toRecord(row));
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  // ---- route × incident state

  async getState(
    cluster: ClusterRef,
    route: string,
    incidentKey: string,
  ): Promise<Etagged<StoredRouteState> | undefined> {
    await this.ensureNotifications();
    try {
      const row = await this.notifications.getEntity<StateEntity>(
        clusterPartition(cluster),
        stateRow(route, incidentKey),
      );
      return { value: toState(row), etag: row.etag };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Writes the state: insert when `etag` is undefined, else replace if unchanged. Throws PreconditionFailed. */
  async putState(
    cluster: ClusterRef,
    incidentKey: string,
    s: StoredRouteState,
    etag: string | undefined,
  ): Promise<void> {
    await this.ensureNotifications();
    const routeName = routeId(s.route);
    const entity: StateEntity = stripUndefined({
      partitionKey: clusterPartition(cluster),
      rowKey: stateRow(routeName, incidentKey),
      outstanding: s.state.outstanding,
      state: JSON.stringify(s.state),
      transition: JSON.stringify(s.transition),
      route: JSON.stringify(s.route),
      renotifyMinutes: s.renotifyMinutes,
      repeatMinutes: s.repeatMinutes,
      recheckAt: s.recheckAt,
    });
    try {
      if (etag === undefined) await this.notifications.createEntity(entity);
      else await this.notifications.updateEntity(entity, 'Replace', { etag });
    } catch (err) {
      const code = statusCodeOf(err);
      if (code === 409 || code === 412) throw new PreconditionFailed();
      throw err;
    }
  }

  /** Every route × incident state that may need a reminder or a catch-up: outstanding, or with a recheck time. */
  async listActiveStates(): Promise<{ cluster: ClusterRef; value: StoredRouteState; etag: string }[]> {
    await this.ensureNotifications();
    const out: { cluster: ClusterRef; value: StoredRouteState; etag: string }[] = [];
    const filter = `RowKey ge 's|' and RowKey lt 's}'`;
    for await (const row of this.notifications.listEntities<StateEntity>({ queryOptions: { filter } })) {
      if (!row.outstanding && !row.recheckAt) continue;
      const value = toState(row);
      out.push({
        cluster: {
          subscriptionId: value.transition.cluster.subscriptionId,
          resourceGroup: value.transition.cluster.resourceGroup,
        },
        value,
        etag: row.etag,
      });
    }
    return out;
  }

  // ---- rate limiter

  async getBucket(route: string): Promise<Etagged<TokenBucketState> | undefined> {
    await this.ensureNotifications();
    try {
      const row = await this.notifications.getEntity<TokenBucketState & { partitionKey: string; rowKey: string }>(
        RATE_PARTITION,
        route,
      );
      return { value: { tokens: row.tokens, updatedAtMs: row.updatedAtMs }, etag: row.etag };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async putBucket(route: string, state: TokenBucketState, etag: string | undefined): Promise<void> {
    const entity = {
      partitionKey: RATE_PARTITION,
      rowKey: route,
      tokens: state.tokens,
      updatedAtMs: state.updatedAtMs,
    };
    try {
      if (etag === undefined) await this.notifications.createEntity(entity);
      else await this.notifications.updateEntity(entity, 'Replace', { etag });
    } catch (err) {
      const code = statusCodeOf(err);
      if (code === 409 || code === 412) throw new PreconditionFailed();
      throw err;
    }
  }

  // ---- silences

  async listSilences(cluster: ClusterRef): Promise<Silence[]> {
    await this.ensureSilences();
    const pk = clusterPartition(cluster).replace(/'/g, "''");
    const out: Silence[] = [];
    for await (const row of this.silences.listEntities<Silence & { partitionKey: string; rowKey: string }>({
      queryOptions: { filter: `PartitionKey eq '${pk}'` },
    })) {
      out.push(toSilence(row));
    }
    return out.sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''));
  }

  async addSilence(s: Silence): Promise<void> {
    await this.ensureSilences();
    await this.silences.createEntity(stripUndefined({ partitionKey: clusterPartition(s), rowKey: s.id, ...s }));
  }

  /** One silence by id, or undefined. */
  async getSilence(cluster: ClusterRef, id: string): Promise<Silence | undefined> {
    await this.ensureSilences();
    try {
      return toSilence(await this.silences.getEntity<Silence>(clusterPartition(cluster), id));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Writes a silence with a known id (insert or replace): a retried write is harmless. */
  async putSilence(s: Silence): Promise<void> {
    await this.ensureSilences();
    await this.silences.upsertEntity(
      stripUndefined({ partitionKey: clusterPartition(s), rowKey: s.id, ...s }),
      'Replace',
    );
  }

  /** Deletes a silence; false when there was none with that id. */
  async deleteSilence(cluster: ClusterRef, id: string): Promise<boolean> {
    await this.ensureSilences();
    try {
      await this.silences.deleteEntity(clusterPartition(cluster), id);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}

function toRecord(row: TableEntityResult<RecordRow> | RecordRow): NotificationRecord {
  const r = row as RecordRow;
  return stripUndefined({
    eventId: r.eventId,
    route: r.route,
    kind: r.kind,
    incidentKey: r.incidentKey,
    transitionId: r.transitionId,
    status: r.status,
    event: r.event,
    reason: r.reason,
    attempts: r.attempts,
    lastStatus: r.lastStatus,
    lastError: r.lastError,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    sendingAt: r.sendingAt,
    sentAt: r.sentAt,
    nextAttemptAt: r.nextAttemptAt,
    stateNext: r.stateNext,
    revision: r.revision,
  });
}

function toState(row: StateEntity): StoredRouteState {
  return stripUndefined({
    state: JSON.parse(row.state) as RouteIncidentState,
    transition: JSON.parse(row.transition) as IncidentTransition,
    route: JSON.parse(row.route) as Route,
    renotifyMinutes: row.renotifyMinutes,
    repeatMinutes: row.repeatMinutes,
    recheckAt: row.recheckAt,
  });
}

function toSilence(row: Silence): Silence {
  return stripUndefined({
    id: row.id,
    subscriptionId: row.subscriptionId,
    resourceGroup: row.resourceGroup,
    startsAt: row.startsAt,
    until: row.until,
    reason: row.reason,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
  });
}

let shared: PagingStore | undefined;
/** The store on the app's storage account (AzureWebJobsStorage). */
export function pagingStore(): PagingStore {
  if (!shared) {
    const config = appConfig();
    if (!config.storageConnection) throw new ConfigError(`${SETTINGS.storage} is not set`);
    shared = PagingStore.fromConnectionString(config.storageConnection);
  }
  return shared;
}
