/** Runtime facts for scriptParamsFromSpec from the VMs' NICs as ARM reports them (pure). */
import type { RuntimeFacts } from '../scripts/fromSpec';
import type { VmFacts } from './contracts';

export function runtimeFactsOf(vms: Record<string, VmFacts>): RuntimeFacts {
  const out: NonNullable<RuntimeFacts['vms']> = {};
  for (const [name, vm] of Object.entries(vms)) {
    const [service, replication] = vm.nics;
    out[name] = {
      ...(service?.privateIp ? { serviceIp: service.privateIp } : {}),
      ...(replication?.privateIp ? { replicationIp: replication.privateIp } : {}),
    };
  }
  return { vms: out };
}
