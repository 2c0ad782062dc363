import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ArmEngine } from './arm/engine';
import { FaultInjector } from './arm/faults';
import { Journal, type Operation } from './arm/journal';
import { LatencyModel, type LatencyKey } from './arm/latency';
import { OperationManager } from './arm/operations';
import { ResourceTypeRegistry } from './arm/registry';
import { RESOURCE_TYPES } from './arm/types';
import type { ArmContext } from './arm/resourceType';
import { ResourceStore, type StoreSnapshot } from './arm/store';
import { recover } from './arm/recovery';
import { JsonStateFile } from './persist';
import type { Secret } from './keyvault/secrets';
import { SimClocks, envTimeScale } from './clocks';
import { SecretStore } from './keyvault/secrets';
import { MetricsService } from './monitor/metrics';
import { createAlerting, type AlertingOptions, type AlertsService } from './monitor/alerts';
import { alertSignalsFrom } from './monitor/alerts/fromSimSignals';
import { RealClock } from './monitor/alerts/clock';
import { createSignals, type SimSignals } from './monitor/signals';
import { VmHealthTracker } from './monitor/vmHealth';
import { PagerService } from './pager/service';
import { ClusterFaults } from './vm/clusterFaults';
import type { SimVmRuntime } from './vm/vmRuntime';
import { NoopVmRuntime } from './noopRuntime';
import { createSimServer } from './server';
import { vmOutbound } from './arm/outbound';
import { createCertificates } from './tls';
import type { VmRuntime } from './vm/runtime';
import { EventLoopMonitor, type EventLoopStats } from '../eventLoopStats';

export type { Operation } from './arm/journal';
export type { FaultSpec, FaultKind, Fault } from './arm/faults';
export { FaultInjector } from './arm/faults';
export { ResourceStore } from './arm/store';
export { DEFAULT_LATENCY_MS, type LatencyKey } from './arm/latency';
export { SimClocks, type TimeScales } from './clocks';
export type { SimSignals, VmHealthEvent, MetricResult, MetricSeries, MetricPoint } from './monitor/signals';
export type { ClusterFault, ClusterFaultSpec, ClusterFaultKind, ClusterState } from './vm/clusterFaults';

export interface SimulatorOptions {
  /** Port on 127.0.0.1 (default 8443; 0 picks a free one). */
  port?: number;
  /** Control-plane time scale: multiplies every ARM latency (default: env SIM_TIME_SCALE, else 1). */
  timeScale?: number;
  /** Cluster time scale (default: the VM runtime's, else env SIM_CLUSTER_TIME_SCALE, else 1). */
  clusterTimeScale?: number;
  /** Metric ingestion delay in cluster seconds (default: env SIM_METRICS_DELAY_S, else 60). */
  metricsDelayS?: number;
  /** Where ca.pem (and with `persist`, arm.json and keyvault.json) are written (default <cwd>/.local/azure-sim). */
  stateDir?: string;
  /**
   * Keep ARM resources and Key Vault secrets in `stateDir` (arm.json, keyvault.json) and load them at start, so they
   * survive a restart (README "State across restarts"). Default false: every start is empty.
   */
  persist?: boolean;
  /** The VM runtime (sandboxes, Run Command, probes); a no-op runtime when absent. Closed by stop(). */
  vmRuntime?: VmRuntime;
  /** Per-operation latency overrides in Azure milliseconds (before scaling). */
  latency?: Partial<Record<LatencyKey, number>>;
  /** Receives one line per request (method, path, status; never bodies). */
  log?: (line: string) => void;
  /** Alerting's clock and signal source (defaults: cluster clock, the simulator's metrics and VM power state). */
  alerting?: AlertingOptions;
}

export interface RunningSimulator {
  /** https://127.0.0.1:<port> (no trailing slash) */
  url: string;
  port: number;
  /** Path of the CA certificate (PEM) the clients must trust. */
  caFile: string;
  caPem: string;
  /** The control-plane time scale now. */
  readonly timeScale: number;
  /** Both clocks (GET/PUT /_sim/time-scale). */
  clocks: SimClocks;
  /** Metric series and VM health for the alert evaluation (monitor/alerts/). */
  signals: SimSignals;
  faults: FaultInjector;
  store: ResourceStore;
  runtime: VmRuntime;
  journal(): Operation[];
  /** Overrides one operation type's latency (Azure ms, before the time scale); undefined restores the default. */
  setLatency(key: LatencyKey, azureMs: number | undefined): void;
  /** Alert rules' evaluation and webhook deliveries. */
  alerts: AlertsService;
  /** The paging services' stand-ins (/_pager). */
  pager: PagerService;
  /** Cancels running operations, forgets all resources, secrets, faults and the journal (persisted state too). */
  reset(): Promise<void>;
  /** With `persist`: writes the state files now (they are otherwise written shortly after each change). */
  persistNow(): Promise<void>;
  /** This process's event-loop delay since start or the last reset (also GET /_sim/stats/event-loop). */
  eventLoop(): EventLoopStats;
  stop(): Promise<void>;
}

export const SIM_HOST = '127.0.0.1';

function isSimRuntime(rt: VmRuntime): rt is SimVmRuntime {
  return typeof (rt as Partial<SimVmRuntime>).modelOf === 'function';
}

/** Starts the Azure simulator (ARM, Monitor metrics, Key Vault) over HTTPS on 127.0.0.1. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  if (options.timeScale !== undefined && !(options.timeScale > 0))
    throw new Error(`timeScale must be > 0 (got ${options.timeScale})`);
  const stateDir = options.stateDir ?? path.join(process.cwd(), '.local', 'azure-sim');
  const certs = await createCertificates(stateDir);
  const runtime: VmRuntime = options.vmRuntime ?? new NoopVmRuntime();
  // one pair of clocks for ARM and the VM runtime: the runtime's when it has them
  const clocks =
    runtime.clocks ?? new SimClocks(envTimeScale('SIM_TIME_SCALE', 1), envTimeScale('SIM_CLUSTER_TIME_SCALE', 1));
  if (options.timeScale !== undefined) clocks.set({ controlPlane: options.timeScale });
  if (options.clusterTimeScale !== undefined) clocks.set({ cluster: options.clusterTimeScale });
  const store = new ResourceStore();
  const journal = new Journal();
  const faults = new FaultInjector();
  const latency = new LatencyModel(() => clocks.controlPlane, options.latency);
  const ops = new OperationManager(journal);
  const ctx: ArmContext = { store, runtime, latency, clocks };
  runtime.attachNetwork?.({
    outbound: (vmId) => vmOutbound(store, vmId),
    ca: { certPem: certs.caPem, keyPem: certs.caKeyPem },
  });
  const registry = new ResourceTypeRegistry(latency).register(...RESOURCE_TYPES);
  const engine = new ArmEngine(ctx, ops, journal, faults, registry);
  const secrets = new SecretStore();
  const vmHealth = new VmHealthTracker(store, () => runtime);
  vmHealth.start();
  const metrics = new MetricsService(store, () => runtime, clocks, vmHealth, options.metricsDelayS);
  const simRuntime = isSimRuntime(runtime) ? runtime : undefined;
  const clusterFaults = simRuntime ? new ClusterFaults(simRuntime) : undefined;
  const signals = createSignals(clocks, metrics, vmHealth, {
    on: (l) => simRuntime?.onClusterEvent(l) ?? (() => undefined),
  });
  ctx.signals = signals;
  // a deleted resource group's LifeKeeper model stops and its sandboxes go
  engine.onGroupDeleted((subscriptionId, resourceGroup) => runtime.clusterDeleted?.({ subscriptionId, resourceGroup }));
  // alert rules are evaluated on the cluster clock, from the same series metrics:getBatch serves
  const alerts = createAlerting(
    { store, runtime: () => runtime, metrics },
    {
      clock: new RealClock(() => clocks.cluster),
      signals: alertSignalsFrom(signals, () => metrics.delayMs()),
      ...options.alerting,
    },
  );
  const pager = new PagerService();

  // State across restarts: load what a previous run left, then write changes (debounced, atomic) as they come.
  const log = options.log ?? ((line: string) => console.log(`[azure-sim] ${line}`));
  const stateFiles: JsonStateFile<unknown>[] = [];
  if (options.persist) {
    const armFile = new JsonStateFile<StoreSnapshot>(path.join(stateDir, 'arm.json'), () => store.snapshot(), {
      log,
    });
    const kvFile = new JsonStateFile<Secret[]>(path.join(stateDir, 'keyvault.json'), () => secrets.snapshot(), {
      mode: 0o600,
      log,
    });
    const [arm, kv] = [await armFile.load(), await kvFile.load()];
    if (kv) secrets.load(kv);
    if (arm) {
      const r = recover({ ctx, ops, journal, faults, registry }, arm, log);
      log(
        `state loaded from ${stateDir}: ${r.groups} resource groups, ${r.resources} resources, ${kv?.length ?? 0} secrets; ${r.vmsAdopted} VMs re-adopted` +
          (r.resumed.length ? `; operations resumed: ${r.resumed.join(', ')}` : '') +
          (r.groupDeletesAbandoned.length
            ? `; group deletions not resumed: ${r.groupDeletesAbandoned.join(', ')}`
            : ''),
      );
    }
    store.onChange(() => armFile.schedule());
    secrets.onChange(() => kvFile.schedule());
    stateFiles.push(armFile, kvFile);
  }
  const persistNow = async () => {
    await Promise.all(stateFiles.map((f) => f.flush()));
  };

  const reset = async () => {
    await ops.reset();
    for (const vm of store.list({ type: 'Microsoft.Compute/virtualMachines' })) await runtime.vmDeleted(vm.id);
    store.clear();
    secrets.clear();
    faults.clear();
    journal.clear();
    alerts.reset();
    pager.reset();
    vmHealth.clear();
    await persistNow();
  };

  const eventLoop = new EventLoopMonitor();
  let url = '';
  const server = createSimServer(
    {
      engine,
      secrets,
      metrics,
      journal,
      faults,
      latency,
      reset,
      clocks,
      clusterFaults,
      log: options.log,
      alerts,
      pager,
      eventLoop,
    },
    { cert: certs.certPem, key: certs.keyPem },
    () => url,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8443, SIM_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  url = `https://${SIM_HOST}:${port}`;

  let stopped = false;
  return {
    url,
    port,
    caFile: certs.caFile,
    caPem: certs.caPem,
    get timeScale() {
      return clocks.controlPlane;
    },
    clocks,
    signals,
    faults,
    store,
    runtime,
    journal: () => journal.list(),
    setLatency: (key, azureMs) => latency.set(key, azureMs),
    alerts,
    pager,
    reset,
    persistNow,
    eventLoop: () => eventLoop.stats(),
    async stop() {
      if (stopped) return;
      stopped = true;
      eventLoop.stop();
      alerts.stop();
      vmHealth.stop();
      await ops.reset();
      for (const f of stateFiles) await f.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runtime.close();
    },
  };
}
