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
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { EventLoopStats } from '../../local/eventLoopStats';
import { getDeployment, TERMINAL, type Api } from './deployments';
import { simFetch } from './simHttp';

export interface Responsiveness {
  /** Status GETs sent. */
  gets: number;
  /** Slowest status GET, ms (request sent to body read). */
  maxGetMs: number;
  /** Median and 99th percentile of the status GETs, ms. */
  p50GetMs: number;
  p99GetMs: number;
  /** The three slowest status GETs as "<seconds after the first GET>s:<ms>", slowest first. */
  slowestGets: string[];
  /** Every status GET slower than `slowGetMs` (default 500), with the machine's 1-minute load average when sent. */
  slowGets: { atS: number; ms: number; load1: number }[];
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
  slowGetMs = 500,
): Promise<{ view: Record<string, any>; measured: Responsiveness }> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const stopSampler = sampleBlocking();
  const latencies: number[] = [];
  const sentAt: number[] = [];
  const loads: number[] = [];
  const firstAt = performance.now();
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, any> = {};
  try {
    while (Date.now() < deadline) {
      const t0 = performance.now();
      const { status, json } = await getDeployment(api, id);
      latencies.push(performance.now() - t0);
      sentAt.push(t0 - firstAt);
      loads.push(loadavg()[0] ?? 0);
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
    p50GetMs: Math.round(sorted[Math.floor(sorted.length * 0.5)] ?? 0),
    p99GetMs: Math.round(sorted[Math.floor(sorted.length * 0.99)] ?? 0),
    slowestGets: latencies
      .map((ms, i) => ({ ms, at: sentAt[i] }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 3)
      .map(({ ms, at }) => `${(at / 1000).toFixed(1)}s:${Math.round(ms)}ms`),
    slowGets: latencies.flatMap((ms, i) =>
      ms > slowGetMs
        ? [{ atS: Math.round(sentAt[i] / 100) / 10, ms: Math.round(ms), load1: Math.round(loads[i] * 10) / 10 }]
        : [],
    ),
    maxLoopDelayMs: Math.round(loop.max / 1e6),
    p99LoopDelayMs: Math.round(loop.percentile(99) / 1e6),
    ...blocking,
  };
  return { view: last, measured };
}

/** Where the stack's processes serve their event-loop figures (GET /_sim/stats/event-loop, /admin/host/event-loop). */
export interface StackEndpoints {
  sim: { url: string; caPem: string };
  host: { baseUrl: string; masterKey: string };
}

/** Each process's event-loop delay as it reports it itself: the simulator's and the host's read-only endpoints. */
export interface ProcessLoops {
  simulator: EventLoopStats;
  host: EventLoopStats;
}

async function loops(stack: StackEndpoints, method: 'GET' | 'DELETE'): Promise<ProcessLoops> {
  const sim = await simFetch(stack.sim, method, '/_sim/stats/event-loop', undefined, { auth: false });
  if (sim.status !== 200)
    throw new Error(`${method} /_sim/stats/event-loop: ${sim.status} ${JSON.stringify(sim.json)}`);
  const res = await fetch(`${stack.host.baseUrl}/admin/host/event-loop`, {
    method,
    headers: { 'x-functions-key': stack.host.masterKey },
  });
  if (res.status !== 200) throw new Error(`${method} /admin/host/event-loop: ${res.status} ${await res.text()}`);
  return { simulator: sim.json as EventLoopStats, host: (await res.json()) as EventLoopStats };
}

/** Starts a new event-loop measurement in the simulator and the host (DELETE on their endpoints). */
export const resetProcessLoops = (stack: StackEndpoints) => loops(stack, 'DELETE');

/** The simulator's and the host's event-loop delay since the last reset. */
export const readProcessLoops = (stack: StackEndpoints) => loops(stack, 'GET');
