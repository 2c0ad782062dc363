import { createHash } from 'node:crypto';
import { parseResourceId, sameId } from '../arm/ids';
import { T, nicIpConfigs, vmOfNic } from '../arm/networkRefs';
import type { ResourceRecord, ResourceStore } from '../arm/store';
import type { SimClocks } from '../clocks';
import type { ClusterRef, VmRuntime } from '../vm/runtime';

/** One backend of a load balancer: a NIC ip configuration in one of its backend pools. */
export interface LbBackend {
  ip: string;
  ipConfigId: string;
  poolId: string;
  vmId?: string;
}

export interface LbProbe {
  port: number;
  /** intervalInSeconds (default 5; the guide's probe uses 5). */
  intervalS: number;
  /** probeThreshold: consecutive results that flip a backend's state (default 1). */
  threshold: number;
}

/** A stable fraction in [0, 1) for a key: the phase of a backend's probes and metric samples. */
export function phaseOf(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;
}

export function clusterOf(rec: Pick<ResourceRecord, 'id'>): ClusterRef {
  const p = parseResourceId(rec.id)!;
  return { subscriptionId: p.subscriptionId, resourceGroup: p.resourceGroup };
}

/** The backends of a load balancer (of one pool, if given), with their VMs. */
export function lbBackends(store: ResourceStore, lbId: string, poolId?: string): LbBackend[] {
  const out: LbBackend[] = [];
  for (const u of nicIpConfigs(store)) {
    for (const p of (u.item.properties.loadBalancerBackendAddressPools ?? []) as { id: string }[]) {
      const owner = p.id.split('/').slice(0, -2).join('/');
      if (!sameId(owner, lbId) || (poolId && !sameId(p.id, poolId))) continue;
      out.push({
        ip: u.item.properties.privateIPAddress as string,
        ipConfigId: u.id,
        poolId: p.id,
        vmId: vmOfNic(store, u.owner.id)?.id,
      });
    }
  }
  return out;
}

/** The probe a rule uses (else the LB's first probe). */
export function lbProbe(lb: ResourceRecord, ruleName?: string): LbProbe | undefined {
  const probes: any[] = lb.properties.probes ?? [];
  const rules: any[] = lb.properties.loadBalancingRules ?? [];
  const rule = ruleName ? rules.find((r) => r.name.toLowerCase() === ruleName.toLowerCase()) : rules[0];
  const used: string | undefined = rule?.properties.probe?.id;
  const probe = probes.find((p) => used && used.toLowerCase().endsWith(`/probes/${p.name.toLowerCase()}`)) ?? probes[0];
  if (!probe?.properties?.port) return undefined;
  return {
    port: Number(probe.properties.port),
    intervalS: Number(probe.properties.intervalInSeconds ?? 5) || 5,
    threshold: Math.max(1, Number(probe.properties.probeThreshold ?? 1) || 1),
  };
}

/**
 * What the load balancer believes about a backend: it probes each backend every intervalInSeconds (cluster clock,
 * each backend at its own phase) and flips the backend's state after `probeThreshold` consecutive results that
 * disagree with it (Up from the start if the first probes answer). A stopped VM is not probed.
 */
export class ProbeView {
  constructor(
    private readonly clocks: SimClocks,
    private readonly runtime: () => VmRuntime,
  ) {}

  up(cluster: ClusterRef, backend: Pick<LbBackend, 'ip'>, probe: LbProbe, at: number): boolean {
    const interval = this.clocks.clusterMs(probe.intervalS * 1000);
    const phase = phaseOf(`${cluster.subscriptionId}/${cluster.resourceGroup}/${backend.ip}`) * interval;
    const last = Math.floor((at - phase) / interval);
    const answered = (k: number) =>
      this.runtime().probeAnswered(backend.ip, probe.port, new Date(phase + k * interval), cluster);
    if (probe.threshold === 1) return answered(last);
    const span = Math.min(200, probe.threshold * 20);
    let state = false;
    let run = 0;
    for (let k = last - span; k <= last; k++) {
      const v = answered(k);
      if (v === state) run = 0;
      else if (++run >= probe.threshold) {
        state = v;
        run = 0;
      }
    }
    return state;
  }
}

/** True while the VM runs (health API entries of a stopped VM are empty). */
export function vmRunning(runtime: VmRuntime, store: ResourceStore, vmId: string | undefined): boolean {
  if (!vmId) return true;
  const vm = store.get(vmId);
  if (!vm || vm.type !== T.vm) return false;
  const p = runtime.powerState(vmId);
  return p === 'running' || (p === 'unknown' && (vm.internal.powerState ?? 'running') === 'running');
}

/** The load-balancing rule health API's answer (LoadBalancerHealthPerRule). */
export function ruleHealth(
  store: ResourceStore,
  runtime: VmRuntime,
  view: ProbeView,
  lb: ResourceRecord,
  ruleName: string,
  at = Date.now(),
): { up: number; down: number; loadBalancerBackendAddresses: Record<string, string>[] } {
  const rule = (lb.properties.loadBalancingRules ?? []).find(
    (r: any) => r.name.toLowerCase() === ruleName.toLowerCase(),
  );
  const probe = lbProbe(lb, ruleName);
  const poolId: string | undefined = rule?.properties.backendAddressPool?.id;
  const cluster = clusterOf(lb);
  let up = 0;
  let down = 0;
  const loadBalancerBackendAddresses = lbBackends(store, lb.id, poolId).map((b) => {
    const entry: Record<string, string> = { ipAddress: b.ip, networkInterfaceIPConfigurationId: b.ipConfigId };
    if (!vmRunning(runtime, store, b.vmId)) return entry; // a stopped VM: no state, no reason
    const isUp = probe !== undefined && view.up(cluster, b, probe, at);
    if (isUp) up++;
    else down++;
    return { ...entry, state: isUp ? 'Up' : 'Down', reason: isUp ? 'Up_Probe_Success' : 'Down_Probe_TcpProbeTimeout' };
  });
  return { up, down, loadBalancerBackendAddresses };
}
