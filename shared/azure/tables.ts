/** Azure Table storage helpers shared by the app's tables (deployment locks, cluster registry). */
import { TableClient } from '@azure/data-tables';

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
