import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../local/azure-sim';
import { makeSimClients, type SimClients } from '../support/simClients';
import { simFetch } from '../support/simHttp';
import { createGroupAndVnet, createNic, vmBody } from '../support/simTopology';

let sim: RunningSimulator;
let c: SimClients;
const RG = 'rg-faults';

const control = (method: string, path: string, body?: unknown) => simFetch(sim, method, path, body, { auth: false });

const attempts = (op: string, name: string) =>
  sim.journal().filter((o) => o.op === op && o.resourceId.endsWith(`/${name}`));

beforeAll(async () => {
  sim = await startSimulator({ port: 0, timeScale: 0.001, stateDir: '.local/test-sim-faults' });
  // Small retry delays so the SDK's exponential retries do not slow the test (the app keeps the defaults).
  c = makeSimClients(sim, undefined, { retryOptions: { retryDelayInMs: 5, maxRetryDelayInMs: 20 } });
  await createGroupAndVnet(c, RG);
});
beforeEach(() => sim.faults.clear());
afterAll(async () => {
  await sim?.stop();
});

describe('fault injection as the SDK surfaces it', () => {
  it('429 TooManyRequests with Retry-After: the SDK retries and succeeds; the journal shows every attempt', async () => {
    sim.faults.add({
      method: 'PUT',
      resourceType: 'networkInterfaces',
      name: 'nic-429',
      kind: 'throttle',
      times: 2,
      retryAfterSeconds: 10,
    });
    const nic = await createNic(c, RG, 'nic-429', 'service');
    expect(nic.provisioningState).toBe('Succeeded');
    expect(
      attempts('networkInterfaces.createOrUpdate', 'nic-429').map((o) => [o.httpStatus, o.status, o.code]),
    ).toEqual([
      [429, 'Failed', 'TooManyRequests'],
      [429, 'Failed', 'TooManyRequests'],
      [201, 'Succeeded', undefined],
    ]);
    // the SDK waited the (scaled) Retry-After of 10 s = 10 ms between attempts
    const starts = attempts('networkInterfaces.createOrUpdate', 'nic-429').map((o) => Date.parse(o.start));
    expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(9);
    expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(9);
  });

  it('429 RetryableError is retried too', async () => {
    sim.faults.add({ op: 'networkInterfaces.createOrUpdate', name: 'nic-retryable', kind: 'retryableError', times: 1 });
    await createNic(c, RG, 'nic-retryable', 'service');
    expect(attempts('networkInterfaces.createOrUpdate', 'nic-retryable').map((o) => o.code ?? o.httpStatus)).toEqual([
      'RetryableError',
      201,
    ]);
  });

  it('500 and 503 are retried by the SDK; more failures than its retries surface as RestError', async () => {
    sim.faults.add({ method: 'GET', resourceType: 'Microsoft.Network/virtualNetworks', kind: 'serverError', times: 2 });
    sim.faults.add({
      method: 'GET',
      resourceType: 'Microsoft.Network/virtualNetworks',
      kind: 'serviceUnavailable',
      times: 1,
    });
    expect((await c.network.virtualNetworks.get(RG, 'vnet')).name).toBe('vnet');
    expect(
      attempts('virtualNetworks.get', 'vnet')
        .slice(-4)
        .map((o) => o.httpStatus),
    ).toEqual([500, 500, 503, 200]);
    sim.faults.add({ method: 'GET', resourceType: 'virtualNetworks', kind: 'serverError', times: 10 });
    await expect(c.network.virtualNetworks.get(RG, 'vnet')).rejects.toMatchObject({
      statusCode: 500,
      code: 'InternalServerError',
    });
    expect(sim.faults.list().pop()?.hits).toBe(4); // first try + the SDK's 3 retries
  });

  it('409 AnotherOperationInProgress is not retried by the SDK: the caller sees it', async () => {
    sim.faults.add({ method: 'PUT', name: 'nic-409', kind: 'anotherOperationInProgress', times: 1 });
    await expect(createNic(c, RG, 'nic-409', 'service')).rejects.toMatchObject({
      statusCode: 409,
      code: 'AnotherOperationInProgress',
    });
    const nic = await createNic(c, RG, 'nic-409', 'service');
    expect(nic.provisioningState).toBe('Succeeded');
  });

  it('an LRO ending Failed with a given code: the poller rejects and the resource shows Failed', async () => {
    await createNic(c, RG, 'vm-nic', 'service');
    sim.faults.add({
      op: 'virtualMachines.createOrUpdate',
      kind: 'lroFailed',
      code: 'AllocationFailed',
      message: 'Allocation failed.',
    });
    // core-lro surfaces a Failed LRO as an Error whose message carries the ARM code and message.
    await expect(
      c.compute.virtualMachines.createOrUpdate(RG, 'vm1', vmBody(c, RG, ['vm-nic'])).pollUntilDone(),
    ).rejects.toThrow('The long-running operation has failed. AllocationFailed. Allocation failed.');
    expect((await c.compute.virtualMachines.get(RG, 'vm1')).provisioningState).toBe('Failed');
    expect(attempts('virtualMachines.createOrUpdate', 'vm1')[0]).toMatchObject({
      status: 'Failed',
      code: 'AllocationFailed',
      httpStatus: 201,
    });
    // the Network RP's LROs fail the same way through the classic SDK
    sim.faults.add({
      op: 'networkInterfaces.createOrUpdate',
      name: 'nic-fail',
      kind: 'lroFailed',
      code: 'InternalServerError',
    });
    await expect(createNic(c, RG, 'nic-fail', 'service')).rejects.toThrow(/InternalServerError/);
    expect((await c.network.networkInterfaces.get(RG, 'nic-fail')).provisioningState).toBe('Failed');
    // a retry of the same PUT succeeds
    const vm = await c.compute.virtualMachines.createOrUpdate(RG, 'vm1', vmBody(c, RG, ['vm-nic'])).pollUntilDone();
    expect(vm.provisioningState).toBe('Succeeded');
  });

  it('an LRO that never finishes stays InProgress, and a second PUT with another body gets AnotherOperationInProgress', async () => {
    sim.faults.add({ method: 'PUT', resourceType: 'networkInterfaces', name: 'nic-stuck', kind: 'lroNeverFinishes' });
    const poller = await c.network.networkInterfaces.beginCreateOrUpdate(RG, 'nic-stuck', {
      location: 'westeurope',
      ipConfigurations: [
        {
          name: 'ipconfig1',
          subnet: {
            id: `/subscriptions/${c.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/service`,
          },
        },
      ],
    });
    await poller.poll();
    expect(poller.isDone()).toBe(false);
    expect((await c.network.networkInterfaces.get(RG, 'nic-stuck')).provisioningState).toBe('Updating');
    await expect(createNic(c, RG, 'nic-stuck', 'replication')).rejects.toMatchObject({
      statusCode: 409,
      code: 'AnotherOperationInProgress',
    });
    expect(attempts('networkInterfaces.createOrUpdate', 'nic-stuck')[0]).toMatchObject({ status: 'InProgress' });
    expect(attempts('networkInterfaces.createOrUpdate', 'nic-stuck')[0].end).toBeUndefined();
  });

  it('has a control API under /_sim/: faults, operations journal, reset', async () => {
    const added = await control('POST', '/_sim/faults', {
      method: 'GET',
      resourceType: 'virtualNetworks',
      kind: 'throttle',
      times: 1,
    });
    expect(added.status).toBe(201);
    expect((await control('GET', '/_sim/faults')).json).toHaveLength(1);
    expect((await control('POST', '/_sim/faults', { kind: 'nonsense' })).status).toBe(400);
    expect((await control('DELETE', '/_sim/faults')).status).toBe(204);
    expect(sim.faults.list()).toEqual([]);
    const journal = (await control('GET', '/_sim/operations')).json as { op: string; start: string; end?: string }[];
    expect(journal.length).toBeGreaterThan(5);
    for (const o of journal) {
      expect(new Date(o.start).toISOString()).toBe(o.start);
      if (o.end) expect(new Date(o.end).toISOString()).toBe(o.end);
    }
    expect((await control('POST', '/_sim/reset')).status).toBe(204);
    expect(sim.journal()).toEqual([]);
    expect(sim.store.list()).toEqual([]);
    await expect(c.resources.resourceGroups.get(RG)).rejects.toMatchObject({ code: 'ResourceGroupNotFound' });
  });
});
