import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { SimClocks, scaledLimitMs } from '../clocks';
import {
  ClusterModel,
  type ClusterEvent,
  type ClusterSnapshot,
  type ModelVm,
  type SimPowerState,
} from './clusterModel';
import { formatRunCommandMessage, RUN_COMMAND_OUTPUT_LIMIT } from './runOutput';
import { Sandbox } from './sandbox';
import { removeTree, sandboxMode } from './sandboxMode';
import { clusterKeyOf } from './sandboxPaths';
import { Scheduler } from './scheduler';
import { ServiceManager, type EgressEndpoint, type NetworkAttachment, type ServiceView } from './services';
import {
  VmBusyError,
  VmNotRunningError,
  type PowerAction,
  type RunCommandInput,
  type RunCommandOutput,
  type ClusterRef,
  type SimVm,
  type VmRuntime,
} from './runtime';

export interface VmRuntimeOptions {
  /** Directory holding every sandbox (<rootDir>/<subscription>_<resource group>/<vm>/fs). */
  rootDir: string;
  /** Control-plane time scale: Run Command's minimum 20 s and its 90 min limit (with a floor). */
  timeScale: number;
  /**
   * Run Command's time limit in real milliseconds. Default: 90 min × the control-plane scale, but never less than
   * RUN_COMMAND_LIMIT_FLOOR_MS (a limit must not cut work that Azure would let finish, however small the scale).
   * Tests of the limit itself set it.
   */
  runCommandLimitMs?: number;
  /** Cluster time scale (LifeKeeper heartbeats, QWK writes, failover, probes); default SIM_CLUSTER_TIME_SCALE or 1. */
  clusterTimeScale?: number;
  /** Shared clocks (the simulator adopts the runtime's); built from timeScale/clusterTimeScale when absent. */
  clocks?: SimClocks;
  log?: (message: string, data?: Record<string, unknown>) => void;
}

/** Azure's documented Run Command bounds (Linux): runs take tens of seconds at least; 90 minutes maximum. */
export const RUN_COMMAND_MIN_MS = 20_000;
export const RUN_COMMAND_TIMEOUT_MS = 90 * 60_000;
/**
 * The scaled 90 min limit never cuts a script off before this much real time: latencies scale, limits never shrink
 * below what the real work in a sandbox needs (at 0.002 the limit would be 10.8 s and kill verify-switchover).
 */
export const RUN_COMMAND_LIMIT_FLOOR_MS = 15 * 60_000;

/** Run Command's time limit at a control-plane time scale (see VmRuntimeOptions.runCommandLimitMs). */
export function runCommandLimitMs(timeScale: number): number {
  return scaledLimitMs(RUN_COMMAND_TIMEOUT_MS, timeScale, RUN_COMMAND_LIMIT_FLOOR_MS);
}
const RUN_DIR = '/var/lib/waagent/run-command/download/0';

/** The VM sandboxes cannot run on this machine (not root, and no unprivileged user namespaces). */
export class SandboxUnavailableError extends Error {
  constructor(reason: string) {
    super(`The VM runtime cannot create sandboxes: ${reason}`);
  }
}

export class VmNotFoundError extends Error {
  readonly code = 'ResourceNotFound';
  constructor(vmId: string) {
    super(`VM '${vmId}' is not known to the simulator's VM runtime.`);
  }
}

interface VmEntry extends ModelVm {
  busy: boolean;
  model: ClusterModel;
  /** Settles when the sandbox has been created and booted (a concurrent re-PUT waits for it). */
  ready: Promise<void>;
}

/** Test/inspection API on top of the VmRuntime contract. */
export interface SimVmRuntime extends VmRuntime {
  /** Host directory that is `/` inside the VM's sandbox. */
  sandboxPath(vmId: string): string;
  /** Host directory of the cluster (resource group) the VM belongs to. */
  clusterPath(vmId: string): string;
  /** The LifeKeeper/QWK model's view of the VM's cluster. */
  clusterModel(vmId: string): ClusterSnapshot;
  /** Stub calls recorded in the VM's journal: {t, cmd, argv}. */
  journal(vmId: string): { t: string; cmd: string; argv: string[] }[];
  /** Probe state changes recorded for ip:port. */
  probeChanges(ip: string, port: number): { at: Date; up: boolean }[];
  /** Fault: the VM stops at once (no graceful shutdown: LifeKeeper state stays as it was); powerState becomes 'stopped'. */
  crashNode(vmId: string): Promise<void>;
  /** Fault: the kernel hangs — ARM still says running, nothing in the guest answers (no guest agent heartbeat). */
  hangNode(vmId: string): void;
  /** Whether the VM's guest is hung (crashNode fault of the cluster API). */
  isHung(vmId: string): boolean;
  /** The LifeKeeper/QWK model of a cluster (subscription + resource group), if any VM of it exists. */
  modelOf(cluster: ClusterRef): ClusterModel | undefined;
  /** The VMs of a cluster with their ARM ids. */
  clusterVms(cluster: ClusterRef): ModelVm[];
  /** Subscribes to the model events of every cluster; returns the unsubscribe. */
  onClusterEvent(listener: (e: ClusterEvent & ClusterRef) => void): () => void;
  /** Fault: all of the VM's interfaces go down (as the guide's `ifconfig eth1 down; ifconfig eth0 down`). */
  isolateNode(vmId: string): Promise<void>;
  /** Fault: the witness's NFS server stops (nodes lose their QWK storage). */
  witnessDown(vmId: string): Promise<void>;
  /** Re-reads every cluster's state now (the model also does it periodically and after each run). */
  refresh(): void;
  /** Service processes running (or waiting to restart) in the VMs' sandboxes (services.ts). */
  services(vmId?: string): ServiceView[];
  /** `systemctl stop` of the VM's units named `prefix…` (e.g. relayDown: 'qwk-relay'); returns the units stopped. */
  stopServices(vmId: string, prefix: string): string[];
  /** `systemctl start` of the VM's installed units named `prefix…` (healing); returns the units started. */
  startServices(vmId: string, prefix: string): string[];
  /** A unit's journal (its processes' stdout and stderr). */
  serviceJournal(vmId: string, unit: string): string;
  /** Publishes an endpoint of the local stack to the VMs under a public https name (services.ts, egress). */
  setEgressEndpoint(e: EgressEndpoint): Promise<void>;
}

export class VmRuntimeImpl implements SimVmRuntime {
  private readonly vms = new Map<string, VmEntry>();
  private readonly models = new Map<string, ClusterModel>();
  private readonly scheduler = new Scheduler();
  private readonly clusterListeners = new Set<(e: ClusterEvent & ClusterRef) => void>();
  private readonly log: NonNullable<VmRuntimeOptions['log']>;
  private readonly serviceManager: ServiceManager;
  private closed = false;
  private removals = 0;
  readonly clocks: SimClocks;

  constructor(private readonly options: VmRuntimeOptions) {
    this.log = options.log ?? (() => undefined);
    const mode = sandboxMode();
    if (mode.kind === 'unavailable') throw new SandboxUnavailableError(mode.reason);
    this.clocks = options.clocks ?? SimClocks.fromEnv(options.timeScale, options.clusterTimeScale);
    // a changed cluster scale re-schedules the writers and model ticks at the new pace
    this.clocks.onChange(() => this.refresh());
    fs.mkdirSync(options.rootDir, { recursive: true });
    this.serviceManager = new ServiceManager(() => [...this.vms.values()], this.log);
  }

  async vmCreated(vm: SimVm): Promise<void> {
    const key = vm.id.toLowerCase();
    const existing = this.vms.get(key);
    if (existing) {
      await existing.ready;
      Object.assign(existing.vm, vm);
      existing.model.writePeers();
      return;
    }
    const sandbox = new Sandbox(this.options.rootDir, vm);
    const model = this.modelFor(sandbox, vm);
    const entry: VmEntry = { vm: { ...vm }, sandbox, power: 'starting', busy: false, model, ready: Promise.resolve() };
    this.vms.set(key, entry);
    entry.ready = (async () => {
      model.writePeers();
      await sandbox.create();
      await sandbox.boot();
      entry.power = 'running';
      model.writePeers();
      model.refresh();
      this.log('vm sandbox ready', { vm: vm.name, path: sandbox.paths.fsDir });
    })();
    try {
      await entry.ready;
    } catch (e) {
      this.vms.delete(key);
      throw e;
    }
  }

  async vmDeleted(vmId: string): Promise<void> {
    const e = this.vms.get(vmId.toLowerCase());
    if (!e) return;
    this.vms.delete(vmId.toLowerCase());
    // its service processes die with it before its tree goes (they would write into it meanwhile)
    this.serviceManager.reconcileAll();
    await e.sandbox.remove();
    const dir = e.sandbox.paths.clusterDir;
    if (![...this.vms.values()].some((v) => v.sandbox.paths.clusterDir === dir)) {
      const aside = this.dropModel(dir);
      if (aside) await removeTree(aside);
      return;
    }
    e.model.writePeers();
    e.model.refresh();
  }

  /** The resource group is gone: its model stops and every sandbox of it is removed. */
  async clusterDeleted(cluster: ClusterRef): Promise<void> {
    const dir = path.join(this.options.rootDir, clusterKeyOf(cluster.subscriptionId, cluster.resourceGroup));
    const doomed = [...this.vms].filter(([, v]) => v.sandbox.paths.clusterDir === dir);
    for (const [key] of doomed) this.vms.delete(key);
    // the model (QWK writers, probe) and the VMs' service processes stop first: they would write into the trees
    const aside = this.dropModel(dir);
    this.serviceManager.reconcileAll();
    for (const [, v] of doomed) await v.sandbox.remove();
    if (aside) await removeTree(aside);
  }

  /**
   * Stops the cluster's model and moves its directory (every sandbox still in it) aside, for the caller to delete
   * asynchronously: one rename, not a recursive delete on the event loop, and a VM of the same resource group
   * created meanwhile starts in a fresh directory. Returns where the tree went (undefined: there was none).
   */
  private dropModel(dir: string): string | undefined {
    this.models.get(dir)?.stop();
    this.models.delete(dir);
    const aside = `${dir}.deleted-${process.pid}-${++this.removals}`;
    try {
      fs.renameSync(dir, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    return aside;
  }

  async powerAction(vmId: string, action: PowerAction): Promise<void> {
    const e = this.entry(vmId);
    // a hung guest cannot shut down: restart and power off are a hard reset / power cut
    const graceful = !e.hung;
    switch (action) {
      case 'restart':
        await this.stop(e, 'stopped', graceful);
        await this.start(e);
        break;
      case 'start':
        if (e.power !== 'running') await this.start(e);
        break;
      case 'powerOff':
        if (e.power === 'running') await this.stop(e, 'stopped', graceful);
        break;
      case 'deallocate':
        if (e.power === 'running') await this.stop(e, 'deallocated', graceful);
        else e.power = 'deallocated';
        e.model.writePeers();
        break;
    }
  }

  powerState(vmId: string): 'running' | 'stopped' | 'deallocated' | 'starting' | 'stopping' | 'unknown' {
    return this.vms.get(vmId.toLowerCase())?.power ?? 'unknown';
  }

  async runCommand(vmId: string, input: RunCommandInput): Promise<RunCommandOutput> {
    const e = this.entry(vmId);
    if (e.power !== 'running') throw new VmNotRunningError(e.vm.name);
    if (e.hung) throw new VmAgentNotReadyError(e.vm.name);
    if (e.busy) throw new VmBusyError(e.vm.name);
    e.busy = true;
    const started = Date.now();
    try {
      const dir = e.sandbox.hostPath(RUN_DIR);
      await fsp.mkdir(dir, { recursive: true });
      await fsp.writeFile(path.join(dir, 'script.sh'), `${input.script.join('\n')}\n`, { mode: 0o700 });
      const params = input.parameters ?? [];
      const runner = params.length
        ? `${params.map((p) => `export ${p.name}=${shellQuote(p.value)}`).join('\n')}\nexec /bin/bash ${RUN_DIR}/script.sh\n`
        : undefined;
      const runnerPath = '/.sim/run-params.sh';
      if (runner) await fsp.writeFile(e.sandbox.hostPath(runnerPath), runner, { mode: 0o700 });
      let result;
      try {
        result = await e.sandbox.run(
          runner ? runnerPath : `${RUN_DIR}/script.sh`,
          RUN_DIR,
          this.options.runCommandLimitMs ?? runCommandLimitMs(this.clocks.controlPlane),
          RUN_COMMAND_OUTPUT_LIMIT,
        );
      } finally {
        if (runner) await fsp.rm(e.sandbox.hostPath(runnerPath), { force: true });
      }
      const minMs = RUN_COMMAND_MIN_MS * this.clocks.controlPlane;
      const elapsed = Date.now() - started;
      if (elapsed < minMs) await sleep(minMs - elapsed);
      await this.afterRun(e);
      const stderr = result.timedOut
        ? Buffer.concat([result.stderr, Buffer.from('\nThe script was terminated: Run Command time limit exceeded.\n')])
        : result.stderr;
      this.log('run command finished', { vm: e.vm.name, exitCode: result.exitCode, ms: Date.now() - started });
      return {
        message: formatRunCommandMessage(result.stdout, stderr),
        exitCode: result.timedOut ? 124 : result.exitCode,
        durationMs: Date.now() - started,
      };
    } finally {
      e.busy = false;
    }
  }

  probeAnswered(ip: string, port: number, at: Date, cluster?: ClusterRef): boolean {
    if (cluster) return this.modelOf(cluster)?.probes.answered(ip, port, at.getTime()) ?? false;
    return [...this.models.values()].some((m) => m.probes.answered(ip, port, at.getTime()));
  }

  modelOf(cluster: ClusterRef): ClusterModel | undefined {
    return this.models.get(
      path.join(this.options.rootDir, clusterKeyOf(cluster.subscriptionId, cluster.resourceGroup)),
    );
  }

  clusterVms(cluster: ClusterRef): ModelVm[] {
    const dir = path.join(this.options.rootDir, clusterKeyOf(cluster.subscriptionId, cluster.resourceGroup));
    return [...this.vms.values()].filter((v) => v.sandbox.paths.clusterDir === dir);
  }

  guestResponsive(vmId: string): boolean {
    const e = this.vms.get(vmId.toLowerCase());
    return e !== undefined && e.power === 'running' && !e.hung;
  }

  hangNode(vmId: string): void {
    const e = this.entry(vmId);
    if (e.power !== 'running') return;
    e.hung = true;
    e.model.event('guestHung', e.vm.computerName);
    e.model.writePeers();
    e.model.refresh();
  }

  isHung(vmId: string): boolean {
    return this.vms.get(vmId.toLowerCase())?.hung === true;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.serviceManager.close();
    this.scheduler.close();
    for (const m of this.models.values()) m.stop();
  }

  sandboxPath(vmId: string): string {
    return this.entry(vmId).sandbox.paths.fsDir;
  }

  clusterPath(vmId: string): string {
    return this.entry(vmId).sandbox.paths.clusterDir;
  }

  clusterModel(vmId: string): ClusterSnapshot {
    return this.entry(vmId).model.snapshot();
  }

  journal(vmId: string): { t: string; cmd: string; argv: string[] }[] {
    const p = path.join(this.sandboxPath(vmId), '.sim/journal.jsonl');
    if (!fs.existsSync(p)) return [];
    return fs
      .readFileSync(p, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { t: string; cmd: string; argv: string[] });
  }

  probeChanges(ip: string, port: number, cluster?: ClusterRef): { at: Date; up: boolean }[] {
    const models = cluster ? [this.modelOf(cluster)].filter((m) => m !== undefined) : [...this.models.values()];
    return models
      .flatMap((m) => m.probes.changesOf(ip, port))
      .sort((a, b) => a.at - b.at)
      .map((c) => ({ at: new Date(c.at), up: c.up }));
  }

  async crashNode(vmId: string): Promise<void> {
    const e = this.entry(vmId);
    await this.stop(e, 'stopped', false);
  }

  async isolateNode(vmId: string): Promise<void> {
    const e = this.entry(vmId);
    await e.sandbox.exec(
      `mkdir -p /run/sim/ifdown; for d in /sys/class/net/eth*; do touch "/run/sim/ifdown/$(basename "$d")"; done`,
    );
    e.model.refresh();
  }

  async witnessDown(vmId: string): Promise<void> {
    const e = this.entry(vmId);
    await e.sandbox.exec('rm -f /run/systemd/sim-active/nfs-server.service');
    e.model.refresh();
  }

  refresh(): void {
    for (const m of this.models.values()) m.refresh();
  }

  services(vmId?: string): ServiceView[] {
    return this.serviceManager.list(vmId);
  }

  stopServices(vmId: string, prefix: string): string[] {
    return this.serviceManager.stopUnits(this.entry(vmId), prefix);
  }

  startServices(vmId: string, prefix: string): string[] {
    return this.serviceManager.startUnits(this.entry(vmId), prefix);
  }

  serviceJournal(vmId: string, unit: string): string {
    return this.serviceManager.journal(this.entry(vmId), unit);
  }

  attachNetwork(n: NetworkAttachment): void {
    this.serviceManager.attachNetwork(n);
  }

  setEgressEndpoint(e: EgressEndpoint): Promise<void> {
    return this.serviceManager.setEndpoint(e);
  }

  private entry(vmId: string): VmEntry {
    const e = this.vms.get(vmId.toLowerCase());
    if (!e) throw new VmNotFoundError(vmId);
    return e;
  }

  /** Subscribes to the model events of every cluster (now and later); returns the unsubscribe. */
  onClusterEvent(listener: (e: ClusterEvent & ClusterRef) => void): () => void {
    this.clusterListeners.add(listener);
    return () => this.clusterListeners.delete(listener);
  }

  private modelFor(sandbox: Sandbox, vm: SimVm): ClusterModel {
    const dir = sandbox.paths.clusterDir;
    let m = this.models.get(dir);
    if (!m) {
      m = new ClusterModel(
        dir,
        this.scheduler,
        this.clocks,
        () => [...this.vms.values()].filter((v) => v.sandbox.paths.clusterDir === dir),
        this.log,
      );
      const ref: ClusterRef = { subscriptionId: vm.subscriptionId, resourceGroup: vm.resourceGroup };
      m.onEvent((e) => {
        for (const l of this.clusterListeners) l({ ...e, ...ref });
      });
      m.reboot = async (vmName) => {
        const e = [...this.vms.values()].find((v) => v.sandbox.paths.clusterDir === dir && v.vm.name === vmName);
        if (!e) return;
        await this.stop(e, 'stopped', false);
        await this.start(e);
      };
      this.models.set(dir, m);
    }
    return m;
  }

  private async stop(e: VmEntry, final: SimPowerState, graceful: boolean): Promise<void> {
    e.power = 'stopping';
    e.model.writePeers();
    this.serviceManager.reconcile(e); // services die with the VM
    if (graceful) await e.sandbox.exec('/.sim/stubs/sim-shutdown');
    e.power = final;
    e.hung = false;
    e.model.event('vmStopped', e.vm.computerName, { graceful, power: final });
    e.model.writePeers();
    e.model.refresh();
  }

  private async start(e: VmEntry): Promise<void> {
    e.power = 'starting';
    e.model.writePeers();
    await e.sandbox.boot();
    e.power = 'running';
    e.model.vmBooted(e.vm.name);
    e.model.event('vmStarted', e.vm.computerName);
    e.model.writePeers();
    e.model.refresh();
    this.serviceManager.reconcile(e); // enabled units start at boot
  }

  /** A reboot/poweroff requested by the script happens once it has returned. */
  private async afterRun(e: VmEntry): Promise<void> {
    const req = e.sandbox.hostPath('/.sim/power-request');
    const what = (await fsp.readFile(req, 'utf8').catch(() => '')).trim();
    await fsp.rm(req, { force: true });
    if (this.closed) return;
    if (what === 'reboot') {
      await this.stop(e, 'stopped', true);
      await this.start(e);
    } else if (what === 'poweroff') {
      await this.stop(e, 'stopped', true);
    } else {
      e.model.refresh();
    }
    this.serviceManager.reconcile(e);
  }
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Run Command on a VM whose guest does not answer (hung kernel): the agent reports nothing. */
export class VmAgentNotReadyError extends Error {
  readonly code = 'VMAgentStatusCommunicationError';
  constructor(vmName: string) {
    super(
      `VM '${vmName}' has not reported status for VM agent or extensions. Verify that the OS is up and healthy, the VM has a running VM agent, and that it can establish outbound connections to Azure storage.`,
    );
  }
}
