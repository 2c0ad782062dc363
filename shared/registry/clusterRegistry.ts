/**
 * The cluster registry: one row per cluster in an Azure Table (partition = subscription, row = resource group,
 * both lower-case as ARM compares them). Scalars are columns; the node list and QWK parameters are JSON columns.
 * Upsert (replace) is idempotent: registering a cluster again overwrites its row.
 */
import type { TableClient, TableEntity } from '@azure/data-tables';
import { isNotFound, isPreconditionFailed } from '../azure/errors';
import type { MaintenanceWindow } from '../monitoring/signals';
import { deleteRowIfExists, listPartition, tableClient, tableCreator, targetKeys } from '../azure/tables';
import { appConfig, ConfigError, SETTINGS } from '../config';
import { TABLES } from '../names';
import type { ClusterPaging, ClusterRecord } from './clusterRecord';

type Row = Omit<ClusterRecord, 'nodes' | 'witness' | 'qwk' | 'paging' | 'maintenance'> & {
  nodes: string;
  witness: string;
  qwk: string;
  paging?: string;
  maintenance?: string;
};

export class ClusterRegistry {
  private readonly ensureTable: () => Promise<void>;

  constructor(private readonly table: TableClient) {
    this.ensureTable = tableCreator(table);
  }

  static fromConnectionString(connectionString: string, tableName: string = TABLES.clusters): ClusterRegistry {
    return new ClusterRegistry(tableClient(connectionString, tableName));
  }

  /**
   * Writes the cluster's row. The maintenance windows of the row it replaces are kept (the deployment registering
   * the cluster still runs, and so may a window it opened), merged with the record's own (which win per `by`).
   */
  async upsert(record: ClusterRecord): Promise<void> {
    await this.ensureTable();
    const { paging, maintenance, ...rest } = record;
    const k = targetKeys(record.subscriptionId, record.resourceGroup);
    let windows = maintenance ?? [];
    try {
      const existing = parseWindows((await this.table.getEntity<Row>(k.partitionKey, k.rowKey)).maintenance) ?? [];
      const now = Date.now();
      windows = [
        ...existing.filter((w) => Date.parse(w.until) > now && !windows.some((x) => x.by === w.by)),
        ...windows,
      ];
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const row: TableEntity<Row> = {
      ...k,
      ...rest,
      nodes: JSON.stringify(record.nodes),
      witness: JSON.stringify(record.witness),
      qwk: JSON.stringify(record.qwk),
      ...(paging ? { paging: JSON.stringify(paging) } : {}),
      ...(windows.length ? { maintenance: JSON.stringify(windows) } : {}),
    };
    await this.table.upsertEntity(row, 'Replace');
  }

  /**
   * Changes the cluster's maintenance windows with `change` (ETag-guarded read-modify-write, retried when another
   * writer got there first); false when the cluster is not registered.
   */
  async updateMaintenance(
    subscriptionId: string,
    resourceGroup: string,
    change: (windows: MaintenanceWindow[]) => MaintenanceWindow[],
  ): Promise<boolean> {
    await this.ensureTable();
    const k = targetKeys(subscriptionId, resourceGroup);
    for (let attempt = 0; attempt < 8; attempt++) {
      let row: Row & { etag: string };
      try {
        row = await this.table.getEntity<Row>(k.partitionKey, k.rowKey);
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
      const next = change(parseWindows(row.maintenance) ?? []);
      try {
        await this.table.updateEntity({ ...k, maintenance: JSON.stringify(next) }, 'Merge', { etag: row.etag });
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        if (!isPreconditionFailed(err)) throw err;
      }
    }
    throw new Error(`the registry row of ${subscriptionId}/${resourceGroup} keeps changing: maintenance not updated`);
  }

  /**
   * Replaces the paging settings of a registered cluster (a re-POSTed spec changes its routes); false when the
   * cluster is not registered (its deployment registers it with them).
   */
  async updatePaging(subscriptionId: string, resourceGroup: string, paging: ClusterPaging): Promise<boolean> {
    await this.ensureTable();
    try {
      await this.table.updateEntity(
        { ...targetKeys(subscriptionId, resourceGroup), paging: JSON.stringify(paging) },
        'Merge',
      );
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async get(subscriptionId: string, resourceGroup: string): Promise<ClusterRecord | undefined> {
    await this.ensureTable();
    const k = targetKeys(subscriptionId, resourceGroup);
    try {
      return fromRow(await this.table.getEntity<Row>(k.partitionKey, k.rowKey));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Deletes the cluster's row; false when there was none. */
  async remove(subscriptionId: string, resourceGroup: string): Promise<boolean> {
    await this.ensureTable();
    const k = targetKeys(subscriptionId, resourceGroup);
    return deleteRowIfExists(this.table, k.partitionKey, k.rowKey);
  }

  /** Every cluster of one subscription (one partition query). */
  async listBySubscription(subscriptionId: string): Promise<ClusterRecord[]> {
    await this.ensureTable();
    const rows = await listPartition<Row>(this.table, targetKeys(subscriptionId, '').partitionKey);
    return rows.map(fromRow);
  }

  async list(): Promise<ClusterRecord[]> {
    await this.ensureTable();
    const out: ClusterRecord[] = [];
    for await (const row of this.table.listEntities<Row>()) out.push(fromRow(row));
    return out;
  }
}

function fromRow(row: Row): ClusterRecord {
  return {
    subscriptionId: row.subscriptionId,
    resourceGroup: row.resourceGroup,
    location: row.location,
    deploymentId: row.deploymentId,
    loadBalancerId: row.loadBalancerId,
    ...(row.loadBalancingRule ? { loadBalancingRule: row.loadBalancingRule } : {}),
    frontendIp: row.frontendIp,
    servicePort: row.servicePort,
    probePort: row.probePort,
    nodes: JSON.parse(row.nodes),
    witness: JSON.parse(row.witness),
    qwk: JSON.parse(row.qwk),
    activeNode: row.activeNode,
    ...(typeof row.relayIntervalSeconds === 'number' ? { relayIntervalSeconds: row.relayIntervalSeconds } : {}),
    registeredAt: row.registeredAt,
    ...(row.paging ? { paging: JSON.parse(row.paging) as ClusterPaging } : {}),
    ...(parseWindows(row.maintenance)?.length ? { maintenance: parseWindows(row.maintenance) } : {}),
  };
}

function parseWindows(column: string | undefined): MaintenanceWindow[] | undefined {
  if (!column) return undefined;
  try {
    const v = JSON.parse(column) as unknown;
    return Array.isArray(v) ? (v as MaintenanceWindow[]) : undefined;
  } catch {
    return undefined;
  }
}

let shared: ClusterRegistry | undefined;
/** The registry on the app's storage account (AzureWebJobsStorage). */
export function clusterRegistry(): ClusterRegistry {
  if (!shared) {
    const config = appConfig();
    if (!config.storageConnection) throw new ConfigError(`${SETTINGS.storage} is not set`);
    shared = ClusterRegistry.fromConnectionString(config.storageConnection);
  }
  return shared;
}
