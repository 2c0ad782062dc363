import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../local/azure-sim';
import { makeSimClients, type SimClients } from '../support/simClients';
import { createVmRuntime, removeTree } from '../../local/azure-sim/vm';
import { LOCATION, createGroupAndVnet, createLoadBalancer, createNic, vmBody } from '../support/simTopology';

const running: RunningSimulator[] = [];
const dirs: string[] = [];

function newStateDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'qwk-simpersist-'));
  dirs.push(dir);
  return dir;
}

async function start(stateDir: string, withVms = false): Promise<{ sim: RunningSimulator; c: SimClients }> {
  const vmRuntime = withVms ? createVmRuntime({ rootDir: path.join(stateDir, 'vms'), timeScale: 0.001 }) : undefined;
  const sim = await startSimulator({
    port: 0,
    timeScale: 0.001,
    stateDir,
    persist: true,
    vmRuntime,
    log: () => undefined,
  });
  running.push(sim);
  return { sim, c: makeSimClients(sim) };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs = 60_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

afterEach(async () => {
  for (const sim of running.splice(0)) await sim.stop();
  for (const d of dirs.splice(0)) await removeTree(d);
});

describe('simulator state across restarts (persist: true)', () => {
  it('serves the same resource group, vnet and secret after a restart on the same state dir', async () => {
    const dir = newStateDir();
    const first = await start(dir);
    await createGroupAndVnet(first.c, 'rg-keep');
    const secret = await first.c.secrets.setSecret('lk-license', 'the license text');
    const group = await first.c.resources.resourceGroups.get('rg-keep');
    const vnet = await first.c.network.virtualNetworks.get('rg-keep', 'vnet');
    await first.sim.stop();
    expect(existsSync(path.join(dir, 'arm.json'))).toBe(true);
    // the Key Vault file holds secret values: owner-only
    expect(statSync(path.join(dir, 'keyvault.json')).mode & 0o777).toBe(0o600);

    const second = await start(dir);
    expect(await second.c.resources.resourceGroups.get('rg-keep')).toEqual(group);
    const again = await second.c.network.virtualNetworks.get('rg-keep', 'vnet');
    expect(again).toEqual(vnet);
    expect(again.subnets?.map((s) => s.name)).toEqual(['service', 'replication']);
    const got = await second.c.secrets.getSecret('lk-license');
    expect(got.value).toBe('the license text');
    expect(got.properties.version).toBe(secret.properties.version);
    // an idempotent re-PUT of the same vnet is a no-op (200, same etag), as before the restart
    const rePut = await second.c.network.virtualNetworks.beginCreateOrUpdateAndWait('rg-keep', 'vnet', {
      location: LOCATION,
      addressSpace: { addressPrefixes: ['10.20.0.0/16'] },
      subnets: [
        { name: 'service', addressPrefix: '10.20.1.0/24' },
        { name: 'replication', addressPrefix: '10.20.2.0/24' },
      ],
    });
    expect(rePut.etag).toBe(vnet.etag);
  });

  it('writes changes shortly after they happen, without a stop (a crash loses at most the last moments)', async () => {
    const dir = newStateDir();
    const { c } = await start(dir);
    await c.resources.resourceGroups.createOrUpdate('rg-soon', { location: LOCATION });
    await c.secrets.setSecret('soon', 'value');
    const file = path.join(dir, 'arm.json');
    await until('arm.json names rg-soon', async () =>
      existsSync(file) && readFileSync(file, 'utf8').includes('rg-soon') ? true : undefined,
    );
    await until('keyvault.json holds the secret', async () => {
      const kv = path.join(dir, 'keyvault.json');
      return existsSync(kv) && readFileSync(kv, 'utf8').includes('"soon"') ? true : undefined;
    });
  });

  it('completes a PUT that was in flight when the simulator stopped, as an RP resumes its operations', async () => {
    const dir = newStateDir();
    const first = await start(dir);
    await first.c.resources.resourceGroups.createOrUpdate('rg-flight', { location: LOCATION });
    first.sim.setLatency('virtualNetworks.createOrUpdate', 3_600_000_000); // an hour at this scale: never, here
    const poller = await first.c.network.virtualNetworks.beginCreateOrUpdate('rg-flight', 'vnet-f', {
      location: LOCATION,
      addressSpace: { addressPrefixes: ['10.30.0.0/16'] },
    });
    expect(poller.getOperationState().status).not.toBe('succeeded');
    expect((await first.c.network.virtualNetworks.get('rg-flight', 'vnet-f')).provisioningState).not.toBe('Succeeded');
    await first.sim.stop();
    const saved = JSON.parse(readFileSync(path.join(dir, 'arm.json'), 'utf8')) as {
      state: { resources: { name: string; provisioningState: string }[] };
    };
    expect(saved.state.resources.find((r) => r.name === 'vnet-f')?.provisioningState).not.toBe('Succeeded');

    const second = await start(dir);
    const done = await until('vnet-f Succeeded', async () => {
      const v = await second.c.network.virtualNetworks.get('rg-flight', 'vnet-f');
      return v.provisioningState === 'Succeeded' ? v : undefined;
    });
    expect(done.addressSpace?.addressPrefixes).toEqual(['10.30.0.0/16']);
  });

  it('keeps a resource group whose deletion was under way (the cascade is not resumed); a new DELETE removes it', async () => {
    const dir = newStateDir();
    const first = await start(dir);
    await first.c.resources.resourceGroups.createOrUpdate('rg-deleting', { location: LOCATION });
    first.sim.setLatency('resourceGroups.delete', 3_600_000_000);
    await first.c.resources.resourceGroups.beginDelete('rg-deleting');
    await first.sim.stop();

    const second = await start(dir);
    expect((await second.c.resources.resourceGroups.get('rg-deleting')).properties?.provisioningState).toBe(
      'Succeeded',
    );
    await second.c.resources.resourceGroups.beginDeleteAndWait('rg-deleting');
    await expect(second.c.resources.resourceGroups.get('rg-deleting')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('loads the last complete file when a write was torn (a partial temporary file), and removes the leftover', async () => {
    const dir = newStateDir();
    const first = await start(dir);
    await first.c.resources.resourceGroups.createOrUpdate('rg-whole', { location: LOCATION });
    await first.sim.stop();
    const complete = readFileSync(path.join(dir, 'arm.json'), 'utf8');
    // a crash in the middle of the next write: the temporary file holds half of a newer state
    const torn = path.join(dir, 'arm.json.tmp-99999');
    writeFileSync(torn, complete.replace('rg-whole', 'rg-newer').slice(0, Math.floor(complete.length / 2)));

    const second = await start(dir);
    expect((await second.c.resources.resourceGroups.get('rg-whole')).name).toBe('rg-whole');
    await expect(second.c.resources.resourceGroups.get('rg-newer')).rejects.toMatchObject({ statusCode: 404 });
    expect(existsSync(torn)).toBe(false);
  });

  it('sets an unreadable state file aside and starts empty', async () => {
    const dir = newStateDir();
    writeFileSync(path.join(dir, 'arm.json'), '{"version":1,"state":{"groups":[');
    const { c } = await start(dir);
    const names: string[] = [];
    for await (const g of c.resources.resourceGroups.list()) names.push(g.name!);
    expect(names).toEqual([]);
    expect(readdirSync(dir).some((n) => n.startsWith('arm.json.corrupt-'))).toBe(true);
  });

  it('forgets the persisted state on reset', async () => {
    const dir = newStateDir();
    const first = await start(dir);
    await first.c.resources.resourceGroups.createOrUpdate('rg-gone', { location: LOCATION });
    await first.c.secrets.setSecret('gone', 'value');
    await first.sim.reset();
    await first.sim.stop();

    const second = await start(dir);
    await expect(second.c.resources.resourceGroups.get('rg-gone')).rejects.toMatchObject({ statusCode: 404 });
    await expect(second.c.secrets.getSecret('gone')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('starts empty without persist, whatever the state dir holds', async () => {
    const dir = newStateDir();
    const first = await start(dir);
    await first.c.resources.resourceGroups.createOrUpdate('rg-only-persisted', { location: LOCATION });
    await first.sim.stop();
    const sim = await startSimulator({ port: 0, timeScale: 0.001, stateDir: dir });
    running.push(sim);
    await expect(makeSimClients(sim).resources.resourceGroups.get('rg-only-persisted')).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it("re-adopts a VM's sandbox after a restart: files written before it are there, Run Command runs", async () => {
    const dir = newStateDir();
    const first = await start(dir, true);
    const RG = 'rg-vm-keep';
    await createGroupAndVnet(first.c, RG);
    await createLoadBalancer(first.c, RG);
    await createNic(first.c, RG, 'n1', 'service', '10.20.1.10', true);
    await first.c.compute.virtualMachines.createOrUpdate(RG, 'node1', vmBody(first.c, RG, ['n1'])).pollUntilDone();
    const wrote = await first.c.compute.virtualMachines
      .runCommand(RG, 'node1', { commandId: 'RunShellScript', script: ['echo before-restart > /root/marker'] })
      .pollUntilDone();
    expect(wrote.value?.[0].code).toBe('ProvisioningState/succeeded');
    await first.sim.stop();

    const second = await start(dir, true);
    const read = await until('a Run Command in the re-adopted VM', async () => {
      try {
        return await second.c.compute.virtualMachines
          .runCommand(RG, 'node1', { commandId: 'RunShellScript', script: ['cat /root/marker'] })
          .pollUntilDone();
      } catch {
        return undefined; // the sandbox is still booting (VMAgentStatusCommunicationError / not running)
      }
    });
    expect(read.value?.[0].message).toContain('before-restart');
    const view = await second.c.compute.virtualMachines.instanceView(RG, 'node1');
    expect(view.statuses?.[1].code).toBe('PowerState/running');
  });
});
