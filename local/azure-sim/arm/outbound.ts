/**
 * Whether a VM may open connections to the internet, as Azure decides it for the VM's primary NIC: a NAT gateway on
 * its subnet wins (traffic leaves from the gateway's public IP), else an instance-level public IP on the NIC's
 * primary IP configuration. Without either there is no outbound path: a Standard internal load balancer's backends
 * get no default outbound access, and subnets without it are "private" by default for new virtual networks.
 * Sources: learn.microsoft.com/azure/nat-gateway/nat-overview ("NAT gateway takes precedence over other outbound
 * scenarios"), learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access,
 * learn.microsoft.com/azure/load-balancer/outbound-rules.
 */
import { findSubnet } from './networkRefs';
import type { ResourceStore } from './store';

export interface VmOutbound {
  allowed: boolean;
  /** The public address the traffic leaves from. */
  publicIp?: string;
  via?: 'natGateway' | 'publicIp';
  reason?: string;
}

export function vmOutbound(store: ResourceStore, vmId: string): VmOutbound {
  const vm = store.get(vmId);
  if (!vm) return { allowed: false, reason: 'VM not found' };
  const refs: any[] = vm.properties?.networkProfile?.networkInterfaces ?? [];
  const ref = refs.length === 1 ? refs[0] : (refs.find((n) => n.properties?.primary === true) ?? refs[0]);
  const nic = store.get(ref?.id);
  const configs: any[] = nic?.properties?.ipConfigurations ?? [];
  const ipc = configs.find((c) => c.properties?.primary) ?? configs[0];
  if (!ipc) return { allowed: false, reason: 'no primary IP configuration' };
  const subnet = findSubnet(store, ipc.properties?.subnet?.id);
  const nat = store.get(subnet?.subnet?.properties?.natGateway?.id);
  if (nat) {
    const pip = store.get(nat.properties?.publicIpAddresses?.[0]?.id);
    return { allowed: true, via: 'natGateway', publicIp: pip?.properties?.ipAddress };
  }
  const pip = store.get(ipc.properties?.publicIPAddress?.id);
  if (pip) return { allowed: true, via: 'publicIp', publicIp: pip.properties?.ipAddress };
  return { allowed: false, reason: 'no NAT gateway on the subnet and no public IP on the NIC' };
}
