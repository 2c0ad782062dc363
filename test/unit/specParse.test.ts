import { describe, expect, it } from 'vitest';
import { type ClusterSpecInput, parseClusterSpec, type FieldError } from '../../shared/spec';

const SUB = '6f1c2d3e-4a5b-4c7d-8e9f-0a1b2c3d4e5f';
const SSH_FROM = '203.0.113.7/32';
/** The smallest valid spec: the seed's cluster needs only a subscription and where SSH to the witness comes from. */
const INSTALLER = 'https://acct.blob.core.windows.net/media/sps.img';
const MINIMAL: ClusterSpecInput = {
  subscriptionId: SUB,
  witness: { sshSourceCidr: SSH_FROM },
  lifeKeeper: { installerLocation: INSTALLER },
};

type Json = Record<string, unknown>;
function merge(base: Json | ClusterSpecInput, patch: Json): Json {
  const out: Json = { ...(base as Json) };
  for (const [key, value] of Object.entries(patch)) {
    const prev = out[key];
    out[key] =
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      prev &&
      typeof prev === 'object' &&
      !Array.isArray(prev)
        ? merge(prev, value as Json)
        : value;
  }
  return out;
}

function errorsOf(input: unknown): FieldError[] {
  const result = parseClusterSpec(input);
  if (result.ok) throw new Error(`expected errors, got a valid spec for ${JSON.stringify(input)}`);
  return result.errors;
}

describe('parseClusterSpec: defaults', () => {
  it('resolves the minimal spec to exactly the seed guide values', () => {
    const result = parseClusterSpec(MINIMAL);
    expect(result).toEqual({
      ok: true,
      spec: {
        subscriptionId: SUB,
        configure: true,
        resourceGroup: 'LKL-QWK-storage',
        location: 'japaneast',
        tags: { 'managed-by': 'qwk-ops' },
        network: {
          vnetName: 'LKL-QWK-storage-Vnet',
          addressSpace: '10.5.0.0/16',
          subnets: {
            service: { name: 'LKL-QWK-storage-subnet1', addressPrefix: '10.5.1.0/24' },
            replication: { name: 'LKL-QWK-storage-subnet2', addressPrefix: '10.5.2.0/24' },
          },
          privateNsgName: 'LKL-QWK-storage-nsg',
        },
        availabilitySet: { name: 'LKL-QWK-storage-availability', faultDomains: 2, updateDomains: 5 },
        nodes: [
          {
            name: 'Clstr-nodeA',
            serviceIp: '10.5.1.11',
            replicationIp: '10.5.2.11',
            priority: 1,
            serviceNicName: 'Clstr-nodeA-nic',
            replicationNicName: 'Clstr-nodeA-Vnet',
          },
          {
            name: 'Clstr-nodeB',
            serviceIp: '10.5.1.12',
            replicationIp: '10.5.2.12',
            priority: 10,
            serviceNicName: 'Clstr-nodeB-nic',
            replicationNicName: 'Clstr-nodeB-Vnet',
          },
        ],
        witness: {
          name: 'Witness-node',
          serviceIp: '10.5.1.20',
          replicationIp: '10.5.2.20',
          publicIp: true,
          sshSourceCidr: SSH_FROM,
          allowSshFromInternet: false,
          publicIpName: 'Witness-node-ip',
          nsgName: 'Witness-node-nsg',
          serviceNicName: 'Witness-node-nic',
          replicationNicName: 'Witness-node-Vnet',
        },
        vm: {
          size: 'Standard_B2s',
          image: { publisher: 'RedHat', offer: 'RHEL', sku: '9-lvm-gen2', version: 'latest' },
          osDiskType: 'StandardSSD_LRS',
          dataDiskGiB: 16,
          dataDiskType: 'StandardSSD_LRS',
          adminUsername: 'lkadmin',
          auth: { kind: 'sshKey' },
          acceleratedNetworking: false,
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
        postgres: { dataDir: '/data/pgsql/data', port: 5432, allowedCidr: '10.5.0.0/16', authMethod: 'scram-sha-256' },
        dataKeeper: { mountPoint: '/data', fs: 'xfs', tag: 'datarep-data', mode: 'synchronous' },
        lifeKeeper: { licenseSecretName: 'lifekeeper-license', installerLocation: INSTALLER },
        outbound: {
          natGateway: true,
          natGatewayName: 'LKL-QWK-storage-natgw',
          publicIpName: 'LKL-QWK-storage-natgw-ip',
        },
        packages: { source: 'rhui' },
        firewall: { keepFirewalld: false },
        keyVault: {
          adminCredentialsSecretName: 'LKL-QWK-storage-admin-ssh-key',
          postgresPasswordSecretName: 'LKL-QWK-storage-postgres-password',
        },
        monitoring: {
          relayIntervalSeconds: 5,
          renotifyMinutes: 5,
          repeatMinutes: 60,
          azureAlerts: { enabled: true, outageBelow: 25, splitBrainAbove: 75, vipBelow: 90 },
        },
        verify: { switchover: 'first' },
      },
    });
  });

  it('needs only the SSH source range and the installer location besides the subscription, and says so', () => {
    expect(errorsOf({ subscriptionId: SUB })).toEqual([
      { path: 'witness.sshSourceCidr', message: expect.stringContaining('required when witness.publicIp is true') },
      { path: 'lifeKeeper.installerLocation', message: expect.stringContaining('or set configure: false') },
    ]);
    expect(parseClusterSpec({ subscriptionId: SUB, witness: { publicIp: false }, configure: false }).ok).toBe(true);
  });

  it('takes the subscription from the options when the spec has none; the spec wins otherwise', () => {
    const other = '11111111-2222-4333-8444-555555555555';
    const fromOpts = parseClusterSpec(
      { witness: { sshSourceCidr: SSH_FROM }, lifeKeeper: { installerLocation: INSTALLER } },
      { defaultSubscriptionId: other },
    );
    expect(fromOpts.ok && fromOpts.spec.subscriptionId).toBe(other);
    const fromSpec = parseClusterSpec(MINIMAL, { defaultSubscriptionId: other });
    expect(fromSpec.ok && fromSpec.spec.subscriptionId).toBe(SUB);
    expect(errorsOf({ witness: { sshSourceCidr: SSH_FROM }, lifeKeeper: { installerLocation: INSTALLER } })).toEqual([
      { path: 'subscriptionId', message: expect.stringContaining('required') },
    ]);
  });

  it('fills each node field by field from the guide node at the same index', () => {
    const result = parseClusterSpec(merge(MINIMAL, { nodes: [{ name: 'pg-1' }, { serviceIp: '10.5.1.30' }] }));
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.spec.nodes[0]).toMatchObject({ name: 'pg-1', serviceIp: '10.5.1.11', serviceNicName: 'pg-1-nic' });
    expect(result.spec.nodes[1]).toMatchObject({ name: 'Clstr-nodeB', serviceIp: '10.5.1.30', priority: 10 });
  });

  it('keeps user tags, always adds managed-by, and derives secret names from the resource group', () => {
    const result = parseClusterSpec(
      merge(MINIMAL, {
        resourceGroup: 'rg_(Prod).db',
        tags: { creator: 'tanaka' },
        vm: { auth: { kind: 'password' } },
      }),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.spec.tags).toEqual({ creator: 'tanaka', 'managed-by': 'qwk-ops' });
    expect(result.spec.keyVault.adminCredentialsSecretName).toBe('rg-Prod-db-admin-password');
  });

  it('accepts SSH from the internet only when explicitly allowed', () => {
    const spec = merge(MINIMAL, { witness: { sshSourceCidr: '0.0.0.0/0', allowSshFromInternet: true } });
    expect(parseClusterSpec(spec).ok).toBe(true);
  });

  it('refuses a spec that is not an object', () => {
    expect(errorsOf([1])).toEqual([{ path: '', message: expect.stringContaining('expected a JSON object') }]);
  });
});

/** [rule, patch applied to MINIMAL, path of the expected error, fragment of its message] */
const INVALID: [string, Json, string, string][] = [
  [
    'subscription is a GUID',
    { subscriptionId: 'my-sub' },
    'subscriptionId',
    'expected a subscription id (a GUID), got "my-sub"',
  ],
  ['VNet CIDR parses', { network: { addressSpace: '10.5.0.0/33' } }, 'network.addressSpace', 'expected an IPv4 CIDR'],
  ['CIDR is a network address', { network: { addressSpace: '10.5.0.1/16' } }, 'network.addressSpace', 'host bits set'],
  [
    'subnet inside the VNet',
    { network: { subnets: { service: { addressPrefix: '10.6.1.0/24' } } } },
    'network.subnets.service.addressPrefix',
    "inside the VNet's address space 10.5.0.0/16, got 10.6.1.0/24",
  ],
  [
    'subnets disjoint',
    { network: { subnets: { replication: { addressPrefix: '10.5.0.0/22' } } } },
    'network.subnets.replication.addressPrefix',
    'disjoint from the service subnet 10.5.1.0/24',
  ],
  [
    'subnet at least /29',
    { network: { subnets: { replication: { addressPrefix: '10.5.2.0/30' } } } },
    'network.subnets.replication.addressPrefix',
    '/29 or larger',
  ],
  [
    'subnet names distinct',
    { network: { subnets: { replication: { name: 'LKL-QWK-storage-subnet1' } } } },
    'network.subnets.replication.name',
    'different from the service subnet',
  ],
  ['node IP parses', { nodes: [{ serviceIp: '10.5.1' }, {}] }, 'nodes[0].serviceIp', 'expected an IPv4 address'],
  [
    'service IP in the service subnet',
    { nodes: [{}, { serviceIp: '10.5.2.50' }] },
    'nodes[1].serviceIp',
    'expected an address in the service subnet LKL-QWK-storage-subnet1 (10.5.1.0/24, assignable 10.5.1.4–10.5.1.254), got 10.5.2.50',
  ],
  [
    'replication IP in the replication subnet',
    { nodes: [{ replicationIp: '10.5.1.50' }, {}] },
    'nodes[0].replicationIp',
    'replication subnet',
  ],
  [
    'witness IP in its subnet',
    { witness: { replicationIp: '10.5.3.20' } },
    'witness.replicationIp',
    'replication subnet',
  ],
  ['not the network address', { nodes: [{ serviceIp: '10.5.1.0' }, {}] }, 'nodes[0].serviceIp', 'the network address'],
  ['not the gateway (.1)', { nodes: [{ serviceIp: '10.5.1.1' }, {}] }, 'nodes[0].serviceIp', 'default gateway'],
  ['not Azure DNS (.2)', { nodes: [{}, { replicationIp: '10.5.2.2' }] }, 'nodes[1].replicationIp', 'Azure DNS'],
  ['not Azure DNS (.3)', { witness: { serviceIp: '10.5.1.3' } }, 'witness.serviceIp', 'Azure DNS'],
  ['not the broadcast address', { witness: { serviceIp: '10.5.1.255' } }, 'witness.serviceIp', 'broadcast'],
  [
    'static IPs unique',
    { witness: { serviceIp: '10.5.1.11' } },
    'witness.serviceIp',
    'which nodes[0].serviceIp already uses',
  ],
  [
    'frontend unique',
    { loadBalancer: { frontendIp: '10.5.1.12' } },
    'loadBalancer.frontendIp',
    'nodes[1].serviceIp already uses',
  ],
  [
    'frontend in the service subnet',
    { loadBalancer: { frontendIp: '10.5.2.100' } },
    'loadBalancer.frontendIp',
    'service subnet',
  ],
  ['resource group characters', { resourceGroup: 'my rg!' }, 'resourceGroup', 'resource group name of 1–90 characters'],
  ['resource group not ending with a period', { resourceGroup: 'rg.' }, 'resourceGroup', 'must not end with a period'],
  ['resource group length', { resourceGroup: 'r'.repeat(91) }, 'resourceGroup', '(91 characters)'],
  ['VNet name start', { network: { vnetName: '-vnet' } }, 'network.vnetName', 'virtual network name of 1–80'],
  [
    'subnet name end',
    { network: { subnets: { service: { name: 'subnet-' } } } },
    'network.subnets.service.name',
    'ending with a letter, digit or',
  ],
  [
    'NIC name length',
    { nodes: [{ serviceNicName: 'n'.repeat(81) }, {}] },
    'nodes[0].serviceNicName',
    'network interface name of 1–80',
  ],
  ['NSG name characters', { witness: { nsgName: 'nsg#1' } }, 'witness.nsgName', 'network security group name'],
  [
    'public IP name characters',
    { outbound: { publicIpName: 'ip/1' } },
    'outbound.publicIpName',
    'public IP address name',
  ],
  ['LB name characters', { loadBalancer: { name: 'ilb 1' } }, 'loadBalancer.name', 'load balancer name'],
  [
    'LB probe name',
    { loadBalancer: { probe: { name: '.probe' } } },
    'loadBalancer.probe.name',
    'load balancer child resource name',
  ],
  [
    'availability set name',
    { availabilitySet: { name: 'a'.repeat(81) } },
    'availabilitySet.name',
    'availability set name of 1–80',
  ],
  ['VM name has no underscore', { nodes: [{ name: 'node_A' }, {}] }, 'nodes[0].name', "no '_'"],
  [
    'VM name length',
    { witness: { name: 'w'.repeat(65) } },
    'witness.name',
    'VM name (also the Linux computer name) of 1–64',
  ],
  ['VM name not only digits', { witness: { name: '1234' } }, 'witness.name', 'only digits'],
  [
    'Key Vault secret name',
    { lifeKeeper: { licenseSecretName: 'lk_license' } },
    'lifeKeeper.licenseSecretName',
    'Key Vault secret name of 1–127',
  ],
  [
    'switchover policy is first, always or never',
    { verify: { switchover: 'sometimes' } },
    'verify.switchover',
    'first',
  ],
  ['relay interval below 2 s', { monitoring: { relayIntervalSeconds: 1 } }, 'monitoring.relayIntervalSeconds', '2'],
  [
    'operator e-mail is one address',
    { monitoring: { azureAlerts: { operatorEmail: 'ops at example.com' } } },
    'monitoring.azureAlerts.operatorEmail',
    'one e-mail address',
  ],
  [
    'operator e-mail has no display name',
    { monitoring: { azureAlerts: { operatorEmail: 'Ops <ops@example.com>' } } },
    'monitoring.azureAlerts.operatorEmail',
    'one e-mail address',
  ],
  [
    'alert rule name prefix',
    { monitoring: { azureAlerts: { namePrefix: 'qwk/ops' } } },
    'monitoring.azureAlerts.namePrefix',
    '1-60 letters',
  ],
  [
    'alert threshold is a percentage',
    { monitoring: { azureAlerts: { vipBelow: 101 } } },
    'monitoring.azureAlerts.vipBelow',
    '100',
  ],
  [
    'outage threshold below the split-brain threshold',
    { monitoring: { azureAlerts: { outageBelow: 60, splitBrainAbove: 50 } } },
    'monitoring.azureAlerts.outageBelow',
    'below splitBrainAbove (50)',
  ],
  [
    'no unknown alert fields',
    { monitoring: { azureAlerts: { webhookUrl: 'https://x.test/api/alerts' } } },
    'monitoring.azureAlerts.webhookUrl',
    'unknown field',
  ],
  [
    'Key Vault secret name length',
    { keyVault: { adminCredentialsSecretName: 's'.repeat(128) } },
    'keyVault.adminCredentialsSecretName',
    '1–127',
  ],
  [
    'probe port differs from the service port',
    { loadBalancer: { probe: { port: 5432 } } },
    'loadBalancer.probe.port',
    'different from the service port 5432',
  ],
  [
    'LB port = PostgreSQL port',
    { loadBalancer: { port: 5433 } },
    'loadBalancer.port',
    'expected the PostgreSQL port 5432',
  ],
  [
    'port ≤ 65535',
    { loadBalancer: { probe: { port: 70000 } } },
    'loadBalancer.probe.port',
    'expected a number ≤ 65535, got 70000',
  ],
  ['port ≥ 1', { postgres: { port: 0 } }, 'postgres.port', 'expected a number ≥ 1, got 0'],
  ['port is an integer', { postgres: { port: 5432.5 } }, 'postgres.port', 'expected an integer, got 5432.5'],
  [
    'probe interval ≥ 5',
    { loadBalancer: { probe: { intervalInSeconds: 4 } } },
    'loadBalancer.probe.intervalInSeconds',
    '≥ 5',
  ],
  ['idle timeout 4–30', { loadBalancer: { idleTimeoutInMinutes: 31 } }, 'loadBalancer.idleTimeoutInMinutes', '≤ 30'],
  ['HBEATTIME ≥ 5', { qwk: { hbeatTime: 4 } }, 'qwk.hbeatTime', 'expected a number ≥ 5, got 4'],
  ['HBEATTIME ≤ 10', { qwk: { hbeatTime: 11 } }, 'qwk.hbeatTime', 'expected a number ≤ 10, got 11'],
  ['NUMHBEATS ≥ 3', { qwk: { numHbeats: 2 } }, 'qwk.numHbeats', 'expected a number ≥ 3, got 2'],
  [
    'quorum loss action',
    { qwk: { quorumLossAction: 'halt' } },
    'qwk.quorumLossAction',
    'expected one of "fastkill", "fastboot", "osu", got "halt"',
  ],
  ['paths are absolute', { qwk: { mountPoint: 'mnt/qwk' } }, 'qwk.mountPoint', 'expected an absolute path'],
  ['mount options', { qwk: { mountOptions: 'soft timeo=20' } }, 'qwk.mountOptions', 'comma-separated options'],
  [
    'node names distinct',
    { nodes: [{}, { name: 'Clstr-nodeA' }] },
    'nodes[1].name',
    'VM name distinct from nodes[0].name',
  ],
  ['witness name distinct', { witness: { name: 'clstr-nodeb' } }, 'witness.name', 'distinct from nodes[1].name'],
  [
    'exactly 2 nodes',
    { nodes: [{}, {}, { name: 'Clstr-nodeC', serviceIp: '10.5.1.13', replicationIp: '10.5.2.13', priority: 20 }] },
    'nodes',
    "exactly 2 cluster nodes (the guide's topology",
  ],
  [
    'priorities distinct',
    { nodes: [{}, { priority: 1 }] },
    'nodes[1].priority',
    'LifeKeeper priority distinct from nodes[0].priority',
  ],
  ['priority 1–999', { nodes: [{ priority: 0 }, {}] }, 'nodes[0].priority', '≥ 1'],
  [
    'NIC names distinct',
    { witness: { replicationNicName: 'Clstr-nodeA-Vnet' } },
    'witness.replicationNicName',
    'network interface name distinct from nodes[0].replicationNicName',
  ],
  [
    'SSH not from 0.0.0.0/0',
    { witness: { sshSourceCidr: '0.0.0.0/0' } },
    'witness.sshSourceCidr',
    'SSH open to the internet is refused unless witness.allowSshFromInternet is true',
  ],
  ['SSH not from ::/0', { witness: { sshSourceCidr: '::/0' } }, 'witness.sshSourceCidr', 'refused unless'],
  ['SSH not from *', { witness: { sshSourceCidr: '*' } }, 'witness.sshSourceCidr', 'refused unless'],
  ['SSH not from Internet', { witness: { sshSourceCidr: 'Internet' } }, 'witness.sshSourceCidr', 'refused unless'],
  ['SSH not from Any', { witness: { sshSourceCidr: 'Any' } }, 'witness.sshSourceCidr', 'refused unless'],
  [
    'SSH source parses',
    { witness: { sshSourceCidr: 'my office' } },
    'witness.sshSourceCidr',
    'expected an IP address or CIDR',
  ],
  ['image SKU non-empty', { vm: { image: { sku: '' } } }, 'vm.image.sku', 'expected an image SKU (non-empty'],
  ['size non-empty', { vm: { size: '' } }, 'vm.size', 'expected an Azure VM size (non-empty'],
  ['disk type known', { vm: { osDiskType: 'SSD' } }, 'vm.osDiskType', 'expected one of "Standard_LRS"'],
  ['data disk ≥ 4 GiB', { vm: { dataDiskGiB: 3 } }, 'vm.dataDiskGiB', 'expected a number ≥ 4, got 3'],
  ['data disk ≤ 32,767 GiB', { vm: { dataDiskGiB: 32768 } }, 'vm.dataDiskGiB', 'expected a number ≤ 32767, got 32768'],
  ['admin user allowed by Azure', { vm: { adminUsername: 'root' } }, 'vm.adminUsername', 'Azure does not allow'],
  [
    'admin user is a Linux name',
    { vm: { adminUsername: 'LK Admin' } },
    'vm.adminUsername',
    'expected a Linux user name',
  ],
  [
    'auth kind',
    { vm: { auth: { kind: 'certificate' } } },
    'vm.auth.kind',
    'expected {"kind": "sshKey"} (default) or {"kind": "password"}',
  ],
  [
    'at most 49 user tags',
    { tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`t${i}`, 'v'])) },
    'tags',
    'expected at most 49 tags',
  ],
  ['tag name characters', { tags: { 'cost<center>': 'x' } }, 'tags["cost<center>"]', 'without < > % & \\ ? /'],
  ['tag name length', { tags: { ['n'.repeat(513)]: 'x' } }, `tags.${'n'.repeat(513)}`, '1–512 characters'],
  ['tag value length', { tags: { creator: 'v'.repeat(257) } }, 'tags.creator', 'at most 256 characters, got 257'],
  ['managed-by is reserved', { tags: { 'managed-by': 'me' } }, 'tags["managed-by"]', 'reserved'],
  ['tag value is a string', { tags: { creator: 5 } }, 'tags.creator', 'expected a string, got 5'],
  ['known location', { location: 'Japan East' }, 'location', 'expected an Azure public-cloud region name'],
  [
    'zones only where the region has them',
    { location: 'westus', loadBalancer: { frontendZones: ['1'] } },
    'loadBalancer.frontendZones',
    'region westus has no availability zones',
  ],
  [
    'unknown field',
    { network: { dnsServers: ['10.0.0.4'] } },
    'network.dnsServers',
    'unknown field "dnsServers"; expected one of: vnetName, addressSpace, subnets, privateNsgName',
  ],
  ['unknown top-level field', { clusterName: 'x' }, 'clusterName', 'unknown field'],
  [
    'no password in the spec',
    { vm: { auth: { kind: 'password', password: 'Hunter2!Hunter2' } } },
    'vm.auth.password',
    'looks like a secret',
  ],
  [
    'no SSH key data in the spec',
    { vm: { sshPublicKey: 'ssh-rsa AAAAB3NzaC1yc2E me@host' } },
    'vm.sshPublicKey',
    'SSH key data',
  ],
  [
    'no SAS token in a URL',
    { lifeKeeper: { installerLocation: 'https://acct.blob.core.windows.net/lk/lk.img?sv=2024&sig=abc' } },
    'lifeKeeper.installerLocation',
    'SAS token',
  ],
  [
    'no private key anywhere',
    { tags: { creator: '-----BEGIN OPENSSH PRIVATE KEY-----' } },
    'tags.creator',
    'private key',
  ],
  [
    'rhui needs the NAT gateway',
    { outbound: { natGateway: false } },
    'packages.source',
    "'rhui' needs outbound internet access",
  ],
  [
    'iso needs a location',
    { packages: { source: 'iso' } },
    'packages.isoLocation',
    "required when packages.source is 'iso'",
  ],
  [
    'PostgreSQL data on the replicated disk',
    { postgres: { dataDir: '/var/lib/pgsql/data' } },
    'postgres.dataDir',
    'under the DataKeeper mount point /data',
  ],
  ['allowed CIDR parses', { postgres: { allowedCidr: '10.5.0.0' } }, 'postgres.allowedCidr', 'expected an IPv4 CIDR'],
  [
    'installer location is a URL or a path',
    { lifeKeeper: { installerLocation: 'ftp://x/y' } },
    'lifeKeeper.installerLocation',
    'https:// URL or an absolute path',
  ],
  ['wrong type', { nodes: [{ priority: 'one' }, {}] }, 'nodes[0].priority', 'expected a number, got "one"'],
  ['FD count 1–3', { availabilitySet: { faultDomains: 4 } }, 'availabilitySet.faultDomains', '≤ 3'],
];

describe('parseClusterSpec: one invalid spec per rule', () => {
  it.each(INVALID)('%s', (_rule, patch, path, fragment) => {
    const errors = errorsOf(merge(MINIMAL, patch));
    const atPath = errors.filter((e) => e.path === path);
    expect(atPath, JSON.stringify(errors, null, 1)).not.toHaveLength(0);
    expect(atPath.map((e) => e.message).join('\n')).toContain(fragment);
  });
});

describe('parseClusterSpec: totality', () => {
  it('reports every error at once, field-local and cross-field together', () => {
    const errors = errorsOf({
      subscriptionId: 'nope',
      location: 'mars',
      nodes: [{ serviceIp: '10.5.1.1' }, { name: 'Clstr-nodeA' }],
      vm: { dataDiskGiB: 2.5, size: '' },
      loadBalancer: { probe: { port: 5432 } },
      qwk: { hbeatTime: 20 },
      witness: { sshSourceCidr: '0.0.0.0/0' },
      extra: true,
    });
    const paths = errors.map((e) => e.path);
    for (const path of [
      'subscriptionId',
      'location',
      'nodes[0].serviceIp',
      'nodes[1].name',
      'vm.dataDiskGiB',
      'vm.size',
      'loadBalancer.probe.port',
      'qwk.hbeatTime',
      'witness.sshSourceCidr',
      'extra',
    ]) {
      expect(paths).toContain(path);
    }
  });

  it('never echoes a refused secret value', () => {
    const secret = 'Sup3r-Secret-Passw0rd';
    const errors = errorsOf(
      merge(MINIMAL, { vm: { adminPassword: secret }, lifeKeeper: { installerLocation: `https://x/y?sig=${secret}` } }),
    );
    expect(errors.map((e) => e.path).sort()).toEqual(['lifeKeeper.installerLocation', 'vm.adminPassword']);
    expect(JSON.stringify(errors)).not.toContain(secret);
  });
});
