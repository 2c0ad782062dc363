/**
 * The latest relay snapshot per cluster in table TABLES.qwkSnapshots (partition = subscription, row = resource group,
 * lower case). Written with an ETag: insert when there is no row, replace only if the row is still the one read.
 * Large JSON columns are split into chunks (a table property holds at most 32K UTF-16 characters).
 */
import { isNotFound, statusCodeOf } from '../azure/errors';
import type { TableClient, TableEntity } from '@azure/data-tables';
import { deleteRowIfExists, listPartition, tableClient, tableCreator, targetKeys } from '../azure/tables';
import { appConfig, ConfigError, SETTINGS } from '../config';
import { TABLES } from '../names';
import type { QwkSnapshotRecord } from './qwkSnapshot';

const CHUNK = 30_000;
const MAX_CHUNKS = 30;

interface Row {
  subscriptionId: string;
  resourceGroup: string;
  counter: number;
  witness?: string;
  witnessTime: string;
  receivedAt: string;
  source?: string;
  nodes: string;
  objectsChunks: number;
  [chunk: `objects${number}`]: string;
}

export interface StoredSnapshot {
  record: QwkSnapshotRecord;
  etag: string;
}

/** Another writer changed the row since it was read (412) or created it first (409). */
export class SnapshotConflictError extends Error {
  constructor() {
    super('the snapshot row changed since it was read');
    this.name = 'SnapshotConflictError';
  }
}

export class QwkSnapshotStore {
  private readonly ensureTable: () => Promise<void>;

  constructor(private readonly table: TableClient) {
    this.ensureTable = tableCreator(table);
  }

  static fromConnectionString(connectionString: string, tableName: string = TABLES.qwkSnapshots): QwkSnapshotStore {
    return new QwkSnapshotStore(tableClient(connectionString, tableName));
  }

  async get(subscriptionId: string, resourceGroup: string): Promise<StoredSnapshot | undefined> {
    await this.ensureTable();
    const k = targetKeys(subscriptionId, resourceGroup);
    try {
      const row = await this.table.getEntity<Row>(k.partitionKey, k.rowKey);
      return { record: fromRow(row), etag: row.etag };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Deletes the cluster's snapshot row (a deregistered cluster); false when there was none. */
  async remove(subscriptionId: string, resourceGroup: string): Promise<boolean> {
    await this.ensureTable();
    const k = targetKeys(subscriptionId, resourceGroup);
    return deleteRowIfExists(this.table, k.partitionKey, k.rowKey);
  }

  /** Every cluster's latest snapshot in one subscription (one partition query). */
  async listBySubscription(subscriptionId: string): Promise<QwkSnapshotRecord[]> {
    await this.ensureTable();
    const rows = await listPartition<Row>(this.table, targetKeys(subscriptionId, '').partitionKey);
    return rows.map(fromRow);
  }

  /** Writes the record if the row is still at `etag` (undefined: only if there is no row). */
  async put(record: QwkSnapshotRecord, etag: string | undefined): Promise<void> {
    await this.ensureTable();
    const entity = toEntity(record);
    try {
      if (etag === undefined) await this.table.createEntity(entity);
      else await this.table.updateEntity(entity, 'Replace', { etag });
    } catch (err) {
      const status = statusCodeOf(err);
      if (status === 409 || status === 412) throw new SnapshotConflictError();
      throw err;
    }
  }
}

function toEntity(r: QwkSnapshotRecord): TableEntity<Row> {
  const objects = JSON.stringify(r.objects);
  const chunks: string[] = [];
  for (let i = 0; i < objects.length; i += CHUNK) chunks.push(objects.slice(i, i + CHUNK));
  if (chunks.length > MAX_CHUNKS) throw new Error('snapshot objects too large to store');
  const entity: TableEntity<Row> = {
    ...targetKeys(r.subscriptionId, r.resourceGroup),
    subscriptionId: r.subscriptionId,
    resourceGroup: r.resourceGroup,
    counter: r.counter,
    witnessTime: r.witnessTime,
    receivedAt: r.receivedAt,
    nodes: JSON.stringify(r.nodes),
    objectsChunks: chunks.length,
    ...(r.witness !== undefined ? { witness: r.witness } : {}),
    ...(r.source !== undefined ? { source: r.source } : {}),
  };
  chunks.forEach((c, i) => (entity[`objects${i}`] = c));
  return entity;
}

function fromRow(row: Row): QwkSnapshotRecord {
  let objects = '';
  for (let i = 0; i < row.objectsChunks; i++) objects += row[`objects${i}`] ?? '';
  return {
    subscriptionId: row.subscriptionId,
    resourceGroup: row.resourceGroup,
    counter: Number(row.counter),
    ...(row.witness !== undefined ? { witness: row.witness } : {}),
    witnessTime: row.witnessTime,
    receivedAt: row.receivedAt,
    ...(row.source !== undefined ? { source: row.source } : {}),
    objects: objects ? (JSON.parse(objects) as QwkSnapshotRecord['objects']) : [],
    nodes: JSON.parse(row.nodes) as QwkSnapshotRecord['nodes'],
  };
}

let shared: QwkSnapshotStore | undefined;
/** The store on the app's storage account (AzureWebJobsStorage). */
export function qwkSnapshotStore(): QwkSnapshotStore {
  if (!shared) {
    const config = appConfig();
    if (!config.storageConnection) throw new ConfigError(`${SETTINGS.storage} is not set`);
    shared = QwkSnapshotStore.fromConnectionString(config.storageConnection);
  }
  return shared;
}
