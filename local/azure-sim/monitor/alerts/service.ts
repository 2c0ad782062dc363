/**
 * The alerting of the simulator: serves Microsoft.Insights actionGroups / metricAlerts / activityLogAlerts through
 * ARM, evaluates metric alert rules on the alert clock, turns VM health changes into Resource Health activity log
 * events for activity log alert rules, and delivers Fired/Resolved notifications to the action groups' webhook
 * receivers (Common Alert Schema when useCommonAlertSchema is on).
 */
import { randomUUID } from 'node:crypto';
import type { Route } from '../../arm/engine';
import type { SimRequest, SimResponse } from '../../arm/httpTypes';
import type { ResourceRecord, ResourceStore } from '../../arm/store';
import type { AlertClock } from './clock';
import { WebhookDeliverer } from './delivery';
import {
  FREQUENCIES,
  WINDOW_SIZES,
  evaluateCriterion,
  step,
  type InstanceState,
  type StaticCriterion,
} from './evaluator';
import { legacyActivityLogPayload, legacyMetricAlertPayload } from './legacyPayloads';
import {
  inScope,
  matchesCondition,
  metricAlertPayload,
  resourceHealthEvent,
  resourceHealthPayload,
  type ActivityLogEvent,
  type MetricAlertNotice,
} from './payloads';
import { T_ACTIVITY, T_GROUP, T_METRIC, insightsRoute, isInsightsRequest } from './resources';
import type { AlertSignalSource, VmHealthEvent } from './signals';

/** How often (Azure ms on the alert clock) the scheduler looks for rules due for evaluation. */
const TICK_AZURE_MS = 1_000;

interface Instance extends InstanceState {
  alertId: string;
  firedAt?: Date;
  scope: string;
  dimensions: Record<string, string>;
}

export interface FiredAlert {
  alertId: string;
  ruleId: string;
  scope: string;
  dimensions: Record<string, string>;
  firedDateTime?: string;
}

export class AlertsService {
  readonly deliveries: WebhookDeliverer;
  private readonly nextEval = new Map<string, number>();
  private readonly running = new Set<string>();
  private readonly instances = new Map<string, Map<string, Instance>>();
  private readonly unsubscribe: () => void;
  private stopped = false;

  constructor(
    private readonly store: ResourceStore,
    private readonly signals: AlertSignalSource,
    readonly clock: AlertClock,
  ) {
    this.deliveries = new WebhookDeliverer(clock);
    this.unsubscribe = signals.onVmHealth((e) => this.onVmHealth(e));
    clock.after(TICK_AZURE_MS, () => this.tick());
  }

  // ------------------------------------------------------------------ HTTP hooks

  /** The ARM route for a Microsoft.Insights alerting request, else undefined. */
  armRoute(req: SimRequest): Route | undefined {
    if (!isInsightsRequest(req)) return undefined;
    return insightsRoute(this.store, req, { onChanged: (rec, deleted) => this.ruleChanged(rec, deleted) });
  }

  /** `/_sim/alerts/...` control routes, else undefined. */
  control(req: SimRequest): SimResponse | undefined {
    const [, what, sub] = req.segments;
    if (what !== 'alerts') return undefined;
    if (sub === 'deliveries' && req.method === 'GET') return { status: 200, body: this.deliveries.list() };
    if (sub === 'deliveries' && req.method === 'DELETE') {
      this.deliveries.clear();
      return { status: 204 };
    }
    if (sub === undefined && req.method === 'GET') return { status: 200, body: this.fired() };
    return {
      status: 404,
      body: { error: { code: 'NotFound', message: `No simulator control route ${req.method} ${req.url.pathname}` } },
    };
  }

  /** Alert instances currently Fired (stateful metric alerts). */
  fired(): FiredAlert[] {
    const out: FiredAlert[] = [];
    for (const [ruleId, m] of this.instances)
      for (const i of m.values())
        if (i.fired)
          out.push({
            alertId: i.alertId,
            ruleId,
            scope: i.scope,
            dimensions: i.dimensions,
            firedDateTime: i.firedAt?.toISOString(),
          });
    return out;
  }

  reset(): void {
    this.nextEval.clear();
    this.instances.clear();
    this.deliveries.clear();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    this.signals.close?.();
    this.clock.stop();
  }

  // ------------------------------------------------------------------ metric alerts

  private ruleChanged(rec: ResourceRecord, deleted: boolean): void {
    if (rec.type !== T_METRIC) return;
    const k = rec.id.toLowerCase();
    if (deleted) {
      this.nextEval.delete(k);
      this.instances.delete(k);
      return;
    }
    const freq = FREQUENCIES[String(rec.properties.evaluationFrequency).toUpperCase()];
    this.nextEval.set(k, this.clock.now() + freq * this.clock.scale);
  }

  private tick(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    const rules = this.store.list({ type: T_METRIC });
    const live = new Set(rules.map((r) => r.id.toLowerCase()));
    for (const k of [...this.instances.keys()]) if (!live.has(k)) this.instances.delete(k);
    for (const rule of rules) {
      const k = rule.id.toLowerCase();
      if (!rule.properties.enabled || this.running.has(k)) continue;
      const freq = FREQUENCIES[String(rule.properties.evaluationFrequency).toUpperCase()] * this.clock.scale;
      const due = this.nextEval.get(k);
      if (due === undefined) {
        this.nextEval.set(k, now + freq);
        continue;
      }
      if (now < due) continue;
      this.nextEval.set(k, Math.max(due + freq, now));
      this.running.add(k);
      void this.evaluate(rule, now)
        .catch(() => undefined)
        .finally(() => this.running.delete(k));
    }
    this.clock.after(TICK_AZURE_MS, () => this.tick());
  }

  private async evaluate(rule: ResourceRecord, now: number): Promise<void> {
    const p = rule.properties;
    const windowMs = WINDOW_SIZES[String(p.windowSize).toUpperCase()] * this.clock.scale;
    // The window ends where the metrics are complete (now minus the ingestion delay), on a minute boundary: Azure
    // evaluates whole PT1M grains, so a window of PT1M holds exactly the last complete minute.
    const grain = 60_000 * this.clock.scale;
    const end = Math.floor((now - (this.signals.ingestionDelayAzureMs?.() ?? 0) * this.clock.scale) / grain) * grain;
    const from = end - windowMs;
    const criteria: StaticCriterion[] = p.criteria.allOf;
    const single = criteria.length === 1;
    const k = rule.id.toLowerCase();
    const states = this.instances.get(k) ?? new Map<string, Instance>();
    this.instances.set(k, states);
    const conditionType = String(p.criteria['odata.type']).endsWith('SingleResourceMultipleMetricCriteria')
      ? 'SingleResourceMultipleMetricCriteria'
      : 'MultipleResourceMultipleMetricCriteria';
    for (const scope of p.scopes as string[]) {
      const perCriterion = await Promise.all(
        criteria.map(async (c) => {
          const series = await this.signals.metricSeries(scope, c.metricName, {
            from: new Date(from),
            to: new Date(end),
            dimensionFilter: c.dimensions,
          });
          return evaluateCriterion(c, series, from, end);
        }),
      );
      // One instance per series with a single criterion; one per scope when several criteria must all hold.
      const candidates = single
        ? perCriterion[0].map((r) => ({
            dims: r.dimensions,
            met: r.met,
            values: [{ criterion: criteria[0], dimensions: r.dimensions, metricValue: r.metricValue }],
          }))
        : [
            {
              dims: {},
              met: perCriterion.every((rs) => rs.some((r) => r.met)),
              values: perCriterion.map((rs, i) => {
                const r = rs.find((x) => x.met) ?? rs[0];
                return { criterion: criteria[i], dimensions: r?.dimensions ?? {}, metricValue: r?.metricValue };
              }),
            },
          ];
      const notices: {
        key: string;
        met: boolean;
        values: MetricAlertNotice['criteria'];
        dims: Record<string, string>;
      }[] = candidates.map((c) => ({
        key: `${scope.toLowerCase()}|${JSON.stringify(Object.entries(c.dims).sort())}`,
        met: c.met,
        values: c.values,
        dims: c.dims,
      }));
      // Fired instances whose series vanished count as not met.
      for (const [key, inst] of states)
        if (inst.scope.toLowerCase() === scope.toLowerCase() && inst.fired && !notices.some((n) => n.key === key))
          notices.push({
            key,
            met: false,
            dims: inst.dimensions,
            values: criteria.map((c) => ({ criterion: c, dimensions: inst.dimensions, metricValue: undefined })),
          });
      for (const n of notices) {
        const prev = states.get(n.key);
        const { state, notify } = step(prev, n.met, p.autoMitigate !== false);
        const inst: Instance = {
          ...state,
          alertId: prev?.alertId ?? randomUUID(),
          firedAt: prev?.firedAt,
          scope,
          dimensions: n.dims,
        };
        if (notify === 'Fired') {
          inst.firedAt = new Date(now);
          if (prev && !prev.fired) inst.alertId = randomUUID();
          if (!p.autoMitigate && prev) inst.alertId = randomUUID();
        }
        states.set(n.key, inst);
        if (!notify) continue;
        this.notifyMetric(rule, {
          alertId: inst.alertId,
          rule: {
            id: rule.id,
            name: rule.name,
            subscriptionId: rule.subscriptionId,
            resourceGroup: rule.resourceGroup,
            description: p.description ?? '',
            severity: p.severity,
          },
          scope,
          monitorCondition: notify,
          firedDateTime: inst.firedAt ?? new Date(now),
          ...(notify === 'Resolved' ? { resolvedDateTime: new Date(now) } : {}),
          windowSize: p.windowSize,
          conditionType,
          criteria: n.values,
          windowStart: new Date(from),
          windowEnd: new Date(end),
          customProperties: p.customProperties ?? {},
        });
      }
    }
  }

  private notifyMetric(rule: ResourceRecord, base: MetricAlertNotice): void {
    for (const action of rule.properties.actions ?? []) {
      const notice = { ...base, customProperties: { ...base.customProperties, ...(action.webHookProperties ?? {}) } };
      this.toActionGroup(action.actionGroupId, notice.alertId, rule.name, notice.monitorCondition, (useCas) =>
        useCas ? metricAlertPayload(notice) : legacyMetricAlertPayload(notice, action.webHookProperties ?? {}),
      );
    }
  }

  // ------------------------------------------------------------------ activity log (Resource Health) alerts

  private onVmHealth(e: VmHealthEvent): void {
    if (this.stopped) return;
    const ev: ActivityLogEvent = resourceHealthEvent(e, { eventDataId: randomUUID(), correlationId: randomUUID() });
    for (const rule of this.store.list({ type: T_ACTIVITY })) {
      const p = rule.properties;
      if (p.enabled === false || !inScope(e.resourceId, p.scopes) || !matchesCondition(ev, p.condition.allOf)) continue;
      if (rule.subscriptionId.toLowerCase() !== (e.resourceId.split('/')[2] ?? '').toLowerCase()) continue;
      for (const g of p.actions?.actionGroups ?? []) {
        const alertId = randomUUID();
        const props: Record<string, string> = g.webhookProperties ?? {};
        this.toActionGroup(g.actionGroupId, alertId, rule.name, 'Fired', (useCas) =>
          useCas
            ? resourceHealthPayload(
                ev,
                { name: rule.name, subscriptionId: rule.subscriptionId, description: p.description },
                alertId,
                props,
              )
            : legacyActivityLogPayload(ev, rule.subscriptionId, props),
        );
      }
    }
  }

  // ------------------------------------------------------------------ action groups

  private toActionGroup(
    actionGroupId: string,
    alertId: string,
    alertRule: string,
    monitorCondition: string,
    payload: (useCommonAlertSchema: boolean) => unknown,
  ): void {
    const group = this.store.get(actionGroupId);
    if (!group || group.type !== T_GROUP || !group.properties.enabled) return;
    for (const r of group.properties.webhookReceivers ?? []) {
      this.deliveries.deliver({
        alertId,
        alertRule,
        monitorCondition,
        actionGroupId: group.id,
        receiver: r.name,
        url: r.serviceUri,
        body: payload(r.useCommonAlertSchema === true),
      });
    }
  }
}
