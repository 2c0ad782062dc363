/**
 * `npm start` (dist/local/start.js: Azurite, the simulator, the host in one process group) killed with SIGKILL while
 * a `configure: false` deployment creates its VMs, then started again on the same state (Azurite's location and the
 * simulator's state dir): the deployment completes on its own, without a new POST, and Azure holds each VM once.
 *
 * Azurite keeps its data in memory and writes it to its location only every 5 s (LokiJS autosave), so a SIGKILL
 * loses its last seconds of acknowledged writes (Azure Storage would keep them). Killed too early, the restarted host
 * has no trace of the deployment (GET answers 404). So the test kills only once Azurite's files hold the deployment
 * with its VMs being created: the crash the test means, of a deployment the task hub knows of.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { removeTree } from '../../local/azure-sim/vm';
import { FUNCTION_KEY_SETTING } from '../../local/host';
import { LOCAL_SUBSCRIPTION_ID } from '../../local/stack';
import { REPO } from '../support/childHost';
import { getDeployment, post, seedInfraSpec, waitForDeployment } from '../support/deployments';
import { makeSimClients } from '../support/simClients';

const START = path.join(REPO, 'dist', 'local', 'start.js');
const root = mkdtempSync(path.join(tmpdir(), 'qwk-start-restart-'));
let child: ChildProcess | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `npm start`'s program in its own process group; resolves when it printed its curl examples. */
async function startLocal(env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string }> {
  if (!existsSync(START)) throw new Error(`${START} is missing: run 'npm run build' first (npm test does)`);
  const c = spawn(process.execPath, [START], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child = c;
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not get ready in 120 s:\n${out}`)), 120_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ctrl-C stops everything')) {
        clearTimeout(timer);
        resolve();
      }
    };
    c.stdout.on('data', onData);
    c.stderr.on('data', onData);
    c.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${out}`));
    });
  });
  c.removeAllListeners('exit');
  return { child: c, output: () => out };
}

/**
 * The deployment's status row (`instance`, durable store.ts) as Azurite's table file on disk holds it, or undefined.
 * Azurite writes the file whole (temporary file, then rename), so a read sees one complete save.
 */
function persistedInstance(id: string): { status?: string; customStatus?: string } | undefined {
  const file = path.join(root, 'azurite', '__azurite_db_table__.json');
  if (!existsSync(file)) return undefined;
  const db = JSON.parse(readFileSync(file, 'utf8')) as {
    collections?: { name: string; data: { PartitionKey: string; RowKey: string; properties: any }[] }[];
  };
  const rows = db.collections?.find((c) => c.name.endsWith('$QwkOpsInstances'))?.data ?? [];
  return rows.find((r) => r.PartitionKey === id && r.RowKey === 'instance')?.properties as
    { status?: string; customStatus?: string } | undefined;
}

const vmRunning = (customStatus: string | undefined): boolean =>
  !!customStatus &&
  ((JSON.parse(customStatus) as { steps?: { name: string; status: string }[] }).steps ?? []).some(
    (s) => s.name.startsWith('vm:') && s.status === 'running',
  );

/** SIGKILL of the whole process group (Azurite and the VMs' processes with it), as a crash of the machine's session. */
async function killGroup(c: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) resolve();
    else c.once('exit', () => resolve());
  });
  try {
    process.kill(-c.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
  await exited;
}

afterAll(async () => {
  if (child) await killGroup(child);
  await removeTree(root);
});

it('npm start killed mid-deployment and restarted completes the deployment without a new POST', async () => {
  const [functionsPort, simPort, blob, queue, table] = await Promise.all([1, 2, 3, 4, 5].map(() => freePort()));
  const env = {
    FUNCTIONS_PORT: String(functionsPort),
    SIM_PORT: String(simPort),
    AZURITE_BLOB_PORT: String(blob),
    AZURITE_QUEUE_PORT: String(queue),
    AZURITE_TABLE_PORT: String(table),
    AZURITE_LOCATION: path.join(root, 'azurite'),
    SIM_STATE_DIR: path.join(root, 'azure-sim'),
    // VM creation takes 90 s × 0.15 = 13.5 s: long enough for Azurite to save (every 5 s) while VMs are being
    // created, and to kill everything then
    SIM_TIME_SCALE: '0.15',
    QWK_RETRY_BASE_MS: '50',
  };
  let local = await startLocal(env);
  const settings = JSON.parse(readFileSync(path.join(REPO, 'local.settings.json'), 'utf8')) as {
    Values: Record<string, string>;
  };
  const api = { baseUrl: `http://127.0.0.1:${functionsPort}`, key: settings.Values[FUNCTION_KEY_SETTING] };
  expect(local.output()).toContain(api.baseUrl);
  const res = await post(api, seedInfraSpec({ resourceGroup: 'qwk-start-restart' }));
  expect(res.status).toBe(202);
  const id = res.json.id as string;
  const inFlight = await waitForDeployment(api, id, 180_000, (v) =>
    v.steps.some((s: any) => s.name.startsWith('vm:') && s.status === 'running'),
  );
  expect(inFlight.runtimeStatus).toBe('Running');
  // Kill once Azurite's files hold the deployment with a VM being created (see the top of this file).
  const deadline = Date.now() + 120_000;
  for (;;) {
    const row = persistedInstance(id);
    if (row?.status === 'Running' && vmRunning(row.customStatus)) break;
    const live = (await getDeployment(api, id)).json;
    if (live.runtimeStatus !== 'Running' || Date.now() > deadline)
      throw new Error(
        `Azurite never saved deployment ${id} with a VM being created; on disk: ${JSON.stringify(row)}; now: ${JSON.stringify(live).slice(0, 2000)}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
  await killGroup(local.child);

  local = await startLocal(env);
  expect(local.output()).toMatch(/state loaded from .*: 1 resource groups/);
  const view = await waitForDeployment(api, id, 300_000);
  expect(view.runtimeStatus).toBe('Completed');
  expect(view.progress.done).toBe(view.progress.total);
  expect((await getDeployment(api, id)).json.id).toBe(id);

  const caPem = readFileSync(path.join(env.SIM_STATE_DIR, 'ca.pem'), 'utf8');
  const arm = makeSimClients({ url: `https://127.0.0.1:${simPort}`, caPem }, LOCAL_SUBSCRIPTION_ID);
  const vms: string[] = [];
  for await (const vm of arm.compute.virtualMachines.list('qwk-start-restart')) vms.push(vm.name!);
  expect(vms.sort()).toEqual(['Clstr-nodeA', 'Clstr-nodeB', 'Witness-node']);
}, 600_000);
