import { ArmError } from '../arm/errors';
import type { Route } from '../arm/engine';
import type { SimRequest, SimResponse } from '../arm/httpTypes';
import { parseResourceId, sameId } from '../arm/ids';
import { T, nicIpConfigs } from '../arm/networkRefs';
import type { ResourceStore } from '../arm/store';
import type { VmRuntime } from '../vm/runtime';

const METRICS: Record<string, { description: string; unit: string; dims: string[] }> = {
  dipavailability: {
    description: 'Average Load Balancer health probe status per time duration',
    unit: 'Count',
    dims: ['ProtocolType', 'BackendPort', 'FrontendIPAddress', 'FrontendPort', 'BackendIPAddress'],
  },
  vipavailability: {
    description: 'Average Load Balancer data path availability per time duration',
    unit: 'Count',
    dims: ['FrontendIPAddress', 'FrontendPort'],
  },
};
const CANONICAL: Record<string, string> = { dipavailability: 'DipAvailability', vipavailability: 'VipAvailability' };
const AGGREGATIONS = ['average', 'minimum', 'maximum', 'total', 'count'] as const;
type Aggregation = (typeof AGGREGATIONS)[number];
/** Probe samples taken per metric bucket. */
const SAMPLES = 6;
/** At most this many buckets per time series (the most recent ones). */
const MAX_BUCKETS = 1440;

const badRequest = (message: string) => new ArmError(400, 'BadRequest', message);

/** ISO 8601 duration (PT1M, PT5M, PT1H, P1D) → ms of Azure time. */
export function durationMs(iso: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(iso);
  if (!m || iso.toUpperCase() === 'P' || iso.toUpperCase() === 'PT') throw badRequest(`Invalid interval '${iso}'.`);
  return (((+(m[1] ?? 0) * 24 + +(m[2] ?? 0)) * 60 + +(m[3] ?? 0)) * 60 + +(m[4] ?? 0)) * 1000;
}

/** Parses `BackendIPAddress eq '*'` / `BackendIPAddress eq '10.0.0.4' or BackendIPAddress eq '10.0.0.5'`. */
function backendFilter(filter: string | null): { split: boolean; only?: Set<string> } {
  if (!filter) return { split: false };
  const values = [...filter.matchAll(/BackendIPAddress\s+eq\s+'([^']*)'/gi)].map((m) => m[1]);
  if (!values.length) return { split: false };
  if (values.includes('*')) return { split: true };
  return { split: true, only: new Set(values) };
}

/**
 * Azure Monitor metrics batch API (`POST /subscriptions/{sub}/metrics:getBatch`) for load balancers' health-probe
 * metrics. A bucket of `interval` lasts interval × timeScale of real time; in each, the backend's probe answer
 * (runtime.probeAnswered) is sampled SAMPLES times: DipAvailability = % of samples answered per backend IP,
 * VipAvailability = % of samples where any backend answered.
 */
export class MetricsService {
  constructor(
    private readonly store: ResourceStore,
    private readonly runtime: () => VmRuntime,
    private readonly timeScale: number,
  ) {}

  route(req: SimRequest): Route {
    const sub = req.segments[1];
    return {
      op: 'metrics.getBatch',
      resourceId: `/subscriptions/${sub}/metrics:getBatch`,
      resourceType: 'metrics',
      exec: async () => this.query(req),
    };
  }

  private query(req: SimRequest): SimResponse {
    const q = req.url.searchParams;
    const namespace = q.get('metricnamespace');
    if (!namespace || namespace.toLowerCase() !== T.lb.toLowerCase()) {
      throw badRequest(`Metric namespace '${namespace}' is not supported by the simulator (only ${T.lb}).`);
    }
    const names = (q.get('metricnames') ?? '').split(',').filter(Boolean);
    if (!names.length) throw badRequest('metricnames is required.');
    for (const n of names) {
      if (!METRICS[n.toLowerCase()]) {
        throw badRequest(
          `Failed to find metric configuration for provider: Microsoft.Network, resource Type: loadBalancers, metric: ${n}, Valid metrics: DipAvailability,VipAvailability`,
        );
      }
    }
    const aggregations = (q.get('aggregation') ?? 'average')
      .split(',')
      .map((a) => a.trim().toLowerCase()) as Aggregation[];
    for (const a of aggregations) if (!AGGREGATIONS.includes(a)) throw badRequest(`Invalid aggregation '${a}'.`);
    const intervalIso = q.get('interval') ?? 'PT1M';
    const bucketMs = durationMs(intervalIso) * this.timeScale;
    if (!(bucketMs > 0)) throw badRequest(`Invalid interval '${intervalIso}'.`);
    const now = Date.now();
    const end = q.get('endtime') ? Date.parse(q.get('endtime')!) : now;
    const start = q.get('starttime') ? Date.parse(q.get('starttime')!) : end - bucketMs * 60;
    if (Number.isNaN(start) || Number.isNaN(end) || start >= end)
      throw badRequest('Invalid time range: starttime must be before endtime.');
    const ids: unknown = req.body?.resourceids;
    if (!Array.isArray(ids) || !ids.length) throw badRequest('resourceids is required.');
    const filter = backendFilter(q.get('filter'));
    const values = ids.map((id: string) => {
      const lb = this.store.get(id);
      if (!lb || lb.type !== T.lb || !parseResourceId(id)) {
        return {
          starttime: new Date(start).toISOString(),
          endtime: new Date(end).toISOString(),
          interval: intervalIso,
          namespace: T.lb,
          resourceid: id,
          value: [],
          errorCode: 'ResourceNotFound',
        };
      }
      const probePort = this.probePort(lb);
      const backends = this.backendIps(id).filter((ip) => !filter.only || filter.only.has(ip));
      // Time stamps are aligned to the grain (whole scaled minutes for PT1M), as Azure aligns them.
      const firstBucket = Math.floor(Math.max(start, end - MAX_BUCKETS * bucketMs) / bucketMs) * bucketMs;
      const buckets: number[] = [];
      for (let t = firstBucket; t < end; t += bucketMs) buckets.push(t);
      const answered = (ip: string, t: number) =>
        probePort !== undefined && this.runtime().probeAnswered(ip, probePort, new Date(t));
      const series = (sample: (t: number) => boolean) =>
        buckets.map((t) => {
          const point: Record<string, unknown> = { timeStamp: new Date(t).toISOString() };
          if (t >= now) return point;
          const until = Math.min(t + bucketMs, now);
          const samples: number[] = Array.from({ length: SAMPLES }, (_, i) =>
            sample(t + ((i + 0.5) * (until - t)) / SAMPLES) ? 100 : 0,
          );
          const sum = samples.reduce((a, b) => a + b, 0);
          for (const a of aggregations) {
            point[a] =
              a === 'average'
                ? sum / samples.length
                : a === 'minimum'
                  ? Math.min(...samples)
                  : a === 'maximum'
                    ? Math.max(...samples)
                    : a === 'total'
                      ? sum
                      : samples.length;
          }
          return point;
        });
      const metrics = names.map((n) => {
        const key = n.toLowerCase();
        const name = CANONICAL[key];
        const meta = METRICS[key];
        let timeseries;
        if (key === 'dipavailability' && filter.split) {
          timeseries = backends.map((ip) => ({
            metadatavalues: [{ name: { value: 'backendipaddress', localizedValue: 'backendipaddress' }, value: ip }],
            data: series((t) => answered(ip, t)),
          }));
        } else if (key === 'dipavailability') {
          timeseries = backends.length
            ? [{ metadatavalues: [], data: this.averageSeries(backends.map((ip) => series((t) => answered(ip, t)))) }]
            : [];
        } else {
          timeseries = [{ metadatavalues: [], data: series((t) => backends.some((ip) => answered(ip, t))) }];
        }
        return {
          id: `${lb.id}/providers/Microsoft.Insights/metrics/${name}`,
          type: 'Microsoft.Insights/metrics',
          name: {
            value: name,
            localizedValue: name === 'DipAvailability' ? 'Health Probe Status' : 'Data Path Availability',
          },
          displayDescription: meta.description,
          unit: meta.unit,
          timeseries,
          errorCode: 'Success',
        };
      });
      return {
        starttime: new Date(start).toISOString(),
        endtime: new Date(end).toISOString(),
        interval: intervalIso,
        value: metrics,
        namespace: T.lb,
        resourceregion: lb.location,
        resourceid: lb.id,
      };
    });
    return { status: 200, body: { values } };
  }

  /** Point-wise mean of several backends' series (the unsplit DipAvailability). */
  private averageSeries(all: Record<string, unknown>[][]): Record<string, unknown>[] {
    return all[0].map((p, i) => {
      const out: Record<string, unknown> = { timeStamp: p.timeStamp };
      for (const k of Object.keys(p)) {
        if (k === 'timeStamp') continue;
        out[k] = all.reduce((s, series) => s + (series[i][k] as number), 0) / all.length;
      }
      return out;
    });
  }

  /** The port of the probe the LB's rules use (else its first probe). */
  private probePort(lb: { properties: any }): number | undefined {
    const probes: any[] = lb.properties.probes ?? [];
    const used = (lb.properties.loadBalancingRules ?? []).map((r: any) => r.properties.probe?.id).find(Boolean);
    const probe =
      probes.find((p) => used && used.toLowerCase().endsWith(`/probes/${p.name.toLowerCase()}`)) ?? probes[0];
    return probe?.properties.port;
  }

  /** Private IPs of the NIC ip configurations in any backend pool of the load balancer. */
  private backendIps(lbId: string): string[] {
    return nicIpConfigs(this.store)
      .filter((u) =>
        (u.item.properties.loadBalancerBackendAddressPools ?? []).some((p: any) =>
          sameId(p.id.split('/').slice(0, -2).join('/'), lbId),
        ),
      )
      .map((u) => u.item.properties.privateIPAddress as string);
  }
}
