/** ScriptParams from the resolved cluster spec plus what ARM reports once the VMs exist. */
import type { ClusterSpec } from '../spec';
import { DEFAULT_LK_RESPONSE_FILE, DEFAULT_LK_SETUP_ARGS } from './lifekeeper';
import type { ScriptParams } from './params';

/** Facts known only after deployment (read from ARM by the activity). */
export interface RuntimeFacts {
  /** Private IPs per VM name as ARM reports them; they win over the spec's (which they should equal). */
  vms?: Record<string, { serviceIp?: string; replicationIp?: string }>;
  /** LUN of the nodes' data disk (the infrastructure plan attaches it at LUN 0). */
  dataDiskLun?: number;
  /** Bound of the wait for LifeKeeper after lkstart (default 300 s). */
  lifeKeeperStartTimeoutSec?: number;
}

export function scriptParamsFromSpec(spec: ClusterSpec, facts: RuntimeFacts = {}): ScriptParams {
  const vm = (name: string) => facts.vms?.[name] ?? {};
  return {
    nodes: spec.nodes.map((n) => ({
      name: n.name,
      serviceIp: vm(n.name).serviceIp ?? n.serviceIp,
      replicationIp: vm(n.name).replicationIp ?? n.replicationIp,
      priority: n.priority,
    })),
    witness: { name: spec.witness.name, serviceIp: vm(spec.witness.name).serviceIp ?? spec.witness.serviceIp },
    adminUsername: spec.vm.adminUsername,
    loadBalancer: {
      frontendIp: spec.loadBalancer.frontendIp,
      port: spec.loadBalancer.port,
      probePort: spec.loadBalancer.probe.port,
    },
    qwk: {
      sharePath: spec.qwk.sharePath,
      mountPoint: spec.qwk.mountPoint,
      hbeatTime: spec.qwk.hbeatTime,
      numHbeats: spec.qwk.numHbeats,
      quorumLossAction: spec.qwk.quorumLossAction,
      mountOptions: spec.qwk.mountOptions,
      exportOptions: spec.qwk.exportOptions,
    },
    postgres: {
      dataDir: spec.postgres.dataDir,
      port: spec.postgres.port,
      allowedCidr: spec.postgres.allowedCidr,
      authMethod: spec.postgres.authMethod,
    },
    dataKeeper: {
      mountPoint: spec.dataKeeper.mountPoint,
      fs: spec.dataKeeper.fs,
      tag: spec.dataKeeper.tag,
      mode: spec.dataKeeper.mode,
      dataDiskLun: facts.dataDiskLun ?? 0,
    },
    lifeKeeper: {
      installerLocation: spec.lifeKeeper.installerLocation,
      setupArgs: spec.lifeKeeper.installerOptions ?? [...DEFAULT_LK_SETUP_ARGS],
      responseFile: DEFAULT_LK_RESPONSE_FILE,
      startTimeoutSec: facts.lifeKeeperStartTimeoutSec ?? 300,
    },
    packages: { source: spec.packages.source, isoLocation: spec.packages.isoLocation },
    firewall: { keepFirewalld: spec.firewall.keepFirewalld },
    monitoring: { relayIntervalSeconds: spec.monitoring.relayIntervalSeconds },
  };
}
