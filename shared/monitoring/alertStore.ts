/**
 * Azure Monitor alerts received by POST /api/alerts, in table TABLES.alerts:
 *
 * - a **receipt** per notification (partition `received`, row = SHA-256 of alertId + monitorCondition): written
 *   once the notification was processed, so a retry by Azure (same alertId and condition) is processed once;
 * - an **evidence** row per (cluster, notification) (partition = the cluster's subscription, lower-case, row =
 *   `<resource group>~<receipt row key>`): what an evaluation passes to the diagnosis as `signals.alerts`. One
 *   partition per subscription lets a sweep shard (one subscription) read its alerts with one query.
 */
import { isNotFound } from '../azure/errors';
import type { TableClient } from '@azure/data-tables';
import { tableClient, tableCreator } from '../azure/tables';
import { TABLES } from '../names';
import type { ClusterAlert } from './signals';

const RECEIPTS = 'received';
/** Property values hold 32K UTF-16 characters; an alert's evidence is cut to this. */
const MAX_JSON = 30_000;

export interface AlertReceipt {
  alertId: string;
  monitorCondition: string;
  receivedAt: string;
  processedAt: string;
  /** Registered clusters the alert mapped to, `<sub>/<rg>`. */
  clusters: string[];
  unknownTargets: string[];
}

export class AlertStore {
  private readonly ensureTable: () => Promise<void>;

  constructor(private readonly table: TableClient) {
    this.ensureTable = tableCreator(table);
  }

  static fromConnectionString(connectionString: string, tableName: string = TABLES.alerts): AlertStore {
    return new AlertStore(tableClient(connectionString, tableName));
  }

  /** The receipt of an already processed notification, if any. */
  async receipt(dedupRowKey: string): Promise<AlertReceipt | undefined> {
    await this.ensureTable();
    try {
      const row = await this.table.getEntity<{ receipt: string }>(RECEIPTS, dedupRowKey);
      return JSON.parse(row.receipt) as AlertReceipt;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async putReceipt(dedupRowKey: string, receipt: AlertReceipt): Promise<void> {
    await this.ensureTable();
    const text = JSON.stringify(receipt);
    await this.table.upsertEntity(
      {
        partitionKey: RECEIPTS,
        rowKey: dedupRowKey,
        alertId: receipt.alertId.slice(0, 1000),
        monitorCondition: receipt.monitorCondition,
        receivedAt: receipt.receivedAt,
        receipt: text.length <= MAX_JSON ? text : JSON.stringify({ ...receipt, unknownTargets: [] }).slice(0, MAX_JSON),
      },
      'Replace',
    );
  }

  /** Keeps the alert as evidence of one cluster (idempotent). */
  async keep(subscriptionId: string, resourceGroup: string, dedupRowKey: string, alert: ClusterAlert): Promise<void> {
    await this.ensureTable();
    let text = JSON.stringify(alert);
    if (text.length > MAX_JSON) text = JSON.stringify({ ...alert, targets: alert.targets.slice(0, 20) });
    await this.table.upsertEntity(
      {
        partitionKey: subscriptionId.toLowerCase(),
        rowKey: `${resourceGroup.toLowerCase()}~${dedupRowKey}`,
        resourceGroup: resourceGroup.toLowerCase(),
        firedAt: alert.firedAt,
        monitorCondition: alert.monitorCondition,
        alert: text.slice(0, MAX_JSON),
      },
      'Replace',
    );
  }

  /**
   * The alerts of every cluster of a subscription fired since `since` (one query), merged per alertId (a Resolved
   * notification sets `resolvedAt` of its Fired one), keyed by resource group (lower-case).
   */
  async recentBySubscription(subscriptionId: string, since: string): Promise<Map<string, ClusterAlert[]>> {
    await this.ensureTable();
    const byRg = new Map<string, Map<string, ClusterAlert>>();
    const iter = this.table.listEntities<{ resourceGroup: string; alert: string }>({
      queryOptions: {
        filter: `PartitionKey eq '${subscriptionId.toLowerCase().replace(/'/g, "''")}' and firedAt ge '${since}'`,
      },
    });
    for await (const row of iter) {
      let alert: ClusterAlert;
      try {
        alert = JSON.parse(row.alert) as ClusterAlert;
      } catch {
        continue;
      }
      const alerts = byRg.get(row.resourceGroup) ?? new Map<string, ClusterAlert>();
      byRg.set(row.resourceGroup, alerts);
      const seen = alerts.get(alert.alertId);
      alerts.set(alert.alertId, mergeAlert(seen, alert));
    }
    return new Map([...byRg].map(([rg, m]) => [rg, [...m.values()]]));
  }
}

/** A Fired and a Resolved notification of one alert: one alert, resolved. */
export function mergeAlert(a: ClusterAlert | undefined, b: ClusterAlert): ClusterAlert {
  if (!a) return b;
  const resolved = [a, b].find((x) => x.monitorCondition === 'Resolved');
  const fired = [a, b].find((x) => x.monitorCondition === 'Fired') ?? a;
  if (!resolved) return fired;
  return { ...fired, monitorCondition: 'Resolved', resolvedAt: resolved.resolvedAt ?? resolved.firedAt };
}
