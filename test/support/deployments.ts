/** Drives the deployment HTTP API of a running host, as a user with curl would. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { removeTree, type SimVmRuntime } from '../../local/azure-sim/vm';
import { startStack, type RunningStack } from '../../local/stack';
import { shimNewVms } from './vmShims';

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
  const res = await fetch(`${api.baseUrl}/api/deployments/${encodeURIComponent(id)}`, {
    headers: { 'x-functions-key': api.key },
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

export async function listDeployments(api: Api) {
  const res = await fetch(`${api.baseUrl}/api/deployments`, { headers: { 'x-functions-key': api.key } });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, any>[];
}

/** Polls until the deployment is terminal (or `until` says stop); returns the last view. Default bound: 3 min
 *  (a deployment includes the VMs' configuration, ~20–30 s at the tests' time scales on a loaded machine). */
export async function waitForDeployment(
  api: Api,
  id: string,
  timeoutMs = 180_000,
  until?: (view: Record<string, any>) => boolean,
) {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, any> = {};
  let lastStatus = 0;
  while (Date.now() < deadline) {
    const { status, json } = await getDeployment(api, id);
    lastStatus = status;
    last = json;
    if (status === 200 && (TERMINAL.has(json.runtimeStatus) || until?.(json))) return json;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `deployment ${id} did not finish in ${timeoutMs} ms; last (HTTP ${lastStatus}): ${JSON.stringify(last).slice(0, 2000)}`,
  );
}

/**
 * The smallest valid spec: the seed's values, SSH to the witness from a documentation range, and the installer's
 * location (the seed has none: the guide copies the image by hand). The license must be in Key Vault (startConfigStack).
 */
/** Where the seed spec's VMs fetch the LifeKeeper installer (the simulator's curl serves an installer image). */
export const INSTALLER_LOCATION = 'https://qwkopsmedia.blob.core.windows.net/media/sps.img';

export const seedSpec = (extra: Record<string, unknown> = {}) => ({
  witness: { sshSourceCidr: '203.0.113.0/24' },
  lifeKeeper: { installerLocation: INSTALLER_LOCATION },
  ...extra,
});

/** The seed spec for the Azure infrastructure only (the guide's §4): no node configuration. */
export const seedInfraSpec = (extra: Record<string, unknown> = {}) => ({
  witness: { sshSourceCidr: '203.0.113.0/24' },
  configure: false,
  ...extra,
});
/** Key Vault secret the seed spec names for the LifeKeeper license (lifeKeeper.licenseSecretName's default). */
export const LICENSE_SECRET = 'lifekeeper-license';
export const TEST_LICENSE = 'LICENSE qwk-e2e-license-5309 lifekeeper-for-linux';

/**
 * The local stack for deployments that configure the nodes: temporary state, the operator's LifeKeeper license in
 * the simulator's Key Vault, and optionally test overrides of the VMs' commands (see vm-shims.ts).
 */
export async function startConfigStack(o: {
  timeScale: number;
  functionKey?: string;
  settings?: Record<string, string>;
  startHost?: boolean;
  shimOverrides?: (vmId: string) => Record<string, string>;
  /** More secrets in the simulator's Key Vault at start (besides the license). */
  secrets?: Record<string, string>;
}): Promise<RunningStack & { runtime: SimVmRuntime }> {
  const root = mkdtempSync(path.join(tmpdir(), 'qwk-config-stack-'));
  const stack = await startStack({
    sim: {
      port: 0,
      timeScale: o.timeScale,
      stateDir: path.join(root, 'state'),
      sandboxRoot: path.join(root, 'vms'),
      prepareVmRuntime: o.shimOverrides ? (runtime) => shimNewVms(runtime, o.shimOverrides!) : undefined,
    },
    host: { port: 0, functionKey: o.functionKey },
    settings: o.settings,
    startHost: o.startHost,
    seedSecrets: { [LICENSE_SECRET]: TEST_LICENSE, ...o.secrets },
  });
  return {
    ...stack,
    runtime: stack.runtime!,
    async stop() {
      await stack.stop();
      await removeTree(root);
    },
  };
}
