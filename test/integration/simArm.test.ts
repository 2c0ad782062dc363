import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../local/azure-sim';
import { makeSimClients, type SimClients } from '../support/simClients';
import { LOCATION, createGroupAndVnet, createLoadBalancer, createNic, ids } from '../support/simTopology';

let sim: RunningSimulator;
let c: SimClients;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, timeScale: 0.001, stateDir: '.local/test-sim-arm' });
  c = makeSimClients(sim);
});
afterAll(async () => {
  await sim?.stop();
});

describe('resource groups', () => {
  it('creates, gets, checks, lists and updates a resource group', async () => {
    const created = await c.resources.resourceGroups.createOrUpdate('rg-a', {
      location: LOCATION,
      tags: { app: 'qwk' },
    });
    expect(created).toMatchObject({ name: 'rg-a', location: LOCATION, properties: { provisioningState: 'Succeeded' } });
    expect(created.id).toBe(`/subscriptions/${c.subscriptionId}/resourceGroups/rg-a`);
    expect((await c.resources.resourceGroups.get('rg-a')).tags).toEqual({ app: 'qwk' });
    expect((await c.resources.resourceGroups.checkExistence('rg-a')).body).toBe(true);
    expect((await c.resources.resourceGroups.checkExistence('rg-none')).body).toBe(false);
    const names: string[] = [];
    for await (const g of c.resources.resourceGroups.list()) names.push(g.name!);
    expect(names).toContain('rg-a');
  });

  it('answers 404 ResourceGroupNotFound for a missing group, and for a resource in it', async () => {
    await expect(c.resources.resourceGroups.get('rg-missing')).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceGroupNotFound',
    });
    await expect(
      c.network.virtualNetworks.beginCreateOrUpdateAndWait('rg-missing', 'v', {
        location: LOCATION,
        addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
      }),
    ).rejects.toMatchObject({ statusCode: 404, code: 'ResourceGroupNotFound' });
  });

  it('requires a location (LocationRequired)', async () => {
    await expect(c.resources.resourceGroups.createOrUpdate('rg-noloc', { location: '' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'LocationRequired',
    });
  });
});

describe('network', () => {
  beforeAll(async () => {
    await createGroupAndVnet(c, 'rg-net');
  });

  it('creates a VNet with subnets as an LRO and shows provisioningState transitions', async () => {
    sim.setLatency('virtualNetworks.createOrUpdate', 1_500_000); // 1.5 s at this time scale
    const poller = await c.network.virtualNetworks.beginCreateOrUpdate('rg-net', 'vnet2', {
      location: LOCATION,
      addressSpace: { addressPrefixes: ['10.30.0.0/16'] },
      subnets: [{ name: 'a', addressPrefix: '10.30.1.0/24' }],
    });
    expect(poller.getOperationState().status).toBe('running');
    const during = await c.network.virtualNetworks.get('rg-net', 'vnet2');
    expect(during.provisioningState).toBe('Updating');
    const vnet = await poller.pollUntilDone();
    sim.setLatency('virtualNetworks.createOrUpdate', undefined);
    expect(vnet.provisioningState).toBe('Succeeded');
    expect(vnet.subnets?.[0]).toMatchObject({
      name: 'a',
      addressPrefix: '10.30.1.0/24',
      id: `${ids(c, 'rg-net').vnet('vnet2')}/subnets/a`,
    });
    const journal = sim
      .journal()
      .filter((o) => o.op === 'virtualNetworks.createOrUpdate' && o.resourceId.endsWith('vnet2'));
    expect(journal).toHaveLength(1);
    expect(journal[0]).toMatchObject({ method: 'PUT', status: 'Succeeded', httpStatus: 201 });
    expect(Date.parse(journal[0].end!)).toBeGreaterThanOrEqual(Date.parse(journal[0].start));
  });

  it('re-PUT with the same body is idempotent (200, same resource, no duplicate)', async () => {
    const before = await c.network.virtualNetworks.get('rg-net', 'vnet');
    const again = await c.network.virtualNetworks.beginCreateOrUpdateAndWait('rg-net', 'vnet', {
      location: LOCATION,
      addressSpace: { addressPrefixes: ['10.20.0.0/16'] },
      subnets: [
        { name: 'service', addressPrefix: '10.20.1.0/24' },
        { name: 'replication', addressPrefix: '10.20.2.0/24' },
      ],
    });
    expect(again.id).toBe(before.id);
    expect(again.etag).toBe(before.etag);
    const last = sim
      .journal()
      .filter((o) => o.op === 'virtualNetworks.createOrUpdate' && o.resourceId.endsWith('/vnet'))
      .pop();
    expect(last?.httpStatus).toBe(200);
    const all = [];
    for await (const v of c.network.virtualNetworks.list('rg-net')) all.push(v.name);
    expect(all.filter((n) => n === 'vnet')).toHaveLength(1);
  });

  it('rejects subnets outside the VNet and overlapping subnets with the Netcfg codes', async () => {
    const body = (subnets: { name: string; addressPrefix: string }[]) => ({
      location: LOCATION,
      addressSpace: { addressPrefixes: ['10.40.0.0/16'] },
      subnets,
    });
    await expect(
      c.network.virtualNetworks.beginCreateOrUpdateAndWait(
        'rg-net',
        'bad',
        body([{ name: 's', addressPrefix: '10.41.0.0/24' }]),
      ),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'NetcfgSubnetRangeOutsideVnet',
    });
    await expect(
      c.network.virtualNetworks.beginCreateOrUpdateAndWait(
        'rg-net',
        'bad',
        body([
          { name: 's1', addressPrefix: '10.40.0.0/24' },
          { name: 's2', addressPrefix: '10.40.0.128/25' },
        ]),
      ),
    ).rejects.toMatchObject({ statusCode: 400, code: 'NetcfgSubnetRangesOverlap' });
    await expect(c.network.virtualNetworks.get('rg-net', 'bad')).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
  });

  it('gets, creates and deletes subnets through the subnet endpoints', async () => {
    const s = await c.network.subnets.get('rg-net', 'vnet', 'service');
    expect(s).toMatchObject({ name: 'service', addressPrefix: '10.20.1.0/24', provisioningState: 'Succeeded' });
    const added = await c.network.subnets.beginCreateOrUpdateAndWait('rg-net', 'vnet', 'extra', {
      addressPrefix: '10.20.9.0/24',
    });
    expect(added).toMatchObject({
      name: 'extra',
      id: `${ids(c, 'rg-net').vnet('vnet')}/subnets/extra`,
      provisioningState: 'Succeeded',
    });
    await expect(
      c.network.subnets.beginCreateOrUpdateAndWait('rg-net', 'vnet', 'clash', { addressPrefix: '10.20.1.128/25' }),
    ).rejects.toMatchObject({
      code: 'NetcfgSubnetRangesOverlap',
    });
    const names = [];
    for await (const x of c.network.subnets.list('rg-net', 'vnet')) names.push(x.name);
    expect(names).toEqual(['service', 'replication', 'extra']);
    await c.network.subnets.beginDeleteAndWait('rg-net', 'vnet', 'extra');
    await expect(c.network.subnets.get('rg-net', 'vnet', 'extra')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('creates NSG, public IP and NAT gateway and links them', async () => {
    const i = ids(c, 'rg-net');
    const nsg = await c.network.networkSecurityGroups.beginCreateOrUpdateAndWait('rg-net', 'nsg', {
      location: LOCATION,
      securityRules: [
        {
          name: 'ssh',
          protocol: 'Tcp',
          access: 'Allow',
          direction: 'Inbound',
          priority: 100,
          sourceAddressPrefix: '192.0.2.0/24',
          sourcePortRange: '*',
          destinationAddressPrefix: '*',
          destinationPortRange: '22',
        },
      ],
    });
    expect(nsg.securityRules?.[0]).toMatchObject({
      name: 'ssh',
      id: `${i.nsg('nsg')}/securityRules/ssh`,
      priority: 100,
    });
    expect(nsg.defaultSecurityRules?.length).toBe(6);
    const pip = await c.network.publicIPAddresses.beginCreateOrUpdateAndWait('rg-net', 'pip', {
      location: LOCATION,
      sku: { name: 'Standard' },
      publicIPAllocationMethod: 'Static',
    });
    expect(pip.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const nat = await c.network.natGateways.beginCreateOrUpdateAndWait('rg-net', 'nat', {
      location: LOCATION,
      sku: { name: 'Standard' },
      publicIpAddresses: [{ id: pip.id }],
    });
    expect(nat.publicIpAddresses?.[0].id).toBe(pip.id);
    await c.network.subnets.beginCreateOrUpdateAndWait('rg-net', 'vnet', 'replication', {
      addressPrefix: '10.20.2.0/24',
      networkSecurityGroup: { id: nsg.id },
      natGateway: { id: nat.id },
    });
    expect((await c.network.natGateways.get('rg-net', 'nat')).subnets).toEqual([
      { id: i.subnet('vnet', 'replication') },
    ]);
    expect((await c.network.networkSecurityGroups.get('rg-net', 'nsg')).subnets?.map((x) => x.id)).toEqual([
      i.subnet('vnet', 'replication'),
    ]);
    expect((await c.network.publicIPAddresses.get('rg-net', 'pip')).natGateway?.id).toBe(nat.id);
    await expect(
      c.network.natGateways.beginCreateOrUpdateAndWait('rg-net', 'nat2', {
        location: LOCATION,
        sku: { name: 'Standard' },
        publicIpAddresses: [{ id: i.pip('nope') }],
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'InvalidResourceReference' });
  });

  it('creates an internal load balancer and validates its references', async () => {
    await createLoadBalancer(c, 'rg-net');
    const lb = await c.network.loadBalancers.get('rg-net', 'ilb');
    const lbId = ids(c, 'rg-net').lb('ilb');
    expect(lb.frontendIPConfigurations?.[0]).toMatchObject({
      privateIPAddress: '10.20.1.100',
      loadBalancingRules: [{ id: `${lbId}/loadBalancingRules/pg` }],
    });
    expect(lb.probes?.[0].loadBalancingRules).toEqual([{ id: `${lbId}/loadBalancingRules/pg` }]);
    expect((await c.network.loadBalancerProbes.get('rg-net', 'ilb', 'probe')).port).toBe(59999);
    expect((await c.network.loadBalancerFrontendIPConfigurations.get('rg-net', 'ilb', 'fe')).privateIPAddress).toBe(
      '10.20.1.100',
    );
    const bad = {
      location: LOCATION,
      frontendIPConfigurations: [{ name: 'fe', subnet: { id: ids(c, 'rg-net').subnet('vnet', 'service') } }],
      backendAddressPools: [{ name: 'pool' }],
      loadBalancingRules: [
        {
          name: 'r',
          protocol: 'Tcp' as const,
          frontendPort: 1,
          backendPort: 1,
          frontendIPConfiguration: { id: `${ids(c, 'rg-net').lb('bad')}/frontendIPConfigurations/fe` },
          probe: { id: `${ids(c, 'rg-net').lb('bad')}/probes/missing` },
        },
      ],
    };
    await expect(c.network.loadBalancers.beginCreateOrUpdateAndWait('rg-net', 'bad', bad)).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidResourceReference',
    });
  });

  it('creates NICs with static and dynamic IPs and shows backend pool membership on the pool', async () => {
    const nic = await createNic(c, 'rg-net', 'nic1', 'service', '10.20.1.10', true);
    expect(nic.ipConfigurations?.[0]).toMatchObject({
      privateIPAddress: '10.20.1.10',
      privateIPAllocationMethod: 'Static',
      primary: true,
    });
    const dyn = await createNic(c, 'rg-net', 'nic-dyn', 'replication');
    expect(dyn.ipConfigurations?.[0].privateIPAddress).toBe('10.20.2.4');
    const pool = await c.network.loadBalancerBackendAddressPools.get('rg-net', 'ilb', 'pool');
    expect(pool.backendIPConfigurations).toEqual([{ id: `${nic.id}/ipConfigurations/ipconfig1` }]);
    const subnet = await c.network.subnets.get('rg-net', 'vnet', 'service');
    expect(subnet.ipConfigurations?.map((x) => x.id)).toContain(`${nic.id}/ipConfigurations/ipconfig1`);
    const names = [];
    for await (const n of c.network.networkInterfaces.list('rg-net')) names.push(n.name);
    for await (const n of c.network.networkInterfaces.listAll()) names.push(n.name);
    expect(names.filter((n) => n === 'nic1')).toHaveLength(2);
  });

  it('rejects a static IP outside its subnet, in use, or reserved, and a missing subnet', async () => {
    await expect(createNic(c, 'rg-net', 'nic-x', 'service', '10.20.2.10')).rejects.toMatchObject({
      statusCode: 400,
      code: 'PrivateIPAddressNotInSubnet',
    });
    await expect(createNic(c, 'rg-net', 'nic-x', 'service', '10.20.1.10')).rejects.toMatchObject({
      statusCode: 400,
      code: 'PrivateIPAddressInUse',
    });
    await expect(createNic(c, 'rg-net', 'nic-x', 'service', '10.20.1.100')).rejects.toMatchObject({
      code: 'PrivateIPAddressInUse',
    });
    await expect(createNic(c, 'rg-net', 'nic-x', 'service', '10.20.1.3')).rejects.toMatchObject({
      code: 'PrivateIPAddressInReservedRange',
    });
    await expect(createNic(c, 'rg-net', 'nic-x', 'nosuch', '10.20.1.11')).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidResourceReference',
    });
    await expect(c.network.networkInterfaces.get('rg-net', 'nic-x')).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
  });

  it('rejects a NIC without ip configurations (InvalidRequestFormat) and links an NSG to a NIC', async () => {
    await expect(
      c.network.networkInterfaces.beginCreateOrUpdateAndWait('rg-net', 'nic-empty', {
        location: LOCATION,
        ipConfigurations: [],
      }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidRequestFormat',
    });
    const nsg = await c.network.networkSecurityGroups.beginCreateOrUpdateAndWait('rg-net', 'nsg-nic', {
      location: LOCATION,
    });
    const nic = await c.network.networkInterfaces.beginCreateOrUpdateAndWait('rg-net', 'nic-nsg', {
      location: LOCATION,
      networkSecurityGroup: { id: nsg.id },
      ipConfigurations: [{ name: 'ipconfig1', subnet: { id: ids(c, 'rg-net').subnet('vnet', 'replication') } }],
    });
    expect(nic.networkSecurityGroup?.id).toBe(nsg.id);
    expect(
      (await c.network.networkSecurityGroups.get('rg-net', 'nsg-nic')).networkInterfaces?.map((n) => n.id),
    ).toEqual([nic.id]);
    await expect(
      c.network.networkInterfaces.beginCreateOrUpdateAndWait('rg-net', 'nic-badnsg', {
        location: LOCATION,
        networkSecurityGroup: { id: ids(c, 'rg-net').nsg('ghost') },
        ipConfigurations: [{ name: 'ipconfig1', subnet: { id: ids(c, 'rg-net').subnet('vnet', 'replication') } }],
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'InvalidResourceReference' });
  });

  it('updates tags with PATCH (updateTags)', async () => {
    const pip = await c.network.publicIPAddresses.updateTags('rg-net', 'pip', { tags: { role: 'witness' } });
    expect(pip.tags).toEqual({ role: 'witness' });
    expect((await c.network.publicIPAddresses.get('rg-net', 'pip')).tags).toEqual({ role: 'witness' });
  });

  it('refuses to delete a subnet in use', async () => {
    await expect(c.network.subnets.beginDeleteAndWait('rg-net', 'vnet', 'service')).rejects.toMatchObject({
      statusCode: 400,
      code: 'InUseSubnetCannotBeDeleted',
    });
  });
});
