import { loadBalancers } from './loadBalancers';
import { natGateways } from './natGateways';
import { networkInterfaces } from './networkInterfaces';
import { networkSecurityGroups } from './networkSecurityGroups';
import { publicIPAddresses } from './publicIpAddresses';
import { virtualNetworks } from './virtualNetworks';

export { macAddressOf } from './networkInterfaces';

/** The Microsoft.Network resource types the simulator serves. */
export const NETWORK_TYPES = [
  virtualNetworks,
  networkSecurityGroups,
  publicIPAddresses,
  natGateways,
  loadBalancers,
  networkInterfaces,
];
