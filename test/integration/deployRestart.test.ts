/**
 * A VM restart that outlasts functionTimeout (issue 8): the restart is one activity that only sends ARM's restart,
 * and the wait for the VM is the orchestrator's, on durable timers. The app runs here under a host.json whose
 * functionTimeout is 30 s while the simulator's restarts take 45 s; the SELinux step of every VM asks for a reboot.
 * Evidence from outside the app: the simulator's ARM journal (how many restarts, how long each took) and the
 * deployment's status over HTTP.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SUBSCRIPTION_ID, REPO_ROOT, startStack, type RunningStack } from '../../local/stack';
import { LICENSE_SECRET, post, seedSpec, TEST_LICENSE, waitForDeployment, type Api } from '../support/deployments';

const KEY = 'restart-function-key';
const RG = 'qwk-slow-restart';
const TIME_SCALE = 0.005;
/** Above the longest other activity (a Run Command script, ~9 s here on a busy machine) with room to spare. */
const FUNCTION_TIMEOUT_MS = 30_000;
/** Real milliseconds a restart takes in the simulator: half as long again as the function timeout. */
const RESTART_MS = 1.5 * FUNCTION_TIMEOUT_MS;

/** Longest invocation per function, and invocations the host failed for exceeding functionTimeout. */
const longest: Record<string, number> = {};
const timedOut: string[] = [];

let root: string;
let stack: RunningStack;
let api: Api;

beforeAll(async () => {
  // The app as built, under a host.json of its own: only functionTimeout differs from the repository's.
  root = mkdtempSync(path.join(tmpdir(), 'qwk-restart-'));
  const appRoot = path.join(root, 'app');
  const hostJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'host.json'), 'utf8')) as Record<string, unknown>;
  mkdirSync(appRoot);
  writeFileSync(
    path.join(appRoot, 'host.json'),
    JSON.stringify({ ...hostJson, functionTimeout: `00:00:${FUNCTION_TIMEOUT_MS / 1000}` }),
  );
  copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(appRoot, 'package.json'));
  symlinkSync(path.join(REPO_ROOT, 'dist'), path.join(appRoot, 'dist'));
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(appRoot, 'node_modules'));

  stack = await startStack({
    appRoot,
    sim: {
      port: 0,
      timeScale: TIME_SCALE,
      stateDir: path.join(root, 'state'),
      sandboxRoot: path.join(root, 'vms'),
    },
    host: {
      port: 0,
      functionKey: KEY,
      logSink: (r) => {
        const executed = /^Executed 'Functions\.(\w+)' \(\w+, Id=[^,]+, Duration=(\d+)ms\)$/.exec(r.message);
        if (executed?.[1] && executed[2])
          longest[executed[1]] = Math.max(longest[executed[1]] ?? 0, Number(executed[2]));
        if (/Timeout value of .* was exceeded/.test(r.message)) timedOut.push(r.message);
      },
    },
    settings: { QWK_RETRY_BASE_MS: '50', QWK_RETRY_CAP_MS: '500' },
    seedSecrets: { [LICENSE_SECRET]: TEST_LICENSE },
  });
  stack.sim.setLatency('virtualMachines.restart', RESTART_MS / TIME_SCALE);
  api = { baseUrl: stack.host!.baseUrl, key: KEY };
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('a restart longer than functionTimeout', () => {
  it('restarts each rebooting VM exactly once, and the deployment completes', async () => {
    const res = await post(api, seedSpec({ resourceGroup: RG }));
    expect(res.status).toBe(202);
    const view = await waitForDeployment(api, res.json.id, 600_000);
    expect(view.error).toBeUndefined();
    expect(view).toMatchObject({ runtimeStatus: 'Completed', phase: 'completed' });

    const restarts = stack.sim
      .journal()
      .filter(
        (o) => o.op === 'virtualMachines.restart' && o.resourceId.toLowerCase().includes(`/resourcegroups/${RG}/`),
      );
    const vms = ['Clstr-nodeA', 'Clstr-nodeB', 'Witness-node'];
    const prefix = `/subscriptions/${LOCAL_SUBSCRIPTION_ID}/resourcegroups/${RG}/providers/microsoft.compute/virtualmachines/`;
    // SELinux was enforcing in every VM's image: one restart each, never a second one
    expect(restarts.map((o) => o.resourceId.toLowerCase()).sort()).toEqual(
      vms.map((vm) => `${prefix}${vm.toLowerCase()}`).sort(),
    );
    // each restart really outlasted the function timeout (its LRO ended Succeeded)
    const durations = restarts.map((o) => Date.parse(String(o.end)) - Date.parse(String(o.start)));
    console.log(`restart LRO durations (ms): ${durations.join(', ')}; functionTimeout ${FUNCTION_TIMEOUT_MS} ms`);
    for (const o of restarts) expect(o.status).toBe('Succeeded');
    for (const ms of durations) expect(ms).toBeGreaterThan(FUNCTION_TIMEOUT_MS);
    // no invocation ran into the function timeout: the wait happened in the orchestrator, between short looks
    console.log(`longest invocation per function (ms): ${JSON.stringify(longest)}`);
    expect(timedOut).toEqual([]);
    expect(longest.restartVm).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expect(longest.probeVm).toBeLessThan(FUNCTION_TIMEOUT_MS);
    for (const vm of vms) {
      const step = view.steps.find((s: { name: string }) => s.name === `configure:${vm}:os-selinux`);
      expect(step).toMatchObject({ status: 'succeeded' });
      expect(step.detail).toMatch(/restarted; answering again after \d+\.\d s/);
    }
  }, 700_000);
});
