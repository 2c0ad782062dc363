/**
 * What the alert engine reads: metric time series and Resource Health changes of VMs. This is the seam to the
 * cluster model: `simSignalSource` adapts today's simulator (the metrics batch API's answers and the VM runtime's
 * power state); `ManualSignalSource` is fed directly (tests, or any other producer of signals).
 */
import type { SimRequest } from '../../arm/httpTypes';
import type { ResourceStore } from '../../arm/store';
import type { VmRuntime } from '../../vm/runtime';
import type { MetricsService } from '../metrics';
import type { AlertClock } from './clock';

/** A dimension filter as in a metric alert criterion: `values: ['*']` splits by the dimension. */
export interface DimensionFilter {
  name: string;
  operator: 'Include' | 'Exclude';
  values: string[];
}

export interface MetricPoint {
  timeStamp: Date;
  average?: number;
  minimum?: number;
  maximum?: number;
  total?: number;
  count?: number;
}

export interface MetricSeries {
  /** Dimension values of this series (only the dimensions it is split by); {} for the unsplit metric. */
  dimensions: Record<string, string>;
  points: MetricPoint[];
}

export interface MetricSeriesQuery {
  /** Window start (inclusive) and end (exclusive), real time. */
  from: Date;
  to: Date;
  /** Split by every dimension named here; Include/Exclude values filter the series. */
  dimensionFilter?: DimensionFilter[];
}

export type HealthStatus = 'Available' | 'Degraded' | 'Unavailable' | 'Unknown';

/** A Resource Health transition of a VM. */
export interface VmHealthEvent {
  resourceId: string;
  currentHealthStatus: HealthStatus;
  previousHealthStatus: HealthStatus;
  at: Date;
  /** e.g. "Stopped by user", "Rebooted by user", "Unavailable due to a platform problem". */
  title?: string;
  /** UserInitiated | PlatformInitiated | Unknown */
  cause?: string;
  /** Downtime | ... */
  type?: string;
}

export interface AlertSignalSource {
  metricSeries(resourceId: string, metricName: string, query: MetricSeriesQuery): Promise<MetricSeries[]>;
  /** Subscribes to VM health changes; returns the unsubscribe function. */
  onVmHealth(cb: (e: VmHealthEvent) => void): () => void;
  /** Stops background work (polling). */
  close?(): void;
  /**
   * Azure ms after which a metric minute is readable (the metrics' ingestion delay). The evaluator ends its window
   * that long before now, so a delayed minute is read once it has arrived rather than read as missing. Default 0.
   */
  ingestionDelayAzureMs?(): number;
}

const eqi = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Whether a series' dimension values pass the filters (Include: value in list or '*'; Exclude: not in list). */
export function passesFilter(dims: Record<string, string>, filters: DimensionFilter[] = []): boolean {
  return filters.every((f) => {
    const key = Object.keys(dims).find((k) => eqi(k, f.name));
    const value = key === undefined ? undefined : dims[key];
    if (value === undefined) return true;
    const listed = f.values.some((v) => v === '*' || eqi(v, value));
    return f.operator === 'Exclude' ? !f.values.some((v) => eqi(v, value)) : listed;
  });
}

/**
 * Signals set by hand: each metric series is a step function of time (`set` records a value from now on), sampled
 * once per PT1M grain (60 s × clock scale); VM health changes are emitted by `setVmHealth`. Series are told apart by
 * the dimensions the query splits by; values set for several series of an unsplit query share one step function.
 */
export class ManualSignalSource implements AlertSignalSource {
  private readonly steps = new Map<string, { dims: Record<string, string>; at: number; value: number }[]>();
  private readonly health = new Map<string, HealthStatus>();
  private readonly listeners = new Set<(e: VmHealthEvent) => void>();

  constructor(private readonly clock: Pick<AlertClock, 'now' | 'scale'>) {}

  /** From now on, the metric of that resource (series `dims`) reads `value`. */
  set(resourceId: string, metricName: string, dims: Record<string, string>, value: number): void {
    const k = `${resourceId.toLowerCase()}|${metricName.toLowerCase()}`;
    const list = this.steps.get(k) ?? [];
    list.push({ dims, at: this.clock.now(), value });
    this.steps.set(k, list);
  }

  setVmHealth(resourceId: string, status: HealthStatus, extra: Partial<VmHealthEvent> = {}): void {
    const previous = this.health.get(resourceId.toLowerCase()) ?? 'Available';
    this.health.set(resourceId.toLowerCase(), status);
    const e: VmHealthEvent = {
      resourceId,
      currentHealthStatus: status,
      previousHealthStatus: previous,
      at: new Date(this.clock.now()),
      ...extra,
    };
    for (const l of this.listeners) l(e);
  }

  async metricSeries(resourceId: string, metricName: string, q: MetricSeriesQuery): Promise<MetricSeries[]> {
    const list = this.steps.get(`${resourceId.toLowerCase()}|${metricName.toLowerCase()}`) ?? [];
    const split = (q.dimensionFilter ?? []).map((f) => f.name);
    const grain = 60_000 * this.clock.scale;
    const groups = new Map<string, { dims: Record<string, string>; steps: { at: number; value: number }[] }>();
    for (const s of list) {
      const dims = Object.fromEntries(Object.entries(s.dims).filter(([k]) => split.some((n) => eqi(n, k)))) as Record<
        string,
        string
      >;
      if (!passesFilter(dims, q.dimensionFilter)) continue;
      const key = JSON.stringify(Object.entries(dims).sort());
      const g = groups.get(key) ?? { dims, steps: [] };
      g.steps.push({ at: s.at, value: s.value });
      groups.set(key, g);
    }
    const from = q.from.getTime();
    const to = Math.min(q.to.getTime(), this.clock.now());
    return [...groups.values()].map((g) => {
      const points: MetricPoint[] = [];
      for (let t = Math.floor(from / grain) * grain; t < to; t += grain) {
        const sampleAt = Math.min(t + grain, to) - 1;
        if (sampleAt < from) continue;
        const defined = g.steps.filter((s) => s.at <= sampleAt);
        if (!defined.length) continue;
        const v = defined[defined.length - 1].value;
        points.push({ timeStamp: new Date(t), average: v, minimum: v, maximum: v, total: v, count: 1 });
      }
      return { dimensions: g.dims, points };
    });
  }

  onVmHealth(cb: (e: VmHealthEvent) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }
}

/** Resource Health of a VM from its power state (the most the runtime of today tells). */
function healthOf(power: ReturnType<VmRuntime['powerState']>): HealthStatus {
  if (power === 'running') return 'Available';
  if (power === 'stopped' || power === 'deallocated' || power === 'stopping') return 'Unavailable';
  if (power === 'starting') return 'Unavailable';
  return 'Unknown';
}

/**
 * Adapter over today's simulator: metrics through the metrics batch API's own handler (the same answers a
 * MetricsClient gets), VM health from the runtime's power state polled every `pollAzureMs` of cluster time.
 * Meant to be re-pointed at the cluster model's signals (metric series per dimension, VM health events).
 */
export function simSignalSource(deps: {
  store: ResourceStore;
  runtime: () => VmRuntime;
  metrics: MetricsService;
  clock: AlertClock;
  pollAzureMs?: number;
}): AlertSignalSource {
  const listeners = new Set<(e: VmHealthEvent) => void>();
  const last = new Map<string, HealthStatus>();
  let closed = false;
  const poll = () => {
    if (closed) return;
    const seen = new Set<string>();
    for (const vm of deps.store.list({ type: 'Microsoft.Compute/virtualMachines' })) {
      const k = vm.id.toLowerCase();
      seen.add(k);
      const now = healthOf(deps.runtime().powerState(vm.id));
      const before = last.get(k);
      last.set(k, now);
      if (before === undefined || before === now || now === 'Unknown') continue;
      const stopped = now === 'Unavailable';
      const e: VmHealthEvent = {
        resourceId: vm.id,
        currentHealthStatus: now,
        previousHealthStatus: before,
        at: new Date(deps.clock.now()),
        title: stopped ? 'Stopped by user' : 'Available',
        cause: stopped ? 'UserInitiated' : undefined,
        type: stopped ? 'Downtime' : undefined,
      };
      for (const l of listeners) l(e);
    }
    for (const k of [...last.keys()]) if (!seen.has(k)) last.delete(k);
    deps.clock.after(deps.pollAzureMs ?? 5_000, poll);
  };
  deps.clock.after(0, poll);
  return {
    async metricSeries(resourceId, metricName, q) {
      const rec = deps.store.get(resourceId);
      if (!rec) return [];
      const sub = rec.subscriptionId;
      const url = new URL(`https://sim/subscriptions/${sub}/metrics:getBatch`);
      url.searchParams.set('metricnamespace', rec.type);
      url.searchParams.set('metricnames', metricName);
      url.searchParams.set('interval', 'PT1M');
      url.searchParams.set('aggregation', 'average,minimum,maximum,total,count');
      url.searchParams.set('starttime', q.from.toISOString());
      url.searchParams.set('endtime', q.to.toISOString());
      const split = (q.dimensionFilter ?? []).map((f) => `${f.name} eq '*'`);
      if (split.length) url.searchParams.set('filter', split.join(' and '));
      const req: SimRequest = {
        method: 'POST',
        url,
        segments: ['subscriptions', sub, 'metrics:getBatch'],
        headers: {},
        body: { resourceids: [rec.id] },
        baseUrl: 'https://sim',
      };
      let out;
      try {
        out = await deps.metrics.route(req).exec();
      } catch {
        return [];
      }
      const values = (out.body as any)?.values?.[0]?.value ?? [];
      const metric = values.find((m: any) => eqi(m.name?.value ?? '', metricName));
      if (!metric) return [];
      return (metric.timeseries ?? [])
        .map((ts: any) => ({
          dimensions: Object.fromEntries(
            (ts.metadatavalues ?? []).map((m: any) => [
              (q.dimensionFilter ?? []).find((f) => eqi(f.name, m.name.value))?.name ?? m.name.value,
              m.value,
            ]),
          ),
          points: (ts.data ?? [])
            .filter((p: any) => p.average !== undefined || p.total !== undefined)
            .map((p: any) => ({ ...p, timeStamp: new Date(p.timeStamp) })),
        }))
        .filter((s: MetricSeries) => passesFilter(s.dimensions, q.dimensionFilter));
    },
    onVmHealth(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    close() {
      closed = true;
    },
  };
}
