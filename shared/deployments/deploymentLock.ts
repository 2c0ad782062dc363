/**
 * At most one running deployment per (subscription, resource group): one table row per target holds the id of
 * its latest deployment. Claiming uses insert / ETag-conditional update, so of two concurrent requests exactly
 * one wins, whatever the timing.
 */
import type { TableClient, TableEntity } from '@azure/data-tables';
import { isConflict, isNotFound, isPreconditionFailed } from '../azure/errors';
import { tableClient, tableCreator, targetKeys } from '../azure/tables';

export interface LockRow {
  deploymentId: string;
  claimedAt: string;
}

export type IsRunning = (deploymentId: string, claimedAt: Date) => Promise<boolean>;

export type ClaimResult = { claimed: true } | { claimed: false; runningDeploymentId: string };

export class DeploymentLock {
  private readonly ensureTable: () => Promise<void>;

  constructor(private readonly table: TableClient) {
    this.ensureTable = tableCreator(table);
  }

  static fromConnectionString(connectionString: string, tableName: string): DeploymentLock {
    return new DeploymentLock(tableClient(connectionString, tableName));
  }

  /**
   * Claims the target for `deploymentId` unless the deployment that holds it is still running (per `isRunning`).
   */
  async claim(
    subscriptionId: string,
    resourceGroup: string,
    deploymentId: string,
    now: Date,
    isRunning: IsRunning,
  ): Promise<ClaimResult> {
    await this.ensureTable();
    const { partitionKey, rowKey } = targetKeys(subscriptionId, resourceGroup);
    const row: TableEntity<LockRow> = { partitionKey, rowKey, deploymentId, claimedAt: now.toISOString() };
    for (let attempt = 0; attempt < 5; attempt++) {
      let current: (LockRow & { etag: string }) | undefined;
      try {
        const e = await this.table.getEntity<LockRow>(partitionKey, rowKey);
        current = { deploymentId: e.deploymentId, claimedAt: e.claimedAt, etag: e.etag };
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      try {
        if (!current) {
          await this.table.createEntity(row);
          return { claimed: true };
        }
        if (await isRunning(current.deploymentId, new Date(current.claimedAt))) {
          return { claimed: false, runningDeploymentId: current.deploymentId };
        }
        await this.table.updateEntity(row, 'Replace', { etag: current.etag });
        return { claimed: true };
      } catch (err) {
        if (isConflict(err) || isPreconditionFailed(err)) continue; // someone else claimed in between: look again
        throw err;
      }
    }
    throw new Error(`could not claim ${subscriptionId}/${resourceGroup}: too much contention`);
  }

  /** Gives the target back if `deploymentId` still holds it (used when starting the deployment failed). */
  async release(subscriptionId: string, resourceGroup: string, deploymentId: string): Promise<void> {
    const { partitionKey, rowKey } = targetKeys(subscriptionId, resourceGroup);
    try {
      const current = await this.table.getEntity<LockRow>(partitionKey, rowKey);
      if (current.deploymentId === deploymentId)
        await this.table.deleteEntity(partitionKey, rowKey, { etag: current.etag });
    } catch (err) {
      if (!isNotFound(err) && !isPreconditionFailed(err)) throw err;
    }
  }
}
