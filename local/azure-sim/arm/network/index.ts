import { loadBalancers } from './load-balancers';
import { natGateways } from './nat-gateways';
import { networkInterfaces } from './network-interfaces';
import { networkSecurityGroups } from './network-security-groups';
import { publicIPAddresses } from './public-ip-addresses';
import { virtualNetworks } from './virtual-networks';

export { macAddressOf } from './network-interfaces';

/** The Microsoft.Network resource types the simulator serves. */
export const NETWORK_TYPES = [virtualNetworks, networkSecurityGroups, publicIPAddresses, natGateways, loadBalancers, networkInterfaces];
