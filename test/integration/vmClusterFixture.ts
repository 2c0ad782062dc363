import type { SimVm } from '../../local/azure-sim/vm';

const SUB = '00000000-0000-0000-0000-000000000001';

export function seedVm(
  name: string,
  ips: string[],
  macBase: number,
  resourceGroup = 'LKL-QWK-storage',
  dataDisk = true,
): SimVm {
  const rgId = `/subscriptions/${SUB}/resourceGroups/${resourceGroup}`;
  return {
    id: `${rgId}/providers/Microsoft.Compute/virtualMachines/${name}`,
    name,
    resourceGroup,
    subscriptionId: SUB,
    computerName: name,
    adminUsername: 'lkadmin',
    nics: ips.map((ip, i) => ({
      id: `${rgId}/providers/Microsoft.Network/networkInterfaces/${name}-nic${i}`,
      name: `${name}-nic${i}`,
      primary: i === 0,
      privateIp: ip,
      macAddress: `00-0D-3A-${(macBase + i).toString(16).padStart(2, '0').toUpperCase()}-00-0${i}`,
      subnetId: `${rgId}/providers/Microsoft.Network/virtualNetworks/LKL-QWK-storage-Vnet/subnets/LKL-QWK-storage-subnet${i + 1}`,
    })),
    dataDisks: dataDisk ? [{ lun: 0, diskSizeGB: 16 }] : [],
  };
}

export const witness = (rg?: string) => seedVm('Witness-node', ['10.5.1.20'], 0x20, rg, false);
export const nodeA = (rg?: string) => seedVm('Clstr-nodeA', ['10.5.1.11', '10.5.2.11'], 0x11, rg);
export const nodeB = (rg?: string) => seedVm('Clstr-nodeB', ['10.5.1.12', '10.5.2.12'], 0x12, rg);
