/**
 * Measures how responsive the local stack is while it works: the latency of every status GET a poller sends, and
 * the event-loop delay of this process (which runs the host, the simulator and the VM runtime of an in-process
 * stack), with perf_hooks.monitorEventLoopDelay.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getDeployment, TERMINAL, type Api } from './deployments';

export interface Responsiveness {
  /** Status GETs sent. */
  gets: number;
  /** Slowest status GET, ms (request sent to body read). */
  maxGetMs: number;
  /** 99th percentile of the status GETs, ms. */
  p99GetMs: number;
  /** Longest event-loop delay seen, ms (resolution 10 ms). */
  maxLoopDelayMs: number;
  /** 99th percentile of the event-loop delay, ms. */
  p99LoopDelayMs: number;
}

/** Polls the deployment's status every `everyMs` until it is terminal; returns the last view and the measurements. */
export async function pollMeasuring(
  api: Api,
  id: string,
  timeoutMs: number,
  everyMs = 250,
): Promise<{ view: Record<string, any>; measured: Responsiveness }> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const latencies: number[] = [];
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, any> = {};
  try {
    while (Date.now() < deadline) {
      const t0 = performance.now();
      const { status, json } = await getDeployment(api, id);
      latencies.push(performance.now() - t0);
      if (status === 200) {
        last = json;
        if (TERMINAL.has(json.runtimeStatus)) break;
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  } finally {
    loop.disable();
  }
  if (!TERMINAL.has(last.runtimeStatus))
    throw new Error(`deployment ${id} did not finish in ${timeoutMs} ms; last: ${JSON.stringify(last).slice(0, 2000)}`);
  const sorted = [...latencies].sort((a, b) => a - b);
  const measured: Responsiveness = {
    gets: latencies.length,
    maxGetMs: Math.round(sorted[sorted.length - 1] ?? 0),
    p99GetMs: Math.round(sorted[Math.floor(sorted.length * 0.99)] ?? 0),
    maxLoopDelayMs: Math.round(loop.max / 1e6),
    p99LoopDelayMs: Math.round(loop.percentile(99) / 1e6),
  };
  return { view: last, measured };
}
