import { ArmError } from '../arm/errors';
import type { Route } from '../arm/engine';
import type { SimRequest, SimResponse } from '../arm/httpTypes';
import { parseResourceId } from '../arm/ids';
import { T } from '../arm/networkRefs';
import type { ResourceRecord, ResourceStore } from '../arm/store';
import type { SimClocks } from '../clocks';
import type { VmRuntime } from '../vm/runtime';
import { clusterOf, lbBackends, lbProbe, phaseOf, ProbeView, vmRunning } from './probeView';
import {
  aggregate,
  AGGREGATIONS,
  DIP_SAMPLE_S,
  grainStarts,
  ingested,
  sampleTimes,
  VIP_SAMPLE_S,
  VM_AVAILABILITY_SAMPLE_S,
  type Aggregation,
  type Point,
} from './sampling';
import type { VmHealthTracker } from './vmHealth';

interface MetricDef {
  namespace: string;
  name: string;
  localizedName: string;
  description: string;
  unit: string;
  dims: string[];
}

const METRICS: Record<string, MetricDef> = {
  dipavailability: {
    namespace: T.lb,
    name: 'DipAvailability',
    localizedName: 'Health Probe Status',
    description: 'Average Load Balancer health probe status per time duration',
    unit: 'Count',
    dims: ['ProtocolType', 'BackendPort', 'FrontendIPAddress', 'FrontendPort', 'BackendIPAddress'],
  },
  vipavailability: {
    namespace: T.lb,
    name: 'VipAvailability',
    localizedName: 'Data Path Availability',
    description: 'Average Load Balancer data path availability per time duration',
    unit: 'Count',
    dims: ['FrontendIPAddress', 'FrontendPort'],
  },
  vmavailabilitymetric: {
    namespace: T.vm,
    name: 'VmAvailabilityMetric',
    localizedName: 'VM Availability Metric (Preview)',
    description: 'Measure of Availability of Virtual machines over time.',
    unit: 'Count',
    dims: [],
  },
};

const badRequest = (message: string) => new ArmError(400, 'BadRequest', message);

/** ISO 8601 duration (PT1M, PT5M, PT1H, P1D) → ms of cluster time. */
export function durationMs(iso: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(iso);
  if (!m || iso.toUpperCase() === 'P' || iso.toUpperCase() === 'PT') throw badRequest(`Invalid interval '${iso}'.`);
  return (((+(m[1] ?? 0) * 24 + +(m[2] ?? 0)) * 60 + +(m[3] ?? 0)) * 60 + +(m[4] ?? 0)) * 1000;
}

/** `BackendIPAddress eq '*'` / `BackendIPAddress eq '10.0.0.4' or BackendIPAddress eq '10.0.0.5'`. */
function backendFilter(filter: string | null | undefined): { split: boolean; only?: Set<string> } {
  if (!filter) return { split: false };
  const values = [...filter.matchAll(/BackendIPAddress\s+eq\s+'([^']*)'/gi)].map((m) => m[1]);
  if (!values.length) return { split: false };
  if (values.includes('*')) return { split: true };
  return { split: true, only: new Set(values) };
}

export interface SeriesQuery {
  from: number;
  to: number;
  /** ISO 8601 grain, default PT1M. */
  grain?: string;
  /** e.g. { BackendIPAddress: '*' } (split) or { BackendIPAddress: '10.5.1.11' }. */
  dimensionFilter?: Record<string, string>;
  aggregations?: readonly Aggregation[];
}

export interface MetricSeries {
  /** Dimension values of this series (empty when not split). */
  dimensions: Record<string, string>;
  data: Point[];
}

export interface MetricResult {
  name: string;
  localizedName: string;
  unit: string;
  description: string;
  namespace: string;
  series: MetricSeries[];
}

/**
 * Azure Monitor metrics for the simulated resources: `metrics:getBatch` over HTTPS (what MetricsClient.queryResources
 * calls) and the same series in process (signals.ts). Time runs on the cluster clock; see sampling.ts for how a
 * point is made. DipAvailability / VipAvailability follow the load balancer's view of its probes (ProbeView);
 * VmAvailabilityMetric (1 available, 0 not) follows the VM's health (VmHealthTracker).
 */
export class MetricsService {
  private readonly view: ProbeView;

  constructor(
    private readonly store: ResourceStore,
    private readonly runtime: () => VmRuntime,
    private readonly clocks: SimClocks,
    private readonly vmHealth: VmHealthTracker,
    /** Ingestion delay in cluster seconds (SIM_METRICS_DELAY_S, default 60). */
    delayS?: number,
  ) {
    this.view = new ProbeView(clocks, runtime);
    this.delayS = delayS ?? metricsDelayFromEnv();
  }

  private readonly delayS: number;

  /** The ingestion delay in Azure (cluster-clock) milliseconds: a minute is readable that long after it ends. */
  delayMs(): number {
    return this.delayS * 1000;
  }

  route(req: SimRequest): Route {
    const sub = req.segments[1];
    return {
      op: 'metrics.getBatch',
      resourceId: `/subscriptions/${sub}/metrics:getBatch`,
      resourceType: 'metrics',
      exec: async () => this.query(req),
    };
  }

  /** One metric of one resource as series (throws ArmError 400 for an unknown metric). */
  series(resourceId: string, metricName: string, q: SeriesQuery): MetricResult {
    const def = METRICS[metricName.toLowerCase()];
    if (!def)
      throw badRequest(
        `Unknown metric ${metricName}. Valid metrics: ${Object.values(METRICS)
          .map((m) => m.name)
          .join(',')}`,
      );
    const rec = this.store.get(resourceId);
    if (!rec || rec.type.toLowerCase() !== def.namespace.toLowerCase())
      throw new ArmError(404, 'ResourceNotFound', `Resource ${resourceId} was not found.`);
    const grainMs = this.clocks.clusterMs(durationMs(q.grain ?? 'PT1M'));
    if (!(grainMs > 0)) throw badRequest(`Invalid interval '${q.grain}'.`);
    const aggs = q.aggregations ?? ['average'];
    const now = Date.now();
    const delayMs = this.clocks.clusterMs(this.delayS * 1000);
    const starts = grainStarts(q.from, q.to, grainMs);
    const points = (sample: (t: number) => number, periodMs: number, phase: number) =>
      starts.map((t) => {
        if (!ingested(t, grainMs, delayMs, now)) return { timeStamp: new Date(t).toISOString() };
        return aggregate(t, sampleTimes(t, t + grainMs, periodMs, phase).map(sample), aggs);
      });
    const base = {
      name: def.name,
      localizedName: def.localizedName,
      unit: def.unit,
      description: def.description,
      namespace: def.namespace,
    };
    if (def.name === 'VmAvailabilityMetric') {
      const period = this.clocks.clusterMs(VM_AVAILABILITY_SAMPLE_S * 1000);
      const data = points((t) => (this.vmHealth.stateAt(rec.id, t) === 'Available' ? 1 : 0), period, phaseOf(rec.id));
      return { ...base, series: [{ dimensions: {}, data }] };
    }
    return { ...base, series: this.lbSeries(rec, def, q, starts, grainMs, delayMs, now, aggs) };
  }

  private lbSeries(
    lb: ResourceRecord,
    def: MetricDef,
    q: SeriesQuery,
    starts: number[],
    grainMs: number,
    delayMs: number,
    now: number,
    aggs: readonly Aggregation[],
  ): MetricSeries[] {
    const cluster = clusterOf(lb);
    const probe = lbProbe(lb);
    const runtime = this.runtime();
    const filterText = Object.entries(q.dimensionFilter ?? {})
      .map(([k, v]) => `${k} eq '${v}'`)
      .join(' and ');
    const filter = backendFilter(filterText);
    const all = lbBackends(this.store, lb.id);
    const backends = [...new Map(all.map((b) => [b.ip, b])).values()].filter(
      (b) => !filter.only || filter.only.has(b.ip),
    );
    const up = (b: (typeof backends)[number], t: number) =>
      probe !== undefined && vmRunning(runtime, this.store, b.vmId) && this.view.up(cluster, b, probe, t);
    const dipPeriod = this.clocks.clusterMs(DIP_SAMPLE_S * 1000);
    const key = (ip: string) => `${cluster.subscriptionId}/${cluster.resourceGroup}/${ip}`;
    // samples of one backend within [t, t+grain): values 0/100
    const dipSamples = (b: (typeof backends)[number], t: number) =>
      sampleTimes(t, t + grainMs, dipPeriod, phaseOf(`dip:${key(b.ip)}`)).map((s) => (up(b, s) ? 100 : 0));
    const point = (t: number, values: () => number[]) =>
      ingested(t, grainMs, delayMs, now) ? aggregate(t, values(), aggs) : { timeStamp: new Date(t).toISOString() };
    if (def.name === 'DipAvailability') {
      if (filter.split) {
        return backends.map((b) => ({
          dimensions: { BackendIPAddress: b.ip },
          data: starts.map((t) => point(t, () => dipSamples(b, t))),
        }));
      }
      if (!backends.length) return [];
      return [{ dimensions: {}, data: starts.map((t) => point(t, () => backends.flatMap((b) => dipSamples(b, t)))) }];
    }
    const vipPeriod = this.clocks.clusterMs(VIP_SAMPLE_S * 1000);
    const frontend = (lb.properties.frontendIPConfigurations ?? [])[0]?.properties?.privateIPAddress ?? lb.id;
    return [
      {
        dimensions: {},
        data: starts.map((t) =>
          point(t, () =>
            sampleTimes(t, t + grainMs, vipPeriod, phaseOf(`vip:${key(String(frontend))}`)).map((s) =>
              backends.some((b) => up(b, s)) ? 100 : 0,
            ),
          ),
        ),
      },
    ];
  }

  private query(req: SimRequest): SimResponse {
    const q = req.url.searchParams;
    const namespace = q.get('metricnamespace');
    const supported = [...new Set(Object.values(METRICS).map((m) => m.namespace.toLowerCase()))];
    if (!namespace || !supported.includes(namespace.toLowerCase())) {
      throw badRequest(`Metric namespace '${namespace}' is not supported by the simulator (only ${T.lb}, ${T.vm}).`);
    }
    const names = (q.get('metricnames') ?? '').split(',').filter(Boolean);
    if (!names.length) throw badRequest('metricnames is required.');
    const valid = Object.values(METRICS).filter((m) => m.namespace.toLowerCase() === namespace.toLowerCase());
    for (const n of names) {
      if (!valid.some((m) => m.name.toLowerCase() === n.toLowerCase())) {
        const [prov, type] = namespace.split('/');
        throw badRequest(
          `Failed to find metric configuration for provider: ${prov}, resource Type: ${type}, metric: ${n}, Valid metrics: ${valid.map((m) => m.name).join(',')}`,
        );
      }
    }
    const aggregations = (q.get('aggregation') ?? 'average')
      .split(',')
      .map((a) => a.trim().toLowerCase()) as Aggregation[];
    for (const a of aggregations) if (!AGGREGATIONS.includes(a)) throw badRequest(`Invalid aggregation '${a}'.`);
    const intervalIso = q.get('interval') ?? 'PT1M';
    const grainMs = this.clocks.clusterMs(durationMs(intervalIso));
    if (!(grainMs > 0)) throw badRequest(`Invalid interval '${intervalIso}'.`);
    const now = Date.now();
    const end = q.get('endtime') ? Date.parse(q.get('endtime')!) : now;
    const start = q.get('starttime') ? Date.parse(q.get('starttime')!) : end - grainMs * 60;
    if (Number.isNaN(start) || Number.isNaN(end) || start >= end)
      throw badRequest('Invalid time range: starttime must be before endtime.');
    const ids: unknown = req.body?.resourceids;
    if (!Array.isArray(ids) || !ids.length) throw badRequest('resourceids is required.');
    const filter = backendFilter(q.get('filter'));
    const dimensionFilter: Record<string, string> | undefined = filter.split
      ? { BackendIPAddress: filter.only ? [...filter.only][0] : '*' }
      : undefined;
    const values = (ids as string[]).map((id) => {
      const rec = this.store.get(id);
      if (!rec || rec.type.toLowerCase() !== namespace.toLowerCase() || !parseResourceId(id)) {
        return {
          starttime: new Date(start).toISOString(),
          endtime: new Date(end).toISOString(),
          interval: intervalIso,
          namespace,
          resourceid: id,
          value: [],
          errorCode: 'ResourceNotFound',
        };
      }
      const metrics = names.map((n) => {
        const r = this.series(rec.id, n, { from: start, to: end, grain: intervalIso, aggregations, dimensionFilter });
        let series = r.series;
        if (filter.only && r.name === 'DipAvailability')
          series = this.series(rec.id, n, {
            from: start,
            to: end,
            grain: intervalIso,
            aggregations,
            dimensionFilter: { BackendIPAddress: '*' },
          }).series.filter((s) => filter.only!.has(s.dimensions.BackendIPAddress ?? ''));
        return {
          id: `${rec.id}/providers/Microsoft.Insights/metrics/${r.name}`,
          type: 'Microsoft.Insights/metrics',
          name: { value: r.name, localizedValue: r.localizedName },
          displayDescription: r.description,
          unit: r.unit,
          timeseries: series.map((s) => ({
            metadatavalues: Object.entries(s.dimensions).map(([k, v]) => ({
              name: { value: k.toLowerCase(), localizedValue: k.toLowerCase() },
              value: v,
            })),
            data: s.data,
          })),
          errorCode: 'Success',
        };
      });
      return {
        starttime: new Date(start).toISOString(),
        endtime: new Date(end).toISOString(),
        interval: intervalIso,
        value: metrics,
        namespace: rec.type,
        resourceregion: rec.location,
        resourceid: rec.id,
      };
    });
    return { status: 200, body: { values } };
  }
}

export function metricsDelayFromEnv(): number {
  const raw = process.env.SIM_METRICS_DELAY_S;
  const n = raw === undefined || raw === '' ? NaN : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : 60;
}
