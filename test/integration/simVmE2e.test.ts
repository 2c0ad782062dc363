import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../local/azure-sim';
import { createVmRuntime, removeTree } from '../../local/azure-sim/vm';
import { makeSimClients, type SimClients } from '../support/simClients';
import { createGroupAndVnet, createLoadBalancer, createNic, vmBody } from '../support/simTopology';

/** The ARM layer with the real VM runtime: a Run Command through the SDK runs bash in the VM's sandbox. */
let sim: RunningSimulator;
let c: SimClients;
let root: string;
const RG = 'rg-e2e';

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'sim-e2e-'));
  sim = await startSimulator({
    port: 0,
    timeScale: 0.001,
    stateDir: path.join(root, 'state'),
    vmRuntime: createVmRuntime({ rootDir: path.join(root, 'vms'), timeScale: 0.001 }),
  });
  c = makeSimClients(sim);
  await createGroupAndVnet(c, RG);
  await createLoadBalancer(c, RG);
  await createNic(c, RG, 'n1', 'service', '10.20.1.10', true);
  await c.compute.virtualMachines.createOrUpdate(RG, 'node1', vmBody(c, RG, ['n1'])).pollUntilDone();
});
afterAll(async () => {
  await sim?.stop();
  await removeTree(root);
});

describe('ARM + VM runtime', () => {
  it('runs a RunShellScript in the sandbox and answers with the Enable succeeded message', async () => {
    const r = await c.compute.virtualMachines
      .runCommand(RG, 'node1', { commandId: 'RunShellScript', script: ['echo "host=$(hostname)"', 'echo oops >&2'] })
      .pollUntilDone();
    expect(r.value?.[0]).toMatchObject({
      code: 'ProvisioningState/succeeded',
      level: 'Info',
      displayStatus: 'Provisioning succeeded',
    });
    expect(r.value?.[0].message).toMatch(/^Enable succeeded: \n\[stdout\]\n[\s\S]*host=[\s\S]*\[stderr\]\n[\s\S]*oops/);
    const vm = await c.compute.virtualMachines.instanceView(RG, 'node1');
    expect(vm.statuses?.[1].code).toBe('PowerState/running');
  });
});
