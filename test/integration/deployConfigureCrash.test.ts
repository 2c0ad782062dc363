/**
 * The host killed (SIGKILL) while the VMs are being configured — Run Commands in flight — and started again: the
 * deployment resumes from its history (the interrupted activities run again; a VM still busy with the lost run
 * answers 409 Conflict, which is retried; steps the lost run finished are skipped by their markers) and ends
 * Completed with the cluster registered.
 */
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LOCAL_SUBSCRIPTION_ID } from '../../local/stack';
import { startChildHost, type ChildHost } from '../support/childHost';
import { post, seedSpec, startConfigStack, waitForDeployment } from '../support/deployments';

const KEY = 'configure-crash-key';
const RG = 'qwk-configure-crash';
let stack: Awaited<ReturnType<typeof startConfigStack>>;
let host: ChildHost | undefined;

beforeAll(async () => {
  // Run Command ≥ 20 s × 0.01 = 0.2 s: the software stage (one batch of 5 steps per node) lasts long enough to be
  // interrupted.
  stack = await startConfigStack({ startHost: false, timeScale: 0.01 });
}, 120_000);

afterAll(async () => {
  await host?.kill();
  await stack?.stop();
});

it('a host killed while Run Commands are in flight resumes and completes the configuration', async () => {
  const env = { ...stack.settings, QWK_LOCAL_FUNCTION_KEY: KEY, QWK_RETRY_BASE_MS: '50', QWK_RETRY_CAP_MS: '500' };
  host = await startChildHost(env);
  const res = await post({ baseUrl: host.baseUrl, key: KEY }, seedSpec({ resourceGroup: RG }));
  expect(res.status).toBe(202);
  const id = res.json.id as string;

  // The software stage's Run Command on nodeA (one batch: postgres-server … qwk-config) is running.
  const inFlight = await waitForDeployment({ baseUrl: host.baseUrl, key: KEY }, id, 120_000, (v) =>
    (v.runCommands ?? []).some(
      (r: any) => r.vm === 'Clstr-nodeA' && r.status === 'running' && r.steps.includes('postgres-server'),
    ),
  );
  expect(inFlight).toMatchObject({ runtimeStatus: 'Running', phase: 'configuring' });
  await host.kill('SIGKILL');
  const runsAtKill = stack.sim.journal().filter((o) => o.op === 'virtualMachines.runCommand').length;

  host = await startChildHost(env);
  const view = await waitForDeployment({ baseUrl: host.baseUrl, key: KEY }, id, 240_000);
  expect(view.error).toBeUndefined();
  expect(view).toMatchObject({ runtimeStatus: 'Completed', phase: 'completed' });
  expect(view.progress.done).toBe(view.progress.total);

  const runs = stack.sim.journal().filter((o) => o.op === 'virtualMachines.runCommand');
  expect(runs.length).toBeGreaterThan(runsAtKill);
  const busy = runs.filter((o) => o.httpStatus === 409).length;
  console.log(
    `deployConfigureCrash: ${runs.length} Run Commands, ${runsAtKill} before the kill, ${busy} refused as busy (409) and retried`,
  );
  // the SELinux reboots happened before the kill and were not repeated
  expect(stack.sim.journal().filter((o) => o.op === 'virtualMachines.restart')).toHaveLength(3);

  const table = TableClient.fromConnectionString(stack.azurite.connectionString, 'clusters', {
    allowInsecureConnection: true,
  });
  expect((await table.getEntity<Record<string, any>>(LOCAL_SUBSCRIPTION_ID, RG)).deploymentId).toBe(id);
}, 400_000);
