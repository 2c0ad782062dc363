/**
 * The simulator's two clocks (see README.md "Two clocks"):
 * - controlPlane (SIM_TIME_SCALE): Azure's control-plane latencies — ARM operations and their LROs, Run Command
 *   duration, boots. Small values keep deployments fast in tests.
 * - cluster (SIM_CLUSTER_TIME_SCALE, default 1): what runs inside and around the cluster — LifeKeeper heartbeats,
 *   QWK object writes (QWK_STORAGE_HBEATTIME), the witness check, failover, probe answers, metric grains, alert
 *   evaluation. At 1, an observer in real time sees what Azure would show.
 * A factor multiplies durations: 0.01 makes a 90 s operation take 0.9 s. Both can be changed at run time
 * (GET/PUT /_sim/time-scale); readers take the current value each time they schedule something.
 */
export interface TimeScales {
  controlPlane: number;
  cluster: number;
}

export const MIN_TIME_SCALE = 0.00001;
export const MAX_TIME_SCALE = 100;

export function parseTimeScale(value: unknown, what: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < MIN_TIME_SCALE || n > MAX_TIME_SCALE) {
    throw new RangeError(`${what} must be a number from ${MIN_TIME_SCALE} to ${MAX_TIME_SCALE} (got ${String(value)})`);
  }
  return n;
}

/** A factor from the environment (unset or invalid: the default). */
export function envTimeScale(name: 'SIM_TIME_SCALE' | 'SIM_CLUSTER_TIME_SCALE', fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  try {
    return parseTimeScale(raw, name);
  } catch {
    return fallback;
  }
}

export class SimClocks implements TimeScales {
  private scales: TimeScales;
  private readonly listeners: ((s: TimeScales) => void)[] = [];

  constructor(controlPlane: number, cluster: number) {
    this.scales = {
      controlPlane: parseTimeScale(controlPlane, 'controlPlane'),
      cluster: parseTimeScale(cluster, 'cluster'),
    };
  }

  /** From SIM_TIME_SCALE (default `controlPlaneDefault`) and SIM_CLUSTER_TIME_SCALE (default 1). */
  static fromEnv(controlPlane?: number, cluster?: number): SimClocks {
    return new SimClocks(
      controlPlane ?? envTimeScale('SIM_TIME_SCALE', 1),
      cluster ?? envTimeScale('SIM_CLUSTER_TIME_SCALE', 1),
    );
  }

  get controlPlane(): number {
    return this.scales.controlPlane;
  }

  get cluster(): number {
    return this.scales.cluster;
  }

  get(): TimeScales {
    return { ...this.scales };
  }

  /** Validates both values first: on a bad value nothing changes. */
  set(next: Partial<TimeScales>): TimeScales {
    const scales = {
      controlPlane:
        next.controlPlane === undefined ? this.scales.controlPlane : parseTimeScale(next.controlPlane, 'controlPlane'),
      cluster: next.cluster === undefined ? this.scales.cluster : parseTimeScale(next.cluster, 'cluster'),
    };
    this.scales = scales;
    for (const l of this.listeners) l(this.get());
    return this.get();
  }

  onChange(listener: (s: TimeScales) => void): void {
    this.listeners.push(listener);
  }

  /** Real ms of `clusterMs` of cluster time. */
  clusterMs(clusterMs: number): number {
    return clusterMs * this.scales.cluster;
  }

  /** Real ms of `azureMs` of control-plane time. */
  controlPlaneMs(azureMs: number): number {
    return azureMs * this.scales.controlPlane;
  }
}

/**
 * A scaled limit with a floor: a limit is never shorter than `floorMs` of real time (nor longer than unscaled),
 * so that it cuts off only work that Azure would cut off too, whatever the scale (the work itself runs in real time).
 */
export function scaledLimitMs(azureMs: number, scale: number, floorMs: number): number {
  return Math.min(azureMs, Math.max(azureMs * scale, floorMs));
}
