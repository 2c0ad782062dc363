/** The simulator's outbound rule for VMs (arm/outbound.ts): NAT gateway on the subnet, else a public IP on the NIC. */
import { describe, expect, it } from 'vitest';
import { vmOutbound } from '../../local/azure-sim/arm/outbound';
import { ResourceStore, type ResourceRecord } from '../../local/azure-sim/arm/store';

const RG = '/subscriptions/s1/resourceGroups/rg';
const rec = (type: string, name: string, properties: Record<string, any>): ResourceRecord => ({
  id: `${RG}/providers/${type}/${name}`,
  type,
  name,
  subscriptionId: 's1',
  resourceGroup: 'rg',
  location: 'japaneast',
  properties,
  provisioningState: 'Succeeded',
  etag: 'e',
  requestBody: '{}',
  internal: {},
});

function world(o: { nat: boolean; pip: boolean }): ResourceStore {
  const store = new ResourceStore();
  const natPip = rec('Microsoft.Network/publicIPAddresses', 'nat-ip', { ipAddress: '198.51.100.7' });
  const nicPip = rec('Microsoft.Network/publicIPAddresses', 'vm-ip', { ipAddress: '198.51.100.9' });
  const nat = rec('Microsoft.Network/natGateways', 'nat', { publicIpAddresses: [{ id: natPip.id }] });
  const vnet = rec('Microsoft.Network/virtualNetworks', 'vnet', {
    subnets: [
      { name: 'sn', properties: { addressPrefix: '10.5.1.0/24', ...(o.nat ? { natGateway: { id: nat.id } } : {}) } },
    ],
  });
  const nic = rec('Microsoft.Network/networkInterfaces', 'nic', {
    ipConfigurations: [
      {
        name: 'ipconfig1',
        properties: {
          primary: true,
          subnet: { id: `${vnet.id}/subnets/sn` },
          ...(o.pip ? { publicIPAddress: { id: nicPip.id } } : {}),
        },
      },
    ],
  });
  const vm = rec('Microsoft.Compute/virtualMachines', 'vm', {
    networkProfile: { networkInterfaces: [{ id: nic.id }] },
  });
  for (const r of [natPip, nicPip, nat, vnet, nic, vm]) store.put(r);
  return store;
}

describe('vmOutbound', () => {
  it.each([
    [
      { nat: true, pip: true },
      { allowed: true, via: 'natGateway', publicIp: '198.51.100.7' },
    ],
    [
      { nat: true, pip: false },
      { allowed: true, via: 'natGateway', publicIp: '198.51.100.7' },
    ],
    [
      { nat: false, pip: true },
      { allowed: true, via: 'publicIp', publicIp: '198.51.100.9' },
    ],
    [{ nat: false, pip: false }, { allowed: false }],
  ])('%o → %o', (w, expected) => {
    expect(vmOutbound(world(w), `${RG}/providers/Microsoft.Compute/virtualMachines/vm`)).toMatchObject(expected);
  });

  it('refuses an unknown VM', () => {
    expect(vmOutbound(new ResourceStore(), `${RG}/providers/Microsoft.Compute/virtualMachines/none`).allowed).toBe(
      false,
    );
  });
});
