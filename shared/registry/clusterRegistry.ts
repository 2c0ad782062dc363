/**
 * The cluster registry: one row per cluster in an Azure Table (partition = subscription, row = resource group,
 * both lower-case as ARM compares them). Scalars are columns; the node list and QWK parameters are JSON columns.
 * Upsert (replace) is idempotent: registering a cluster again overwrites its row.
 */
import type { TableClient, TableEntity } from '@azure/data-tables';
import { isNotFound } from '../azure/errors';
import { deleteRowIfExists, listPartition, tableClient, tableCreator, targetKeys } from '../azure/tables';
import { appConfig, ConfigError, SETTINGS } from '../config';
import { TABLES } from '../names';
import type { ClusterPaging, ClusterRecord } from './clusterRecord';

type Row = Omit<ClusterRecord, 'nodes' | 'witness' | 'qwk' | 'paging'> & {
  nodes: string;
  witness: string;
  qwk: string;
  paging?: string;
};

export class ClusterRegistry {
  private readonly ensureTable: () => Promise<void>;

  constructor(private readonly table: TableClient) {
    this.ensureTable = tableCreator(table);
  }

  static fromConnectionString(connectionString: string, tableName: string = TABLES.clusters): ClusterRegistry {
    return new ClusterRegistry(tableClient(connectionString, tableName));
  }

  async upsert(record: ClusterRecord): Promise<void> {
    await this.ensureTable();
    const { paging, ...rest } = record;
    const row: TableEntity<Row> = {
      ...targetKeys(record.subscriptionId, record.resourceGroup),
      ...rest,
      nodes: JSON.stringify(record.nodes),
      witness: JSON.stringify(record.witness),
      qwk: JSON.stringify(record.qwk),
      ...(paging ? { paging: JSON.stringify(paging) } : {}),
    };
    await this.table.upsertEntity(row, 'Replace');
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
  };
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
