/**
 * Issue 4 end to end: the real app on the local host + Durable engine, Azurite and the Azure simulator, driven
 * through HTTP; the result checked with ARM GETs through the real SDK clients. These deployments build the Azure
 * infrastructure only (`configure: false`); deploy-configure.test.ts covers the nodes' configuration.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SUBSCRIPTION_ID, startStack, type RunningStack } from '../../local/stack';
import { makeSimClients, type SimClients } from '../support/simClients';
import {
  INSTALLER_LOCATION,
  listDeployments,
  post,
  seedInfraSpec as seedSpec,
  waitForDeployment,
  type Api,
} from '../support/deployments';

const KEY = 'e2e-function-key';
let stack: RunningStack;
let api: Api;
let arm: SimClients;

beforeAll(async () => {
  stack = await startStack({
    sim: { port: 0, timeScale: 0.002, stateDir: mkdtempSync(path.join(tmpdir(), 'qwk-e2e-')) },
    host: { port: 0, functionKey: KEY },
    settings: { QWK_RETRY_BASE_MS: '50', QWK_RETRY_CAP_MS: '500' },
  });
  api = { baseUrl: stack.host!.baseUrl, key: KEY };
  arm = makeSimClients(stack.sim, LOCAL_SUBSCRIPTION_ID);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const armCalls = (rg: string) =>
  stack.sim.journal().filter((o) => o.resourceId.toLowerCase().includes(`/resourcegroups/${rg.toLowerCase()}`));

describe('POST /api/deployments with the seed spec', () => {
  it('deploys to Completed and Azure then holds exactly the seed resources with the seed values', async () => {
    const res = await post(api, seedSpec());
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(res.json.statusUrl);
    const view = await waitForDeployment(api, res.json.id);
    expect(view).toMatchObject({ runtimeStatus: 'Completed', phase: 'completed', progress: { done: 20, total: 20 } });
    expect(view.steps.every((s: any) => s.status === 'succeeded' && s.attempts === 1 && s.startedAt && s.endedAt)).toBe(
      true,
    );

    const rg = 'LKL-QWK-storage';
    const group = await arm.resources.resourceGroups.get(rg);
    expect(group.location).toBe('japaneast');
    const vnet = await arm.network.virtualNetworks.get(rg, 'LKL-QWK-storage-Vnet');
    expect(vnet.addressSpace?.addressPrefixes).toEqual(['10.5.0.0/16']);
    expect(Object.fromEntries((vnet.subnets ?? []).map((s) => [s.name, s.addressPrefix]))).toEqual({
      'LKL-QWK-storage-subnet1': '10.5.1.0/24',
      'LKL-QWK-storage-subnet2': '10.5.2.0/24',
    });
    const avset = await arm.compute.availabilitySets.get(rg, 'LKL-QWK-storage-availability');
    expect([avset.platformFaultDomainCount, avset.platformUpdateDomainCount, avset.sku?.name]).toEqual([
      2,
      5,
      'Aligned',
    ]);

    const nics: Record<string, string> = {};
    for await (const nic of arm.network.networkInterfaces.list(rg)) {
      nics[nic.name!] = nic
        .ipConfigurations!.map((c) => `${c.privateIPAddress}/${c.privateIPAllocationMethod}`)
        .join(',');
    }
    expect(nics).toEqual({
      'Clstr-nodeA-nic': '10.5.1.11/Static',
      'Clstr-nodeB-nic': '10.5.1.12/Static',
      'Witness-node-nic': '10.5.1.20/Static',
      'Clstr-nodeA-Vnet': '10.5.2.11/Static',
      'Clstr-nodeB-Vnet': '10.5.2.12/Static',
      'Witness-node-Vnet': '10.5.2.20/Static',
    });

    const lb = await arm.network.loadBalancers.get(rg, 'LKL-QWK-storage-ILB');
    expect(lb.sku?.name).toBe('Standard');
    expect(lb.frontendIPConfigurations?.map((f) => [f.name, f.privateIPAddress, f.privateIPAllocationMethod])).toEqual([
      ['LKL-QWK-storage-FEIP', '10.5.1.100', 'Static'],
    ]);
    expect(lb.frontendIPConfigurations?.[0]?.subnet?.id).toMatch(/LKL-QWK-storage-subnet1$/);
    expect(lb.probes?.map((p) => [p.name, p.protocol, p.port, p.intervalInSeconds])).toEqual([
      ['LKL-QWK-storage-probe', 'Tcp', 12345, 5],
    ]);
    expect(lb.loadBalancingRules?.map((r) => [r.name, r.frontendPort, r.backendPort, r.enableFloatingIP])).toEqual([
      ['LKL-QWK-storage-rule', 5432, 5432, true],
    ]);
    const pool = lb.backendAddressPools?.find((p) => p.name === 'LKL-QWK-storage-BEP');
    expect((pool?.backendIPConfigurations ?? []).map((c) => c.id!.split('/')[8]).sort()).toEqual([
      'Clstr-nodeA-nic',
      'Clstr-nodeB-nic',
    ]);

    const vms: Record<string, unknown> = {};
    for await (const vm of arm.compute.virtualMachines.list(rg)) {
      vms[vm.name!] = {
        size: vm.hardwareProfile?.vmSize,
        osDisk: vm.storageProfile?.osDisk?.managedDisk?.storageAccountType,
        data: vm.storageProfile?.dataDisks?.map((d) => d.diskSizeGB),
        avset: vm.availabilitySet?.id?.split('/').pop() ?? null,
        user: vm.osProfile?.adminUsername,
        ssh: vm.osProfile?.linuxConfiguration?.disablePasswordAuthentication,
        nics: vm.networkProfile?.networkInterfaces?.map((n) => `${n.id!.split('/').pop()}${n.primary ? '*' : ''}`),
      };
    }
    const node = (name: string) => ({
      size: 'Standard_B2s',
      osDisk: 'StandardSSD_LRS',
      data: [16],
      avset: 'LKL-QWK-storage-availability',
      user: 'lkadmin',
      ssh: true,
      nics: [`${name}-nic*`, `${name}-Vnet`],
    });
    expect(vms).toEqual({
      'Clstr-nodeA': node('Clstr-nodeA'),
      'Clstr-nodeB': node('Clstr-nodeB'),
      'Witness-node': { ...node('Witness-node'), data: [], avset: null },
    });
  }, 300_000);

  it('lists deployments newest first without steps', async () => {
    const list = await listDeployments(api);
    expect(list.length).toBeGreaterThan(0);
    expect(list[0]).not.toHaveProperty('steps');
    const times = list.map((d) => d.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });
});

describe('bad input', () => {
  const cases: [string, unknown, string][] = [
    ['vnet CIDR', { network: { addressSpace: '10.5.0.0/33' } }, 'network.addressSpace'],
    [
      'subnet outside the VNet',
      { network: { subnets: { service: { addressPrefix: '10.6.1.0/24' } } } },
      'network.subnets.service.addressPrefix',
    ],
    ['static IP outside its subnet', { nodes: [{ serviceIp: '10.5.2.11' }, {}] }, 'nodes[0].serviceIp'],
    ['Azure-reserved IP', { nodes: [{}, { serviceIp: '10.5.1.1' }] }, 'nodes[1].serviceIp'],
    ['probe port = service port', { loadBalancer: { probe: { port: 5432 } } }, 'loadBalancer.probe.port'],
    ['HBEATTIME out of range', { qwk: { hbeatTime: 11 } }, 'qwk.hbeatTime'],
    ['SSH open to the internet', { witness: { sshSourceCidr: '0.0.0.0/0' } }, 'witness.sshSourceCidr'],
    ['unknown field', { nodez: [] }, 'nodez'],
  ];

  it.each(cases)('%s → 400 with its path, and nothing starts', async (_name, spec, expectedPath) => {
    const before = { calls: stack.sim.journal().length, deployments: (await listDeployments(api)).length };
    const body = { ...seedSpec(), ...(spec as object), resourceGroup: 'qwk-bad-input' };
    if ((spec as any).witness) body.witness = (spec as any).witness;
    const res = await post(api, body);
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: any) => e.path)).toContain(expectedPath);
    expect(res.json.errors.every((e: any) => typeof e.message === 'string' && e.message.length > 10)).toBe(true);
    expect(stack.sim.journal().length).toBe(before.calls);
    expect((await listDeployments(api)).length).toBe(before.deployments);
  });

  it('configuring the nodes needs the installer location → 400 naming it, and nothing starts', async () => {
    const before = stack.sim.journal().length;
    const res = await post(api, { witness: { sshSourceCidr: '203.0.113.0/24' }, resourceGroup: 'qwk-no-installer' });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([
      { path: 'lifeKeeper.installerLocation', message: expect.stringContaining('configure: false') },
    ]);
    expect(stack.sim.journal().length).toBe(before);
  });

  it('configuring the nodes needs the license in Key Vault → 400 naming the secret, and no ARM call', async () => {
    const before = stack.sim.journal().filter((o) => !o.op.startsWith('secrets.')).length;
    const res = await post(api, {
      witness: { sshSourceCidr: '203.0.113.0/24' },
      lifeKeeper: { installerLocation: INSTALLER_LOCATION },
      resourceGroup: 'qwk-no-license',
    });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([
      {
        path: 'lifeKeeper.licenseSecretName',
        message: expect.stringMatching(/has no secret 'lifekeeper-license'.*az keyvault secret set/),
      },
    ]);
    expect(stack.sim.journal().filter((o) => !o.op.startsWith('secrets.')).length).toBe(before);
  });

  it('a body that is not JSON → 400', async () => {
    const res = await post(api, undefined, '{"witness":');
    expect(res.status).toBe(400);
    expect(res.json.errors[0].message).toMatch(/not valid JSON/);
  });

  it('no function key → 401', async () => {
    const res = await fetch(`${api.baseUrl}/api/deployments`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
  });
});

describe('concurrency', () => {
  it('two concurrent POSTs for one resource group → one 202, one 409 naming the running deployment', async () => {
    const spec = seedSpec({ resourceGroup: 'qwk-concurrent' });
    const [a, b] = await Promise.all([post(api, spec), post(api, spec)]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([202, 409]);
    const accepted = a.status === 202 ? a : b;
    const refused = a.status === 202 ? b : a;
    expect(refused.json.id).toBe(accepted.json.id);
    expect((await waitForDeployment(api, accepted.json.id)).runtimeStatus).toBe('Completed');
    const again = await post(api, spec);
    expect(again.status).toBe(202);
    expect((await waitForDeployment(api, again.json.id)).runtimeStatus).toBe('Completed');
  }, 300_000);
});

describe('faults', () => {
  it('429, 5xx and AnotherOperationInProgress are retried and the deployment still completes', async () => {
    const rg = 'qwk-transient';
    stack.sim.faults.add({
      method: 'PUT',
      resourceType: 'virtualNetworks',
      kind: 'throttle',
      times: 2,
      retryAfterSeconds: 1,
    });
    stack.sim.faults.add({ method: 'PUT', resourceType: 'loadBalancers', kind: 'serviceUnavailable', times: 1 });
    stack.sim.faults.add({
      method: 'PUT',
      resourceType: 'networkInterfaces',
      name: 'Clstr-nodeA-nic',
      kind: 'anotherOperationInProgress',
      times: 2,
    });
    stack.sim.faults.add({ method: 'PUT', resourceType: 'availabilitySets', kind: 'serverError', times: 1 });
    const res = await post(api, seedSpec({ resourceGroup: rg }));
    const view = await waitForDeployment(api, res.json.id, 240_000);
    expect(view.runtimeStatus).toBe('Completed');
    const nicA = view.steps.find((s: any) => s.name === 'nic:Clstr-nodeA:service');
    expect(nicA.attempts).toBe(3); // the SDK does not retry 409: the orchestration did, twice
    const failedCalls = armCalls(rg).filter((o) => o.method === 'PUT' && o.httpStatus && o.httpStatus >= 400);
    expect(failedCalls.map((o) => o.httpStatus).sort()).toEqual([409, 409, 429, 429, 500, 503]);
  }, 300_000);

  it('a fatal error fails fast with its code and step; once the cause is gone a re-POST completes without duplicates', async () => {
    const rg = 'qwk-fatal';
    const sub = LOCAL_SUBSCRIPTION_ID;
    // Someone else holds nodeA's static IP in the service subnet.
    await arm.resources.resourceGroups.createOrUpdate(rg, { location: 'japaneast' });
    await arm.network.virtualNetworks.beginCreateOrUpdateAndWait(rg, 'LKL-QWK-storage-Vnet', {
      location: 'japaneast',
      addressSpace: { addressPrefixes: ['10.5.0.0/16'] },
      subnets: [
        { name: 'LKL-QWK-storage-subnet1', addressPrefix: '10.5.1.0/24' },
        { name: 'LKL-QWK-storage-subnet2', addressPrefix: '10.5.2.0/24' },
      ],
    });
    const subnet = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/LKL-QWK-storage-Vnet/subnets/LKL-QWK-storage-subnet1`;
    await arm.network.networkInterfaces.beginCreateOrUpdateAndWait(rg, 'squatter-nic', {
      location: 'japaneast',
      ipConfigurations: [
        {
          name: 'ipconfig1',
          privateIPAllocationMethod: 'Static',
          privateIPAddress: '10.5.1.11',
          subnet: { id: subnet },
        },
      ],
    });

    const first = await post(api, seedSpec({ resourceGroup: rg }));
    const failed = await waitForDeployment(api, first.json.id);
    expect(failed).toMatchObject({
      runtimeStatus: 'Failed',
      phase: 'failed',
      error: { step: 'nic:Clstr-nodeA:service', code: 'PrivateIPAddressInUse' },
    });
    expect(failed.error.message).toMatch(/choose a free address/);
    expect(failed.steps.find((s: any) => s.name === 'nic:Clstr-nodeA:service')).toMatchObject({
      status: 'failed',
      attempts: 1,
    });
    expect(failed.steps.filter((s: any) => s.name.startsWith('vm:')).map((s: any) => s.status)).toEqual([
      'skipped',
      'skipped',
      'skipped',
    ]);

    await arm.network.networkInterfaces.beginDeleteAndWait(rg, 'squatter-nic');
    const second = await post(api, seedSpec({ resourceGroup: rg }));
    expect(second.status).toBe(202);
    expect((await waitForDeployment(api, second.json.id)).runtimeStatus).toBe('Completed');

    const nics: string[] = [];
    for await (const nic of arm.network.networkInterfaces.list(rg)) nics.push(nic.name!);
    const vms: string[] = [];
    for await (const vm of arm.compute.virtualMachines.list(rg)) vms.push(vm.name!);
    expect(nics.sort()).toEqual([
      'Clstr-nodeA-Vnet',
      'Clstr-nodeA-nic',
      'Clstr-nodeB-Vnet',
      'Clstr-nodeB-nic',
      'Witness-node-Vnet',
      'Witness-node-nic',
    ]);
    expect(vms.sort()).toEqual(['Clstr-nodeA', 'Clstr-nodeB', 'Witness-node']);

    // A third run over a complete cluster re-PUTs nothing it should not: no VM is created again.
    const creates = () => armCalls(rg).filter((o) => o.op === 'virtualMachines.createOrUpdate').length;
    const before = creates();
    const third = await post(api, seedSpec({ resourceGroup: rg }));
    expect((await waitForDeployment(api, third.json.id)).runtimeStatus).toBe('Completed');
    expect(creates()).toBe(before);
  }, 300_000);
});

describe('secrets', () => {
  it('the generated SSH key appears in no status, history, input, log or journal', async () => {
    const res = await post(api, seedSpec({ resourceGroup: 'qwk-secrets' }));
    const view = await waitForDeployment(api, res.json.id);
    expect(view.runtimeStatus).toBe('Completed');
    const priv = (await arm.secrets.getSecret('qwk-secrets-admin-ssh-key')).value!;
    const pub = (await arm.secrets.getSecret('qwk-secrets-admin-ssh-key-pub')).value!;
    const needles = [priv.split('\n')[1], pub.split(' ')[1].slice(0, 60)];
    expect(needles.every((n) => n.length >= 40)).toBe(true);

    const host = stack.host!;
    const historyUrl = `${api.baseUrl}/runtime/webhooks/durabletask/instances/${res.json.id}?showHistory=true&showHistoryOutput=true&showInput=true&code=${host.systemKey}`;
    const history = await (await fetch(historyUrl)).text();
    expect(history).toContain('provisionResource'); // it is the real history
    const haystacks = {
      status: JSON.stringify(view),
      history,
      logs: host.logs.map((l) => JSON.stringify(l)).join('\n'),
      journal: JSON.stringify(stack.sim.journal()),
    };
    for (const [where, text] of Object.entries(haystacks)) {
      for (const needle of needles) expect(text.includes(needle), `secret found in ${where}`).toBe(false);
    }
  }, 300_000);
});
