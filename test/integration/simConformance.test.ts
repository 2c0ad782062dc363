import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../local/azure-sim';
import { conformanceFixtures } from '../support/conformanceFixtures';
import { makeSimClients, SIM_SUBSCRIPTION, type SimClients } from '../support/simClients';
import { simFetch, waitForLro } from '../support/simHttp';

/**
 * Conformance with Azure's published examples (folder arm-examples/ of the fixtures named by the environment
 * variable QWK_CONFORMANCE_FIXTURES, read in place; skipped with a notice without it): every request body is
 * accepted by the simulator as sent, and the responses carry the fields the examples' responses show.
 */
const DIR = conformanceFixtures('arm-examples', 'ARM conformance with Azure published examples (simConformance)');
const example = (f: string) => JSON.parse(readFileSync(path.join(DIR!, f), 'utf8'));

let sim: RunningSimulator;
let c: SimClients;
const LOC = 'westus';

/** Re-homes the example's ids into our subscription and resource group, and names its placeholders. */
function adapt(value: unknown, rg: string): any {
  const text = JSON.stringify(value)
    .replace(
      /\/subscriptions\/[^/"]+\/resourceGroups\/[^/"]+\//gi,
      `/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/${rg}/`,
    )
    .replace(/\{existing-nic-name\}/g, 'existing-nic')
    .replace(/\{existing-availability-set-name\}/g, 'existing-avset');
  return JSON.parse(text);
}

const armPath = (rg: string, type: string, name: string, api: string) =>
  `/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/${rg}/providers/${type}/${name}?api-version=${api}`;

/** PUT a body as sent, follow the LRO, GET the result. */
async function putAndGet(p: string, body: unknown): Promise<any> {
  const res = await simFetch(sim, 'PUT', p, body);
  expect(res.status, JSON.stringify(res.json)).toBeGreaterThanOrEqual(200);
  expect(res.status, JSON.stringify(res.json)).toBeLessThan(300);
  expect(await waitForLro(sim, res)).toBe('Succeeded');
  const got = await simFetch(sim, 'GET', p);
  expect(got.status).toBe(200);
  return got.json;
}

/** Every key of `shape` (recursively; arrays by element name or index) is present in `actual`. */
function expectShape(actual: any, shape: any, where: string, skip: Set<string> = new Set()): void {
  if (shape === null || typeof shape !== 'object') {
    expect(actual, where).not.toBeUndefined();
    return;
  }
  if (Array.isArray(shape)) {
    expect(Array.isArray(actual), `${where} is an array`).toBe(true);
    shape.forEach((el, i) => {
      const match =
        el && typeof el === 'object' && 'name' in el
          ? (actual.find((a: any) => a?.name?.toLowerCase?.() === String(el.name).toLowerCase()) ?? actual[i])
          : actual[i];
      expectShape(match, el, `${where}[${i}]`, skip);
    });
    return;
  }
  expect(actual && typeof actual === 'object', `${where} is an object`).toBe(true);
  for (const [k, v] of Object.entries(shape)) {
    if (skip.has(k)) continue;
    expect(actual, `${where}.${k}`).toHaveProperty([k]);
    expectShape(actual[k], v, `${where}.${k}`, skip);
  }
}

async function group(rg: string) {
  await c.resources.resourceGroups.createOrUpdate(rg, { location: LOC });
}

async function vnetWith(rg: string, vnet: string, subnets: string[], space = '10.0.0.0/8') {
  await c.network.virtualNetworks.beginCreateOrUpdateAndWait(rg, vnet, {
    location: LOC,
    addressSpace: { addressPrefixes: [space] },
    subnets: subnets.map((s, i) => ({ name: s, addressPrefix: `10.${i + 1}.0.0/16` })),
  });
}

beforeAll(async () => {
  if (!DIR) return;
  // metric grains run on the cluster clock: compressed here like the control plane, points readable at once
  sim = await startSimulator({
    port: 0,
    timeScale: 0.001,
    clusterTimeScale: 0.001,
    metricsDelayS: 0,
    stateDir: '.local/test-sim-conformance',
  });
  c = makeSimClients(sim);
});
afterAll(async () => {
  await sim?.stop();
});

describe.skipIf(!DIR)('resources examples', () => {
  it('CreateResourceGroup', async () => {
    const ex = example('resources/CreateResourceGroup.json');
    const res = await simFetch(
      sim,
      'PUT',
      `/subscriptions/${SIM_SUBSCRIPTION}/resourcegroups/my-resource-group?api-version=${ex.parameters['api-version']}`,
      ex.parameters.parameters,
    );
    expect(res.status).toBe(201);
    expectShape(res.json, ex.responses['201'].body, 'rg');
    expect(res.json.id).toBe(`/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/my-resource-group`);
    const again = await simFetch(
      sim,
      'PUT',
      `/subscriptions/${SIM_SUBSCRIPTION}/resourcegroups/my-resource-group?api-version=${ex.parameters['api-version']}`,
      ex.parameters.parameters,
    );
    expect(again.status).toBe(200);
  });

  it('ForceDelete*InResourceGroup: delete with forceDeletionTypes is accepted as an LRO', async () => {
    for (const f of [
      'resources/ForceDeleteVMsInResourceGroup.json',
      'resources/ForceDeleteVMsAndVMSSInResourceGroup.json',
    ]) {
      const ex = example(f);
      await group('force-rg');
      const res = await simFetch(
        sim,
        'DELETE',
        `/subscriptions/${SIM_SUBSCRIPTION}/resourcegroups/force-rg?forceDeletionTypes=${encodeURIComponent(ex.parameters.forceDeletionTypes)}&api-version=${ex.parameters['api-version']}`,
      );
      expect(res.status).toBe(202);
      expect(res.headers.location).toMatch(/\/operationresults\//);
      expect(await waitForLro(sim, res)).toBe('Succeeded');
      expect(
        (
          await simFetch(
            sim,
            'HEAD',
            `/subscriptions/${SIM_SUBSCRIPTION}/resourcegroups/force-rg?api-version=2025-04-01`,
          )
        ).status,
      ).toBe(404);
    }
  });
});

describe.skipIf(!DIR)('network examples', () => {
  it('VirtualNetworkCreateSubnet, SubnetCreate, SubnetGet', async () => {
    await group('net1');
    const ex = example('network/VirtualNetworkCreateSubnet.json');
    const vnet = await putAndGet(
      armPath('net1', 'Microsoft.Network/virtualNetworks', 'test-vnet', ex.parameters['api-version']),
      adapt(ex.parameters.parameters, 'net1'),
    );
    expectShape(vnet, adapt(ex.responses['201'].body, 'net1'), 'vnet');
    expect(vnet.properties.subnets[0].id).toBe(`${vnet.id}/subnets/test-1`);
    const sc = example('network/SubnetCreate.json');
    await c.network.virtualNetworks.beginCreateOrUpdateAndWait('net1', 'vnetname', {
      location: LOC,
      addressSpace: { addressPrefixes: ['10.0.0.0/8'] },
    });
    const subnet = await putAndGet(
      `/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/net1/providers/Microsoft.Network/virtualNetworks/vnetname/subnets/subnet1?api-version=${sc.parameters['api-version']}`,
      sc.parameters.subnetParameters,
    );
    expectShape(subnet, adapt(sc.responses['201'].body, 'net1'), 'subnet');
    expectShape(subnet, adapt(example('network/SubnetGet.json').responses['200'].body, 'net1'), 'subnetGet');
  });

  it('NetworkInterfaceCreate (with public IP), NetworkInterfaceGet, PublicIpAddressGet', async () => {
    await group('net2');
    await vnetWith('net2', 'rg1-vnet', ['default']);
    await c.network.publicIPAddresses.beginCreateOrUpdateAndWait('net2', 'test-ip', {
      location: LOC,
      sku: { name: 'Basic' },
      publicIPAllocationMethod: 'Dynamic',
      ipTags: [
        { ipTagType: 'FirstPartyUsage', tag: 'SQL' },
        { ipTagType: 'FirstPartyUsage', tag: 'Storage' },
      ],
    });
    const ex = example('network/NetworkInterfaceCreate.json');
    const nic = await putAndGet(
      armPath('net2', 'Microsoft.Network/networkInterfaces', 'test-nic', ex.parameters['api-version']),
      adapt(ex.parameters.parameters, 'net2'),
    );
    expectShape(nic, adapt(ex.responses['201'].body, 'net2'), 'nic');
    expect(nic.properties.ipConfigurations[0].properties.publicIPAddress.id).toMatch(/publicIPAddresses\/test-ip$/);
    // The Get example's NIC has an NSG and is attached to a VM: macAddress, primary and virtualMachine appear once
    // attached (sim-compute tests that), networkSecurityGroup when one is set.
    expectShape(
      nic,
      adapt(example('network/NetworkInterfaceGet.json').responses['200'].body, 'net2'),
      'nicGet',
      new Set(['macAddress', 'primary', 'virtualMachine', 'networkSecurityGroup']),
    );
    const pip = (
      await simFetch(sim, 'GET', armPath('net2', 'Microsoft.Network/publicIPAddresses', 'test-ip', '2025-10-01'))
    ).json;
    expectShape(pip, adapt(example('network/PublicIpAddressGet.json').responses['200'].body, 'net2'), 'pip');
    expect(pip.properties.ipConfiguration.id).toBe(`${nic.id}/ipConfigurations/ipconfig1`);
  });

  it('LoadBalancerCreateStandardSku, LoadBalancerGet', async () => {
    await group('net3');
    await vnetWith('net3', 'vnetlb', ['subnetlb']);
    const ex = example('network/LoadBalancerCreateStandardSku.json');
    const lb = await putAndGet(
      armPath('net3', 'Microsoft.Network/loadBalancers', 'lb', ex.parameters['api-version']),
      adapt(ex.parameters.parameters, 'net3'),
    );
    expectShape(lb, adapt(ex.responses['201'].body, 'net3'), 'lb');
    expect(lb.properties.frontendIPConfigurations[0].properties.inboundNatRules[0].id).toBe(
      `${lb.id}/inboundNatRules/in-nat-rule`,
    );
    // LoadBalancerGet shows a Basic LB with NAT pools and more; the fields of its kinds we model are present.
    const get = adapt(example('network/LoadBalancerGet.json').responses['200'].body, 'net3');
    expectShape(
      lb,
      {
        id: get.id,
        name: get.name,
        type: get.type,
        location: get.location,
        sku: get.sku,
        properties: {
          provisioningState: '',
          frontendIPConfigurations: [],
          backendAddressPools: [],
          loadBalancingRules: [],
          probes: [],
        },
      },
      'lbGet',
    );
  });

  it('NatGatewayCreateOrUpdate, NatGatewayGet', async () => {
    await group('net4');
    await c.network.publicIPAddresses.beginCreateOrUpdateAndWait('net4', 'PublicIpAddress1', {
      location: LOC,
      sku: { name: 'Standard' },
      publicIPAllocationMethod: 'Static',
    });
    const ex = example('network/NatGatewayCreateOrUpdate.json');
    const nat = await putAndGet(
      armPath('net4', 'Microsoft.Network/natGateways', 'test-natgateway', ex.parameters['api-version']),
      adapt(ex.parameters.parameters, 'net4'),
    );
    await vnetWith('net4', 'test-vnet', []);
    await c.network.subnets.beginCreateOrUpdateAndWait('net4', 'test-vnet', 'subnet1', {
      addressPrefix: '10.1.0.0/16',
      natGateway: { id: nat.id },
    });
    const after = (
      await simFetch(
        sim,
        'GET',
        armPath('net4', 'Microsoft.Network/natGateways', 'test-natgateway', ex.parameters['api-version']),
      )
    ).json;
    expectShape(after, adapt(ex.responses['201'].body, 'net4'), 'nat');
    expectShape(after, adapt(example('network/NatGatewayGet.json').responses['200'].body, 'net4'), 'natGet');
  });
});

describe.skipIf(!DIR)('compute examples', () => {
  beforeAll(async () => {
    await group('myResourceGroup');
    await vnetWith('myResourceGroup', 'vnet', ['default']);
    for (const nic of ['existing-nic', 'nic-2']) {
      await c.network.networkInterfaces.beginCreateOrUpdateAndWait('myResourceGroup', nic, {
        location: LOC,
        ipConfigurations: [
          {
            name: 'ipconfig1',
            subnet: {
              id: `/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/myResourceGroup/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default`,
            },
          },
        ],
      });
    }
    await c.compute.availabilitySets.createOrUpdate('myResourceGroup', 'existing-avset', {
      location: LOC,
      platformFaultDomainCount: 2,
      platformUpdateDomainCount: 5,
      sku: { name: 'Aligned' },
    });
  });

  it('VirtualMachine_Create_InAnAvailabilitySet, VirtualMachine_Get', async () => {
    const ex = example('compute/VirtualMachine_Create_InAnAvailabilitySet.json');
    const vm = await putAndGet(
      armPath('myResourceGroup', 'Microsoft.Compute/virtualMachines', 'myVM', ex.parameters['api-version']),
      adapt(ex.parameters.parameters, 'myResourceGroup'),
    );
    expectShape(vm, adapt(ex.responses['201'].body, 'myResourceGroup'), 'vm');
    expect(vm.properties.osProfile.adminPassword).toBeUndefined();
    const get = adapt(example('compute/VirtualMachine_Get.json').responses['200'].body, 'myResourceGroup');
    expectShape(
      vm,
      {
        id: get.id,
        name: get.name,
        type: get.type,
        location: get.location,
        properties: {
          vmId: '',
          hardwareProfile: {},
          storageProfile: {
            imageReference: {},
            osDisk: {
              osType: '',
              name: '',
              createOption: '',
              caching: '',
              managedDisk: { id: '', storageAccountType: '' },
            },
            dataDisks: [],
          },
          osProfile: { computerName: '', adminUsername: '', secrets: [] },
          networkProfile: { networkInterfaces: [] },
          provisioningState: '',
        },
      },
      'vmGet',
    );
  });

  it('AvailabilitySet_Get_* (with the VM created above in it)', async () => {
    const a = (
      await simFetch(
        sim,
        'GET',
        armPath('myResourceGroup', 'Microsoft.Compute/availabilitySets', 'existing-avset', '2025-11-01'),
      )
    ).json;
    expectShape(
      a,
      adapt(example('compute/AvailabilitySet_Get_MinimumSet_Gen.json').responses['200'].body, 'myResourceGroup'),
      'avsetMin',
    );
    const max = adapt(
      example('compute/AvailabilitySet_Get_MaximumSet_Gen.json').responses['200'].body,
      'myResourceGroup',
    );
    // The generated "MaximumSet" example fills every optional field; those of features we do not model (proximity
    // placement, scheduled events, statuses, sku tier/capacity) are left out.
    expectShape(
      a,
      max,
      'avsetMax',
      new Set([
        'proximityPlacementGroup',
        'statuses',
        'scheduledEventsPolicy',
        'virtualMachineScaleSetMigrationInfo',
        'tags',
        'tier',
        'capacity',
      ]),
    );
  });

  it('VirtualMachine_Create_WithEmptyDataDisks, VirtualMachine_Get_InstanceView, VirtualMachine_Restart, VirtualMachineRunCommand, VirtualMachine_Delete_Force', async () => {
    const ex = example('compute/VirtualMachine_Create_WithEmptyDataDisks.json');
    const body = adapt(ex.parameters.parameters, 'myResourceGroup');
    body.properties.networkProfile.networkInterfaces[0].id =
      body.properties.networkProfile.networkInterfaces[0].id.replace('existing-nic', 'nic-2');
    const vm = await putAndGet(
      armPath('myResourceGroup', 'Microsoft.Compute/virtualMachines', 'myVM2', ex.parameters['api-version']),
      body,
    );
    expectShape(vm, adapt(ex.responses['201'].body, 'myResourceGroup'), 'vmDisks');
    const base = `/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/virtualMachines/myVM2`;
    const iv = (
      await simFetch(
        sim,
        'GET',
        `/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/virtualMachines/myVM2/instanceView?api-version=2025-04-01`,
      )
    ).json;
    // Fields of features we do not model (boot diagnostics, extensions, patching, standby pools) are left out.
    expectShape(
      iv,
      example('compute/VirtualMachine_Get_InstanceView.json').responses['200'].body,
      'instanceView',
      new Set(['bootDiagnostics', 'extensions', 'patchStatus', 'isVMInStandbyPool', 'extensionHandlers']),
    );
    const restart = await simFetch(sim, 'POST', `${base}/restart?api-version=2025-11-01`);
    expect(restart.status).toBe(202);
    expect(restart.headers.location).toBeDefined();
    expect(await waitForLro(sim, restart)).toBe('Succeeded');
    const rc = example('compute/VirtualMachineRunCommand.json');
    const run = await simFetch(
      sim,
      'POST',
      `${base}/runCommand?api-version=${rc.parameters['api-version']}`,
      rc.parameters.parameters,
    );
    expect(run.status).toBe(202);
    expect(await waitForLro(sim, run)).toBe('Succeeded');
    const result = await simFetch(sim, 'GET', run.headers.location as string);
    expect(result.status).toBe(200);
    expectShape(result.json, { value: [rc.responses['200'].body.value[0]] }, 'runCommand');
    // managed Run Commands (runCommands sub-resource): the example's body (a script by URI) is accepted
    const mrc = example('compute/VirtualMachineRunCommand_CreateOrUpdate.json');
    const managed = await putAndGet(
      `${base}/runCommands/myRunCommand?api-version=${mrc.parameters['api-version']}`,
      mrc.parameters.runCommand,
    );
    // the example's response shows tags its request does not set
    expectShape(managed, adapt(mrc.responses['201'].body, 'myResourceGroup'), 'managedRunCommand', new Set(['tags']));
    expect(managed.properties.runAsPassword).toBeUndefined();
    expect(managed.id).toBe(`${vm.id}/runCommands/myRunCommand`);
    const mget = example('compute/VirtualMachineRunCommand_Get.json');
    expectShape(managed, mget.responses['200'].body, 'managedRunCommandGet', new Set(['tags', 'script']));
    const del = await simFetch(sim, 'DELETE', `${base}?forceDeletion=true&api-version=2025-11-01`);
    expect(del.status).toBe(202);
    expect(await waitForLro(sim, del)).toBe('Succeeded');
    expect((await simFetch(sim, 'GET', `${base}?api-version=2025-11-01`)).status).toBe(404);
  });
});

describe.skipIf(!DIR)('data-plane examples', () => {
  it('SetSecret, GetSecret (Key Vault)', async () => {
    const set = example('keyvault/SetSecret-example.json');
    const res = await simFetch(
      sim,
      'PUT',
      `/secrets/crpsecret?api-version=${set.parameters['api-version']}`,
      set.parameters.parameters,
    );
    expect(res.status).toBe(200);
    expectShape(res.json, set.responses['200'].body, 'setSecret');
    const get = example('keyvault/GetSecret-example.json');
    const version = res.json.id.split('/').pop();
    const got = await simFetch(
      sim,
      'GET',
      `/secrets/crpsecret/${version}?api-version=${get.parameters['api-version']}`,
    );
    expectShape(got.json, get.responses['200'].body, 'getSecret');
    expect(got.json.value).toBe(set.parameters.parameters.value);
  });

  it('MetricBatchExample: the batch response has the example shape (for a load balancer)', async () => {
    await group('mon');
    await vnetWith('mon', 'vnet', ['s']);
    await c.network.loadBalancers.beginCreateOrUpdateAndWait('mon', 'lb', {
      location: LOC,
      frontendIPConfigurations: [
        {
          name: 'fe',
          subnet: {
            id: `/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/mon/providers/Microsoft.Network/virtualNetworks/vnet/subnets/s`,
          },
        },
      ],
      backendAddressPools: [{ name: 'pool' }],
      probes: [{ name: 'p', protocol: 'Tcp', port: 1 }],
    });
    await c.network.networkInterfaces.beginCreateOrUpdateAndWait('mon', 'n', {
      location: LOC,
      ipConfigurations: [
        {
          name: 'ipconfig1',
          subnet: {
            id: `/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/mon/providers/Microsoft.Network/virtualNetworks/vnet/subnets/s`,
          },
          loadBalancerBackendAddressPools: [
            {
              id: `/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/mon/providers/Microsoft.Network/loadBalancers/lb/backendAddressPools/pool`,
            },
          ],
        },
      ],
    });
    const ex = example('monitor/MetricBatchExample.json');
    const end = new Date();
    const start = new Date(end.getTime() - 300);
    const q = new URLSearchParams({
      'api-version': ex.parameters['api-version'],
      metricnamespace: 'Microsoft.Network/loadBalancers',
      metricnames: 'DipAvailability',
      starttime: start.toISOString(),
      endtime: end.toISOString(),
      interval: 'PT1M',
      aggregation: ex.parameters.aggregation,
      filter: "BackendIPAddress eq '*'",
    });
    const res = await simFetch(sim, 'POST', `/subscriptions/${SIM_SUBSCRIPTION}/metrics:getBatch?${q.toString()}`, {
      resourceids: [
        `/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/mon/providers/Microsoft.Network/loadBalancers/lb`,
      ],
    });
    expect(res.status).toBe(200);
    const shape = ex.responses['200'].body.values[0];
    const metricShape = {
      ...shape.value[0],
      timeseries: [
        {
          metadatavalues: [shape.value[0].timeseries[0].metadatavalues[0]],
          data: [shape.value[0].timeseries[0].data[0]],
        },
      ],
    };
    expectShape(res.json.values[0], { ...shape, value: [metricShape] }, 'metrics');
  });
});
