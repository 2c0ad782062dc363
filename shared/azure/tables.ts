/** Azure Table storage helpers shared by the app's tables (deployment locks, cluster registry). */
import { odata, TableClient, type TableEntityResult } from '@azure/data-tables';
import { isNotFound } from './errors';

/** A table client from a storage connection string; plain HTTP is allowed only for emulator endpoints. */
export function tableClient(connectionString: string, tableName: string): TableClient {
  const allowInsecureConnection =
    /(^|;)(DefaultEndpointsProtocol=http|TableEndpoint=http:)/i.test(connectionString) ||
    /UseDevelopmentStorage=true/i.test(connectionString);
  return TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection });
}

/** Creates the table on first use (once per process; again after a failure). */
export function tableCreator(table: TableClient): () => Promise<void> {
  let created: Promise<void> | undefined;
  return () =>
    (created ??= table.createTable().catch((err: unknown) => {
      created = undefined;
      throw err;
    }));
}

/** Row keys of a cluster target: ARM compares subscription ids and resource group names case-insensitively. */
export function targetKeys(subscriptionId: string, resourceGroup: string): { partitionKey: string; rowKey: string } {
  return { partitionKey: subscriptionId.toLowerCase(), rowKey: resourceGroup.toLowerCase() };
}

/** Deletes one row; false when there was none. */
export async function deleteRowIfExists(table: TableClient, partitionKey: string, rowKey: string): Promise<boolean> {
  try {
    await table.deleteEntity(partitionKey, rowKey);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** Every row of one partition (one query), e.g. the clusters of one subscription. */
export async function listPartition<T extends object>(
  table: TableClient,
  partitionKey: string,
): Promise<TableEntityResult<T>[]> {
  const out: TableEntityResult<T>[] = [];
  for await (const row of table.listEntities<T>({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` } }))
    out.push(row);
  return out;
}
