/**
 * Common Alert Schema payloads (schemaId azureMonitorCommonAlertSchema), shaped like Azure's published samples
 * ("Sample alert payloads": metric alert static threshold, Resource Health activity log alert).
 */
import { createHash } from 'node:crypto';
import { parseResourceId } from '../../arm/ids';
import type { StaticCriterion } from './evaluator';
import type { VmHealthEvent } from './signals';

/** Target ids as the samples show them: `resourcegroups`, provider namespace and type in lower case, names kept. */
export function targetId(id: string): string {
  const p = parseResourceId(id);
  if (!p) return id;
  return `/subscriptions/${p.subscriptionId}/resourcegroups/${p.resourceGroup}/providers/${p.type.toLowerCase()}/${p.name}`;
}

const nameOf = (id: string) => id.split('/').filter(Boolean).pop() ?? id;
const hash = (s: string) => createHash('sha256').update(s).digest('hex');

export interface MetricAlertNotice {
  alertId: string;
  rule: {
    id: string;
    name: string;
    subscriptionId: string;
    resourceGroup: string;
    description: string;
    severity: number;
  };
  scope: string;
  monitorCondition: 'Fired' | 'Resolved';
  firedDateTime: Date;
  resolvedDateTime?: Date;
  windowSize: string;
  conditionType: 'SingleResourceMultipleMetricCriteria' | 'MultipleResourceMultipleMetricCriteria';
  criteria: { criterion: StaticCriterion; dimensions: Record<string, string>; metricValue?: number }[];
  windowStart: Date;
  windowEnd: Date;
  /** The rule's customProperties merged with the action's webHookProperties. */
  customProperties: Record<string, string>;
}

export function metricAlertPayload(n: MetricAlertNotice): any {
  const { rule } = n;
  const custom = Object.keys(n.customProperties).length ? n.customProperties : undefined;
  return {
    schemaId: 'azureMonitorCommonAlertSchema',
    data: {
      essentials: {
        alertId: `/subscriptions/${rule.subscriptionId}/providers/Microsoft.AlertsManagement/alerts/${n.alertId}`,
        alertRule: rule.name,
        severity: `Sev${rule.severity}`,
        signalType: 'Metric',
        monitorCondition: n.monitorCondition,
        monitoringService: 'Platform',
        alertTargetIDs: [targetId(n.scope)],
        configurationItems: [nameOf(n.scope)],
        originAlertId: `${rule.subscriptionId}_${rule.resourceGroup}_microsoft.insights_metricAlerts_${rule.name}_${parseInt(
          hash(`${rule.id}|${n.scope}`).slice(0, 8),
          16,
        )}`,
        firedDateTime: n.firedDateTime.toISOString(),
        ...(n.resolvedDateTime ? { resolvedDateTime: n.resolvedDateTime.toISOString() } : {}),
        description: rule.description,
        essentialsVersion: '1.0',
        alertContextVersion: '1.0',
      },
      alertContext: {
        properties: custom ?? {},
        conditionType: n.conditionType,
        condition: {
          windowSize: n.windowSize,
          allOf: n.criteria.map(({ criterion: c, dimensions, metricValue }) => ({
            metricName: c.metricName,
            metricNamespace: c.metricNamespace ?? parseResourceId(n.scope)?.type ?? '',
            operator: c.operator,
            threshold: String(c.threshold),
            timeAggregation: c.timeAggregation,
            dimensions: Object.entries(dimensions).map(([name, value]) => ({ name, value })),
            metricValue: metricValue ?? null,
            webTestName: null,
          })),
          windowStartTime: n.windowStart.toISOString(),
          windowEndTime: n.windowEnd.toISOString(),
        },
      },
      ...(custom ? { customProperties: custom } : {}),
    },
  };
}

/** The activity log event of a Resource Health transition (what activity log alert conditions are matched on). */
export interface ActivityLogEvent {
  category: 'ResourceHealth';
  resourceId: string;
  resourceGroup: string;
  resourceType: string;
  resourceProvider: string;
  operationName: string;
  status: 'Active' | 'Resolved';
  level: 'Informational' | 'Warning' | 'Critical';
  eventDataId: string;
  correlationId: string;
  eventTimestamp: Date;
  properties: {
    title: string;
    details: string | null;
    currentHealthStatus: string;
    previousHealthStatus: string;
    type: string;
    cause: string;
  };
}

export function resourceHealthEvent(
  e: VmHealthEvent,
  ids: { eventDataId: string; correlationId: string },
): ActivityLogEvent {
  const p = parseResourceId(e.resourceId);
  const resolved = e.currentHealthStatus === 'Available';
  return {
    category: 'ResourceHealth',
    resourceId: e.resourceId,
    resourceGroup: p?.resourceGroup ?? '',
    resourceType: p?.type ?? 'Microsoft.Compute/virtualMachines',
    resourceProvider: (p?.type ?? 'Microsoft.Compute').split('/')[0],
    operationName: `Microsoft.Resourcehealth/healthevent/${resolved ? 'Resolved' : 'Activated'}/action`,
    status: resolved ? 'Resolved' : 'Active',
    level: 'Informational',
    eventDataId: ids.eventDataId,
    correlationId: ids.correlationId,
    eventTimestamp: e.at,
    properties: {
      title: e.title ?? (resolved ? 'Available' : e.currentHealthStatus),
      details: null,
      currentHealthStatus: e.currentHealthStatus,
      previousHealthStatus: e.previousHealthStatus,
      type: e.type ?? (resolved ? 'Downtime' : 'Downtime'),
      cause: e.cause ?? (resolved ? 'Unknown' : 'PlatformInitiated'),
    },
  };
}

export function resourceHealthPayload(
  ev: ActivityLogEvent,
  rule: { name: string; subscriptionId: string; description?: string },
  alertId: string,
  customProperties: Record<string, string>,
): any {
  const custom = Object.keys(customProperties).length ? customProperties : undefined;
  return {
    schemaId: 'azureMonitorCommonAlertSchema',
    data: {
      essentials: {
        alertId: `/subscriptions/${rule.subscriptionId}/providers/Microsoft.AlertsManagement/alerts/${alertId}`,
        alertRule: rule.name,
        severity: 'Sev4',
        signalType: 'Activity Log',
        // Activity log alerts are stateless: every matching event is a Fired alert (a recovery is an event whose
        // status is Resolved and currentHealthStatus Available).
        monitorCondition: 'Fired',
        monitoringService: 'Resource Health',
        alertTargetIDs: [targetId(ev.resourceId)],
        configurationItems: [nameOf(ev.resourceId)],
        originAlertId: `${ev.eventDataId}_${hash(`${rule.name}|${ev.eventDataId}`).slice(0, 32)}`,
        firedDateTime: new Date().toISOString(),
        description: rule.description ?? '',
        essentialsVersion: '1.0',
        alertContextVersion: '1.0',
      },
      alertContext: {
        channels: 'Admin, Operation',
        correlationId: ev.correlationId,
        eventSource: 'ResourceHealth',
        eventTimestamp: ev.eventTimestamp.toISOString(),
        eventDataId: ev.eventDataId,
        level: ev.level,
        operationName: ev.operationName,
        operationId: ev.eventDataId,
        properties: ev.properties,
        status: ev.status,
        submissionTimestamp: ev.eventTimestamp.toISOString(),
        'Activity Log Event Description': null,
      },
      ...(custom ? { customProperties: custom } : {}),
    },
  };
}

/** Whether an activity log event matches a rule's condition (allOf of leaves or anyOf lists; case-insensitive). */
export function matchesCondition(
  ev: ActivityLogEvent,
  allOf: { field?: string; equals?: string; containsAny?: string[]; anyOf?: any[] }[],
): boolean {
  const fieldValue = (field: string): string | undefined => {
    const f = field.toLowerCase();
    if (f.startsWith('properties.')) {
      const k = Object.keys(ev.properties).find((x) => x.toLowerCase() === f.slice('properties.'.length));
      const v = k ? (ev.properties as Record<string, string | null>)[k] : undefined;
      return v ?? undefined;
    }
    const map: Record<string, string | undefined> = {
      category: ev.category,
      resourceid: ev.resourceId,
      resourcegroup: ev.resourceGroup,
      resourcetype: ev.resourceType,
      resourceprovider: ev.resourceProvider,
      operationname: ev.operationName,
      status: ev.status,
      level: ev.level,
    };
    return map[f];
  };
  const leaf = (l: { field?: string; equals?: string; containsAny?: string[] }) => {
    const v = fieldValue(l.field ?? '');
    if (v === undefined) return false;
    if (typeof l.equals === 'string') return v.toLowerCase() === l.equals.toLowerCase();
    return (l.containsAny ?? []).some((x) => v.toLowerCase().includes(x.toLowerCase()));
  };
  return allOf.every((c) => (Array.isArray(c.anyOf) ? c.anyOf.some(leaf) : leaf(c)));
}

/** Whether a resource id lies in a scope (subscription, resource group or resource). */
export function inScope(resourceId: string, scopes: string[]): boolean {
  const id = resourceId.toLowerCase().replace(/\/$/, '');
  return scopes.some((s) => {
    const scope = s.toLowerCase().replace(/\/$/, '');
    return id === scope || id.startsWith(`${scope}/`);
  });
}
