/**
 * Payloads for webhook receivers with useCommonAlertSchema off: the older per-signal schemas Azure still sends
 * ("Webhook actions for metric alerts": schemaId AzureMonitorMetricAlert, version 2.0; activity log alerts:
 * schemaId Microsoft.Insights/activityLogs).
 */
import { parseResourceId } from '../../arm/ids';
import type { ActivityLogEvent, MetricAlertNotice } from './payloads';

export function legacyMetricAlertPayload(n: MetricAlertNotice, webhookProperties: Record<string, string>): any {
  const p = parseResourceId(n.scope);
  return {
    schemaId: 'AzureMonitorMetricAlert',
    data: {
      version: '2.0',
      properties: webhookProperties,
      status: n.monitorCondition === 'Fired' ? 'Activated' : 'Deactivated',
      context: {
        timestamp: (n.resolvedDateTime ?? n.firedDateTime).toISOString(),
        id: n.rule.id,
        name: n.rule.name,
        description: n.rule.description,
        conditionType: n.conditionType,
        severity: String(n.rule.severity),
        condition: {
          windowSize: n.windowSize,
          allOf: n.criteria.map(({ criterion: c, dimensions, metricValue }) => ({
            metricName: c.metricName,
            metricNamespace: c.metricNamespace ?? p?.type ?? '',
            operator: c.operator,
            threshold: String(c.threshold),
            timeAggregation: c.timeAggregation,
            dimensions: Object.entries(dimensions).map(([name, value]) => ({ name, value })),
            metricValue: metricValue ?? null,
            webTestName: null,
          })),
        },
        subscriptionId: n.rule.subscriptionId,
        resourceGroupName: p?.resourceGroup ?? '',
        resourceName: p?.name ?? '',
        resourceType: p?.type ?? '',
        resourceId: n.scope,
        portalLink: `https://portal.azure.com/#resource${n.scope}`,
      },
    },
  };
}

export function legacyActivityLogPayload(
  ev: ActivityLogEvent,
  subscriptionId: string,
  webhookProperties: Record<string, string>,
): any {
  return {
    schemaId: 'Microsoft.Insights/activityLogs',
    data: {
      status: 'Activated',
      context: {
        activityLog: {
          channels: 'Admin, Operation',
          correlationId: ev.correlationId,
          eventSource: 'ResourceHealth',
          eventTimestamp: ev.eventTimestamp.toISOString(),
          eventDataId: ev.eventDataId,
          level: ev.level,
          operationName: ev.operationName,
          operationId: ev.eventDataId,
          properties: ev.properties,
          resourceId: ev.resourceId,
          resourceGroupName: ev.resourceGroup,
          resourceProviderName: ev.resourceProvider,
          status: ev.status,
          subStatus: '',
          subscriptionId,
          submissionTimestamp: ev.eventTimestamp.toISOString(),
          resourceType: ev.resourceType,
        },
      },
      properties: webhookProperties,
    },
  };
}
