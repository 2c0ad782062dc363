/**
 * Every step script runs for real in the simulator's VM sandboxes (bash + stub commands), in the deployment's
 * order, twice: the second run must report ok with no change and leave the sandbox trees as they were.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createVmRuntime,
  diffTrees,
  removeTree,
  treeSnapshot,
  type SimVm,
  type SimVmRuntime,
} from '../../local/azure-sim/vm';
import {
  buildClientCheck,
  buildCommPaths,
  buildDataKeeperMirror,
  buildDependencies,
  buildFirewall,
  buildHosts,
  buildIpResource,
  buildLbhcResource,
  buildLifeKeeperInstall,
  buildLifeKeeperLicense,
  buildLifeKeeperStart,
  buildNicPinning,
  buildNodeNfsMount,
  buildPackageSource,
  buildPgsqlResource,
  buildPostgresClient,
  buildPostgresPrimary,
  buildPostgresServer,
  buildQwkCheck,
  buildQwkConfig,
  buildQwkInit,
  buildSelinux,
  buildSshd,
  buildSshKeys,
  buildSwitchover,
  buildWitnessNfsServer,
  buildQwkRelay,
  parseScriptResult,
  SECRET_PARAMETERS,
  type ScriptResult,
  type StepScript,
} from '../../shared/scripts';
import { seedParams } from '../unit/scriptsFixture';

const SUB = '00000000-0000-0000-0000-000000000000';
const RG = 'qwk-scripts-sandbox';
const SECRETS: Record<string, string> = {
  [SECRET_PARAMETERS.sshPublicKey]: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIQWKTESTKEYqwkTESTKEY qwk-ops-cluster',
  [SECRET_PARAMETERS.sshPrivateKey]:
    '-----BEGIN OPENSSH PRIVATE KEY-----\nqwkTESTprivateKEYmaterial\n-----END OPENSSH PRIVATE KEY-----',
  [SECRET_PARAMETERS.lifeKeeperLicense]: 'LICENSE qwk-test-license-4711 lifekeeper',
  // no single quote: the psql stub does not read SQL's doubled quotes ('') yet (reported)
  [SECRET_PARAMETERS.postgresPassword]: 'pwTest-4711%x',
  [SECRET_PARAMETERS.relayKey]: '5e1f'.repeat(16),
};

function vm(name: string, ips: string[], macs: string[]): SimVm {
  const base = `/subscriptions/${SUB}/resourceGroups/${RG}/providers`;
  return {
    id: `${base}/Microsoft.Compute/virtualMachines/${name}`,
    name,
    resourceGroup: RG,
    subscriptionId: SUB,
    computerName: name,
    adminUsername: 'lkadmin',
    nics: ips.map((ip, i) => ({
      id: `${base}/Microsoft.Network/networkInterfaces/${name}-nic${i}`,
      name: `${name}-nic${i}`,
      primary: i === 0,
      privateIp: ip,
      macAddress: macs[i],
      subnetId: `${base}/Microsoft.Network/virtualNetworks/vnet/subnets/subnet${i + 1}`,
    })),
    dataDisks: name.startsWith('Clstr') ? [{ lun: 0, diskSizeGB: 16 }] : [],
  };
}

const nodeA = vm('Clstr-nodeA', ['10.5.1.11', '10.5.2.11'], ['00-0D-3A-CC-FB-DA', '60-45-BD-64-E0-4C']);
const nodeB = vm('Clstr-nodeB', ['10.5.1.12', '10.5.2.12'], ['00-0D-3A-CC-FB-DB', '60-45-BD-64-E0-4D']);
const witness = vm('Witness-node', ['10.5.1.20'], ['00-0D-3A-CC-FB-20']);
const ALL = [nodeA, nodeB, witness];
const NODES = [nodeA, nodeB];
const p = seedParams((q) => {
  q.lifeKeeper.installerLocation = '/home/lkadmin/sps.img';
  q.lifeKeeper.startTimeoutSec = 30;
});

let root: string;
let rt: SimVmRuntime;
const messages: string[] = [];
/** Paths that legitimately change between runs: step logs, live QWK objects, the simulator's own state. */
const VOLATILE = [
  /^\/var\/log\/qwk-ops\//,
  /^\/root\/qwkshare\//,
  /^\/mnt\/qwkmnt\//,
  /^\/run\//,
  /^\/var\/LifeKeeper\/sim\/qwk/,
  // the running QWK relay: its counter and its journal
  /^\/var\/lib\/qwk-relay\//,
  /^\/var\/log\/sim-journal\//,
];

async function runOnce(target: SimVm, step: StepScript): Promise<ScriptResult> {
  const parameters = step.secrets
    .filter((s) => SECRETS[s.name] !== undefined)
    .map((s) => ({ name: s.name, value: SECRETS[s.name] }));
  const out = await rt.runCommand(target.id, {
    commandId: 'RunShellScript',
    script: step.script.split('\n'),
    parameters,
  });
  messages.push(out.message);
  const r = parseScriptResult(out.message, step.name);
  if (!r.ok) throw new Error(`${step.name} on ${target.name} failed: ${r.message}\n${out.message.slice(-1500)}`);
  return r;
}

/**
 * Runs the step on each VM, then again: the second run changes nothing (result and sandbox trees). The VMs run it
 * at the same time, as a deployment's stage does (Run Command runs one script at a time per VM, not per cluster).
 */
async function twice(targets: SimVm[], step: (vm: SimVm) => StepScript): Promise<ScriptResult[]> {
  const first = await Promise.all(targets.map((t) => runOnce(t, step(t))));
  const before = targets.map((t) => treeSnapshot(rt.sandboxPath(t.id)));
  const again = await Promise.all(targets.map((t) => runOnce(t, step(t))));
  for (const [i, t] of targets.entries()) {
    const r = again[i];
    expect({
      vm: t.name,
      step: r.step,
      ok: r.ok,
      changed: r.changed,
      rebootRequired: r.rebootRequired,
      message: r.message,
    }).toEqual({
      vm: t.name,
      step: r.step,
      ok: true,
      changed: false,
      rebootRequired: false,
      message: r.message.startsWith('changed') ? 'no change' : r.message,
    });
    const diff = diffTrees(before[i], treeSnapshot(rt.sandboxPath(t.id))).filter(
      (d) => !VOLATILE.some((re) => re.test(d.replace(/^\w+ /, ''))),
    );
    expect({ vm: t.name, step: step(t).name, diff }).toEqual({ vm: t.name, step: step(t).name, diff: [] });
  }
  return first;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'qwk-scripts-sandbox-'));
  // timeScale 0.01: Run Command takes ≥ 0.2 s; its limit keeps its floor (runCommandLimitMs), so no real work is cut.
  rt = createVmRuntime({ rootDir: root, timeScale: 0.01 });
  await Promise.all(ALL.map((v) => rt.vmCreated(v)));
  for (const v of ALL) {
    if (NODES.includes(v)) {
      // Written from inside the VM: the admin's home belongs to the admin there (to a subordinate id on the host
      // when the sandboxes run in a user namespace).
      const r = await rt.runCommand(v.id, {
        commandId: 'RunShellScript',
        script: ["printf 'SIM-IMAGE:lifekeeper\\n' > /home/lkadmin/sps.img"],
      });
      if (r.exitCode !== 0) throw new Error(`${v.name}: ${r.message}`);
    }
  }
}, 120_000);

afterAll(async () => {
  await rt?.close();
  if (root) await removeTree(root);
});

describe('step scripts in the VM sandbox', () => {
  it('configure the OS on every VM; a second run changes nothing', async () => {
    await twice(ALL, () => buildHosts(p));
    // SELinux takes effect at the restart the step asks for; until then its live check (getenforce) asks again, so
    // "a second run changes nothing" holds after the restart.
    const selinux = await Promise.all(ALL.map((v) => runOnce(v, buildSelinux())));
    for (const [i, r] of selinux.entries()) {
      expect({ vm: ALL[i].name, ok: r.ok }).toEqual({ vm: ALL[i].name, ok: true });
      if (r.rebootRequired) await rt.powerAction(ALL[i].id, 'restart');
    }
    await twice(ALL, () => buildSelinux());
    await twice(ALL, () => buildFirewall(p, 'node'));
    await twice(ALL, () => buildSshd());
    await twice(NODES, () => buildSshKeys(p, 'node'));
    await twice([witness], () => buildSshKeys(p, 'witness'));
    await twice(ALL, (v) => buildNicPinning(v.nics.map((n, i) => ({ device: `eth${i}`, macAddress: n.macAddress }))));
    await twice(ALL, () => buildPackageSource(p));
  }, 300_000);

  it('set up the witness share and mount it on the nodes', async () => {
    await twice([witness], () => buildWitnessNfsServer(p));
    await twice([witness], () => buildPostgresClient());
    await twice(NODES, () => buildNodeNfsMount(p));
  }, 300_000);

  it('install, license and start LifeKeeper, then QWK storage mode', async () => {
    await twice(NODES, () => buildLifeKeeperInstall(p));
    await twice(NODES, () => buildLifeKeeperLicense());
    await twice(NODES, () => buildLifeKeeperStart(p));
    await twice(NODES, () => buildQwkConfig(p));
    await twice([nodeA], () => buildQwkInit(p, 'Clstr-nodeA'));
    await twice([nodeB], () => buildQwkInit(p, 'Clstr-nodeB'));
    await twice(NODES, () => buildPostgresServer());
  }, 300_000);

  it('build the hierarchy on the primary and extend it', async () => {
    await twice([nodeA], () => buildCommPaths(p, 'Clstr-nodeA', { requireAlive: false }));
    await twice([nodeB], () => buildCommPaths(p, 'Clstr-nodeB', { requireAlive: true }));
    await twice([nodeA], () => buildDataKeeperMirror(p));
    await twice([nodeA], () => buildPostgresPrimary(p));
    await twice([nodeA], () => buildPgsqlResource(p));
    await twice([nodeA], () => buildLbhcResource(p));
    await twice([nodeA], () => buildIpResource(p));
    await twice([nodeA], () => buildDependencies(p));
  }, 300_000);

  it('verify: QWK objects fresh, switchover and back, client through the frontend IP', async () => {
    await runOnce(witness, buildQwkCheck(p, 'witness'));
    await twice([nodeB], () => buildSwitchover(p, 'Clstr-nodeB'));
    await twice([witness], () => buildClientCheck(p));
    await twice([nodeA], () => buildSwitchover(p, 'Clstr-nodeA'));
    await twice([witness], () => buildClientCheck(p));
  }, 300_000);

  it('install the QWK relay on the witness: a service that runs; a second run changes nothing', async () => {
    await twice([witness], () =>
      buildQwkRelay(p, { subscriptionId: SUB, resourceGroup: RG, publicUrl: 'https://qwk-ops.azurewebsites.test' }),
    );
    const deadline = Date.now() + 30_000;
    while (!rt.serviceJournal(witness.id, 'qwk-relay.service').includes('started') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(rt.services(witness.id).map((s) => [s.unit, s.running])).toEqual([['qwk-relay.service', true]]);
    // no endpoint published in this test: its POSTs fail and are logged, and it keeps running
    expect(rt.serviceJournal(witness.id, 'qwk-relay.service')).toMatch(/qwk-relay: started: every 5s/);
  }, 120_000);

  it('never shows a secret in what Run Command returns', () => {
    expect(messages.length).toBeGreaterThan(50);
    for (const m of messages) for (const value of Object.values(SECRETS)) expect(m).not.toContain(value);
  });
});
