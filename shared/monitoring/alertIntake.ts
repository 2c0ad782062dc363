/**
 * POST /api/alerts: one Azure Monitor notification in the Common Alert Schema. Over 256 KiB → 413; not JSON or not
 * the schema → 400 naming what is wrong; already processed (same alertId and monitorCondition, as Azure retries) →
 * 200 `duplicate`; targets of no registered cluster → 202 and logged; else the alert is kept as evidence of each
 * cluster it names and those clusters are evaluated at once (one shard per subscription and region).
 */
import type { ClusterRecord } from '../registry/clusterRecord';
import type { AlertReceipt, AlertStore } from './alertStore';
import { clusterId, clustersForTargets, shardClusters, type ClusterResult, type ShardMessage } from './clusterMonitor';
import { alertDedupRowKey, parseCommonAlertBody, type AlertError, type CommonAlert } from './commonAlertSchema';
import type { ClusterAlert } from './signals';

export interface AlertIntakeDeps {
  listClusters(): Promise<ClusterRecord[]>;
  alerts: Pick<AlertStore, 'receipt' | 'putReceipt' | 'keep'>;
  evaluateShard(shard: ShardMessage): Promise<{ results: ClusterResult[] }>;
  now(): Date;
  info(message: string, data: Record<string, unknown>): void;
}

export type AlertIntakeResponse =
  | { status: 400 | 413; body: { errors: AlertError[] } }
  | {
      status: 200 | 202;
      body: {
        alertId: string;
        monitorCondition: string;
        duplicate: boolean;
        clusters: string[];
        unknownTargets: string[];
        evaluations?: ClusterResult[];
      };
    };

/** The alert as evidence: rule, condition text, state, times, targets. */
export function clusterAlertOf(alert: CommonAlert): ClusterAlert {
  const e = alert.essentials;
  return {
    alertId: e.alertId,
    rule: 'alertRule' in e ? e.alertRule : 'budget',
    condition: conditionText(alert),
    monitorCondition: e.monitorCondition,
    firedAt: e.firedDateTime,
    ...('resolvedDateTime' in e && e.resolvedDateTime ? { resolvedAt: e.resolvedDateTime } : {}),
    targets: e.alertTargetIDs,
    ...('severity' in e ? { severity: e.severity } : {}),
  };
}

/** "DipAvailability Average LessThan 25" for a metric alert, else the signal type / event. */
export function conditionText(alert: CommonAlert): string {
  const ctx = alert.alertContext as {
    condition?: {
      allOf?: { metricName?: unknown; timeAggregation?: unknown; operator?: unknown; threshold?: unknown }[];
    };
    operationName?: unknown;
    properties?: { currentHealthStatus?: unknown };
  };
  const first = ctx.condition?.allOf?.[0];
  if (first && typeof first.metricName === 'string')
    return [first.metricName, first.timeAggregation, first.operator, first.threshold]
      .filter((x) => typeof x === 'string' || typeof x === 'number')
      .join(' ');
  if (alert.variant === 'resourceHealth' && typeof ctx.properties?.currentHealthStatus === 'string')
    return `Resource Health: ${ctx.properties.currentHealthStatus}`;
  if (typeof ctx.operationName === 'string') return ctx.operationName;
  return alert.variant;
}

export async function intakeAlert(body: Buffer, deps: AlertIntakeDeps): Promise<AlertIntakeResponse> {
  const parsed = parseCommonAlertBody(body);
  if (!parsed.ok) return { status: 'tooLarge' in parsed ? 413 : 400, body: { errors: parsed.errors } };
  const alert = parsed.alert;
  const e = alert.essentials;
  const rowKey = alertDedupRowKey(alert);
  const done = await deps.alerts.receipt(rowKey);
  if (done)
    return {
      status: 200,
      body: {
        alertId: e.alertId,
        monitorCondition: e.monitorCondition,
        duplicate: true,
        clusters: done.clusters,
        unknownTargets: done.unknownTargets,
      },
    };
  const receivedAt = deps.now().toISOString();
  const { clusters, unknown } = clustersForTargets(e.alertTargetIDs, await deps.listClusters());
  const evidence = clusterAlertOf(alert);
  for (const c of clusters) await deps.alerts.keep(c.subscriptionId, c.resourceGroup, rowKey, evidence);
  const evaluations: ClusterResult[] = [];
  for (const shard of shardClusters(clusters, 'alert', receivedAt))
    evaluations.push(...(await deps.evaluateShard(shard)).results);
  const receipt: AlertReceipt = {
    alertId: e.alertId,
    monitorCondition: e.monitorCondition,
    receivedAt,
    processedAt: deps.now().toISOString(),
    clusters: clusters.map(clusterId),
    unknownTargets: unknown,
  };
  await deps.alerts.putReceipt(rowKey, receipt);
  if (unknown.length || clusters.length === 0)
    deps.info('alerts: targets of no registered cluster', {
      alertId: e.alertId,
      rule: evidence.rule,
      unknownTargets: unknown.slice(0, 20),
    });
  return {
    status: clusters.length ? 200 : 202,
    body: {
      alertId: e.alertId,
      monitorCondition: e.monitorCondition,
      duplicate: false,
      clusters: receipt.clusters,
      unknownTargets: unknown,
      ...(evaluations.length ? { evaluations } : {}),
    },
  };
}
