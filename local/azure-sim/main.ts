import { startSimulator } from './index';
import path from 'node:path';
import { createVmRuntime } from './vm';

/**
 * `npm run sim`: starts the simulator alone with the VM runtime (sandboxes under <stateDir>/vms) on port SIM_PORT
 * (default 8443) with time scale SIM_TIME_SCALE (default 1), prints its URL and CA file, stops on SIGINT/SIGTERM.
 * SIM_LOG=1 prints one line per request.
 */
async function main(): Promise<void> {
  const port = process.env.SIM_PORT ? Number(process.env.SIM_PORT) : 8443;
  const timeScale = Number(process.env.SIM_TIME_SCALE) > 0 ? Number(process.env.SIM_TIME_SCALE) : 1;
  const stateDir = process.env.SIM_STATE_DIR ?? path.join(process.cwd(), '.local', 'azure-sim');
  const vmRuntime = createVmRuntime({ rootDir: path.join(stateDir, 'vms'), timeScale });
  const sim = await startSimulator({
    port,
    timeScale,
    stateDir,
    vmRuntime,
    // ARM resources and Key Vault secrets survive a restart (README "State across restarts")
    persist: true,
    log: process.env.SIM_LOG ? (l) => console.log(l) : undefined,
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the simulator`);
    sim.stop().then(
      () => process.exit(0),
      (e) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const scales = sim.clocks.get();
  console.log(
    `Azure simulator listening on ${sim.url} (time scales: control plane ${scales.controlPlane}, cluster ${scales.cluster})`,
  );
  console.log(`CA certificate: ${sim.caFile}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
