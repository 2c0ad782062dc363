/**
 * Durable engine benchmark (issue 2): on Azurite, with the local host and the Durable fixture app,
 *  - engine overhead per activity for 200 sequential no-op activities,
 *  - wall time of a fan-out/fan-in of 1,000 no-op activities,
 *  - start-to-complete latency of a one-activity orchestration (median of several runs).
 * Exported for `npm run bench` (bench/run.ts wires it); returns the figures.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAzurite } from '../local/azurite';
import { startHost } from '../local/host';
import { createDurableExtension } from '../local/host/durable';

export interface DurableEngineFigures {
  machine: string;
  sequential: {
    activities: number;
    totalMs: number;
    perActivityMs: number;
    noopInvokeMs: number;
    overheadPerActivityMs: number;
  };
  fanOut: { activities: number; totalMs: number };
  oneActivity: { runs: number; medianMs: number; p90Ms: number; serverMedianMs: number };
}

function appRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'fixtures', 'durable-app');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('test/fixtures/durable-app not found');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];

export async function runDurableEngineBenchmark(
  options: { sequential?: number; fanOut?: number; latencyRuns?: number } = {},
): Promise<DurableEngineFigures> {
  const sequentialN = options.sequential ?? 200;
  const fanOutN = options.fanOut ?? 1000;
  const runs = options.latencyRuns ?? 10;
  const azurite = await startAzurite();
  const host = await startHost({
    appRoot: appRoot(),
    port: 0,
    settings: { AzureWebJobsStorage: azurite.connectionString },
    extensions: [createDurableExtension({ maxConcurrentActivityFunctions: 20, maxPollingIntervalMs: 1000 })],
    logSink: () => undefined,
    logLevel: 'warning',
  });
  const hook = `${host.baseUrl}/runtime/webhooks/durabletask`;
  const code = `code=${encodeURIComponent(host.systemKey)}`;

  const run = async (name: string, input: unknown, id: string) => {
    const began = performance.now();
    const res = await fetch(`${hook}/orchestrators/${name}/${id}?${code}`, {
      method: 'POST',
      body: JSON.stringify(input),
    });
    if (res.status !== 202) throw new Error(`start ${name}: HTTP ${res.status}`);
    for (;;) {
      const s = (await (await fetch(`${hook}/instances/${id}?${code}`)).json()) as {
        runtimeStatus: string;
        createdTime: string;
        lastUpdatedTime: string;
      };
      if (s.runtimeStatus === 'Completed')
        return { ms: performance.now() - began, serverMs: Date.parse(s.lastUpdatedTime) - Date.parse(s.createdTime) };
      if (s.runtimeStatus === 'Failed' || s.runtimeStatus === 'Terminated')
        throw new Error(`${name} ${s.runtimeStatus}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };

  try {
    await run('SayHelloWithActivity', 'warm-up', 'warm-up');
    // Cost of invoking a no-op activity through the host pipeline alone (not engine overhead).
    const invokeStart = performance.now();
    for (let i = 0; i < 50; i++) await host.invoke('Noop', { triggerData: { json: 'null' } });
    const noopInvokeMs = (performance.now() - invokeStart) / 50;

    const seq = await run('BenchSequence', sequentialN, 'bench-seq');
    const fan = await run('BenchFanOut', fanOutN, 'bench-fan');
    const latencies: number[] = [];
    const server: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await run('CallActivityNoInput', null, `bench-one-${i}`);
      latencies.push(r.ms);
      server.push(r.serverMs);
    }
    const perActivityMs = seq.ms / sequentialN;
    return {
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${os.platform()}`,
      sequential: {
        activities: sequentialN,
        totalMs: Math.round(seq.ms),
        perActivityMs: Number(perActivityMs.toFixed(2)),
        noopInvokeMs: Number(noopInvokeMs.toFixed(2)),
        overheadPerActivityMs: Number((perActivityMs - noopInvokeMs).toFixed(2)),
      },
      fanOut: { activities: fanOutN, totalMs: Math.round(fan.ms) },
      oneActivity: {
        runs,
        medianMs: Number(median(latencies).toFixed(1)),
        p90Ms: Number(p90(latencies).toFixed(1)),
        serverMedianMs: median(server),
      },
    };
  } finally {
    await host.stop();
    await azurite.stop();
  }
}
