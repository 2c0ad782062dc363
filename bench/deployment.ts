/**
 * Deployment benchmark: one deployment of the seed spec on the local stack with the simulator's default latency
 * model (time scale 1 unless BENCH_TIME_SCALE says otherwise). Reports the infrastructure's makespan against the
 * critical path of the plan's dependency graph, with each resource's duration taken from the simulator's
 * operations journal, and the number of ARM calls the deployment made. With `configure`, the deployment also
 * configures the nodes by Run Command, and the figures include the whole request's duration and its Run Commands,
 * then those of a re-POST of the same spec once it Completed (every step already done: issue 9).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { criticalPath, planDeployment } from '../shared/plan';
import { parseClusterSpec } from '../shared/spec';
import { LOCAL_SUBSCRIPTION_ID, startStack } from '../local/stack';

export interface DeploymentFigures {
  timeScale: number;
  /** First ARM request of the deployment → end of its last resource operation (ms). */
  makespanMs: number;
  /** POST accepted → orchestration Completed (ms). */
  endToEndMs: number;
  criticalPathMs: number;
  criticalPathKeys: string[];
  /** makespan / critical path. */
  ratio: number;
  armCalls: number;
  armCallsByMethod: Record<string, number>;
  /** Run Commands of the configuration (0 for an infrastructure-only deployment). */
  runCommands: number;
  /** With configure: a second POST of the same spec once the first Completed. */
  rePost?: { endToEndMs: number; runCommands: number; restarts: number; armCalls: number };
}

const specFor = (configure: boolean) => ({
  subscriptionId: LOCAL_SUBSCRIPTION_ID,
  resourceGroup: 'bench-deploy',
  witness: { sshSourceCidr: '203.0.113.0/24' },
  ...(configure
    ? { lifeKeeper: { installerLocation: 'https://benchmedia.blob.core.windows.net/media/sps.img' } }
    : { configure: false }),
});

export async function runDeploymentBenchmark(
  timeScale = Number(process.env.BENCH_TIME_SCALE) || 1,
  { configure = false }: { configure?: boolean } = {},
): Promise<DeploymentFigures> {
  const key = 'bench-key';
  const SPEC = specFor(configure);
  const stack = await startStack({
    sim: { port: 0, timeScale, stateDir: mkdtempSync(path.join(tmpdir(), 'qwk-bench-')) },
    host: { port: 0, functionKey: key, logSink: () => undefined },
    seedSecrets: { 'lifekeeper-license': 'benchmark license (simulated)' },
  });
  try {
    const headers = { 'x-functions-key': key, 'content-type': 'application/json' };
    /** One POST of the spec, awaited until it ends Completed: its wall time. */
    const deploy = async (): Promise<number> => {
      const t0 = Date.now();
      const res = await fetch(`${stack.host!.baseUrl}/api/deployments`, {
        method: 'POST',
        headers,
        body: JSON.stringify(SPEC),
      });
      if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
      const { statusUrl } = (await res.json()) as { statusUrl: string };
      let view: { runtimeStatus: string; error?: unknown };
      for (;;) {
        view = (await (await fetch(statusUrl, { headers })).json()) as typeof view;
        if (!['Pending', 'Running'].includes(view.runtimeStatus)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      if (view.runtimeStatus !== 'Completed')
        throw new Error(`deployment ended ${view.runtimeStatus}: ${JSON.stringify(view.error)}`);
      return Date.now() - t0;
    };
    const endToEndMs = await deploy();

    const parsed = parseClusterSpec(SPEC);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const plan = planDeployment(parsed.spec);
    const ops = stack.sim.journal().filter((o) => o.resourceId.toLowerCase().includes('/resourcegroups/bench-deploy'));
    const durations = new Map<string, number>();
    for (const r of plan.resources) {
      const put = ops.find((o) => o.method === 'PUT' && o.resourceId.toLowerCase() === r.id.toLowerCase());
      if (!put?.end) throw new Error(`no completed PUT of ${r.id} in the journal`);
      durations.set(r.key, Date.parse(put.end) - Date.parse(put.start));
    }
    const cp = criticalPath(plan, durations);
    const infraIds = new Set(plan.resources.map((r) => r.id.toLowerCase()));
    const infraOps = ops.filter((o) => infraIds.has(o.resourceId.toLowerCase()));
    const starts = infraOps.map((o) => Date.parse(o.start));
    const ends = infraOps.filter((o) => o.method === 'PUT' && o.end).map((o) => Date.parse(o.end!));
    const makespanMs = Math.max(...ends) - Math.min(...starts);
    const armCallsByMethod: Record<string, number> = {};
    for (const o of ops) armCallsByMethod[o.method] = (armCallsByMethod[o.method] ?? 0) + 1;
    const figures: DeploymentFigures = {
      timeScale,
      makespanMs,
      endToEndMs,
      criticalPathMs: cp.duration,
      criticalPathKeys: cp.keys,
      ratio: makespanMs / cp.duration,
      armCalls: ops.length,
      armCallsByMethod,
      runCommands: ops.filter((o) => o.op === 'virtualMachines.runCommand').length,
    };
    if (configure) {
      // A re-POST of the Completed cluster (issue 9): every step already done, no switchover, no restart.
      const before = new Date().toISOString();
      const ms = await deploy();
      const again = stack.sim
        .journal()
        .filter((o) => o.resourceId.toLowerCase().includes('/resourcegroups/bench-deploy') && o.start >= before);
      figures.rePost = {
        endToEndMs: ms,
        runCommands: again.filter((o) => o.op === 'virtualMachines.runCommand').length,
        restarts: again.filter((o) => o.op === 'virtualMachines.restart').length,
        armCalls: again.length,
      };
    }
    return figures;
  } finally {
    await stack.stop();
  }
}
