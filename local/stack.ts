/**
 * The whole local stand-in for Azure, composed once for `npm start`, the integration tests and the benchmarks:
 * Azurite (the Functions storage account), the Azure simulator (ARM, Key Vault, Monitor, the cluster's VMs) and
 * the local Functions host running this app with the Durable engine.
 */
import path from 'node:path';
import { startAzurite, type RunningAzurite } from './azurite';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from './azure-sim';
import { makeSimClients } from './azure-sim/sdkClients';
import { createVmRuntime, type SimVmRuntime } from './azure-sim/vm';
import { createDurableExtension } from './host/durable';
import { startHost, type HostOptions, type RunningHost } from './host';

/** The subscription used when a spec names none, locally. */
export const LOCAL_SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000001';

/**
 * The app's public URL as the simulated VMs reach it (QWK_PUBLIC_URL): the simulator serves this name to the VMs
 * with a certificate of its CA and forwards to the local host, like App Service's front end (vm/services.ts); its
 * action groups' webhook deliveries to this name go to the local host too (monitor/alerts/delivery.ts).
 */
export const LOCAL_PUBLIC_URL = 'https://qwk-ops.azurewebsites.test';

/** The app settings that point the app at the local stand-ins (the app cannot tell them from Azure otherwise). */
export function localAppSettings(
  azurite: Pick<RunningAzurite, 'connectionString'>,
  sim: Pick<RunningSimulator, 'url' | 'caFile'>,
): Record<string, string> {
  return {
    AzureWebJobsStorage: azurite.connectionString,
    QWK_CREDENTIAL: 'local-simulator',
    QWK_ARM_ENDPOINT: sim.url,
    QWK_KEYVAULT_URL: sim.url,
    QWK_METRICS_ENDPOINT: sim.url,
    QWK_CA_FILE: sim.caFile,
    QWK_DEFAULT_SUBSCRIPTION_ID: LOCAL_SUBSCRIPTION_ID,
    QWK_PUBLIC_URL: LOCAL_PUBLIC_URL,
    // PagerDuty's Events API v2 → the simulator's stand-in (Teams and webhook URLs are per route).
    QWK_PAGERDUTY_URL: `${sim.url}/_pager/pagerduty/v2/enqueue`,
  };
}

export interface StackOptions {
  /** Folder of the app (package.json, host.json); default: this repository. */
  appRoot?: string;
  /** Persist Azurite's data here; in memory when absent. */
  azuriteLocation?: string;
  azurite?: { blobPort?: number; queuePort?: number; tablePort?: number };
  /** Use an Azurite that is already running instead of starting one. */
  existingAzurite?: RunningAzurite;
  sim?: Omit<SimulatorOptions, 'vmRuntime'> & {
    withVmRuntime?: boolean;
    sandboxRoot?: string;
    /** Called with the VM runtime before the simulator starts (tests hook their fault shims here). */
    prepareVmRuntime?: (runtime: SimVmRuntime) => void;
  };
  /**
   * Secrets to put into the simulator's Key Vault at start: what an operator stores in the real vault before
   * deploying (the LifeKeeper license).
   */
  seedSecrets?: Record<string, string>;
  host?: Omit<HostOptions, 'appRoot' | 'extensions'>;
  /** Extra app settings (over the local ones). */
  settings?: Record<string, string>;
  /** Start the host? (false: only Azurite + simulator, e.g. for a host in a child process). */
  startHost?: boolean;
}

export interface RunningStack {
  azurite: RunningAzurite;
  sim: RunningSimulator;
  /** The simulator's VM runtime (undefined with withVmRuntime: false). */
  runtime?: SimVmRuntime;
  host?: RunningHost;
  settings: Record<string, string>;
  stop(): Promise<void>;
}

export const REPO_ROOT = path.resolve(__dirname, '..', __dirname.includes(`${path.sep}dist${path.sep}`) ? '..' : '.');

export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  const appRoot = options.appRoot ?? REPO_ROOT;
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
  };
  try {
    const azurite =
      options.existingAzurite ?? (await startAzurite({ location: options.azuriteLocation, ...options.azurite }));
    if (!options.existingAzurite) stoppers.push(() => azurite.stop());

    const { withVmRuntime = true, sandboxRoot, prepareVmRuntime, ...simOptions } = options.sim ?? {};
    const timeScale =
      simOptions.timeScale ?? (Number(process.env.SIM_TIME_SCALE) > 0 ? Number(process.env.SIM_TIME_SCALE) : 1);
    const stateDir = simOptions.stateDir ?? path.join(appRoot, '.local', 'azure-sim');
    const vmRuntime = withVmRuntime
      ? createVmRuntime({ rootDir: sandboxRoot ?? path.join(stateDir, 'vms'), timeScale })
      : undefined;
    if (vmRuntime) prepareVmRuntime?.(vmRuntime);
    const sim = await startSimulator({ ...simOptions, timeScale, stateDir, vmRuntime });
    stoppers.push(() => sim.stop());
    const vault = makeSimClients(sim).secrets;
    for (const [name, value] of Object.entries(options.seedSecrets ?? {})) await vault.setSecret(name, value);

    const settings = { ...localAppSettings(azurite, sim), ...options.settings };
    let host: RunningHost | undefined;
    if (options.startHost !== false) {
      host = await startHost({
        ...options.host,
        appRoot,
        settings: { ...settings, ...options.host?.settings },
        extensions: [createDurableExtension()],
      });
      stoppers.push(() => host!.stop());
      await vmRuntime?.setEgressEndpoint({
        publicUrl: settings.QWK_PUBLIC_URL ?? LOCAL_PUBLIC_URL,
        upstreamUrl: host.baseUrl,
      });
      // Azure's action groups reach the app at its public name too (the deployment's webhook: docs/MONITORING.md).
      sim.alerts.deliveries.setPublicEndpoint({
        publicUrl: settings.QWK_PUBLIC_URL ?? LOCAL_PUBLIC_URL,
        upstreamUrl: host.baseUrl,
      });
    }
    return { azurite, sim, runtime: vmRuntime, host, settings, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
