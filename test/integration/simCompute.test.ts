import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../local/azure-sim';
import {
  VmBusyError,
  type PowerAction,
  type RunCommandInput,
  type RunCommandOutput,
  type SimVm,
  type VmRuntime,
} from '../../local/azure-sim/vm/runtime';
import { makeSimClients, type SimClients } from '../support/simClients';
import { LOCATION, createGroupAndVnet, createLoadBalancer, createNic, ids, vmBody } from '../support/simTopology';

/** Records what the ARM layer tells the VM runtime; runs "scripts" by echoing them after a short delay. */
class RecordingRuntime implements VmRuntime {
  created: SimVm[] = [];
  deleted: string[] = [];
  power: [string, PowerAction][] = [];
  runs: RunCommandInput[] = [];
  busyOnce = false;
  private state = new Map<string, 'running' | 'stopped' | 'deallocated'>();
  async vmCreated(vm: SimVm) {
    this.created.push(vm);
    if (!this.state.has(vm.id)) this.state.set(vm.id, 'running');
  }
  async vmDeleted(id: string) {
    this.deleted.push(id);
    this.state.delete(id);
  }
  async powerAction(id: string, action: PowerAction) {
    this.power.push([id, action]);
    this.state.set(id, action === 'powerOff' ? 'stopped' : action === 'deallocate' ? 'deallocated' : 'running');
  }
  powerState(id: string) {
    return this.state.get(id) ?? 'unknown';
  }
  async runCommand(id: string, input: RunCommandInput): Promise<RunCommandOutput> {
    if (this.busyOnce) {
      this.busyOnce = false;
      throw new VmBusyError(id.split('/').pop()!);
    }
    this.runs.push(input);
    await new Promise((r) => setTimeout(r, 30));
    return {
      message: `Enable succeeded: \n[stdout]\n${input.script.join('\n')}\n[stderr]\n`,
      exitCode: 0,
      durationMs: 30,
    };
  }
  probeAnswered() {
    return false;
  }
  async close() {}
}

let sim: RunningSimulator;
let c: SimClients;
const runtime = new RecordingRuntime();
const RG = 'rg-vm';

beforeAll(async () => {
  sim = await startSimulator({ port: 0, timeScale: 0.001, stateDir: '.local/test-sim-compute', vmRuntime: runtime });
  c = makeSimClients(sim);
  await createGroupAndVnet(c, RG);
  await createLoadBalancer(c, RG);
  await createNic(c, RG, 'node1-svc', 'service', '10.20.1.10', true);
  await createNic(c, RG, 'node1-rep', 'replication', '10.20.2.10');
  await c.compute.availabilitySets.createOrUpdate(RG, 'avset', {
    location: LOCATION,
    platformFaultDomainCount: 2,
    platformUpdateDomainCount: 5,
    sku: { name: 'Aligned' },
  });
});
afterAll(async () => {
  await sim?.stop();
});

describe('availability sets', () => {
  it('creates synchronously and validates the fault domain count', async () => {
    const a = await c.compute.availabilitySets.get(RG, 'avset');
    expect(a).toMatchObject({
      name: 'avset',
      location: LOCATION,
      platformFaultDomainCount: 2,
      platformUpdateDomainCount: 5,
      sku: { name: 'Aligned' },
    });
    await expect(
      c.compute.availabilitySets.createOrUpdate(RG, 'bad', { location: LOCATION, platformFaultDomainCount: 5 }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidParameter',
    });
  });
});

describe('virtual machines', () => {
  it('creates a VM with two NICs, a data disk and an SSH key as an LRO and tells the runtime', async () => {
    const i = ids(c, RG);
    const poller = c.compute.virtualMachines.createOrUpdate(
      RG,
      'node1',
      vmBody(c, RG, ['node1-svc', 'node1-rep'], { availabilitySet: { id: i.avset('avset') } }),
    );
    const vm = await poller.pollUntilDone();
    expect(vm).toMatchObject({
      name: 'node1',
      id: i.vm('node1'),
      type: 'Microsoft.Compute/virtualMachines',
      location: LOCATION,
      provisioningState: 'Succeeded',
    });
    expect(vm.storageProfile?.osDisk?.managedDisk?.id).toMatch(
      /\/providers\/Microsoft\.Compute\/disks\/node1_OsDisk_1_/,
    );
    expect(vm.storageProfile?.dataDisks?.[0]).toMatchObject({ lun: 0, diskSizeGB: 64, createOption: 'Empty' });
    expect(vm.networkProfile?.networkInterfaces?.map((n) => [n.id, n.primary])).toEqual([
      [i.nic('node1-svc'), true],
      [i.nic('node1-rep'), false],
    ]);
    const sv = runtime.created.find((v) => v.name === 'node1')!;
    expect(sv).toMatchObject({
      computerName: 'node1',
      adminUsername: 'azureuser',
      resourceGroup: RG,
      subscriptionId: c.subscriptionId,
      dataDisks: [{ lun: 0, diskSizeGB: 64 }],
    });
    expect(sv.nics.map((n) => [n.name, n.primary, n.privateIp, n.subnetId])).toEqual([
      ['node1-svc', true, '10.20.1.10', i.subnet('vnet', 'service')],
      ['node1-rep', false, '10.20.2.10', i.subnet('vnet', 'replication')],
    ]);
    expect(sv.nics[0].macAddress).toMatch(/^00-0D-3A(-[0-9A-F]{2}){3}$/);
    const nic = await c.network.networkInterfaces.get(RG, 'node1-svc');
    expect(nic.virtualMachine?.id).toBe(i.vm('node1'));
    expect(nic.macAddress).toBe(sv.nics[0].macAddress);
    expect((await c.compute.availabilitySets.get(RG, 'avset')).virtualMachines?.map((v) => v.id)).toEqual([
      i.vm('node1'),
    ]);
    const op = sim.journal().find((o) => o.op === 'virtualMachines.createOrUpdate')!;
    expect(op).toMatchObject({ method: 'PUT', status: 'Succeeded', httpStatus: 201, resourceId: i.vm('node1') });
  });

  it('shows the instance view with power state, through $expand and /instanceView', async () => {
    const vm = await c.compute.virtualMachines.get(RG, 'node1', { expand: 'instanceView' });
    expect(vm.instanceView?.statuses?.map((s) => s.code)).toEqual([
      'ProvisioningState/succeeded',
      'PowerState/running',
    ]);
    const iv = await c.compute.virtualMachines.instanceView(RG, 'node1');
    expect(iv.computerName).toBe('node1');
    expect(iv.statuses?.[1]).toMatchObject({ code: 'PowerState/running', displayStatus: 'VM running' });
    expect(iv.platformFaultDomain).toBe(0);
  });

  it('lists VMs by group and in the subscription', async () => {
    const names: string[] = [];
    for await (const v of c.compute.virtualMachines.list(RG)) names.push(v.name!);
    for await (const v of c.compute.virtualMachines.listAll()) names.push(v.name!);
    expect(names).toEqual(['node1', 'node1']);
  });

  it('re-PUT with the same body answers 200 without a new LRO', async () => {
    const i = ids(c, RG);
    const before = runtime.created.length;
    const vm = await c.compute.virtualMachines
      .createOrUpdate(
        RG,
        'node1',
        vmBody(c, RG, ['node1-svc', 'node1-rep'], { availabilitySet: { id: i.avset('avset') } }),
      )
      .pollUntilDone();
    expect(vm.vmId).toBeDefined();
    expect(runtime.created.length).toBe(before);
    expect(
      sim
        .journal()
        .filter((o) => o.op === 'virtualMachines.createOrUpdate')
        .pop()?.httpStatus,
    ).toBe(200);
  });

  it('runs power actions as LROs: powerOff, start, restart, deallocate', async () => {
    const i = ids(c, RG);
    await c.compute.virtualMachines.powerOff(RG, 'node1').pollUntilDone();
    expect((await c.compute.virtualMachines.instanceView(RG, 'node1')).statuses?.[1].code).toBe('PowerState/stopped');
    await c.compute.virtualMachines.start(RG, 'node1').pollUntilDone();
    await c.compute.virtualMachines.restart(RG, 'node1').pollUntilDone();
    await c.compute.virtualMachines.deallocate(RG, 'node1').pollUntilDone();
    expect((await c.compute.virtualMachines.instanceView(RG, 'node1')).statuses?.[1].code).toBe(
      'PowerState/deallocated',
    );
    await expect(c.compute.virtualMachines.restart(RG, 'node1').pollUntilDone()).rejects.toMatchObject({
      statusCode: 409,
      code: 'OperationNotAllowed',
    });
    await c.compute.virtualMachines.start(RG, 'node1').pollUntilDone();
    expect(runtime.power.map(([id, a]) => id === i.vm('node1') && a)).toEqual([
      'powerOff',
      'start',
      'restart',
      'deallocate',
      'start',
    ]);
  });

  it('runs a Run Command (RunShellScript) as an LRO and returns the runtime message as Azure does', async () => {
    const result = await c.compute.virtualMachines
      .runCommand(RG, 'node1', { commandId: 'RunShellScript', script: ['echo hello'] })
      .pollUntilDone();
    expect(result.value).toEqual([
      {
        code: 'ProvisioningState/succeeded',
        level: 'Info',
        displayStatus: 'Provisioning succeeded',
        message: 'Enable succeeded: \n[stdout]\necho hello\n[stderr]\n',
      },
    ]);
    expect(runtime.runs.pop()).toEqual({ commandId: 'RunShellScript', script: ['echo hello'], parameters: undefined });
    const op = sim
      .journal()
      .filter((o) => o.op === 'virtualMachines.runCommand')
      .pop()!;
    expect(op).toMatchObject({ method: 'POST', status: 'Succeeded', httpStatus: 202 });
  });

  it('answers 409 Conflict while a run is in progress and 409 OperationNotAllowed on a stopped VM', async () => {
    sim.setLatency('virtualMachines.runCommand', 5_000_000); // 5 s: the second POST comes while it runs, even on a loaded machine
    const first = c.compute.virtualMachines.runCommand(RG, 'node1', { commandId: 'RunShellScript', script: ['sleep'] });
    await first.submitted();
    await expect(
      c.compute.virtualMachines.runCommand(RG, 'node1', { commandId: 'RunShellScript', script: ['x'] }).pollUntilDone(),
    ).rejects.toMatchObject({
      statusCode: 409,
      code: 'Conflict',
    });
    await first.pollUntilDone();
    sim.setLatency('virtualMachines.runCommand', undefined);
    runtime.busyOnce = true;
    await expect(
      c.compute.virtualMachines.runCommand(RG, 'node1', { commandId: 'RunShellScript', script: ['x'] }).pollUntilDone(),
    ).rejects.toMatchObject({
      statusCode: 409,
      code: 'Conflict',
    });
    await c.compute.virtualMachines.powerOff(RG, 'node1').pollUntilDone();
    await expect(
      c.compute.virtualMachines.runCommand(RG, 'node1', { commandId: 'RunShellScript', script: ['x'] }).pollUntilDone(),
    ).rejects.toMatchObject({
      statusCode: 409,
      code: 'OperationNotAllowed',
    });
    await c.compute.virtualMachines.start(RG, 'node1').pollUntilDone();
  });

  it('runs managed Run Commands (runCommands sub-resource) with an inline script and shows the result in the instance view', async () => {
    const rc = await c.compute.virtualMachineRunCommands
      .createOrUpdate(RG, 'node1', 'setup', {
        location: LOCATION,
        source: { script: 'echo managed' },
        asyncExecution: false,
      })
      .pollUntilDone();
    expect(rc).toMatchObject({
      name: 'setup',
      provisioningState: 'Succeeded',
      type: 'Microsoft.Compute/virtualMachines/runCommands',
    });
    const got = await c.compute.virtualMachineRunCommands.getByVirtualMachine(RG, 'node1', 'setup', {
      expand: 'instanceView',
    });
    expect(got.instanceView).toMatchObject({
      executionState: 'Succeeded',
      exitCode: 0,
      output: 'echo managed',
      error: '',
    });
    const names: string[] = [];
    for await (const x of c.compute.virtualMachineRunCommands.listByVirtualMachine(RG, 'node1')) names.push(x.name!);
    expect(names).toEqual(['setup']);
    await c.compute.virtualMachineRunCommands.delete(RG, 'node1', 'setup').pollUntilDone();
    await expect(c.compute.virtualMachineRunCommands.getByVirtualMachine(RG, 'node1', 'setup')).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it('never returns the admin password', async () => {
    await createNic(c, RG, 'pw-nic', 'replication');
    const body = vmBody(c, RG, ['pw-nic']);
    body.osProfile = { computerName: 'pw', adminUsername: 'azureuser', adminPassword: 'S3cret-Passw0rd!' } as never;
    const vm = await c.compute.virtualMachines.createOrUpdate(RG, 'pw-vm', body).pollUntilDone();
    expect(vm.osProfile?.adminPassword).toBeUndefined();
    const raw = JSON.stringify(await c.compute.virtualMachines.get(RG, 'pw-vm'));
    expect(raw).not.toContain('S3cret-Passw0rd!');
    expect(JSON.stringify(sim.store.list())).not.toContain('S3cret-Passw0rd!');
  });

  it('validates: unknown size, missing admin user, missing NIC, NIC in use', async () => {
    await createNic(c, RG, 'spare', 'replication');
    const i = ids(c, RG);
    const unknownSize = vmBody(c, RG, ['spare'], { hardwareProfile: { vmSize: 'Standard_Imaginary_v9' } });
    await expect(c.compute.virtualMachines.createOrUpdate(RG, 'v2', unknownSize).pollUntilDone()).rejects.toMatchObject(
      { statusCode: 400, code: 'InvalidParameter' },
    );
    const noUser = vmBody(c, RG, ['spare']);
    delete (noUser.osProfile as { adminUsername?: string }).adminUsername;
    await expect(c.compute.virtualMachines.createOrUpdate(RG, 'v2', noUser).pollUntilDone()).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidParameter',
    });
    await expect(
      c.compute.virtualMachines.createOrUpdate(RG, 'v2', vmBody(c, RG, ['ghost'])).pollUntilDone(),
    ).rejects.toMatchObject({ statusCode: 404, code: 'NotFound' });
    await expect(
      c.compute.virtualMachines.createOrUpdate(RG, 'v2', vmBody(c, RG, ['node1-svc'])).pollUntilDone(),
    ).rejects.toMatchObject({ statusCode: 400, code: 'NicInUse' });
    await expect(c.compute.virtualMachines.get(RG, 'v2')).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
    expect(i.vm('v2')).toContain('v2');
  });

  it('refuses to change the computer name of an existing VM (PropertyChangeNotAllowed)', async () => {
    const body = vmBody(c, RG, ['node1-svc', 'node1-rep'], { availabilitySet: { id: ids(c, RG).avset('avset') } });
    body.osProfile = { ...body.osProfile, computerName: 'renamed' };
    await expect(c.compute.virtualMachines.createOrUpdate(RG, 'node1', body).pollUntilDone()).rejects.toMatchObject({
      statusCode: 409,
      code: 'PropertyChangeNotAllowed',
    });
  });

  it('refuses to delete a NIC attached to a VM', async () => {
    await expect(c.network.networkInterfaces.beginDeleteAndWait(RG, 'node1-svc')).rejects.toMatchObject({
      statusCode: 400,
      code: 'NicInUse',
    });
  });

  it('deletes a VM honouring deleteOption for NICs and disks', async () => {
    const before = sim.store.list({ type: 'Microsoft.Compute/disks', resourceGroup: RG }).length;
    await c.compute.virtualMachines.delete(RG, 'pw-vm').pollUntilDone();
    expect(runtime.deleted).toContain(ids(c, RG).vm('pw-vm'));
    await expect(c.network.networkInterfaces.get(RG, 'pw-nic')).rejects.toMatchObject({ statusCode: 404 });
    expect(sim.store.list({ type: 'Microsoft.Compute/disks', resourceGroup: RG }).length).toBe(before - 2);
    // Detach: the NIC stays
    await createNic(c, RG, 'keep-nic', 'replication');
    const body = vmBody(c, RG, ['keep-nic']);
    body.networkProfile.networkInterfaces[0].deleteOption = 'Detach' as never;
    await c.compute.virtualMachines.createOrUpdate(RG, 'keep', body).pollUntilDone();
    await c.compute.virtualMachines.delete(RG, 'keep', { forceDeletion: true }).pollUntilDone();
    expect((await c.network.networkInterfaces.get(RG, 'keep-nic')).virtualMachine).toBeUndefined();
  });

  it('deletes a resource group with everything in it (cascade LRO)', async () => {
    await c.resources.resourceGroups.beginDeleteAndWait(RG);
    await expect(c.resources.resourceGroups.get(RG)).rejects.toMatchObject({ code: 'ResourceGroupNotFound' });
    expect(sim.store.list({ resourceGroup: RG })).toEqual([]);
    expect(runtime.deleted).toContain(ids(c, RG).vm('node1'));
    expect(sim.journal().find((o) => o.op === 'resourceGroups.delete')).toMatchObject({
      status: 'Succeeded',
      httpStatus: 202,
    });
  });
});
