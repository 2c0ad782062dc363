import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { ClusterModel, type ClusterSnapshot, type ModelVm, type SimPowerState } from './clusterModel';
import { formatRunCommandMessage, RUN_COMMAND_OUTPUT_LIMIT } from './runOutput';
import { ProbeHistory } from './probeHistory';
import { Sandbox } from './sandbox';
import { sandboxMode } from './sandboxMode';
import { Scheduler } from './scheduler';
import { ServiceManager, type EgressEndpoint, type NetworkAttachment, type ServiceView } from './services';
import {
  VmBusyError,
  VmNotRunningError,
  type PowerAction,
  type RunCommandInput,
  type RunCommandOutput,
  type SimVm,
  type VmRuntime,
} from './runtime';

export interface VmRuntimeOptions {
  /** Directory holding every sandbox (<rootDir>/<subscription>_<resource group>/<vm>/fs). */
  rootDir: string;
  /** Multiplies simulated durations (Run Command minimum 20 s, its 90 min timeout, QWK heartbeats). */
  timeScale: number;
  /**
   * Run Command's time limit in real milliseconds. Default: 90 min × timeScale, but never less than
   * RUN_COMMAND_LIMIT_FLOOR_MS (a limit must not cut work that Azure would let finish, however small the scale).
   * Tests of the limit itself set it.
   */
  runCommandLimitMs?: number;
  log?: (message: string, data?: Record<string, unknown>) => void;
}

/** Azure's documented Run Command bounds (Linux): runs take tens of seconds at least; 90 minutes maximum. */
export const RUN_COMMAND_MIN_MS = 20_000;
export const RUN_COMMAND_TIMEOUT_MS = 90 * 60_000;
/** The scaled limit's floor: latencies scale, limits never shrink below what the real work in a sandbox needs. */
export const RUN_COMMAND_LIMIT_FLOOR_MS = 15 * 60_000;

/** Run Command's time limit at a time scale (see VmRuntimeOptions.runCommandLimitMs). */
export function runCommandLimitMs(timeScale: number): number {
  return Math.max(RUN_COMMAND_LIMIT_FLOOR_MS, RUN_COMMAND_TIMEOUT_MS * timeScale);
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
  private readonly probes = new ProbeHistory();
  private readonly log: NonNullable<VmRuntimeOptions['log']>;
  private readonly serviceManager: ServiceManager;
  private closed = false;

  constructor(private readonly options: VmRuntimeOptions) {
    this.log = options.log ?? (() => undefined);
    const mode = sandboxMode();
    if (mode.kind === 'unavailable') throw new SandboxUnavailableError(mode.reason);
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
    const model = this.modelFor(sandbox);
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
    await e.sandbox.remove();
    e.model.writePeers();
    e.model.refresh();
  }

  async powerAction(vmId: string, action: PowerAction): Promise<void> {
    const e = this.entry(vmId);
    switch (action) {
      case 'restart':
        await this.stop(e, 'stopped', true);
        await this.start(e);
        break;
      case 'start':
        if (e.power !== 'running') await this.start(e);
        break;
      case 'powerOff':
        if (e.power === 'running') await this.stop(e, 'stopped', true);
        break;
      case 'deallocate':
        if (e.power === 'running') await this.stop(e, 'deallocated', true);
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
          this.options.runCommandLimitMs ?? runCommandLimitMs(this.options.timeScale),
          RUN_COMMAND_OUTPUT_LIMIT,
        );
      } finally {
        if (runner) await fsp.rm(e.sandbox.hostPath(runnerPath), { force: true });
      }
      const minMs = RUN_COMMAND_MIN_MS * this.options.timeScale;
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

  probeAnswered(ip: string, port: number, at: Date): boolean {
    return this.probes.answered(ip, port, at.getTime());
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

  probeChanges(ip: string, port: number): { at: Date; up: boolean }[] {
    return this.probes.changesOf(ip, port).map((c) => ({ at: new Date(c.at), up: c.up }));
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

  private modelFor(sandbox: Sandbox): ClusterModel {
    const dir = sandbox.paths.clusterDir;
    let m = this.models.get(dir);
    if (!m) {
      m = new ClusterModel(
        dir,
        this.scheduler,
        this.options.timeScale,
        this.probes,
        () => [...this.vms.values()].filter((v) => v.sandbox.paths.clusterDir === dir),
        this.log,
      );
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
    e.model.writePeers();
    e.model.refresh();
  }

  private async start(e: VmEntry): Promise<void> {
    e.power = 'starting';
    e.model.writePeers();
    await e.sandbox.boot();
    e.power = 'running';
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
