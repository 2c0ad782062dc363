import { describe, expect, it } from 'vitest';
import { type DeploymentPlan, type PlannedResource, type ResourceKind, planDeployment } from '../../shared/plan';
import { type ClusterSpec, parseClusterSpec } from '../../shared/spec';

const SUB = '6f1c2d3e-4a5b-4c7d-8e9f-0a1b2c3d4e5f';
const RG_ID = `/subscriptions/${SUB}/resourceGroups/LKL-QWK-storage`;
const NET = `${RG_ID}/providers/Microsoft.Network`;
const COMPUTE = `${RG_ID}/providers/Microsoft.Compute`;

function specOf(extra: Record<string, unknown> = {}): ClusterSpec {
  const result = parseClusterSpec({
    subscriptionId: SUB,
    configure: false,
    witness: { sshSourceCidr: '203.0.113.7/32' },
    ...extra,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.spec;
}

function get<K extends ResourceKind>(plan: DeploymentPlan, key: string, kind: K): PlannedResource<K> {
  const r = plan.resources.find((x) => x.key === key);
  if (!r) throw new Error(`no resource ${key} in ${plan.resources.map((x) => x.key).join(', ')}`);
  expect(r.kind).toBe(kind);
  return r as PlannedResource<K>;
}

/** Every string `id` property anywhere inside `value`. */
function referencedIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (k === 'id' && typeof v === 'string' ? [v] : referencedIds(v)));
  }
  return [];
}

/** The resource that owns an id: the resource itself or the parent of a child resource (subnet, pool, …). */
function ownerOf(plan: DeploymentPlan, id: string): PlannedResource | undefined {
  const owners = plan.resources.filter((r) => r.kind !== 'resourceGroup' && (id === r.id || id.startsWith(`${r.id}/`)));
  return owners.sort((a, b) => b.id.length - a.id.length)[0];
}

function transitiveDeps(plan: DeploymentPlan, key: string): Set<string> {
  const byKey = new Map(plan.resources.map((r) => [r.key, r]));
  const seen = new Set<string>();
  const visit = (k: string) => {
    for (const d of byKey.get(k)?.dependsOn ?? [])
      if (!seen.has(d)) {
        seen.add(d);
        visit(d);
      }
  };
  visit(key);
  return seen;
}

const plan = planDeployment(specOf());

describe('planDeployment: the default spec gives the seed cluster', () => {
  it('has exactly the seed resources, with their names', () => {
    expect(Object.fromEntries(plan.resources.map((r) => [r.key, r.name]))).toEqual({
      resourceGroup: 'LKL-QWK-storage',
      'nsg:private': 'LKL-QWK-storage-nsg',
      'nsg:witness': 'Witness-node-nsg',
      'pip:witness': 'Witness-node-ip',
      'pip:natGateway': 'LKL-QWK-storage-natgw-ip',
      natGateway: 'LKL-QWK-storage-natgw',
      availabilitySet: 'LKL-QWK-storage-availability',
      vnet: 'LKL-QWK-storage-Vnet',
      loadBalancer: 'LKL-QWK-storage-ILB',
      'nic:Clstr-nodeA:service': 'Clstr-nodeA-nic',
      'nic:Clstr-nodeA:replication': 'Clstr-nodeA-Vnet',
      'nic:Clstr-nodeB:service': 'Clstr-nodeB-nic',
      'nic:Clstr-nodeB:replication': 'Clstr-nodeB-Vnet',
      'nic:Witness-node:service': 'Witness-node-nic',
      'nic:Witness-node:replication': 'Witness-node-Vnet',
      'vm:Clstr-nodeA': 'Clstr-nodeA',
      'vm:Clstr-nodeB': 'Clstr-nodeB',
      'vm:Witness-node': 'Witness-node',
    });
    expect(plan).toMatchObject({
      subscriptionId: SUB,
      resourceGroup: 'LKL-QWK-storage',
      location: 'japaneast',
      credentials: { kind: 'sshKey', secretName: 'LKL-QWK-storage-admin-ssh-key' },
    });
  });

  it('tags every resource and puts every resource in japaneast', () => {
    for (const r of plan.resources) {
      expect(r.body.tags, r.key).toEqual({ 'managed-by': 'qwk-ops' });
      expect(r.body.location, r.key).toBe('japaneast');
    }
  });

  it('gives well-formed ARM ids whose type and name match the resource', () => {
    const types: Record<ResourceKind, string> = {
      resourceGroup: '',
      networkSecurityGroup: 'Microsoft.Network/networkSecurityGroups',
      publicIPAddress: 'Microsoft.Network/publicIPAddresses',
      natGateway: 'Microsoft.Network/natGateways',
      virtualNetwork: 'Microsoft.Network/virtualNetworks',
      loadBalancer: 'Microsoft.Network/loadBalancers',
      networkInterface: 'Microsoft.Network/networkInterfaces',
      availabilitySet: 'Microsoft.Compute/availabilitySets',
      virtualMachine: 'Microsoft.Compute/virtualMachines',
    };
    for (const r of plan.resources) {
      const expected = r.kind === 'resourceGroup' ? RG_ID : `${RG_ID}/providers/${types[r.kind]}/${r.name}`;
      expect(r.id).toBe(expected);
    }
    expect(new Set(plan.resources.map((r) => r.id)).size).toBe(plan.resources.length);
  });

  it('builds the VNet with both subnets on the NAT gateway', () => {
    const vnet = get(plan, 'vnet', 'virtualNetwork').body;
    const nat = { id: `${NET}/natGateways/LKL-QWK-storage-natgw` };
    expect(vnet.addressSpace).toEqual({ addressPrefixes: ['10.5.0.0/16'] });
    expect(vnet.subnets).toEqual([
      { name: 'LKL-QWK-storage-subnet1', addressPrefix: '10.5.1.0/24', natGateway: nat },
      { name: 'LKL-QWK-storage-subnet2', addressPrefix: '10.5.2.0/24', natGateway: nat },
    ]);
    expect(get(plan, 'natGateway', 'natGateway').body).toMatchObject({
      sku: { name: 'Standard' },
      publicIpAddresses: [{ id: `${NET}/publicIPAddresses/LKL-QWK-storage-natgw-ip` }],
    });
    expect(get(plan, 'pip:natGateway', 'publicIPAddress').body).toMatchObject({
      sku: { name: 'Standard' },
      publicIPAllocationMethod: 'Static',
    });
  });

  it('builds the availability set with FD 2, UD 5, Aligned', () => {
    expect(get(plan, 'availabilitySet', 'availabilitySet').body).toMatchObject({
      sku: { name: 'Aligned' },
      platformFaultDomainCount: 2,
      platformUpdateDomainCount: 5,
    });
  });

  it('builds the ILB: static zone-redundant frontend 10.5.1.100, probe TCP 12345 every 5 s, rule 5432→5432 floating IP', () => {
    const lb = get(plan, 'loadBalancer', 'loadBalancer');
    expect(lb.body.sku).toEqual({ name: 'Standard', tier: 'Regional' });
    expect(lb.body.frontendIPConfigurations).toEqual([
      {
        name: 'LKL-QWK-storage-FEIP',
        privateIPAllocationMethod: 'Static',
        privateIPAddress: '10.5.1.100',
        privateIPAddressVersion: 'IPv4',
        subnet: { id: `${NET}/virtualNetworks/LKL-QWK-storage-Vnet/subnets/LKL-QWK-storage-subnet1` },
        zones: ['1', '2', '3'],
      },
    ]);
    expect(lb.body.backendAddressPools).toEqual([{ name: 'LKL-QWK-storage-BEP' }]);
    expect(lb.body.probes).toEqual([
      expect.objectContaining({ name: 'LKL-QWK-storage-probe', protocol: 'Tcp', port: 12345, intervalInSeconds: 5 }),
    ]);
    expect(lb.body.probes![0].noHealthyBackendsBehavior).toBe('AllProbedDown');
    expect(lb.body.loadBalancingRules).toEqual([
      expect.objectContaining({
        name: 'LKL-QWK-storage-rule',
        protocol: 'Tcp',
        frontendPort: 5432,
        backendPort: 5432,
        enableFloatingIP: true,
        disableOutboundSnat: true,
        idleTimeoutInMinutes: 4,
        frontendIPConfiguration: { id: `${lb.id}/frontendIPConfigurations/LKL-QWK-storage-FEIP` },
        backendAddressPool: { id: `${lb.id}/backendAddressPools/LKL-QWK-storage-BEP` },
        probe: { id: `${lb.id}/probes/LKL-QWK-storage-probe` },
      }),
    ]);
  });

  it("puts exactly the nodes' primary NICs in the backend pool", () => {
    const pool = `${NET}/loadBalancers/LKL-QWK-storage-ILB/backendAddressPools/LKL-QWK-storage-BEP`;
    const members = plan.resources
      .filter((r): r is PlannedResource<'networkInterface'> => r.kind === 'networkInterface')
      .filter((r) =>
        r.body.ipConfigurations!.some((c) => c.loadBalancerBackendAddressPools?.some((p) => p.id === pool)),
      )
      .map((r) => r.name);
    expect(members.sort()).toEqual(['Clstr-nodeA-nic', 'Clstr-nodeB-nic']);
  });

  it('gives every NIC its static IP on the right subnet, with its NSG', () => {
    const subnet1 = `${NET}/virtualNetworks/LKL-QWK-storage-Vnet/subnets/LKL-QWK-storage-subnet1`;
    const subnet2 = `${NET}/virtualNetworks/LKL-QWK-storage-Vnet/subnets/LKL-QWK-storage-subnet2`;
    const expected: [string, string, string, string][] = [
      ['nic:Clstr-nodeA:service', '10.5.1.11', subnet1, 'LKL-QWK-storage-nsg'],
      ['nic:Clstr-nodeA:replication', '10.5.2.11', subnet2, 'LKL-QWK-storage-nsg'],
      ['nic:Clstr-nodeB:service', '10.5.1.12', subnet1, 'LKL-QWK-storage-nsg'],
      ['nic:Clstr-nodeB:replication', '10.5.2.12', subnet2, 'LKL-QWK-storage-nsg'],
      ['nic:Witness-node:service', '10.5.1.20', subnet1, 'Witness-node-nsg'],
      ['nic:Witness-node:replication', '10.5.2.20', subnet2, 'LKL-QWK-storage-nsg'],
    ];
    for (const [key, ip, subnet, nsg] of expected) {
      const nic = get(plan, key, 'networkInterface').body;
      expect(nic.enableAcceleratedNetworking, key).toBe(false);
      expect(nic.networkSecurityGroup, key).toEqual({ id: `${NET}/networkSecurityGroups/${nsg}` });
      expect(nic.ipConfigurations, key).toHaveLength(1);
      expect(nic.ipConfigurations![0], key).toMatchObject({
        primary: true,
        privateIPAllocationMethod: 'Static',
        privateIPAddress: ip,
        subnet: { id: subnet },
      });
    }
    const witness = get(plan, 'nic:Witness-node:service', 'networkInterface').body.ipConfigurations![0];
    expect(witness.publicIPAddress).toEqual({ id: `${NET}/publicIPAddresses/Witness-node-ip` });
    const pip = get(plan, 'pip:witness', 'publicIPAddress').body;
    expect(pip).toMatchObject({
      sku: { name: 'Standard' },
      publicIPAllocationMethod: 'Static',
      deleteOption: 'Delete',
    });
    const nodeNics = plan.resources.filter((r) => r.kind === 'networkInterface' && !r.key.includes('Witness'));
    for (const r of nodeNics) expect(JSON.stringify(r.body), r.key).not.toContain('publicIPAddress');
  });

  it('allows SSH only from the source range, only to the witness; nothing from the internet to the nodes', () => {
    expect(get(plan, 'nsg:witness', 'networkSecurityGroup').body.securityRules).toEqual([
      expect.objectContaining({
        direction: 'Inbound',
        access: 'Allow',
        protocol: 'Tcp',
        destinationPortRange: '22',
        sourceAddressPrefix: '203.0.113.7/32',
      }),
    ]);
    expect(get(plan, 'nsg:private', 'networkSecurityGroup').body.securityRules).toEqual([]);
  });

  it('builds the VMs: size, image, Standard SSD disks deleted with the VM, both NICs, avset for nodes', () => {
    for (const name of ['Clstr-nodeA', 'Clstr-nodeB', 'Witness-node']) {
      const isNode = name !== 'Witness-node';
      const vm = get(plan, `vm:${name}`, 'virtualMachine').body;
      expect(vm.hardwareProfile).toEqual({ vmSize: 'Standard_B2s' });
      expect(vm.identity).toEqual({ type: 'SystemAssigned' }); // the installer's blob is read with its token
      expect(vm.storageProfile!.imageReference).toEqual({
        publisher: 'RedHat',
        offer: 'RHEL',
        sku: '9-lvm-gen2',
        version: 'latest',
      });
      expect(vm.storageProfile!.osDisk).toMatchObject({
        createOption: 'FromImage',
        managedDisk: { storageAccountType: 'StandardSSD_LRS' },
        deleteOption: 'Delete',
      });
      expect(vm.storageProfile!.dataDisks).toEqual(
        isNode
          ? [
              expect.objectContaining({
                lun: 0,
                createOption: 'Empty',
                diskSizeGB: 16,
                managedDisk: { storageAccountType: 'StandardSSD_LRS' },
                deleteOption: 'Delete',
              }),
            ]
          : [],
      );
      expect(vm.networkProfile!.networkInterfaces).toEqual([
        { id: `${NET}/networkInterfaces/${name}-nic`, primary: true, deleteOption: 'Delete' },
        { id: `${NET}/networkInterfaces/${name}-Vnet`, primary: false, deleteOption: 'Delete' },
      ]);
      expect(vm.availabilitySet).toEqual(
        isNode ? { id: `${COMPUTE}/availabilitySets/LKL-QWK-storage-availability` } : undefined,
      );
      expect(vm.osProfile).toMatchObject({
        computerName: name,
        adminUsername: 'lkadmin',
        linuxConfiguration: {
          disablePasswordAuthentication: true,
          ssh: { publicKeys: [{ path: '/home/lkadmin/.ssh/authorized_keys', keyData: '' }] },
        },
      });
    }
  });
});

describe('planDeployment: dependencies', () => {
  const cases: [string, DeploymentPlan][] = [
    ['default', plan],
    [
      'no NAT gateway, no witness public IP',
      planDeployment(
        specOf({
          outbound: { natGateway: false },
          packages: { source: 'iso', isoLocation: '/mnt/rhel.iso' },
          witness: { publicIp: false },
        }),
      ),
    ],
    [
      'password auth, region without zones',
      planDeployment(specOf({ location: 'westus', vm: { auth: { kind: 'password' } } })),
    ],
  ];

  it.each(cases)('%s: sorted topologically, every dependency known', (_name, p) => {
    const position = new Map(p.resources.map((r, i) => [r.key, i]));
    expect(position.size).toBe(p.resources.length);
    p.resources.forEach((r, i) => {
      for (const dep of r.dependsOn) {
        expect(position.has(dep), `${r.key} → ${dep}`).toBe(true);
        expect(position.get(dep)!, `${r.key} after ${dep}`).toBeLessThan(i);
      }
    });
  });

  it.each(cases)(
    '%s: every id a body references is a dependency (direct or transitive), and only those',
    (_name, p) => {
      for (const r of p.resources) {
        const owners = new Set<string>();
        for (const id of referencedIds(r.body)) {
          const owner = ownerOf(p, id);
          expect(owner, `${r.key} references ${id}, which the plan does not create`).toBeDefined();
          if (owner!.key === r.key) continue; // a load balancer rule pointing at its own frontend/pool/probe
          owners.add(owner!.key);
          expect(transitiveDeps(p, r.key).has(owner!.key), `${r.key} must depend on ${owner!.key}`).toBe(true);
        }
        const expected = r.key === 'resourceGroup' ? [] : ['resourceGroup', ...owners];
        expect([...r.dependsOn].sort(), r.key).toEqual([...new Set(expected)].sort());
      }
    },
  );

  it('has the exact dependencies of the seed graph', () => {
    const deps = Object.fromEntries(plan.resources.map((r) => [r.key, [...r.dependsOn].sort()]));
    expect(deps).toEqual({
      resourceGroup: [],
      'nsg:private': ['resourceGroup'],
      'nsg:witness': ['resourceGroup'],
      'pip:witness': ['resourceGroup'],
      'pip:natGateway': ['resourceGroup'],
      natGateway: ['pip:natGateway', 'resourceGroup'],
      availabilitySet: ['resourceGroup'],
      vnet: ['natGateway', 'resourceGroup'],
      loadBalancer: ['resourceGroup', 'vnet'],
      'nic:Clstr-nodeA:service': ['loadBalancer', 'nsg:private', 'resourceGroup', 'vnet'],
      'nic:Clstr-nodeA:replication': ['nsg:private', 'resourceGroup', 'vnet'],
      'nic:Clstr-nodeB:service': ['loadBalancer', 'nsg:private', 'resourceGroup', 'vnet'],
      'nic:Clstr-nodeB:replication': ['nsg:private', 'resourceGroup', 'vnet'],
      'nic:Witness-node:service': ['nsg:witness', 'pip:witness', 'resourceGroup', 'vnet'],
      'nic:Witness-node:replication': ['nsg:private', 'resourceGroup', 'vnet'],
      'vm:Clstr-nodeA': ['availabilitySet', 'nic:Clstr-nodeA:replication', 'nic:Clstr-nodeA:service', 'resourceGroup'],
      'vm:Clstr-nodeB': ['availabilitySet', 'nic:Clstr-nodeB:replication', 'nic:Clstr-nodeB:service', 'resourceGroup'],
      'vm:Witness-node': ['nic:Witness-node:replication', 'nic:Witness-node:service', 'resourceGroup'],
    });
  });
});

describe('planDeployment: variants and secrets', () => {
  it('carries no secret in any body', () => {
    for (const p of [plan, planDeployment(specOf({ vm: { auth: { kind: 'password' } } }))]) {
      const text = JSON.stringify(p);
      expect(text).not.toMatch(/adminPassword|customData|BEGIN|ssh-rsa|ssh-ed25519/);
      for (const r of p.resources) {
        if (r.kind !== 'virtualMachine') continue;
        for (const key of r.body.osProfile!.linuxConfiguration!.ssh?.publicKeys ?? []) expect(key.keyData).toBe('');
      }
    }
  });

  it('without the NAT gateway: no NAT resources and subnets without it', () => {
    const p = planDeployment(
      specOf({ outbound: { natGateway: false }, packages: { source: 'iso', isoLocation: '/mnt/rhel.iso' } }),
    );
    const keys = p.resources.map((r) => r.key);
    expect(keys).not.toContain('natGateway');
    expect(keys).not.toContain('pip:natGateway');
    expect(p.resources.some((r) => r.kind === 'natGateway')).toBe(false);
    const vnet = get(p, 'vnet', 'virtualNetwork');
    expect(vnet.dependsOn).toEqual(['resourceGroup']);
    for (const s of vnet.body.subnets!) expect(s.natGateway).toBeUndefined();
  });

  it('without the witness public IP: no PIP, no witness NSG, no SSH rule', () => {
    const p = planDeployment(specOf({ witness: { publicIp: false } }));
    const keys = p.resources.map((r) => r.key);
    expect(keys).not.toContain('pip:witness');
    expect(keys).not.toContain('nsg:witness');
    const publicIps = p.resources.filter((r) => r.kind === 'publicIPAddress').map((r) => r.key);
    expect(publicIps).toEqual(['pip:natGateway']);
    expect(JSON.stringify(p)).not.toContain('"destinationPortRange":"22"');
    const nic = get(p, 'nic:Witness-node:service', 'networkInterface').body;
    expect(nic.networkSecurityGroup!.id).toMatch(/networkSecurityGroups\/LKL-QWK-storage-nsg$/);
    expect(nic.ipConfigurations![0].publicIPAddress).toBeUndefined();
  });

  it('password auth: password login allowed, no key, no password in the body, credential secret named', () => {
    const p = planDeployment(specOf({ vm: { auth: { kind: 'password' } } }));
    expect(p.credentials).toEqual({ kind: 'password', secretName: 'LKL-QWK-storage-admin-password' });
    const vm = get(p, 'vm:Clstr-nodeA', 'virtualMachine').body;
    expect(vm.osProfile!.linuxConfiguration!.disablePasswordAuthentication).toBe(false);
    expect(vm.osProfile!.linuxConfiguration!.ssh).toBeUndefined();
    expect(vm.osProfile!.adminPassword).toBeUndefined();
  });

  it('a region without availability zones gets a frontend without zones', () => {
    const p = planDeployment(specOf({ location: 'westus' }));
    expect(get(p, 'loadBalancer', 'loadBalancer').body.frontendIPConfigurations![0].zones).toBeUndefined();
  });

  it('follows the spec: other names, IPs and sizes flow into names, ids and bodies', () => {
    const p = planDeployment(
      specOf({
        resourceGroup: 'rg-pg',
        nodes: [{ name: 'pg-a', serviceIp: '10.5.1.31' }, {}],
        vm: { dataDiskGiB: 64, size: 'Standard_D2s_v5' },
      }),
    );
    const vm = get(p, 'vm:pg-a', 'virtualMachine');
    expect(vm.id).toBe(`/subscriptions/${SUB}/resourceGroups/rg-pg/providers/Microsoft.Compute/virtualMachines/pg-a`);
    expect(vm.body.hardwareProfile!.vmSize).toBe('Standard_D2s_v5');
    expect(vm.body.storageProfile!.dataDisks![0].diskSizeGB).toBe(64);
    expect(get(p, 'nic:pg-a:service', 'networkInterface').body.ipConfigurations![0].privateIPAddress).toBe('10.5.1.31');
  });
});
