/**
 * The seed guide's values (docs/GUIDE.md), used as the cluster spec's defaults.
 * Choices the guide leaves open are marked "(ours)".
 */
import { OPERATOR_SECRETS } from '../names';

export const SEED = {
  resourceGroup: 'LKL-QWK-storage',
  location: 'japaneast',
  network: {
    vnetName: 'LKL-QWK-storage-Vnet',
    addressSpace: '10.5.0.0/16',
    service: { name: 'LKL-QWK-storage-subnet1', addressPrefix: '10.5.1.0/24' },
    replication: { name: 'LKL-QWK-storage-subnet2', addressPrefix: '10.5.2.0/24' },
    /** (ours) the NSG of every NIC without a public IP: no inbound from the internet */
    privateNsgName: 'LKL-QWK-storage-nsg',
  },
  availabilitySet: { name: 'LKL-QWK-storage-availability', faultDomains: 2, updateDomains: 5 },
  nodes: [
    { name: 'Clstr-nodeA', serviceIp: '10.5.1.11', replicationIp: '10.5.2.11', priority: 1 },
    { name: 'Clstr-nodeB', serviceIp: '10.5.1.12', replicationIp: '10.5.2.12', priority: 10 },
  ],
  witness: { name: 'Witness-node', serviceIp: '10.5.1.20', replicationIp: '10.5.2.20' },
  vm: {
    size: 'Standard_B2s',
    /**
     * "RHEL 9.2 (LVM) x64 Gen2": publisher RedHat, offer RHEL, SKU 9-lvm-gen2 (the LVM-partitioned Gen2 line of
     * RHEL 9; its versions are 9.<minor>.<build date>). 'latest' takes the newest minor release; pin a 9.2.* version
     * to reproduce the guide exactly.
     */
    image: { publisher: 'RedHat', offer: 'RHEL', sku: '9-lvm-gen2', version: 'latest' },
    osDiskType: 'StandardSSD_LRS',
    dataDiskGiB: 16,
    dataDiskType: 'StandardSSD_LRS',
    adminUsername: 'lkadmin',
  },
  loadBalancer: {
    name: 'LKL-QWK-storage-ILB',
    frontendName: 'LKL-QWK-storage-FEIP',
    frontendIp: '10.5.1.100',
    backendPoolName: 'LKL-QWK-storage-BEP',
    ruleName: 'LKL-QWK-storage-rule',
    port: 5432,
    probe: { name: 'LKL-QWK-storage-probe', port: 12345, intervalInSeconds: 5, numberOfProbes: 2, threshold: 1 },
    floatingIp: true,
    idleTimeoutInMinutes: 4,
  },
  qwk: {
    sharePath: '/root/qwkshare',
    mountPoint: '/mnt/qwkmnt',
    hbeatTime: 6,
    numHbeats: 4,
    quorumLossAction: 'fastkill',
    mountOptions: 'soft,timeo=20,retrans=1,noac',
    exportOptions: 'rw,no_root_squash,sync,no_wdelay',
  },
  postgres: { dataDir: '/data/pgsql/data', port: 5432, allowedCidr: '10.5.0.0/16' },
  dataKeeper: { mountPoint: '/data', fs: 'xfs', tag: 'datarep-data', mode: 'synchronous' },
  /** (ours) */
  lifeKeeper: { licenseSecretName: OPERATOR_SECRETS.lifeKeeperLicense },
  /** (ours) the QWK relay on the witness posts the share's QWK objects every relayIntervalSeconds */
  monitoring: { relayIntervalSeconds: 5 },
  /** (ours) NAT gateway for outbound: Standard ILB backends have no default outbound access */
  outbound: { natGatewayName: 'LKL-QWK-storage-natgw', publicIpName: 'LKL-QWK-storage-natgw-ip' },
} as const;

/** Tag every resource carries, whatever the spec says. */
export const MANAGED_BY_TAG = { name: 'managed-by', value: 'qwk-ops' } as const;
