/**
 * ARM resources of Microsoft.Insights the alerting serves: actionGroups, metricAlerts, activityLogAlerts.
 * Synchronous PUT/GET/PATCH/DELETE and lists (per resource group, per subscription) as @azure/arm-monitor 8 calls
 * them: metricAlerts api-version 2026-01-01 (PUT answers 200 only), activityLogAlerts 2023-01-01-preview and
 * actionGroups 2024-10-01-preview (PUT 201 created / 200 updated), DELETE 200 (204 when absent). Records live in the
 * simulator's ResourceStore, so `resources.listByResourceGroup` shows them and a resource group's deletion removes them.
 */
import { randomUUID } from 'node:crypto';
import type { Route } from '../../arm/engine';
import { ArmError, badRequest, resourceGroupNotFound } from '../../arm/errors';
import type { SimRequest, SimResponse } from '../../arm/httpTypes';
import { canonicalJson } from '../../arm/resourceType';
import { resourceGroupId, resourceId } from '../../arm/ids';
import type { ResourceRecord, ResourceStore } from '../../arm/store';
import { AGGREGATIONS, FREQUENCIES, OPERATORS, WINDOW_SIZES, type StaticCriterion } from './evaluator';

export const T_METRIC = 'Microsoft.Insights/metricAlerts';
export const T_ACTIVITY = 'Microsoft.Insights/activityLogAlerts';
export const T_GROUP = 'Microsoft.Insights/actionGroups';
const TYPES: Record<string, { type: string; short: string }> = {
  metricalerts: { type: T_METRIC, short: 'metricAlerts' },
  activitylogalerts: { type: T_ACTIVITY, short: 'activityLogAlerts' },
  actiongroups: { type: T_GROUP, short: 'actionGroups' },
};

const eq = (a: string | undefined, b: string) => (a ?? '').toLowerCase() === b.toLowerCase();
const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const invalid = (message: string, target?: string) => badRequest('BadRequest', message, target);

/** Whether the request is for one of the Insights types served here. */
export function isInsightsRequest(req: SimRequest): boolean {
  const s = req.segments;
  if (!eq(s[0], 'subscriptions')) return false;
  const i = eq(s[2], 'providers') ? 3 : eq(s[2], 'resourcegroups') && eq(s[4], 'providers') ? 5 : -1;
  return i > 0 && eq(s[i], 'Microsoft.Insights') && TYPES[(s[i + 1] ?? '').toLowerCase()] !== undefined;
}

// ------------------------------------------------------------------ validation

function stringMap(v: unknown, path: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v) || Object.values(v).some((x) => typeof x !== 'string'))
    throw invalid(`'${path}' must be an object of strings.`, path);
  return v as Record<string, string>;
}

function prepareActionGroup(body: any): Record<string, any> {
  const p = body.properties;
  if (!isObj(p)) throw invalid("The 'properties' of the action group are required.", 'properties');
  if (typeof p.groupShortName !== 'string' || !p.groupShortName)
    throw invalid('GroupShortName is required.', 'properties.groupShortName');
  if (p.groupShortName.length > 12)
    throw invalid(
      `GroupShortName '${p.groupShortName}' is too long: the maximum length is 12 characters.`,
      'properties.groupShortName',
    );
  if (typeof p.enabled !== 'boolean') throw invalid("'enabled' is required (true or false).", 'properties.enabled');
  const names = new Set<string>();
  const out: Record<string, any> = { groupShortName: p.groupShortName, enabled: p.enabled };
  const kinds = [
    'emailReceivers',
    'smsReceivers',
    'webhookReceivers',
    'itsmReceivers',
    'azureAppPushReceivers',
    'automationRunbookReceivers',
    'voiceReceivers',
    'logicAppReceivers',
    'azureFunctionReceivers',
    'armRoleReceivers',
    'eventHubReceivers',
    'incidentReceivers',
  ];
  for (const kind of kinds) {
    const list = p[kind] ?? [];
    if (!Array.isArray(list)) throw invalid(`'${kind}' must be an array.`, `properties.${kind}`);
    for (const [i, r] of list.entries()) {
      if (!isObj(r) || typeof r.name !== 'string' || !r.name)
        throw invalid(`Receiver name is required.`, `properties.${kind}[${i}].name`);
      if (names.has(r.name.toLowerCase()))
        throw invalid(`The receiver name '${r.name}' is used more than once in the action group.`);
      names.add(r.name.toLowerCase());
    }
    if (kind === 'webhookReceivers') {
      for (const [i, r] of list.entries()) {
        let url: URL | undefined;
        try {
          url = new URL(r.serviceUri);
        } catch {
          url = undefined;
        }
        if (!url || !/^https?:$/.test(url.protocol))
          throw invalid(`The webhook receiver '${r.name}' has an invalid serviceUri.`, `properties.${kind}[${i}]`);
      }
    }
    if (kind === 'emailReceivers') {
      for (const [i, r] of list.entries())
        if (typeof r.emailAddress !== 'string' || !r.emailAddress.includes('@'))
          throw invalid(`The email receiver '${r.name}' has an invalid emailAddress.`, `properties.${kind}[${i}]`);
    }
    out[kind] = list.map((r: any) => ({
      ...r,
      ...(['webhookReceivers', 'emailReceivers', 'logicAppReceivers', 'azureFunctionReceivers'].includes(kind)
        ? { useCommonAlertSchema: r.useCommonAlertSchema ?? false }
        : {}),
      ...(kind === 'webhookReceivers' ? { useAadAuth: r.useAadAuth ?? false } : {}),
      ...(kind === 'emailReceivers' || kind === 'smsReceivers' ? { status: 'Enabled' } : {}),
    }));
  }
  return out;
}

function checkActionGroupRefs(store: ResourceStore, ids: string[], path: string): void {
  for (const id of ids) {
    if (typeof id !== 'string' || !store.get(id) || !eq(store.get(id)!.type, T_GROUP))
      throw invalid(`The action group '${id}' was not found.`, path);
  }
}

export interface MetricRule {
  severity: number;
  enabled: boolean;
  scopes: string[];
  evaluationFrequency: string;
  windowSize: string;
  autoMitigate: boolean;
  criteria: StaticCriterion[];
  odataType: string;
}

function prepareMetricAlert(store: ResourceStore, body: any): Record<string, any> {
  const p = body.properties;
  if (!isObj(p)) throw invalid("The 'properties' of the metric alert are required.", 'properties');
  if (!Number.isInteger(p.severity) || p.severity < 0 || p.severity > 4)
    throw invalid('Severity must be an integer from 0 to 4.', 'properties.severity');
  if (typeof p.enabled !== 'boolean') throw invalid("'enabled' is required (true or false).", 'properties.enabled');
  if (!Array.isArray(p.scopes) || !p.scopes.length || p.scopes.some((s: unknown) => typeof s !== 'string'))
    throw invalid('Scopes are required: at least one resource id.', 'properties.scopes');
  for (const s of p.scopes as string[])
    if (!store.get(s)) throw invalid(`The resource '${s}' in scopes was not found.`, 'properties.scopes');
  if (typeof p.evaluationFrequency !== 'string' || !FREQUENCIES[p.evaluationFrequency.toUpperCase()])
    throw invalid(
      `Invalid evaluationFrequency '${p.evaluationFrequency}': supported values are ${Object.keys(FREQUENCIES).join(', ')}.`,
      'properties.evaluationFrequency',
    );
  const windowSize = p.windowSize ?? 'PT5M';
  if (typeof windowSize !== 'string' || !WINDOW_SIZES[windowSize.toUpperCase()])
    throw invalid(
      `Invalid windowSize '${windowSize}': supported values are ${Object.keys(WINDOW_SIZES).join(', ')}.`,
      'properties.windowSize',
    );
  if (WINDOW_SIZES[windowSize.toUpperCase()] < FREQUENCIES[p.evaluationFrequency.toUpperCase()])
    throw invalid('The windowSize must be greater than or equal to the evaluationFrequency.', 'properties.windowSize');
  const c = p.criteria;
  const odataType = c?.['odata.type'];
  const single = 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria';
  const multi = 'Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria';
  if (!isObj(c) || (odataType !== single && odataType !== multi))
    throw invalid(
      `Criteria 'odata.type' must be ${single} or ${multi} (the simulator does not evaluate web test criteria).`,
      'properties.criteria',
    );
  if (odataType === single && p.scopes.length !== 1)
    throw invalid(`${single} takes exactly one scope; use ${multi} for several.`, 'properties.criteria');
  if (!Array.isArray(c.allOf) || !c.allOf.length)
    throw invalid('Criteria allOf must hold at least one criterion.', 'properties.criteria.allOf');
  const names = new Set<string>();
  for (const [i, k] of c.allOf.entries()) {
    const path = `properties.criteria.allOf[${i}]`;
    if (!isObj(k)) throw invalid('A criterion must be an object.', path);
    if ((k.criterionType ?? 'StaticThresholdCriterion') !== 'StaticThresholdCriterion')
      throw invalid(
        `criterionType '${k.criterionType}' is not supported by the simulator: only StaticThresholdCriterion.`,
        path,
      );
    if (typeof k.name !== 'string' || !k.name) throw invalid('Criterion name is required.', `${path}.name`);
    if (names.has(k.name)) throw invalid(`Criterion name '${k.name}' is used more than once.`, `${path}.name`);
    names.add(k.name);
    if (typeof k.metricName !== 'string' || !k.metricName)
      throw invalid('metricName is required.', `${path}.metricName`);
    if (!OPERATORS.includes(k.operator))
      throw invalid(`Invalid operator '${k.operator}': one of ${OPERATORS.join(', ')}.`, `${path}.operator`);
    if (typeof k.threshold !== 'number' || !Number.isFinite(k.threshold))
      throw invalid('threshold must be a number.', `${path}.threshold`);
    if (!AGGREGATIONS.includes(k.timeAggregation))
      throw invalid(
        `Invalid timeAggregation '${k.timeAggregation}': one of ${AGGREGATIONS.join(', ')}.`,
        `${path}.timeAggregation`,
      );
    for (const [j, d] of ((k.dimensions ?? []) as any[]).entries()) {
      if (
        !isObj(d) ||
        typeof d.name !== 'string' ||
        !['Include', 'Exclude'].includes(d.operator) ||
        !Array.isArray(d.values) ||
        !d.values.length
      )
        throw invalid(
          'A dimension needs name, operator (Include or Exclude) and at least one value.',
          `${path}.dimensions[${j}]`,
        );
    }
  }
  const actions = p.actions ?? [];
  if (!Array.isArray(actions)) throw invalid("'actions' must be an array.", 'properties.actions');
  checkActionGroupRefs(
    store,
    actions.map((a: any) => a?.actionGroupId),
    'properties.actions',
  );
  return {
    description: p.description ?? '',
    severity: p.severity,
    enabled: p.enabled,
    scopes: p.scopes,
    evaluationFrequency: p.evaluationFrequency,
    windowSize,
    criteria: {
      ...c,
      allOf: c.allOf.map((k: any) => ({ criterionType: 'StaticThresholdCriterion', ...k })),
    },
    autoMitigate: p.autoMitigate ?? true,
    ...(p.targetResourceType ? { targetResourceType: p.targetResourceType } : {}),
    ...(p.targetResourceRegion ? { targetResourceRegion: p.targetResourceRegion } : {}),
    actions: actions.map((a: any) => ({
      actionGroupId: a.actionGroupId,
      webHookProperties: stringMap(a.webHookProperties, 'properties.actions.webHookProperties') ?? {},
    })),
    ...(p.customProperties ? { customProperties: stringMap(p.customProperties, 'properties.customProperties') } : {}),
  };
}

function prepareActivityLogAlert(store: ResourceStore, body: any): Record<string, any> {
  const p = body.properties;
  if (!isObj(p)) throw invalid("The 'properties' of the activity log alert are required.", 'properties');
  if (!Array.isArray(p.scopes) || !p.scopes.length || p.scopes.some((s: unknown) => typeof s !== 'string'))
    throw invalid(
      'Scopes are required: at least one subscription, resource group or resource id.',
      'properties.scopes',
    );
  const allOf = p.condition?.allOf;
  if (!Array.isArray(allOf) || !allOf.length)
    throw invalid('The condition must have at least one allOf entry.', 'properties.condition.allOf');
  const leafOk = (l: any) =>
    isObj(l) &&
    typeof l.field === 'string' &&
    (typeof l.equals === 'string' ||
      (Array.isArray(l.containsAny) && l.containsAny.every((x: unknown) => typeof x === 'string')));
  for (const [i, c] of allOf.entries()) {
    const ok = isObj(c) && (Array.isArray(c.anyOf) ? c.anyOf.length > 0 && c.anyOf.every(leafOk) : leafOk(c));
    if (!ok)
      throw invalid(
        "Each condition needs 'field' with 'equals' or 'containsAny', or a non-empty 'anyOf' of those.",
        `properties.condition.allOf[${i}]`,
      );
  }
  const hasCategory = allOf.some((c: any) => eq(c.field, 'category'));
  if (!hasCategory)
    throw invalid("The condition must contain a 'category' field condition.", 'properties.condition.allOf');
  const groups = p.actions?.actionGroups ?? [];
  if (!Array.isArray(groups)) throw invalid("'actions.actionGroups' must be an array.", 'properties.actions');
  checkActionGroupRefs(
    store,
    groups.map((a: any) => a?.actionGroupId),
    'properties.actions.actionGroups',
  );
  return {
    scopes: p.scopes,
    condition: { allOf },
    actions: {
      actionGroups: groups.map((a: any) => ({
        actionGroupId: a.actionGroupId,
        webhookProperties: stringMap(a.webhookProperties, 'properties.actions.actionGroups.webhookProperties') ?? {},
      })),
    },
    enabled: p.enabled ?? true,
    ...(p.description !== undefined ? { description: p.description } : {}),
  };
}

// ------------------------------------------------------------------ rendering

export function render(rec: ResourceRecord): any {
  return {
    id: rec.id,
    name: rec.name,
    type: rec.type,
    location: rec.location,
    tags: rec.tags ?? {},
    properties:
      rec.type === T_METRIC
        ? { ...rec.properties, lastUpdatedTime: rec.internal.lastUpdatedTime, isMigrated: false }
        : rec.properties,
  };
}

// ------------------------------------------------------------------ routing

/** The route of an Insights request (isInsightsRequest(req) must be true). */
export function insightsRoute(
  store: ResourceStore,
  req: SimRequest,
  hooks: { onChanged?: (rec: ResourceRecord, deleted: boolean) => void } = {},
): Route {
  const s = req.segments;
  const sub = s[1];
  const inGroup = eq(s[2], 'resourcegroups');
  const rg = inGroup ? s[3] : undefined;
  const typeSeg = s[inGroup ? 6 : 4];
  const { type, short } = TYPES[typeSeg.toLowerCase()];
  const name = inGroup ? s[7] : undefined;
  const tail = s.slice(inGroup ? 8 : 5);
  const m = req.method;
  const requireGroup = () => {
    const g = store.getGroup(sub, rg!);
    if (!g || g.provisioningState === 'Deleting') throw resourceGroupNotFound(rg!);
    return g;
  };
  const notFound = () =>
    new ArmError(
      404,
      'ResourceNotFound',
      `The Resource '${type}/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
  const base = { resourceType: type, name };
  if (tail.length) throw new ArmError(404, 'NotFound', `No route for ${m} ${req.url.pathname}`);
  if (!name) {
    if (m !== 'GET') throw new ArmError(405, 'MethodNotAllowed', `${m} is not supported on this collection.`);
    return {
      ...base,
      op: `${short}.${inGroup ? 'listByResourceGroup' : 'listBySubscription'}`,
      resourceId: inGroup
        ? `${resourceGroupId(sub, rg!)}/providers/${type}`
        : `/subscriptions/${sub}/providers/${type}`,
      exec: async () => {
        if (inGroup) requireGroup();
        return {
          status: 200,
          body: { value: store.list({ type, subscriptionId: sub, resourceGroup: rg }).map(render) },
        };
      },
    };
  }
  const id = resourceId(sub, rg!, type, name);
  const r = { ...base, resourceId: id };
  if (m === 'GET')
    return {
      ...r,
      op: `${short}.get`,
      exec: async () => {
        requireGroup();
        const rec = store.get(id);
        if (!rec) throw notFound();
        return { status: 200, body: render(rec) };
      },
    };
  if (m === 'DELETE')
    return {
      ...r,
      op: `${short}.delete`,
      exec: async () => {
        requireGroup();
        const rec = store.get(id);
        if (!rec) return { status: 204 };
        store.delete(id);
        hooks.onChanged?.(rec, true);
        return { status: 200 };
      },
    };
  if (m === 'PATCH')
    return {
      ...r,
      op: `${short}.update`,
      exec: async () => {
        requireGroup();
        const rec = store.get(id);
        if (!rec) throw notFound();
        const body = req.body ?? {};
        if (body.tags !== undefined) rec.tags = stringMap(body.tags, 'tags');
        if (typeof body.properties?.enabled === 'boolean') rec.properties.enabled = body.properties.enabled;
        rec.internal.lastUpdatedTime = new Date().toISOString();
        hooks.onChanged?.(rec, false);
        return { status: 200, body: render(rec) };
      },
    };
  if (m === 'PUT')
    return {
      ...r,
      op: `${short}.createOrUpdate`,
      exec: async (): Promise<SimResponse> => {
        const group = requireGroup();
        const body = req.body;
        if (!isObj(body)) throw invalid('The request body is required.');
        if (typeof body.location !== 'string' || !body.location)
          throw badRequest('LocationRequired', 'The location property is required for this definition.');
        if (!/^[^<>*%&:\\?+/#|]{1,260}$/.test(name) || name.endsWith(' ') || name.endsWith('.'))
          throw invalid(`The resource name '${name}' is invalid.`);
        const tags = stringMap(body.tags, 'tags');
        const properties =
          type === T_GROUP
            ? prepareActionGroup(body)
            : type === T_METRIC
              ? prepareMetricAlert(store, body)
              : prepareActivityLogAlert(store, body);
        const existing = store.get(id);
        const rec: ResourceRecord = {
          id: existing?.id ?? id,
          type,
          name: existing?.name ?? name,
          subscriptionId: sub,
          resourceGroup: group.name,
          location: body.location,
          tags,
          properties,
          provisioningState: 'Succeeded',
          etag: `W/"${randomUUID()}"`,
          requestBody: canonicalJson(body),
          internal: { ...(existing?.internal ?? {}), lastUpdatedTime: new Date().toISOString() },
        };
        store.put(rec);
        hooks.onChanged?.(rec, false);
        // Metric alerts answer 200 to a create too (the SDK accepts only 200); the others 201 when created.
        return { status: type === T_METRIC || existing ? 200 : 201, body: render(rec) };
      },
    };
  throw new ArmError(405, 'MethodNotAllowed', `${m} is not supported on ${type}.`);
}
