/**
 * A host killed (SIGKILL) in the middle of a deployment, while VM creations are in flight, and started again:
 * the deployment ends Completed and Azure holds each resource once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LOCAL_SUBSCRIPTION_ID, startStack, type RunningStack } from '../../local/stack';
import { startChildHost, type ChildHost } from '../support/childHost';
import { post, seedInfraSpec, waitForDeployment } from '../support/deployments';
import { makeSimClients } from '../support/simClients';

const KEY = 'crash-function-key';
let stack: RunningStack;
let host: ChildHost | undefined;

beforeAll(async () => {
  // VM creation takes 90 s × 0.02 = 1.8 s here: long enough to kill the host while VMs are being created.
  // Infrastructure only; deploy-configure-crash.test.ts kills a host during the nodes' configuration.
  stack = await startStack({
    startHost: false,
    sim: { port: 0, timeScale: 0.02, stateDir: mkdtempSync(path.join(tmpdir(), 'qwk-crash-')) },
  });
}, 120_000);

afterAll(async () => {
  await host?.kill();
  await stack?.stop();
});

it('a host killed mid-deployment and restarted completes the deployment without duplicates', async () => {
  const env = { ...stack.settings, QWK_LOCAL_FUNCTION_KEY: KEY, QWK_RETRY_BASE_MS: '50' };
  host = await startChildHost(env);
  const res = await post({ baseUrl: host.baseUrl, key: KEY }, seedInfraSpec({ resourceGroup: 'qwk-crash' }));
  expect(res.status).toBe(202);
  const id = res.json.id as string;

  const inFlight = await waitForDeployment({ baseUrl: host.baseUrl, key: KEY }, id, 120_000, (v) =>
    v.steps.some((s: any) => s.name.startsWith('vm:') && s.status === 'running'),
  );
  expect(inFlight.runtimeStatus).toBe('Running');
  await host.kill('SIGKILL');

  host = await startChildHost(env);
  const view = await waitForDeployment({ baseUrl: host.baseUrl, key: KEY }, id, 240_000);
  expect(view.runtimeStatus).toBe('Completed');
  expect(view.progress).toEqual({ done: 20, total: 20 });

  const arm = makeSimClients(stack.sim, LOCAL_SUBSCRIPTION_ID);
  const vms: string[] = [];
  for await (const vm of arm.compute.virtualMachines.list('qwk-crash')) vms.push(vm.name!);
  expect(vms.sort()).toEqual(['Clstr-nodeA', 'Clstr-nodeB', 'Witness-node']);
  let nics = 0;
  for await (const _ of arm.network.networkInterfaces.list('qwk-crash')) nics++;
  expect(nics).toBe(6);
}, 330_000);
