/**
 * The clock alert evaluation and webhook delivery run on: the cluster's clock. `scale` turns an Azure duration into
 * real milliseconds (1 = real time, Azure's values; 0.01 = a hundred times faster, for tests). Timers are unref'd, so
 * they never keep the process alive, and every timer made through a clock is cancelled by `stop()`.
 */
export interface AlertClock {
  /** Real ms per Azure ms (> 0). May change at run time (the cluster time scale). */
  readonly scale: number;
  now(): number;
  /** Runs `fn` after `azureMs` of Azure time (azureMs × scale real ms). */
  after(azureMs: number, fn: () => void): void;
  /** Cancels every pending timer; later `after` calls are ignored. */
  stop(): void;
}

export class RealClock implements AlertClock {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly getScale: () => number = () => 1) {}

  get scale(): number {
    const s = this.getScale();
    return s > 0 ? s : 1;
  }

  now(): number {
    return Date.now();
  }

  after(azureMs: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        if (!this.stopped) fn();
      },
      Math.max(0, azureMs * this.scale),
    );
    t.unref();
    this.timers.add(t);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

/** The cluster time scale from the environment (SIM_CLUSTER_TIME_SCALE, default 1). */
export function envClusterScale(): number {
  const v = Number(process.env.SIM_CLUSTER_TIME_SCALE);
  return Number.isFinite(v) && v > 0 ? v : 1;
}
