import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatQwkObject, parseQwkObject } from './qwkObject';
import { readNodeState, qwkObjectKey, type NodeState, type SimMount } from './nodeState';
import { ProbeHistory } from './probeHistory';
import type { Scheduler } from './scheduler';
import type { Sandbox } from './sandbox';
import type { SimVm } from './runtime';
import type { SimClocks } from '../clocks';

export type SimPowerState = 'running' | 'stopped' | 'deallocated' | 'starting' | 'stopping';

export interface ModelVm {
  vm: SimVm;
  sandbox: Sandbox;
  power: SimPowerState;
  /** crashNode: the kernel hangs — ARM still says running, nothing in the guest answers. */
  hung?: boolean;
}

/** LifeKeeper's comm-path failure detection (LCMHBEATTIME 5 s × LCMNUMHBEATS 3, the defaults), cluster seconds. */
export const LCM_TIMEOUT_S = 15;
/** lkcheck runs every quickCheck every LKCHECKINTERVAL seconds (default 120). */
export const DEFAULT_LKCHECKINTERVAL_S = 120;
/** How often the model re-reads the cluster (cluster seconds). */
export const MODEL_TICK_S = 2;

/** Something the cluster did, as the model saw it (also what the VM health signal is built from). */
export interface ClusterEvent {
  at: string;
  kind: string;
  node?: string;
  detail?: Record<string, unknown>;
}

/** One node's QWK object as the storage holds it now. */
export interface QwkObjectView {
  node: string;
  path: string;
  sequence?: number;
  time?: string;
  modifiedAt?: string;
  peers?: { node: string; commstat: 'UP' | 'DOWN' }[];
  checksumValid?: boolean;
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
    hung: boolean;
    quorumMode: string;
  }[];
  qwkWriters: QwkWriterView[];
  /** The QWK objects as the storage holds them (last sequence and time of each node's object). */
  qwkObjects: QwkObjectView[];
  /** "<ip>:<port>" endpoints answering the load balancer probe now. */
  probeAnswering: string[];
  /** Whether the network between the nodes is cut (commPathsDown, splitBrain). */
  commPathsCut: boolean;
  events: ClusterEvent[];
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
  /** This cluster's probe answers (clusters never share a history, even with the same private IPs). */
  readonly probes = new ProbeHistory();
  /** commPathsDown / splitBrain: every comm path between the nodes is dead; the witness stays reachable. */
  private commCut = false;
  /** splitBrain: nodes (computer names) whose quorum checking is off (as if QWK were misconfigured). */
  private readonly quorumOff = new Set<string>();
  /** probeListenerDown: nodes (VM names) whose lbhc reply daemon died, and since when (epoch ms). */
  private readonly lbhcDead = new Map<string, number>();
  /** "<node>><peer>" → when every comm path from node to peer was first seen dead (epoch ms). */
  private readonly lostSince = new Map<string, number>();
  private readonly eventLog: ClusterEvent[] = [];
  private readonly listeners: ((e: ClusterEvent) => void)[] = [];

  constructor(
    readonly clusterDir: string,
    private readonly scheduler: Scheduler,
    private readonly clocks: SimClocks,
    private readonly members: () => ModelVm[],
    private readonly log: Log,
  ) {}

  /** Records an event (kept for GET /_sim/clusters/…/faults and told to listeners). */
  event(kind: string, node?: string, detail?: Record<string, unknown>): void {
    const e: ClusterEvent = {
      at: new Date().toISOString(),
      kind,
      ...(node ? { node } : {}),
      ...(detail ? { detail } : {}),
    };
    this.eventLog.push(e);
    if (this.eventLog.length > 500) this.eventLog.splice(0, this.eventLog.length - 500);
    this.log(`cluster ${kind}`, { node, ...detail });
    for (const l of this.listeners) l(e);
  }

  onEvent(listener: (e: ClusterEvent) => void): void {
    this.listeners.push(listener);
  }

  // ---------------------------------------------------------------- faults the model itself holds

  setCommPathsCut(cut: boolean): void {
    this.commCut = cut;
    if (!cut) this.lostSince.clear();
  }

  setQuorumOff(nodes: string[]): void {
    this.quorumOff.clear();
    for (const n of nodes) this.quorumOff.add(n);
  }

  killLbhcDaemon(vmName: string): void {
    this.lbhcDead.set(vmName, Date.now());
  }

  clearModelFaults(): void {
    this.setCommPathsCut(false);
    this.quorumOff.clear();
    this.lbhcDead.clear();
    this.fenced.clear();
  }

  /** Forgets the faults a (re)boot of that VM clears (its lbhc daemon restarts with the hierarchy). */
  vmBooted(vmName: string): void {
    this.lbhcDead.delete(vmName);
  }

  /** The cluster's peer table the stubs read: "<vmName> <computerName> <powerState> <ip,ip>". */
  writePeers(): void {
    fs.mkdirSync(this.clusterDir, { recursive: true });
    // a hung guest answers nothing: to its peers' stubs it is not running
    const lines = this.members().map(
      (m) =>
        `${m.vm.name} ${m.vm.computerName} ${m.hung ? 'hung' : m.power} ${m.vm.nics.map((n) => n.privateIp).join(',')}`,
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
    const tick = this.tickMs(states);
    this.scheduler.every(`model:${this.clusterDir}`, tick, () => this.tick(), tick);
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
        hung: m.hung === true,
        quorumMode: this.quorumOff.has(m.vm.computerName) ? 'none' : (s.config.QUORUM_MODE ?? ''),
      })),
      qwkWriters: [...this.writers.values()].map((w) => ({ ...w })),
      qwkObjects: this.qwkObjects(states),
      probeAnswering: [...this.answering(states)],
      commPathsCut: this.commCut,
      events: [...this.eventLog],
    };
  }

  /** Every node's QWK object as the storage holds it (read where the node's own path resolves). */
  private qwkObjects(states: Map<string, { m: ModelVm; s: NodeState }>): QwkObjectView[] {
    const out: QwkObjectView[] = [];
    for (const { m, s } of states.values()) {
      const objectPath = s.config[qwkObjectKey(m.vm.computerName)];
      if (!objectPath) continue;
      const hostPath = this.hostPathOf(m, s.mounts, objectPath);
      const view: QwkObjectView = { node: m.vm.computerName, path: objectPath };
      try {
        const o = parseQwkObject(fs.readFileSync(hostPath, 'utf8'));
        view.modifiedAt = fs.statSync(hostPath).mtime.toISOString();
        if (o)
          Object.assign(view, {
            sequence: o.sequence,
            time: o.time.toISOString(),
            peers: o.peers,
            checksumValid: o.checksumValid,
          });
      } catch {
        /* not written yet */
      }
      out.push(view);
    }
    return out;
  }

  /** The cluster's members now (for the fault API). */
  nodes(): ModelVm[] {
    return this.members();
  }

  /** Each member's state files as the model reads them. */
  nodeStates(): { m: ModelVm; s: NodeState }[] {
    return [...this.states().values()];
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
    return m.power === 'running' && !m.hung && s.lkRunning;
  }

  /** QWK_STORAGE_HBEATTIME in real ms (cluster clock). */
  private hbMs(s: NodeState): number {
    const hb = Number(s.config.QWK_STORAGE_HBEATTIME ?? 6);
    return Math.max(1, this.clocks.clusterMs((Number.isFinite(hb) && hb > 0 ? hb : 6) * 1000));
  }

  private tickMs(states: Map<string, { m: ModelVm; s: NodeState }>): number {
    const hbs = [...states.values()].map(({ s }) => this.hbMs(s));
    return Math.max(1, Math.min(this.clocks.clusterMs(MODEL_TICK_S * 1000), ...hbs));
  }

  private writerKey(vmName: string): string {
    return `qwk:${this.clusterDir}:${vmName}`;
  }

  private qwkConfigured(s: NodeState, node?: string): boolean {
    if (node !== undefined && this.quorumOff.has(node)) return false;
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
      if (this.lkUp(m, s) && this.qwkConfigured(s, m.vm.computerName) && objectPath) {
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
    if (!server || server.m.power !== 'running' || server.m.hung || server.s.downInterfaces.includes('eth0'))
      return false;
    return server.s.activeUnits.includes('nfs-server.service');
  }

  private commpathAlive(
    m: ModelVm,
    s: NodeState,
    c: { dest: string; laddr: string; raddr: string },
    states: Map<string, { m: ModelVm; s: NodeState }>,
  ): boolean {
    const peer = states.get(c.dest);
    if (this.commCut || !peer || !this.lkUp(m, s) || !this.lkUp(peer.m, peer.s)) return false;
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
    if (!this.lkUp(m, s) || !this.qwkConfigured(s, m.vm.computerName)) return;
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
      if (!this.lkUp(m, s) || this.lbhcDead.has(m.vm.name)) continue;
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
    await this.lkcheck(states, now);
    await this.failover(states, now);
  }

  /**
   * lkcheck (every LKCHECKINTERVAL s) runs the lbhc quickCheck on the node whose reply daemon died: the daemon is
   * not running → a recovery event. LifeKeeper tries local recovery first; the LB Health Check kit has no recover
   * action ("There is no recovery process", the kit's Basic Behaviors), so local recovery fails and the hierarchy
   * fails over to the best standby that runs LifeKeeper (README.md "probeListenerDown").
   */
  private async lkcheck(states: Map<string, { m: ModelVm; s: NodeState }>, now: number): Promise<void> {
    for (const [vmName, since] of [...this.lbhcDead]) {
      const n = [...states.values()].find(({ m }) => m.vm.name === vmName);
      if (!n || !this.lkUp(n.m, n.s)) continue;
      const lbhc = n.s.resources.find((r) => r.type === 'lbhc' && r.state === 'ISP');
      if (!lbhc) {
        this.lbhcDead.delete(vmName);
        continue;
      }
      const interval = Number(n.s.config.LKCHECKINTERVAL ?? DEFAULT_LKCHECKINTERVAL_S);
      const intervalMs = this.clocks.clusterMs((Number.isFinite(interval) && interval > 0 ? interval : 120) * 1000);
      if (now - since < intervalMs) continue;
      this.event('lbhcQuickCheckFailed', n.m.vm.computerName, { tag: lbhc.tag });
      this.event('localRecoveryFailed', n.m.vm.computerName, {
        tag: lbhc.tag,
        reason: 'the lbhc kit has no recover action',
      });
      const target = [...states.values()]
        .filter((o) => o !== n && this.lkUp(o.m, o.s) && o.s.resources.some((r) => r.tag === lbhc.tag))
        .sort(
          (a, b) =>
            (a.s.resources.find((r) => r.tag === lbhc.tag)?.priority ?? 99) -
            (b.s.resources.find((r) => r.tag === lbhc.tag)?.priority ?? 99),
        )[0];
      this.lbhcDead.delete(vmName);
      if (!target) {
        await n.m.sandbox.exec(
          `SIM_CMD=perform_action /opt/LifeKeeper/bin/perform_action -t '${lbhc.tag}' -a remove >/dev/null`,
        );
        this.event('hierarchyOutOfService', n.m.vm.computerName, { tag: lbhc.tag });
        continue;
      }
      await target.m.sandbox.exec(
        `SIM_CMD=perform_action /opt/LifeKeeper/bin/perform_action -t '${lbhc.tag}' -a restore >/dev/null`,
      );
      this.event('failover', target.m.vm.computerName, { tag: lbhc.tag, from: n.m.vm.computerName, cause: 'lbhc' });
    }
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
      if (!this.lkUp(n.m, n.s)) continue;
      const peers = [...new Set(n.s.commpaths.map((c) => c.dest))];
      const lost = peers.filter(
        (p) => !n.s.commpaths.some((c) => c.dest === p && this.commpathAlive(n.m, n.s, c, states)),
      );
      for (const p of peers) {
        const k = `${n.m.vm.computerName}>${p}`;
        if (!lost.includes(p)) this.lostSince.delete(k);
        else if (!this.lostSince.has(k)) this.lostSince.set(k, now);
      }
      if (lost.length === 0) continue;
      if (this.quorumOff.has(n.m.vm.computerName)) {
        await this.takeOverWithoutQuorum(n, lost, now);
        continue;
      }
      if (!this.qwkConfigured(n.s)) continue;
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
          this.event('failover', n.m.vm.computerName, { tag, from: peerName, cause: 'witness check' });
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

  /**
   * Quorum checking off (splitBrain): once the comm paths to a peer have been dead for LifeKeeper's comm-path
   * timeout, the node believes the peer failed and brings every hierarchy In Service here, without asking any
   * witness (it cannot reach the peer, so the peer's own state is left as it is).
   */
  private async takeOverWithoutQuorum(n: { m: ModelVm; s: NodeState }, lost: string[], now: number): Promise<void> {
    const timeout = this.clocks.clusterMs(LCM_TIMEOUT_S * 1000);
    if (!lost.some((p) => now - (this.lostSince.get(`${n.m.vm.computerName}>${p}`) ?? now) >= timeout)) return;
    const idle = n.s.resources.filter((r) => r.state !== 'ISP').map((r) => r.tag);
    if (!idle.length) return;
    await n.m.sandbox.exec(
      `source /.sim/stubs/lib.sh; source /.sim/stubs/lk.sh; for t in $(lk_tags ""); do lk_set_state "" "$t" ISP; done; exit 0`,
    );
    this.event('failover', n.m.vm.computerName, { tags: idle, from: lost.join(','), cause: 'no quorum checking' });
  }

  private writing(x: { m: ModelVm; s: NodeState }, states: Map<string, { m: ModelVm; s: NodeState }>): boolean {
    const obj = x.s.config[qwkObjectKey(x.m.vm.computerName)];
    return (
      this.lkUp(x.m, x.s) &&
      this.qwkConfigured(x.s, x.m.vm.computerName) &&
      obj !== undefined &&
      this.storageReachable(x.m, x.s, obj, states)
    );
  }

  private async quorumLost(n: { m: ModelVm; s: NodeState }): Promise<void> {
    const action = n.s.config.QUORUM_LOSS_ACTION ?? 'fastkill';
    const tags = n.s.resources.filter((r) => r.state === 'ISP').map((r) => r.tag);
    if (action === 'osu' && !tags.length) return; // already done: LifeKeeper keeps running with nothing in service
    this.event('quorumLost', n.m.vm.computerName, { action, tags });
    if (tags.length)
      this.fenced.set(n.m.vm.computerName, new Set([...(this.fenced.get(n.m.vm.computerName) ?? []), ...tags]));
    const stopLk =
      action === 'osu' ? '' : 'rm -f /run/systemd/sim-active/lifekeeper.service /opt/LifeKeeper/config/LK_INITDONE; ';
    await n.m.sandbox.exec(
      `source /.sim/stubs/lib.sh; source /.sim/stubs/lk.sh; for t in $(lk_tags ""); do ` +
        `[ "$(lk_res_get "" "$t" state)" = ISP ] && lk_set_state "" "$t" OSU; done; ${stopLk}exit 0`,
    );
    // fastboot: the node reboots at once (volatile state such as downed interfaces goes; LifeKeeper starts if enabled)
    if (action === 'fastboot' && this.reboot) await this.reboot(n.m.vm.name);
  }

  /** How the model reboots a node (QUORUM_LOSS_ACTION=fastboot); set by the runtime. */
  reboot?: (vmName: string) => Promise<void>;

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
