import { randomUUID } from 'node:crypto';
import type { ClusterModel, ClusterSnapshot, ModelVm } from './clusterModel';
import { qwkObjectKey } from './nodeState';
import type { ClusterRef } from './runtime';
import type { SimVmRuntime } from './vmRuntime';

/** The faults of a cluster (README.md "Cluster faults" says what LifeKeeper does and which signals change). */
export const CLUSTER_FAULT_KINDS = [
  'isolateNode',
  'crashNode',
  'stopVm',
  'stopLifeKeeper',
  'commPathsDown',
  'witnessDown',
  'splitBrain',
  'probeListenerDown',
  'relayDown',
] as const;
export type ClusterFaultKind = (typeof CLUSTER_FAULT_KINDS)[number];

export interface ClusterFaultSpec {
  kind: ClusterFaultKind;
  /** VM name; default: the active node (node faults) or the witness (witnessDown, relayDown). */
  vm?: string;
}

export interface ClusterFault {
  id: string;
  kind: ClusterFaultKind;
  /** The VM it was applied to (none for cluster-wide kinds). */
  vm?: string;
  at: string;
  note?: string;
}

export interface ClusterState {
  subscriptionId: string;
  resourceGroup: string;
  faults: ClusterFault[];
  model: ClusterSnapshot;
}

export class ClusterFaultError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const NODE_KINDS: ClusterFaultKind[] = ['isolateNode', 'crashNode', 'stopVm', 'stopLifeKeeper', 'probeListenerDown'];
const WITNESS_KINDS: ClusterFaultKind[] = ['witnessDown', 'relayDown'];
const key = (c: ClusterRef) => `${c.subscriptionId}/${c.resourceGroup}`.toLowerCase();
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The per-cluster fault API (`/_sim/clusters/{subscriptionId}/{resourceGroup}/faults`): applies faults to the VMs
 * and the LifeKeeper/QWK model, lists them with the model's state, heals them as an operator would.
 */
export class ClusterFaults {
  private readonly active = new Map<string, ClusterFault[]>();

  constructor(private readonly runtime: SimVmRuntime) {
    // a (re)boot ends the faults of that VM: interfaces come back, enabled services and LifeKeeper start
    runtime.onClusterEvent((e) => {
      if (e.kind !== 'vmStarted' || !e.node) return;
      const list = this.active.get(key(e));
      if (!list) return;
      const vm = this.runtime.clusterVms(e).find((v) => v.vm.computerName === e.node)?.vm.name;
      const left = list.filter((f) => f.vm === undefined || f.vm !== vm);
      if (left.length) this.active.set(key(e), left);
      else this.active.delete(key(e));
    });
  }

  private model(c: ClusterRef): { model: ClusterModel; vms: ModelVm[] } {
    const model = this.runtime.modelOf(c);
    const vms = this.runtime.clusterVms(c);
    if (!model || !vms.length) {
      throw new ClusterFaultError(
        404,
        'ClusterNotFound',
        `No VMs in resource group '${c.resourceGroup}' of subscription '${c.subscriptionId}'.`,
      );
    }
    return { model, vms };
  }

  state(c: ClusterRef): ClusterState {
    const { model } = this.model(c);
    return { ...c, faults: [...(this.active.get(key(c)) ?? [])], model: model.snapshot() };
  }

  async inject(c: ClusterRef, spec: ClusterFaultSpec): Promise<ClusterFault> {
    if (!spec || typeof spec !== 'object' || !CLUSTER_FAULT_KINDS.includes(spec.kind)) {
      throw new ClusterFaultError(
        400,
        'InvalidFault',
        `kind must be one of ${CLUSTER_FAULT_KINDS.join(', ')} (got ${JSON.stringify((spec as any)?.kind)})`,
      );
    }
    if (spec.vm !== undefined && typeof spec.vm !== 'string')
      throw new ClusterFaultError(400, 'InvalidFault', 'vm must be a VM name');
    const { model, vms } = this.model(c);
    const named = spec.vm ? vms.find((v) => v.vm.name.toLowerCase() === spec.vm!.toLowerCase()) : undefined;
    if (spec.vm && !named)
      throw new ClusterFaultError(404, 'VmNotFound', `No VM '${spec.vm}' in resource group '${c.resourceGroup}'.`);
    const target = NODE_KINDS.includes(spec.kind)
      ? (named ?? this.activeNode(model))
      : WITNESS_KINDS.includes(spec.kind)
        ? (named ?? this.witness(model))
        : undefined;
    if ((NODE_KINDS.includes(spec.kind) || WITNESS_KINDS.includes(spec.kind)) && !target) {
      throw new ClusterFaultError(409, 'NoTarget', `No VM to apply ${spec.kind} to: name one with "vm".`);
    }
    const fault: ClusterFault = { id: randomUUID(), kind: spec.kind, at: new Date().toISOString() };
    if (target) fault.vm = target.vm.name;
    switch (spec.kind) {
      case 'isolateNode':
        await this.runtime.isolateNode(target!.vm.id);
        break;
      case 'crashNode':
        this.runtime.hangNode(target!.vm.id);
        break;
      case 'stopVm':
        await this.runtime.powerAction(target!.vm.id, 'powerOff');
        break;
      case 'stopLifeKeeper':
        await target!.sandbox.exec('SIM_CMD=lkstop /opt/LifeKeeper/bin/lkstop >/dev/null 2>&1; exit 0');
        break;
      case 'commPathsDown':
        model.setCommPathsCut(true);
        break;
      case 'witnessDown':
        await this.runtime.witnessDown(target!.vm.id);
        break;
      case 'splitBrain':
        model.setQuorumOff(
          model
            .nodeStates()
            .filter(({ s }) => s.commpaths.length > 0)
            .map(({ m }) => m.vm.computerName),
        );
        model.setCommPathsCut(true);
        break;
      case 'probeListenerDown':
        model.killLbhcDaemon(target!.vm.name);
        break;
      case 'relayDown': {
        const r = await target!.sandbox.exec(
          'n=0; for u in /run/systemd/sim-active/qwk-relay*; do [ -e "$u" ] || continue; rm -f "$u"; echo "$(basename "$u")"; n=1; done; exit 0',
        );
        const stopped = r.stdout.toString().trim().split('\n').filter(Boolean);
        fault.note = stopped.length
          ? `stopped ${stopped.join(', ')}`
          : 'no qwk-relay* service runs on the witness: recorded only';
        break;
      }
    }
    model.event('fault', target?.vm.computerName, { kind: spec.kind });
    model.refresh();
    const list = this.active.get(key(c)) ?? [];
    list.push(fault);
    this.active.set(key(c), list);
    return fault;
  }

  /**
   * Heals every fault as an operator would: the network is repaired and interfaces come back up, hung VMs are
   * reset and stopped VMs started (through the runtime, as ARM start/restart do), nfs-server and qwk-relay* services
   * and LifeKeeper are started where enabled, quorum checking is restored, and a hierarchy In Service on more than one
   * node (split brain) is taken out of service on all but its best-priority node; if none holds it, it is restored
   * there.
   */
  async heal(c: ClusterRef): Promise<ClusterState> {
    const { model, vms } = this.model(c);
    model.clearModelFaults();
    for (const v of vms) {
      if (this.runtime.isHung(v.vm.id)) await this.runtime.powerAction(v.vm.id, 'restart');
      else if (v.power === 'stopped' || v.power === 'deallocated') await this.runtime.powerAction(v.vm.id, 'start');
    }
    // the witness's services first, so that the nodes find their storage when LifeKeeper starts
    const witness = this.witness(model);
    const ordered = [...vms].sort((a, b) => Number(b === witness) - Number(a === witness));
    for (const v of ordered) {
      if (v.power !== 'running') continue;
      await v.sandbox.exec(
        [
          'rm -rf /run/sim/ifdown/* 2>/dev/null',
          'for l in /etc/systemd/system/multi-user.target.wants/nfs-server.service /etc/systemd/system/multi-user.target.wants/qwk-relay*; do',
          '  [ -L "$l" ] && touch "/run/systemd/sim-active/$(basename "$l")"',
          'done',
          'if [ -L /etc/systemd/system/multi-user.target.wants/lifekeeper.service ] && [ ! -e /run/systemd/sim-active/lifekeeper.service ]; then',
          '  SIM_CMD=lkstart /opt/LifeKeeper/bin/lkstart >/dev/null 2>&1',
          'fi',
          'exit 0',
        ].join('\n'),
      );
    }
    await this.oneActive(model);
    model.event('healed');
    model.refresh();
    this.active.delete(key(c));
    return this.state(c);
  }

  /** Each hierarchy In Service on exactly one node: its best-priority node that runs LifeKeeper. */
  private async oneActive(model: ClusterModel): Promise<void> {
    const running = () => model.nodeStates().filter(({ m, s }) => m.power === 'running' && !m.hung && s.lkRunning);
    const tags = new Set(running().flatMap(({ s }) => s.resources.map((r) => r.tag)));
    for (const tag of tags) {
      // re-read: an action moves the tag's whole hierarchy, so its other members are already consistent
      const prio = (x: ReturnType<typeof running>[number]) =>
        x.s.resources.find((r) => r.tag === tag)?.priority ?? Number.MAX_SAFE_INTEGER;
      const holders = running()
        .filter(({ s }) => s.resources.some((r) => r.tag === tag))
        .sort((a, b) => prio(a) - prio(b));
      const inService = holders.filter(({ s }) => s.resources.find((r) => r.tag === tag)?.state === 'ISP');
      if (inService.length > 1) {
        for (const o of inService.slice(1)) {
          await o.m.sandbox.exec(
            `SIM_CMD=perform_action /opt/LifeKeeper/bin/perform_action -t ${q(tag)} -a remove >/dev/null 2>&1; exit 0`,
          );
          model.event('hierarchyOutOfService', o.m.vm.computerName, { tag, keptOn: inService[0].m.vm.computerName });
        }
      } else if (inService.length === 0 && holders[0]) {
        await holders[0].m.sandbox.exec(
          `SIM_CMD=perform_action /opt/LifeKeeper/bin/perform_action -t ${q(tag)} -a restore >/dev/null 2>&1; exit 0`,
        );
        model.event('hierarchyRestored', holders[0].m.vm.computerName, { tag });
      }
    }
  }

  /** The node holding the lbhc resource In Service (else any resource), with LifeKeeper running. */
  private activeNode(model: ClusterModel): ModelVm | undefined {
    const nodes = model.nodeStates().filter(({ m }) => m.power === 'running');
    const byLbhc = nodes.find(({ s }) => s.resources.some((r) => r.type === 'lbhc' && r.state === 'ISP'));
    const byAny = nodes.find(({ s }) => s.resources.some((r) => r.state === 'ISP'));
    return (byLbhc ?? byAny)?.m;
  }

  /** The VM exporting the nodes' QWK storage (else the one VM that holds no LifeKeeper resources). */
  private witness(model: ClusterModel): ModelVm | undefined {
    const states = model.nodeStates();
    for (const { m, s } of states) {
      const obj = s.config[qwkObjectKey(m.vm.computerName)];
      if (!obj) continue;
      const mount = s.mounts
        .filter((mt) => obj === mt.target || obj.startsWith(`${mt.target}/`))
        .sort((a, b) => b.target.length - a.target.length)[0];
      const match = mount && /^\/\.sim\/cluster\/([^/]+)\/fs/.exec(mount.bindFrom);
      const server = match && states.find(({ m: o }) => o.vm.name === match[1]);
      if (server) return server.m;
    }
    return states.find(({ s }) => s.resources.length === 0 && s.activeUnits.includes('nfs-server.service'))?.m;
  }
}
