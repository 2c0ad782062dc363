import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatQwkObject, parseQwkObject } from './qwk-object';
import { readNodeState, qwkObjectKey, type NodeState, type SimMount } from './node-state';
import { ProbeHistory } from './probe-history';
import type { Scheduler } from './scheduler';
import type { Sandbox } from './sandbox';
import type { SimVm } from './runtime';

export type SimPowerState = 'running' | 'stopped' | 'deallocated' | 'starting' | 'stopping';

export interface ModelVm {
  vm: SimVm;
  sandbox: Sandbox;
  power: SimPowerState;
}

export interface QwkWriterView {
  node: string;
  objectPath: string;
  hostPath: string;
  intervalMs: number;
  lastWrite?: Date;
  lastSequence?: number;
  lastError?: string;
}

export interface ClusterSnapshot {
  nodes: {
    vmName: string;
    computerName: string;
    power: SimPowerState;
    lkRunning: boolean;
    qwkInitialized: boolean;
    resources: { tag: string; type: string; state: string; priority: number }[];
    commpaths: { dest: string; laddr: string; raddr: string; priority: number; alive: boolean }[];
    downInterfaces: string[];
  }[];
  qwkWriters: QwkWriterView[];
  /** "<ip>:<port>" endpoints answering the load balancer probe now. */
  probeAnswering: string[];
}

type Log = (message: string, data?: Record<string, unknown>) => void;

/**
 * The LifeKeeper/QWK model of one cluster (the VMs of a resource group), driven by the stubs' state files:
 * QWK writers for nodes where LifeKeeper runs with storage-mode QWK initialised, the ILB probe answered by the node
 * holding an `lbhc` resource In Service, and failover when a node holding resources disappears (crash) while a
 * peer keeps quorum and the witness (its QWK object stopped updating) agrees.
 */
export class ClusterModel {
  private readonly writers = new Map<string, QwkWriterView>();
  private readonly lastHeard = new Map<string, number>();

  constructor(
    readonly clusterDir: string,
    private readonly scheduler: Scheduler,
    private readonly timeScale: number,
    private readonly probes: ProbeHistory,
    private readonly members: () => ModelVm[],
    private readonly log: Log,
  ) {}

  /** The cluster's peer table the stubs read: "<vmName> <computerName> <powerState> <ip,ip>". */
  writePeers(): void {
    fs.mkdirSync(this.clusterDir, { recursive: true });
    const lines = this.members().map((m) => `${m.vm.name} ${m.vm.computerName} ${m.power} ${m.vm.nics.map((n) => n.privateIp).join(',')}`);
    const tmp = path.join(this.clusterDir, `.peers.${process.pid}`);
    fs.writeFileSync(tmp, lines.join('\n') + (lines.length ? '\n' : ''));
    fs.renameSync(tmp, path.join(this.clusterDir, 'peers'));
  }

  /** Re-reads every node's state: QWK writer schedule, probe answers, failover decisions. */
  refresh(now = Date.now()): void {
    const states = this.states();
    this.scheduleWriters(states);
    this.probes.update(this.answering(states), now);
    this.scheduler.every(`model:${this.clusterDir}`, this.tickMs(states), () => this.tick(), this.tickMs(states));
  }

  snapshot(): ClusterSnapshot {
    const states = this.states();
    return {
      nodes: [...states.values()].map(({ m, s }) => ({
        vmName: m.vm.name,
        computerName: m.vm.computerName,
        power: m.power,
        lkRunning: this.lkUp(m, s),
        qwkInitialized: s.qwkInitialized,
        resources: s.resources.map((r) => ({ tag: r.tag, type: r.type, state: r.state, priority: r.priority })),
        commpaths: s.commpaths.map((c) => ({ ...c, alive: this.commpathAlive(m, s, c, states) })),
        downInterfaces: s.downInterfaces,
      })),
      qwkWriters: [...this.writers.values()].map((w) => ({ ...w })),
      probeAnswering: [...this.answering(states)],
    };
  }

  stop(): void {
    for (const key of this.scheduler.keys()) if (key.includes(this.clusterDir)) this.scheduler.cancel(key);
  }

  private states(): Map<string, { m: ModelVm; s: NodeState }> {
    const out = new Map<string, { m: ModelVm; s: NodeState }>();
    for (const m of this.members()) out.set(m.vm.computerName, { m, s: readNodeState(m.sandbox.paths.fsDir) });
    return out;
  }

  private lkUp(m: ModelVm, s: NodeState): boolean {
    return m.power === 'running' && s.lkRunning;
  }

  private hbMs(s: NodeState): number {
    const hb = Number(s.config.QWK_STORAGE_HBEATTIME ?? 6);
    return Math.max(1, (Number.isFinite(hb) && hb > 0 ? hb : 6) * 1000 * this.timeScale);
  }

  private tickMs(states: Map<string, { m: ModelVm; s: NodeState }>): number {
    const hbs = [...states.values()].map(({ s }) => this.hbMs(s));
    return Math.max(1, Math.min(6000 * this.timeScale, ...hbs));
  }

  private writerKey(vmName: string): string {
    return `qwk:${this.clusterDir}:${vmName}`;
  }

  private qwkConfigured(s: NodeState): boolean {
    return s.qwkInitialized && s.config.QUORUM_MODE === 'storage' && (s.config.QWK_STORAGE_TYPE ?? 'file') === 'file';
  }

  private scheduleWriters(states: Map<string, { m: ModelVm; s: NodeState }>): void {
    for (const { m, s } of states.values()) {
      const key = this.writerKey(m.vm.name);
      const objectPath = s.config[qwkObjectKey(m.vm.computerName)];
      if (this.lkUp(m, s) && this.qwkConfigured(s) && objectPath) {
        const intervalMs = this.hbMs(s);
        const prev = this.writers.get(m.vm.name);
        this.writers.set(m.vm.name, { ...prev, node: m.vm.computerName, objectPath, hostPath: this.hostPathOf(m, s.mounts, objectPath), intervalMs });
        this.scheduler.every(key, intervalMs, () => this.writeQwk(m.vm.name));
      } else if (this.scheduler.has(key)) {
        this.scheduler.cancel(key);
      }
    }
  }

  private hostPathOf(m: ModelVm, mounts: SimMount[], p: string): string {
    const mount = this.mountOf(mounts, p);
    if (!mount || mount.bindFrom === '-') return path.join(m.sandbox.paths.fsDir, p);
    const rest = path.posix.normalize(p).slice(mount.target.length);
    const prefix = '/.sim/cluster/';
    if (mount.bindFrom.startsWith(prefix)) return path.join(this.clusterDir, mount.bindFrom.slice(prefix.length), rest);
    return path.join(m.sandbox.paths.fsDir, mount.bindFrom, rest);
  }

  private mountOf(mounts: SimMount[], p: string): SimMount | undefined {
    const norm = path.posix.normalize(p);
    return mounts
      .filter((mt) => norm === mt.target || norm.startsWith(mt.target === '/' ? '/' : `${mt.target}/`))
      .sort((a, b) => b.target.length - a.target.length)[0];
  }

  /** Whether a node reaches its QWK storage: for an NFS mount, the exporting VM runs nfs-server and eth0 is up. */
  private storageReachable(m: ModelVm, s: NodeState, p: string, states: Map<string, { m: ModelVm; s: NodeState }>): boolean {
    const mount = this.mountOf(s.mounts, p);
    const match = mount && /^\/\.sim\/cluster\/([^/]+)\/fs(\/.*)$/.exec(mount.bindFrom);
    if (!match) return true;
    if (s.downInterfaces.includes('eth0')) return false;
    const server = [...states.values()].find(({ m: o }) => o.vm.name === match[1]);
    if (!server || server.m.power !== 'running' || server.s.downInterfaces.includes('eth0')) return false;
    return server.s.activeUnits.includes('nfs-server.service');
  }

  private commpathAlive(m: ModelVm, s: NodeState, c: { dest: string; laddr: string; raddr: string }, states: Map<string, { m: ModelVm; s: NodeState }>): boolean {
    const peer = states.get(c.dest);
    if (!peer || !this.lkUp(m, s) || !this.lkUp(peer.m, peer.s)) return false;
    if (!peer.s.commpaths.some((r) => r.dest === m.vm.computerName && r.laddr === c.raddr && r.raddr === c.laddr)) return false;
    const dev = (vm: SimVm, ip: string) => `eth${vm.nics.findIndex((n) => n.privateIp === ip)}`;
    return !s.downInterfaces.includes(dev(m.vm, c.laddr)) && !peer.s.downInterfaces.includes(dev(peer.m.vm, c.raddr));
  }

  private writeQwk(vmName: string): void {
    const states = this.states();
    const entry = [...states.values()].find(({ m }) => m.vm.name === vmName);
    const w = this.writers.get(vmName);
    if (!entry || !w) return;
    const { m, s } = entry;
    if (!this.lkUp(m, s) || !this.qwkConfigured(s)) return;
    if (!this.storageReachable(m, s, w.objectPath, states)) {
      w.lastError = 'QWK storage not reachable';
      return;
    }
    const hostPath = this.hostPathOf(m, s.mounts, w.objectPath);
    let prevSeq = 0;
    try {
      prevSeq = parseQwkObject(fs.readFileSync(hostPath, 'utf8'))?.sequence ?? 0;
    } catch {
      /* first write */
    }
    const peers = [...new Set(s.commpaths.map((c) => c.dest))].map((node) => ({
      node,
      commstat: s.commpaths.some((c) => c.dest === node && this.commpathAlive(m, s, c, states)) ? ('UP' as const) : ('DOWN' as const),
    }));
    const time = new Date();
    const sequence = prevSeq + 1;
    try {
      const tmp = `${hostPath}.sim-tmp`;
      fs.writeFileSync(tmp, formatQwkObject({ localNode: m.vm.computerName, time, sequence, peers }));
      fs.renameSync(tmp, hostPath);
      Object.assign(w, { hostPath, lastWrite: time, lastSequence: sequence, lastError: undefined });
      this.lastHeard.set(m.vm.computerName, time.getTime());
    } catch (e) {
      w.lastError = (e as Error).message;
    }
  }

  private answering(states: Map<string, { m: ModelVm; s: NodeState }>): Set<string> {
    const out = new Set<string>();
    for (const { m, s } of states.values()) {
      if (!this.lkUp(m, s)) continue;
      for (const r of s.resources) {
        if (r.type !== 'lbhc' || r.state !== 'ISP' || !r.opts.port) continue;
        m.vm.nics.forEach((nic, i) => {
          if (!s.downInterfaces.includes(`eth${i}`)) out.add(`${nic.privateIp}:${r.opts.port}`);
        });
      }
    }
    return out;
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    const states = this.states();
    this.probes.update(this.answering(states), now);
    await this.failover(states, now);
  }

  /**
   * A hierarchy whose In-Service node is gone (VM not running or LifeKeeper down without a graceful stop) moves to
   * the surviving node with the best priority once that node has quorum (reaches its QWK storage) and the witness
   * check passes (the gone node's QWK object has not been updated for NUMHBEATS × HBEATTIME).
   */
  private async failover(states: Map<string, { m: ModelVm; s: NodeState }>, now: number): Promise<void> {
    const all = [...states.values()];
    for (const holder of all) {
      // power transitions in progress are graceful (shutdown/boot scripts decide), not failures
      if (holder.m.power === 'stopping' || holder.m.power === 'starting') continue;
      if (this.lkUp(holder.m, holder.s) && !this.isolated(holder.m, holder.s)) continue;
      const tops = holder.s.resources.filter((r) => r.state === 'ISP');
      if (tops.length === 0) continue;
      const candidates = all
        .filter((c) => c !== holder && this.lkUp(c.m, c.s) && !this.isolated(c.m, c.s))
        .filter((c) => {
          const obj = c.s.config[qwkObjectKey(c.m.vm.computerName)];
          return this.qwkConfigured(c.s) && obj !== undefined && this.storageReachable(c.m, c.s, obj, states);
        })
        .filter((c) => {
          const heard = this.lastHeard.get(holder.m.vm.computerName) ?? 0;
          const n = Number(c.s.config.QWK_STORAGE_NUMHBEATS ?? 4);
          return now - heard >= n * this.hbMs(c.s);
        });
      for (const r of tops) {
        const target = candidates
          .filter((c) => c.s.resources.some((x) => x.tag === r.tag && x.state !== 'ISP'))
          .sort((a, b) => (a.s.resources.find((x) => x.tag === r.tag)?.priority ?? 99) - (b.s.resources.find((x) => x.tag === r.tag)?.priority ?? 99))[0];
        if (!target) continue;
        this.log('lifekeeper failover', { tag: r.tag, from: holder.m.vm.computerName, to: target.m.vm.computerName });
        // the lost node: crashed (nothing runs) or isolated (quorum lost -> QUORUM_LOSS_ACTION stops LifeKeeper)
        await holder.m.sandbox.exec(
          `source /.sim/stubs/lib.sh; source /.sim/stubs/lk.sh; for t in $(lk_hier "" '${r.tag}'); do lk_set_state "" "$t" OSU; done; ` +
            (holder.m.power === 'running' ? 'rm -f /run/systemd/sim-active/lifekeeper.service; ' : '') + 'exit 0',
        );
        await target.m.sandbox.exec(`SIM_CMD=perform_action /opt/LifeKeeper/bin/perform_action -t '${r.tag}' -a restore`);
        break;
      }
    }
    this.probes.update(this.answering(this.states()), Date.now());
  }

  /** Both networks down (the guide's `ifconfig eth1 down; ifconfig eth0 down`): no comm path, no storage. */
  private isolated(m: ModelVm, s: NodeState): boolean {
    return m.vm.nics.every((_, i) => s.downInterfaces.includes(`eth${i}`));
  }
}
