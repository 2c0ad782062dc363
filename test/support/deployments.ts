/** Drives the deployment HTTP API of a running host, as a user with curl would. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { startSimulator } from '../../local/azure-sim';
import { createVmRuntime, type SimVmRuntime } from '../../local/azure-sim/vm';
import { startAzurite } from '../../local/azurite';
import { startHost } from '../../local/host';
import { createDurableExtension } from '../../local/host/durable';
import { LOCAL_SUBSCRIPTION_ID, localAppSettings, REPO_ROOT, type RunningStack } from '../../local/stack';
import { makeSimClients } from './sim-clients';
import { shimNewVms } from './vm-shims';

export const TERMINAL = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);

export interface Api {
  baseUrl: string;
  key: string;
}

export async function post(api: Api, body: unknown, raw?: string) {
  const res = await fetch(`${api.baseUrl}/api/deployments`, {
    method: 'POST',
    headers: { 'x-functions-key': api.key, 'content-type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, any> };
}

export async function getDeployment(api: Api, id: string) {
  const res = await fetch(`${api.baseUrl}/api/deployments/${encodeURIComponent(id)}`, { headers: { 'x-functions-key': api.key } });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

export async function listDeployments(api: Api) {
  const res = await fetch(`${api.baseUrl}/api/deployments`, { headers: { 'x-functions-key': api.key } });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, any>[];
}

/** Polls until the deployment is terminal (or `until` says stop); returns the last view. */
export async function waitForDeployment(api: Api, id: string, timeoutMs = 60_000, until?: (view: Record<string, any>) => boolean) {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, any> = {};
  while (Date.now() < deadline) {
    const { status, json } = await getDeployment(api, id);
    if (status === 200) {
      last = json;
      if (TERMINAL.has(json.runtimeStatus) || until?.(json)) return json;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`deployment ${id} did not finish in ${timeoutMs} ms; last: ${JSON.stringify(last).slice(0, 2000)}`);
}

/**
 * The smallest valid spec: the seed's values, SSH to the witness from a documentation range, and the installer's
 * location (the seed has none: the guide copies the image by hand). The license must be in Key Vault (storeLicense).
 */
export const seedSpec = (extra: Record<string, unknown> = {}) => ({
  witness: { sshSourceCidr: '203.0.113.0/24' },
  lifeKeeper: { installerLocation: 'https://qwkopsmedia.blob.core.windows.net/media/sps.img' },
  ...extra,
});

/** Where the seed spec's VMs fetch the LifeKeeper installer (the simulator's curl serves an installer image). */
export const INSTALLER_LOCATION = 'https://qwkopsmedia.blob.core.windows.net/media/sps.img';
/** Key Vault secret the seed spec names for the LifeKeeper license (lifeKeeper.licenseSecretName's default). */
export const LICENSE_SECRET = 'lifekeeper-license';
export const TEST_LICENSE = 'LICENSE qwk-e2e-license-5309 lifekeeper-for-linux';

/** Stores the operator's LifeKeeper license in the simulator's Key Vault, as an operator does before deploying. */
export async function storeLicense(secrets: { setSecret(name: string, value: string): Promise<unknown> }, value = TEST_LICENSE): Promise<void> {
  await secrets.setSecret(LICENSE_SECRET, value);
}

/**
 * The local stack with the simulator's real VM runtime (startStack's own runtime loading does not work under
 * vitest, which cannot `require` a .ts module): Azurite, the simulator with sandboxed VMs (optionally with test
 * overrides of their commands, see vm-shims.ts), optionally the host, and the LifeKeeper license in Key Vault.
 */
export async function startConfigStack(o: {
  timeScale: number;
  functionKey?: string;
  settings?: Record<string, string>;
  startHost?: boolean;
  shimOverrides?: (vmId: string) => Record<string, string>;
}): Promise<RunningStack & { runtime: SimVmRuntime }> {
  const root = mkdtempSync(path.join(tmpdir(), 'qwk-config-stack-'));
  const azurite = await startAzurite();
  const runtime = createVmRuntime({ rootDir: path.join(root, 'vms'), timeScale: o.timeScale });
  if (o.shimOverrides) shimNewVms(runtime, o.shimOverrides);
  const sim = await startSimulator({ port: 0, timeScale: o.timeScale, stateDir: path.join(root, 'state'), vmRuntime: runtime });
  const settings = { ...localAppSettings(azurite, sim), ...o.settings };
  const host = o.startHost === false ? undefined : await startHost({ port: 0, functionKey: o.functionKey, appRoot: REPO_ROOT, settings, extensions: [createDurableExtension()] });
  await storeLicense(makeSimClients(sim, LOCAL_SUBSCRIPTION_ID).secrets);
  return {
    azurite,
    sim,
    host,
    settings,
    runtime,
    async stop() {
      await host?.stop().catch(() => undefined);
      await sim.stop().catch(() => undefined);
      await azurite.stop().catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
