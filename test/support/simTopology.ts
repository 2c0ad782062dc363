import type { SimClients } from './simClients';

/** Builds a small cluster network through the real SDK clients (used by the simulator's tests). */
export const LOCATION = 'westeurope';

export function ids(c: SimClients, rg: string) {
  const base = `/subscriptions/${c.subscriptionId}/resourceGroups/${rg}/providers`;
  return {
    vnet: (v: string) => `${base}/Microsoft.Network/virtualNetworks/${v}`,
    subnet: (v: string, s: string) => `${base}/Microsoft.Network/virtualNetworks/${v}/subnets/${s}`,
    nic: (n: string) => `${base}/Microsoft.Network/networkInterfaces/${n}`,
    lb: (n: string) => `${base}/Microsoft.Network/loadBalancers/${n}`,
    pip: (n: string) => `${base}/Microsoft.Network/publicIPAddresses/${n}`,
    nsg: (n: string) => `${base}/Microsoft.Network/networkSecurityGroups/${n}`,
    nat: (n: string) => `${base}/Microsoft.Network/natGateways/${n}`,
    avset: (n: string) => `${base}/Microsoft.Compute/availabilitySets/${n}`,
    vm: (n: string) => `${base}/Microsoft.Compute/virtualMachines/${n}`,
  };
}

export async function createGroupAndVnet(c: SimClients, rg: string): Promise<void> {
  await c.resources.resourceGroups.createOrUpdate(rg, { location: LOCATION });
  await c.network.virtualNetworks.beginCreateOrUpdateAndWait(rg, 'vnet', {
    location: LOCATION,
    addressSpace: { addressPrefixes: ['10.20.0.0/16'] },
    subnets: [
      { name: 'service', addressPrefix: '10.20.1.0/24' },
      { name: 'replication', addressPrefix: '10.20.2.0/24' },
    ],
  });
}

export async function createLoadBalancer(c: SimClients, rg: string, probePort = 59999): Promise<void> {
  const lb = ids(c, rg).lb('ilb');
  await c.network.loadBalancers.beginCreateOrUpdateAndWait(rg, 'ilb', {
    location: LOCATION,
    sku: { name: 'Standard' },
    frontendIPConfigurations: [
      {
        name: 'fe',
        subnet: { id: ids(c, rg).subnet('vnet', 'service') },
        privateIPAllocationMethod: 'Static',
        privateIPAddress: '10.20.1.100',
      },
    ],
    backendAddressPools: [{ name: 'pool' }],
    probes: [{ name: 'probe', protocol: 'Tcp', port: probePort, intervalInSeconds: 5, numberOfProbes: 2 }],
    loadBalancingRules: [
      {
        name: 'pg',
        protocol: 'Tcp',
        frontendPort: 5432,
        backendPort: 5432,
        enableFloatingIP: true,
        frontendIPConfiguration: { id: `${lb}/frontendIPConfigurations/fe` },
        backendAddressPool: { id: `${lb}/backendAddressPools/pool` },
        probe: { id: `${lb}/probes/probe` },
      },
    ],
  });
}

export async function createNic(c: SimClients, rg: string, name: string, subnet: string, ip?: string, pool = false) {
  const i = ids(c, rg);
  return c.network.networkInterfaces.beginCreateOrUpdateAndWait(rg, name, {
    location: LOCATION,
    ipConfigurations: [
      {
        name: 'ipconfig1',
        subnet: { id: i.subnet('vnet', subnet) },
        ...(ip ? { privateIPAllocationMethod: 'Static', privateIPAddress: ip } : {}),
        ...(pool ? { loadBalancerBackendAddressPools: [{ id: `${i.lb('ilb')}/backendAddressPools/pool` }] } : {}),
      },
    ],
  });
}

export function vmBody(c: SimClients, rg: string, nics: string[], extra: Record<string, unknown> = {}) {
  const i = ids(c, rg);
  return {
    location: LOCATION,
    hardwareProfile: { vmSize: 'Standard_D2s_v5' },
    storageProfile: {
      imageReference: { publisher: 'RedHat', offer: 'RHEL', sku: '9-lvm-gen2', version: 'latest' },
      osDisk: { createOption: 'FromImage', managedDisk: { storageAccountType: 'Premium_LRS' }, deleteOption: 'Delete' },
      dataDisks: [{ lun: 0, createOption: 'Empty', diskSizeGB: 64, deleteOption: 'Delete' }],
    },
    osProfile: {
      computerName: 'node1',
      adminUsername: 'azureuser',
      linuxConfiguration: {
        disablePasswordAuthentication: true,
        ssh: {
          publicKeys: [
            { path: '/home/azureuser/.ssh/authorized_keys', keyData: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2e test' },
          ],
        },
      },
    },
    networkProfile: {
      networkInterfaces: nics.map((n, k) => ({ id: i.nic(n), primary: k === 0, deleteOption: 'Delete' as const })),
    },
    ...extra,
  };
}
