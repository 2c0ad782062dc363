/**
 * `npm run bench [engine|deployment|monitoring|configure]`: runs the benchmarks and prints their figures as JSON (record them,
 * with the command and the machine, in docs/PERFORMANCE.md). `configure` (a whole deployment with the nodes'
 * configuration, about 10 minutes at time scale 1) runs only when named.
 */
import os from 'node:os';
import { runDeploymentBenchmark } from './deployment';
import { runDurableEngineBenchmark } from './durableEngine';
import { runMonitoringBenchmark } from './monitoring';

async function main(): Promise<void> {
  const which = new Set(process.argv.slice(2));
  const all = which.size === 0;
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  if (all || which.has('engine')) {
    console.log('durable engine (200 sequential, 1,000 fan-out, one-activity latency):');
    console.log(JSON.stringify(await runDurableEngineBenchmark(), null, 2));
  }
  if (all || which.has('deployment')) {
    console.log('deployment of the seed spec (default latency model):');
    console.log(JSON.stringify(await runDeploymentBenchmark(), null, 2));
  }
  if (all || which.has('monitoring')) {
    console.log('monitoring: 1,000 registered clusters, one sweep (light clusters, simulator metrics):');
    console.log(JSON.stringify(await runMonitoringBenchmark(), null, 2));
  }
  if (which.has('configure')) {
    console.log('deployment of the seed spec with the nodes configured (default latency model):');
    console.log(JSON.stringify(await runDeploymentBenchmark(undefined, { configure: true }), null, 2));
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
