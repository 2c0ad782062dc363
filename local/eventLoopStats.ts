/**
 * Event-loop delay of a local stand-in (the simulator, the host), measured with perf_hooks.monitorEventLoopDelay
 * and served read-only to tests and operators (`GET /_sim/stats/event-loop` on the simulator,
 * `GET /admin/host/event-loop` on the local host). Nothing in the local stack may block its event loop for more than
 * 100 ms: this is how it is seen.
 *
 * A sample is the time between two ticks of a timer of `resolutionMs` (libuv), so an idle loop reads about the
 * resolution and a loop blocked for B ms reads between B and B + resolution. A late tick has two causes: the loop was
 * busy (synchronous work), or the operating system ran other processes (a loaded machine); this cannot tell them
 * apart. The simulator and the host run in one process under `npm start` and in the tests, so both then measure the
 * same loop (each with its own histogram and reset).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface EventLoopStats {
  /** Start of the measurement (the monitor's start or its last reset), ISO 8601. */
  since: string;
  /** Timer resolution of the samples, ms. */
  resolutionMs: number;
  /** Samples taken. */
  samples: number;
  /** Longest time between two ticks, ms (what a request arriving then waited at most). */
  maxMs: number;
  /** Percentiles and mean of the time between ticks, ms. */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

const ms = (ns: number) => Math.round(ns / 1e4) / 100;

export class EventLoopMonitor {
  private readonly histogram: IntervalHistogram;
  private since = new Date();

  constructor(readonly resolutionMs = 10) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    this.histogram.enable();
  }

  stats(): EventLoopStats {
    const h = this.histogram;
    const samples = h.count;
    return {
      since: this.since.toISOString(),
      resolutionMs: this.resolutionMs,
      samples,
      maxMs: samples ? ms(h.max) : 0,
      p50Ms: samples ? ms(h.percentile(50)) : 0,
      p99Ms: samples ? ms(h.percentile(99)) : 0,
      meanMs: samples ? ms(h.mean) : 0,
    };
  }

  /** Starts a new measurement; returns the one that ended. */
  reset(): EventLoopStats {
    const ended = this.stats();
    this.histogram.reset();
    this.since = new Date();
    return ended;
  }

  stop(): void {
    this.histogram.disable();
  }
}

/** One line for a log: `event loop since …: max X ms, p99 Y ms (N samples of Z ms)`. */
export function formatEventLoopStats(s: EventLoopStats): string {
  return `event loop since ${s.since}: max ${s.maxMs} ms, p99 ${s.p99Ms} ms, mean ${s.meanMs} ms (${s.samples} samples, resolution ${s.resolutionMs} ms)`;
}
