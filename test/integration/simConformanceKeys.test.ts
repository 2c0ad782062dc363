/**
 * An ARM GET returns every property the PUT set that Azure returns (issue 8, item 7), top-level ones included.
 * For each published create example (x-ms-examples, fixtures read from QWK_CONFORMANCE_FIXTURES/arm-examples),
 * the request body is PUT as sent and the GET compared with the example's response key by key: every key path the
 * request set and the example response shows is in the GET, with the same value where the example echoes it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../local/azure-sim';
import { makeSimClients, SIM_SUBSCRIPTION, type SimClients } from '../support/simClients';
import { simFetch, waitForLro } from '../support/simHttp';

const FIXTURES = process.env.QWK_CONFORMANCE_FIXTURES;
const DIR = FIXTURES ? path.join(FIXTURES, 'arm-examples') : '';
const enabled = FIXTURES !== undefined && existsSync(DIR);
if (!enabled) {
  console.log(
    'simConformanceKeys: SKIPPED — set QWK_CONFORMANCE_FIXTURES to the folder holding arm-examples/ ' +
      '(the published Azure REST examples) to run the key-by-key conformance of ARM GETs.',
  );
}

const example = (f: string) => JSON.parse(readFileSync(path.join(DIR, f), 'utf8'));
const LOC = 'westus';
let sim: RunningSimulator;
let c: SimClients;

function adapt(value: unknown, rg: string): any {
  return JSON.parse(
    JSON.stringify(value)
      .replace(
        /\/subscriptions\/[^/"]+\/resourceGroups\/[^/"]+\//gi,
        `/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/${rg}/`,
      )
      .replace(/\{existing-nic-name\}/g, 'existing-nic')
      .replace(/\{existing-availability-set-name\}/g, 'existing-avset'),
  );
}

const armPath = (rg: string, type: string, name: string, api: string) =>
  `/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/${rg}/providers/${type}/${name}?api-version=${api}`;

const same = (a: unknown, b: unknown, key: string) =>
  typeof a === 'string' && typeof b === 'string'
    ? key === 'location'
      ? a.replace(/\s+/g, '').toLowerCase() === b.replace(/\s+/g, '').toLowerCase()
      : a.toLowerCase() === b.toLowerCase()
    : JSON.stringify(a) === JSON.stringify(b);

/** Key paths the request set and the example response returns, missing (or different) in the actual GET. */
export function missingKeys(request: any, response: any, actual: any, where = '', key = ''): string[] {
  if (response === undefined) return [];
  if (request === null || typeof request !== 'object') {
    if (actual === undefined) return [where];
    return same(request, response, key) && !same(request, actual, key)
      ? [`${where}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(request)}`]
      : [];
  }
  if (actual === undefined || actual === null) return [where];
  if (Array.isArray(request)) {
    if (!Array.isArray(response) || !Array.isArray(actual)) return Array.isArray(actual) ? [] : [where];
    return request.flatMap((el, i) => {
      const byName = (list: any[]) =>
        el && typeof el === 'object' && 'name' in el
          ? list.find((x) => String(x?.name).toLowerCase() === String(el.name).toLowerCase())
          : list[i];
      return missingKeys(el, byName(response), byName(actual), `${where}[${i}]`, key);
    });
  }
  return Object.keys(request).flatMap((k) =>
    missingKeys(request[k], response?.[k], actual?.[k], where ? `${where}.${k}` : k, k),
  );
}

async function putAndGet(p: string, body: unknown): Promise<any> {
  const res = await simFetch(sim, 'PUT', p, body);
  expect(res.status, JSON.stringify(res.json)).toBeLessThan(300);
  expect(await waitForLro(sim, res)).toBe('Succeeded');
  return (await simFetch(sim, 'GET', p)).json;
}

/** PUTs the example's request as sent, GETs it, and compares with the example's response key by key. */
async function checkExample(file: string, rg: string, type: string, name: string, bodyParam = 'parameters') {
  const ex = example(file);
  const request = adapt(ex.parameters[bodyParam], rg);
  const got = await putAndGet(armPath(rg, type, name, ex.parameters['api-version']), request);
  const response = adapt(ex.responses['201']?.body ?? ex.responses['200'].body, rg);
  expect(missingKeys(request, response, got), `${file}: GET lacks what the PUT set`).toEqual([]);
  return got;
}

async function group(rg: string) {
  await c.resources.resourceGroups.createOrUpdate(rg, { location: LOC });
}
async function vnetWith(rg: string, vnet: string, subnets: string[]) {
  await c.network.virtualNetworks.beginCreateOrUpdateAndWait(rg, vnet, {
    location: LOC,
    addressSpace: { addressPrefixes: ['10.0.0.0/8'] },
    subnets: subnets.map((s, i) => ({ name: s, addressPrefix: `10.${i + 1}.0.0/16` })),
  });
}

describe.runIf(enabled)('ARM GET returns what the PUT set (published examples, key by key)', () => {
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, timeScale: 0.001, stateDir: '.local/test-sim-conformance-keys' });
    c = makeSimClients(sim);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('the comparison finds a dropped key and a changed value', () => {
    const req = { location: 'West US', tags: { a: '1' }, properties: { x: { y: 1 } } };
    const res = { location: 'westus', tags: { a: '1' }, properties: { x: { y: 1 } } };
    expect(missingKeys(req, res, { location: 'westus', properties: { x: { y: 1 } } })).toEqual(['tags']);
    expect(missingKeys(req, res, { location: 'westus', tags: { a: '2' }, properties: { x: {} } })).toEqual([
      'tags.a: "2" ≠ "1"',
      'properties.x.y',
    ]);
  });

  it('network: VirtualNetworkCreateSubnet, NetworkInterfaceCreate, LoadBalancerCreateStandardSku, NatGatewayCreateOrUpdate', async () => {
    await group('k1');
    await checkExample(
      'network/VirtualNetworkCreateSubnet.json',
      'k1',
      'Microsoft.Network/virtualNetworks',
      'test-vnet',
    );
    await vnetWith('k1', 'rg1-vnet', ['default']);
    await c.network.publicIPAddresses.beginCreateOrUpdateAndWait('k1', 'test-ip', {
      location: LOC,
      sku: { name: 'Basic' },
      publicIPAllocationMethod: 'Dynamic',
    });
    await checkExample('network/NetworkInterfaceCreate.json', 'k1', 'Microsoft.Network/networkInterfaces', 'test-nic');
    await vnetWith('k1', 'vnetlb', ['subnetlb']);
    await checkExample('network/LoadBalancerCreateStandardSku.json', 'k1', 'Microsoft.Network/loadBalancers', 'lb');
    await c.network.publicIPAddresses.beginCreateOrUpdateAndWait('k1', 'PublicIpAddress1', {
      location: LOC,
      sku: { name: 'Standard' },
      publicIPAllocationMethod: 'Static',
    });
    await checkExample(
      'network/NatGatewayCreateOrUpdate.json',
      'k1',
      'Microsoft.Network/natGateways',
      'test-natgateway',
    );
  });

  it('compute: VirtualMachine_Create_InAnAvailabilitySet, VirtualMachine_Create_WithEmptyDataDisks', async () => {
    const rg = 'myResourceGroup';
    await group(rg);
    await vnetWith(rg, 'vnet', ['default']);
    for (const nic of ['existing-nic', 'nic-2']) {
      await c.network.networkInterfaces.beginCreateOrUpdateAndWait(rg, nic, {
        location: LOC,
        ipConfigurations: [
          {
            name: 'ipconfig1',
            subnet: {
              id: `/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default`,
            },
          },
        ],
      });
    }
    await c.compute.availabilitySets.createOrUpdate(rg, 'existing-avset', {
      location: LOC,
      platformFaultDomainCount: 2,
      platformUpdateDomainCount: 5,
      sku: { name: 'Aligned' },
    });
    await checkExample(
      'compute/VirtualMachine_Create_InAnAvailabilitySet.json',
      rg,
      'Microsoft.Compute/virtualMachines',
      'myVM',
    );
    await simFetch(sim, 'DELETE', armPath(rg, 'Microsoft.Compute/virtualMachines', 'myVM', '2025-11-01'));
    await new Promise((r) => setTimeout(r, 200));
    await checkExample(
      'compute/VirtualMachine_Create_WithEmptyDataDisks.json',
      rg,
      'Microsoft.Compute/virtualMachines',
      'myVM2',
    );
  });

  it('top-level properties: a VM keeps zones, identity (with the ids Azure adds), plan and tags; a public IP its sku and zones', async () => {
    const rg = 'k3';
    await group(rg);
    await vnetWith(rg, 'vnet', ['default']);
    const subnet = `/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default`;
    await c.network.networkInterfaces.beginCreateOrUpdateAndWait(rg, 'nic', {
      location: LOC,
      ipConfigurations: [{ name: 'ipconfig1', subnet: { id: subnet } }],
    });
    const uai = `/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ops`;
    const body = {
      location: LOC,
      zones: ['2'],
      tags: { creator: 'qwk-ops' },
      identity: { type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { [uai]: {} } },
      plan: { name: 'lifekeeper', publisher: 'sios', product: 'lk-linux' },
      properties: {
        hardwareProfile: { vmSize: 'Standard_B2s' },
        storageProfile: {
          imageReference: { publisher: 'RedHat', offer: 'RHEL', sku: '92-gen2', version: 'latest' },
          osDisk: { createOption: 'FromImage' },
        },
        osProfile: { computerName: 'vm1', adminUsername: 'lkadmin', adminPassword: 'Sim-Passw0rd!' },
        networkProfile: {
          networkInterfaces: [
            {
              id: `/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.Network/networkInterfaces/nic`,
            },
          ],
        },
      },
    };
    const vm = await putAndGet(armPath(rg, 'Microsoft.Compute/virtualMachines', 'vm1', '2025-04-01'), body);
    expect(vm).toMatchObject({ zones: ['2'], tags: { creator: 'qwk-ops' }, plan: body.plan });
    expect(vm.identity).toMatchObject({ type: 'SystemAssigned, UserAssigned' });
    expect(vm.identity.principalId).toMatch(/^[0-9a-f-]{36}$/);
    expect(vm.identity.tenantId).toMatch(/^[0-9a-f-]{36}$/);
    expect(vm.identity.userAssignedIdentities[uai]).toMatchObject({
      principalId: expect.any(String),
      clientId: expect.any(String),
    });
    // the SDK sees them too, and a re-PUT keeps the identity's ids
    const sdk = await c.compute.virtualMachines.get(rg, 'vm1');
    expect(sdk.identity?.principalId).toBe(vm.identity.principalId);
    expect(sdk.zones).toEqual(['2']);
    const again = await putAndGet(armPath(rg, 'Microsoft.Compute/virtualMachines', 'vm1', '2025-04-01'), {
      ...body,
      tags: { creator: 'qwk-ops', pass: '2' },
    });
    expect(again.identity.principalId).toBe(vm.identity.principalId);
    const pip = await putAndGet(armPath(rg, 'Microsoft.Network/publicIPAddresses', 'pip', '2025-10-01'), {
      location: LOC,
      sku: { name: 'Standard', tier: 'Regional' },
      zones: ['1', '2', '3'],
      tags: { creator: 'qwk-ops' },
      properties: { publicIPAllocationMethod: 'Static' },
    });
    expect(pip).toMatchObject({
      sku: { name: 'Standard', tier: 'Regional' },
      zones: ['1', '2', '3'],
      tags: { creator: 'qwk-ops' },
    });
    // a list by resource group shows them as well
    const listed = (
      await simFetch(
        sim,
        'GET',
        `/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/${rg}/resources?api-version=2025-04-01`,
      )
    ).json.value;
    expect(listed.find((r: any) => r.name === 'vm1')).toMatchObject({
      zones: ['2'],
      plan: body.plan,
      identity: { type: 'SystemAssigned, UserAssigned' },
    });
  });

  it('a bad identity type is refused with nothing created', async () => {
    const rg = 'k3';
    const res = await simFetch(sim, 'PUT', armPath(rg, 'Microsoft.Compute/virtualMachines', 'vm-bad', '2025-04-01'), {
      location: LOC,
      identity: { type: 'Everything' },
      properties: {
        hardwareProfile: { vmSize: 'Standard_B2s' },
        storageProfile: {
          imageReference: { publisher: 'RedHat', offer: 'RHEL', sku: '92-gen2', version: 'latest' },
          osDisk: { createOption: 'FromImage' },
        },
        osProfile: { computerName: 'vm2', adminUsername: 'lkadmin', adminPassword: 'Sim-Passw0rd!' },
        networkProfile: {
          networkInterfaces: [
            {
              id: `/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.Network/networkInterfaces/nic2`,
            },
          ],
        },
      },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.target ?? res.json.error.message).toMatch(/identity/);
    expect(
      (await simFetch(sim, 'GET', armPath(rg, 'Microsoft.Compute/virtualMachines', 'vm-bad', '2025-04-01'))).status,
    ).toBe(404);
  });
});
