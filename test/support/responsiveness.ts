/**
 * Measures how responsive the local stack is while it works: the latency of every status GET a poller sends, and
 * the event-loop delay of this process (which runs the host, the simulator and the VM runtime of an in-process
 * stack), with perf_hooks.monitorEventLoopDelay.
 *
 * A late timer has two causes: the loop was busy (synchronous work: what must never exceed 100 ms), or the
 * operating system ran other processes (a loaded machine). To tell them apart, a 10 ms sampler also reads the main
 * thread's own CPU time (/proc/self/task/<pid>/stat): the loop was *blocked* for as long as the main thread ran
 * during a late tick, at most the tick's lateness.
 */
import { readFileSync } from 'node:fs';
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
  /** Longest time the loop was busy (main-thread CPU) within one late sampler tick, ms (resolution 10 ms). */
  maxBlockedMs: number;
  /** Whether the main thread's CPU time could be read (else maxBlockedMs is the lateness itself). */
  cpuMeasured: boolean;
}

/** CPU time (user + system) of this process's main thread, ms; undefined where /proc does not say. */
function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in ticks of 10 ms (USER_HZ 100)
  } catch {
    return undefined;
  }
}

/** Starts the blocked-loop sampler; stop() returns the longest blocked time and whether CPU time was measured. */
function sampleBlocking(): () => { maxBlockedMs: number; cpuMeasured: boolean } {
  const TICK = 10;
  let lastAt = performance.now();
  let lastCpu = mainThreadCpuMs();
  const cpuMeasured = lastCpu !== undefined;
  let maxBlockedMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = mainThreadCpuMs();
    const late = now - lastAt - TICK;
    if (late > 0) {
      const busy = cpu !== undefined && lastCpu !== undefined ? Math.min(late + TICK, cpu - lastCpu) : late;
      maxBlockedMs = Math.max(maxBlockedMs, busy);
    }
    lastAt = now;
    lastCpu = cpu;
  }, TICK);
  return () => {
    clearInterval(timer);
    return { maxBlockedMs: Math.round(maxBlockedMs), cpuMeasured };
  };
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
  const stopSampler = sampleBlocking();
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
  const blocking = stopSampler();
  if (!TERMINAL.has(last.runtimeStatus))
    throw new Error(`deployment ${id} did not finish in ${timeoutMs} ms; last: ${JSON.stringify(last).slice(0, 2000)}`);
  const sorted = [...latencies].sort((a, b) => a - b);
  const measured: Responsiveness = {
    gets: latencies.length,
    maxGetMs: Math.round(sorted[sorted.length - 1] ?? 0),
    p99GetMs: Math.round(sorted[Math.floor(sorted.length * 0.99)] ?? 0),
    maxLoopDelayMs: Math.round(loop.max / 1e6),
    p99LoopDelayMs: Math.round(loop.percentile(99) / 1e6),
    ...blocking,
  };
  return { view: last, measured };
}
