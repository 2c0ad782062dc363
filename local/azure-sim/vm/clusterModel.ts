import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatQwkObject, parseQwkObject } from './qwkObject';
import { readNodeState, qwkObjectKey, type NodeState, type SimMount } from './nodeState';
import { ProbeHistory } from './probeHistory';
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
  /** Tags a node took out of service on quorum loss: its peers still count them as that node's (witness check). */
  private readonly fenced = new Map<string, Set<string>>();

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
    const lines = this.members().map(
      (m) => `${m.vm.name} ${m.vm.computerName} ${m.power} ${m.vm.nics.map((n) => n.privateIp).join(',')}`,
    );
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
    const present = new Set([...states.values()].map(({ m }) => m.vm.name));
    for (const vmName of [...this.writers.keys()].filter((n) => !present.has(n))) {
      this.scheduler.cancel(this.writerKey(vmName));
      this.writers.delete(vmName);
    }
    for (const { m, s } of states.values()) {
      const key = this.writerKey(m.vm.name);
      const objectPath = s.config[qwkObjectKey(m.vm.computerName)];
      if (this.lkUp(m, s) && this.qwkConfigured(s) && objectPath) {
        const intervalMs = this.hbMs(s);
        const prev = this.writers.get(m.vm.name);
        this.writers.set(m.vm.name, {
          ...prev,
          node: m.vm.computerName,
          objectPath,
          hostPath: this.hostPathOf(m, s.mounts, objectPath),
          intervalMs,
        });
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
  private storageReachable(
    m: ModelVm,
    s: NodeState,
    p: string,
    states: Map<string, { m: ModelVm; s: NodeState }>,
  ): boolean {
    const mount = this.mountOf(s.mounts, p);
    const match = mount && /^\/\.sim\/cluster\/([^/]+)\/fs(\/.*)$/.exec(mount.bindFrom);
    if (!match) return true;
    if (s.downInterfaces.includes('eth0')) return false;
    const server = [...states.values()].find(({ m: o }) => o.vm.name === match[1]);
    if (!server || server.m.power !== 'running' || server.s.downInterfaces.includes('eth0')) return false;
    return server.s.activeUnits.includes('nfs-server.service');
  }

  private commpathAlive(
    m: ModelVm,
    s: NodeState,
    c: { dest: string; laddr: string; raddr: string },
    states: Map<string, { m: ModelVm; s: NodeState }>,
  ): boolean {
    const peer = states.get(c.dest);
    if (!peer || !this.lkUp(m, s) || !this.lkUp(peer.m, peer.s)) return false;
    if (!peer.s.commpaths.some((r) => r.dest === m.vm.computerName && r.laddr === c.raddr && r.raddr === c.laddr))
      return false;
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
      commstat: s.commpaths.some((c) => c.dest === node && this.commpathAlive(m, s, c, states))
        ? ('UP' as const)
        : ('DOWN' as const),
    }));
    const time = new Date();
    const sequence = prevSeq + 1;
    try {
      const tmp = `${hostPath}.sim-tmp`;
      fs.writeFileSync(tmp, formatQwkObject({ localNode: m.vm.computerName, time, sequence, peers }));
      fs.renameSync(tmp, hostPath);
      Object.assign(w, { hostPath, lastWrite: time, lastSequence: sequence, lastError: undefined });
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
   * What LifeKeeper does when a node loses every comm path to a peer (seed-digest §9.3/9.4), evaluated for each node
   * whose LifeKeeper runs:
   * - quorum check: can it reach its QWK storage? If not, QUORUM_LOSS_ACTION: `fastkill` (default) stops LifeKeeper
   *   and takes its resources out of service (the real node halts; the simulated VM stays up), `osu` only takes the
   *   resources out of service.
   * - witness check: if it has quorum and the peer's QWK object (as this node reads it) has not been updated for
   *   NUMHBEATS × HBEATTIME, the hierarchies the peer had In Service are restored here (best priority first).
   * Graceful stops leave nothing In Service on the stopped node, so nothing moves (LifeKeeper's default).
   * Nodes in a power transition are skipped (their boot/shutdown scripts decide).
   */
  private async failover(states: Map<string, { m: ModelVm; s: NodeState }>, now: number): Promise<void> {
    const nodes = [...states.values()].filter(({ m }) => m.power !== 'stopping' && m.power !== 'starting');
    for (const n of nodes) {
      if (!this.lkUp(n.m, n.s) || !this.qwkConfigured(n.s)) continue;
      const peers = [...new Set(n.s.commpaths.map((c) => c.dest))];
      const lost = peers.filter(
        (p) => !n.s.commpaths.some((c) => c.dest === p && this.commpathAlive(n.m, n.s, c, states)),
      );
      if (lost.length === 0) continue;
      const own = n.s.config[qwkObjectKey(n.m.vm.computerName)];
      if (!own || !this.storageReachable(n.m, n.s, own, states)) {
        await this.quorumLost(n);
        continue;
      }
      for (const peerName of lost) {
        const peer = states.get(peerName);
        const peerObj = n.s.config[qwkObjectKey(peerName)];
        if (!peer || !peerObj || peer.m.power === 'stopping' || peer.m.power === 'starting') continue;
        // a peer whose writer still runs is alive however late the (simulated) timer fires under load
        if (this.writing(peer, states) || !this.stale(this.hostPathOf(n.m, n.s.mounts, peerObj), n.s, now)) continue;
        const fenced = this.fenced.get(peerName) ?? new Set<string>();
        const held = peer.s.resources.filter((x) => x.state === 'ISP' || fenced.has(x.tag)).map((x) => x.tag);
        for (const tag of held) {
          const mine = n.s.resources.find((x) => x.tag === tag);
          if (!mine || mine.state === 'ISP' || !this.bestSurvivor(tag, n, nodes, states)) continue;
          this.log('lifekeeper failover', { tag, from: peerName, to: n.m.vm.computerName });
          await n.m.sandbox.exec(
            `SIM_CMD=perform_action /opt/LifeKeeper/bin/perform_action -t '${tag}' -a restore >/dev/null`,
          );
          fenced.clear();
          break;
        }
      }
    }
    this.probes.update(this.answering(this.states()), Date.now());
  }

  private writing(x: { m: ModelVm; s: NodeState }, states: Map<string, { m: ModelVm; s: NodeState }>): boolean {
    const obj = x.s.config[qwkObjectKey(x.m.vm.computerName)];
    return (
      this.lkUp(x.m, x.s) &&
      this.qwkConfigured(x.s) &&
      obj !== undefined &&
      this.storageReachable(x.m, x.s, obj, states)
    );
  }

  private async quorumLost(n: { m: ModelVm; s: NodeState }): Promise<void> {
    const action = n.s.config.QUORUM_LOSS_ACTION ?? 'fastkill';
    this.log('lifekeeper quorum lost', { node: n.m.vm.computerName, action });
    const tags = n.s.resources.filter((r) => r.state === 'ISP').map((r) => r.tag);
    if (tags.length)
      this.fenced.set(n.m.vm.computerName, new Set([...(this.fenced.get(n.m.vm.computerName) ?? []), ...tags]));
    const stopLk =
      action === 'osu' ? '' : 'rm -f /run/systemd/sim-active/lifekeeper.service /opt/LifeKeeper/config/LK_INITDONE; ';
    await n.m.sandbox.exec(
      `source /.sim/stubs/lib.sh; source /.sim/stubs/lk.sh; for t in $(lk_tags ""); do ` +
        `[ "$(lk_res_get "" "$t" state)" = ISP ] && lk_set_state "" "$t" OSU; done; ${stopLk}exit 0`,
    );
  }

  /** The witness check: the object was not updated for NUMHBEATS × HBEATTIME (missing counts as stale). */
  private stale(hostPath: string, s: NodeState, now: number): boolean {
    const n = Number(s.config.QWK_STORAGE_NUMHBEATS ?? 4);
    try {
      return now - fs.statSync(hostPath).mtimeMs >= (Number.isFinite(n) && n > 0 ? n : 4) * this.hbMs(s);
    } catch {
      return true;
    }
  }

  /** Among the nodes that could take `tag` over, `n` has the best (lowest) priority. */
  private bestSurvivor(
    tag: string,
    n: { m: ModelVm; s: NodeState },
    nodes: { m: ModelVm; s: NodeState }[],
    states: Map<string, { m: ModelVm; s: NodeState }>,
  ): boolean {
    const prio = (x: { s: NodeState }) => x.s.resources.find((r) => r.tag === tag)?.priority ?? Number.MAX_SAFE_INTEGER;
    return !nodes.some((o) => {
      if (o === n || prio(o) >= prio(n)) return false;
      return this.writing(o, states) && o.s.resources.some((r) => r.tag === tag && r.state !== 'ISP');
    });
  }
}
