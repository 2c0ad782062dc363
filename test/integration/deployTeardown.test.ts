/**
 * Issue 9, item 5 end to end on the local stack (Azurite, the simulator, the local host + Durable engine), through
 * HTTP: cancelling a running deployment, and tearing a cluster down (deregister only, and with its resources).
 * Checked with the real SDK clients (ARM, Key Vault) and the app's tables in Azurite.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SUBSCRIPTION_ID, startStack, type RunningStack } from '../../local/stack';
import { tableClient, targetKeys } from '../../shared/azure/tables';
import { TABLES } from '../../shared/names';
import { relayKeySecretName } from '../../shared/monitoring/relayKey';
import { ClusterRegistry } from '../../shared/registry/clusterRegistry';
import { generatedSecretNames } from '../../shared/teardown/teardown';
import type { DeliveryAttempt } from '../../local/azure-sim/monitor/alerts';
import { LOCAL_PUBLIC_URL } from '../../local/stack';
import { ensureClusterAlertRules } from '../../shared/monitoring/alertRulesDeployer';
import type { ClusterRecord } from '../../shared/registry/clusterRecord';
import { makeSimClients, type SimClients } from '../support/simClients';
import { simFetch } from '../support/simHttp';
import { makeMonitorClient } from '../support/simMonitorClient';
import { getDeployment, post, seedInfraSpec as seedSpec, waitForDeployment, type Api } from '../support/deployments';

const KEY = 'e2e-function-key';
const SUB = LOCAL_SUBSCRIPTION_ID;
const RG = 'qwk-teardown';
const OPERATOR_SECRET = 'lifekeeper-license';
let stack: RunningStack;
let api: Api;
let arm: SimClients;
let registry: ClusterRegistry;

beforeAll(async () => {
  stack = await startStack({
    sim: { port: 0, timeScale: 0.002, stateDir: mkdtempSync(path.join(tmpdir(), 'qwk-teardown-')) },
    host: { port: 0, functionKey: KEY },
    // Long transient retries: a deployment held up by a fault stays running until it is cancelled.
    settings: { QWK_RETRY_BASE_MS: '1000', QWK_RETRY_CAP_MS: '3000', QWK_RETRY_MAX_ATTEMPTS: '100' },
    seedSecrets: { [OPERATOR_SECRET]: 'operator license' },
  });
  api = { baseUrl: stack.host!.baseUrl, key: KEY };
  arm = makeSimClients(stack.sim, SUB);
  registry = ClusterRegistry.fromConnectionString(stack.azurite.connectionString);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function call(method: string, route: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${api.baseUrl}/api/${route}`, { method, headers: { 'x-functions-key': KEY, ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: (text ? JSON.parse(text) : {}) as Record<string, any> };
}

const deleteCluster = (rg: string, headers: Record<string, string> = {}, query = '') =>
  call('DELETE', `clusters/${SUB}/${rg}${query}`, headers);

async function lockRow(rg: string) {
  const k = targetKeys(SUB, rg);
  try {
    return await tableClient(stack.azurite.connectionString, TABLES.deployments).getEntity(k.partitionKey, k.rowKey);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

async function groupExists(rg: string): Promise<boolean> {
  try {
    await arm.resources.resourceGroups.get(rg);
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

async function secretExists(name: string): Promise<boolean> {
  try {
    await arm.secrets.getSecret(name);
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

/** A registry row and a QWK snapshot row for RG, as a configured deployment and the relay would leave them. */
async function registerByHand(rg: string, deploymentId: string) {
  await registry.upsert({
    subscriptionId: SUB,
    resourceGroup: rg,
    location: 'japaneast',
    deploymentId,
    loadBalancerId: `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Network/loadBalancers/lb`,
    frontendIp: '10.5.1.100',
    servicePort: 5432,
    probePort: 59998,
    nodes: [],
    witness: { name: 'Witness-node', vmId: 'w', serviceIp: '10.5.1.20' },
    qwk: { sharePath: 's', mountPoint: '/qwk', hbeatTime: 5, numHbeats: 3, quorumLossAction: 'fastkill' },
    activeNode: 'Clstr-nodeA',
    registeredAt: new Date().toISOString(),
  });
  const snapshots = tableClient(stack.azurite.connectionString, TABLES.qwkSnapshots);
  await snapshots.createTable().catch(() => undefined);
  await snapshots.upsertEntity({ ...targetKeys(SUB, rg), subscriptionId: SUB, resourceGroup: rg, counter: 1 });
}

async function snapshotRowExists(rg: string): Promise<boolean> {
  const k = targetKeys(SUB, rg);
  try {
    await tableClient(stack.azurite.connectionString, TABLES.qwkSnapshots).getEntity(k.partitionKey, k.rowKey);
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

describe('cancel and tear down', () => {
  let completedId = '';

  it('cancels a running deployment: the lock is released, the status says what was half done, a new POST starts', async () => {
    // Every PUT of the availability set is refused as busy: the deployment keeps retrying it until cancelled.
    stack.sim.faults.add({
      method: 'PUT',
      resourceType: 'availabilitySets',
      kind: 'anotherOperationInProgress',
      times: 10_000,
    });
    const res = await post(api, seedSpec({ resourceGroup: RG }));
    expect(res.status).toBe(202);
    const id = res.json.id as string;
    const held = await waitForDeployment(api, id, 120_000, (v) => v.steps.some((s: any) => s.status === 'retrying'));
    expect(held.runtimeStatus).toBe('Running');
    const retrying = held.steps.filter((s: any) => s.status === 'retrying').map((s: any) => s.name);
    expect((await lockRow(RG))?.deploymentId).toBe(id);

    // While it runs, the cluster cannot be torn down.
    const refused = await deleteCluster(RG, { 'x-qwk-confirm': RG }, '?deleteResources=true');
    expect(refused.status).toBe(409);
    expect(refused.json.id).toBe(id);

    const cancelled = await call('POST', `deployments/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toMatchObject({ id, runtimeStatus: 'Terminated', phase: 'cancelled' });
    const view = (await getDeployment(api, id)).json;
    expect(view).toMatchObject({ runtimeStatus: 'Terminated', phase: 'cancelled' });
    expect(view.unfinished.interrupted).toEqual(expect.arrayContaining(retrying));
    expect(view.unfinished.notStarted.length).toBeGreaterThan(0); // the VMs wait for the availability set
    expect(view.steps.some((s: any) => s.status === 'running' || s.status === 'retrying')).toBe(false);
    for (const name of view.unfinished.interrupted)
      expect(view.steps.find((s: any) => s.name === name).status).toBe('interrupted');
    expect(await lockRow(RG)).toBeUndefined();

    expect((await call('POST', `deployments/${id}/cancel`)).status).toBe(409);
    expect((await call('POST', 'deployments/dpl-unknown/cancel')).status).toBe(404);

    stack.sim.faults.clear();
    const again = await post(api, seedSpec({ resourceGroup: RG }));
    expect(again.status).toBe(202);
    const done = await waitForDeployment(api, again.json.id, 240_000);
    expect(done.runtimeStatus).toBe('Completed');
    completedId = done.id;
  }, 400_000);

  it('refuses a DELETE without or with a wrong confirmation header, and deletes nothing', async () => {
    expect(completedId).not.toBe('');
    await registerByHand(RG, completedId);
    const attempts: Record<string, string>[] = [{}, { 'x-qwk-confirm': 'qwk-other' }, { 'x-qwk-confirm': '' }];
    for (const headers of attempts) {
      for (const query of ['', '?deleteResources=true']) {
        const res = await deleteCluster(RG, headers, query);
        expect(res.status).toBe(400);
        expect(res.json.errors[0].message).toContain('x-qwk-confirm');
      }
    }
    expect(await registry.get(SUB, RG)).toBeDefined();
    expect(await snapshotRowExists(RG)).toBe(true);
    expect(await groupExists(RG)).toBe(true);
  });

  it('deregisters only: the registry and snapshot rows go, the resources stay', async () => {
    // The cluster's Azure alerts, as the deployment's step `alerts` creates them (its adapter, real SDK client).
    const ids = `/subscriptions/${SUB}/resourceGroups/${RG}/providers`;
    const vm = (name: string) => ({ name, vmId: `${ids}/Microsoft.Compute/virtualMachines/${name}` });
    const alerting: ClusterRecord = { ...(await registry.get(SUB, RG))! };
    Object.assign(alerting, {
      loadBalancerId: `${ids}/Microsoft.Network/loadBalancers/LKL-QWK-storage-ILB`,
      nodes: [vm('Clstr-nodeA'), vm('Clstr-nodeB')],
      witness: { ...vm('Witness-node'), serviceIp: '10.5.1.20' },
    });
    const monitor = makeMonitorClient(stack.sim, SUB);
    const created = await ensureClusterAlertRules(
      {
        monitor: () => monitor,
        readSecret: () => Promise.resolve(KEY),
        settings: { publicUrl: LOCAL_PUBLIC_URL, functionKeySecretName: 'alerts-key' },
      },
      { record: alerting, tags: {} },
    );
    expect(created.ok).toBe(true);

    const res = await deleteCluster(RG, { 'x-qwk-confirm': RG });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(res.json.statusUrl);
    expect(res.json.statusUrl).toContain(`/api/deployments/${res.json.id}`);
    const view = await waitForDeployment(api, res.json.id, 120_000);
    expect(view).toMatchObject({ operation: 'teardown', runtimeStatus: 'Completed', phase: 'completed' });
    expect(view.steps.map((s: any) => [s.name, s.status])).toEqual([['deregister', 'succeeded']]);
    expect(await registry.get(SUB, RG)).toBeUndefined();
    expect(await snapshotRowExists(RG)).toBe(false);
    expect(await groupExists(RG)).toBe(true);
    expect(await secretExists(generatedSecretNames(SUB, RG)[0])).toBe(true); // the admin SSH key: kept

    // Not registered any more: deregistering again is a 404.
    expect((await deleteCluster(RG, { 'x-qwk-confirm': RG })).status).toBe(404);

    // The alerts stay with the resources and keep calling POST /api/alerts, which answers 202 (targets of no
    // registered cluster): Azure counts it delivered and does not retry.
    expect((await monitor.metricAlerts.get(RG, `qwk-${RG}-outage`)).scopes).toEqual([alerting.loadBalancerId]);
    const poweredOffAt = new Date().toISOString();
    await arm.compute.virtualMachines.beginPowerOffAndWait(RG, 'Clstr-nodeB');
    const deadline = Date.now() + 60_000;
    let delivery: DeliveryAttempt | undefined;
    while (!delivery && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      // This power-off's alert (one fired before the deregistration, when the cluster was registered, answers 200).
      delivery = ((await simFetch(stack.sim, 'GET', '/_sim/alerts/deliveries')).json as DeliveryAttempt[]).find(
        (d) => d.alertRule === `qwk-${RG}-health-Clstr-nodeB` && d.at >= poweredOffAt && d.monitorCondition === 'Fired',
      );
    }
    expect(delivery, 'a Resource Health alert delivered').toMatchObject({
      status: 202,
      outcome: 'delivered',
      attempt: 1,
    });
  }, 120_000);

  it('with deleteResources=true deletes the resource group and the generated secrets, and keeps operator secrets', async () => {
    await arm.secrets.setSecret(relayKeySecretName(SUB, RG), 'relay key');
    const before = [];
    for (const name of generatedSecretNames(SUB, RG)) if (await secretExists(name)) before.push(name);
    expect(before.length).toBeGreaterThanOrEqual(2); // the admin credential (+ its public half) and the relay key

    const res = await deleteCluster(RG, { 'x-qwk-confirm': RG.toUpperCase() }, '?deleteResources=true');
    expect(res.status).toBe(202);
    const view = await waitForDeployment(api, res.json.id, 180_000);
    expect(view).toMatchObject({ operation: 'teardown', runtimeStatus: 'Completed', progress: { done: 3, total: 3 } });
    expect(await groupExists(RG)).toBe(false);
    // The cluster's action group and alert rules go with the group (ARM's cascade finishes after the group stops
    // answering its GET here).
    const monitor = makeMonitorClient(stack.sim, SUB);
    const leftInGroup = async () => {
      const left: string[] = [];
      for await (const g of monitor.actionGroups.listBySubscriptionId()) left.push(g.id!);
      for await (const m of monitor.metricAlerts.listBySubscription()) left.push(m.id!);
      for await (const a of monitor.activityLogAlerts.listBySubscriptionId()) left.push(a.id!);
      return left.filter((id) => id.toLowerCase().includes(`/resourcegroups/${RG}/`));
    };
    let left = await leftInGroup();
    for (const end = Date.now() + 60_000; left.length > 0 && Date.now() < end; left = await leftInGroup())
      await new Promise((r) => setTimeout(r, 500));
    expect(left).toEqual([]);
    for (const name of generatedSecretNames(SUB, RG)) expect(await secretExists(name)).toBe(false);
    expect(await secretExists(OPERATOR_SECRET)).toBe(true);
    expect(await registry.get(SUB, RG)).toBeUndefined();

    // Nothing left to find.
    expect((await deleteCluster(RG, { 'x-qwk-confirm': RG }, '?deleteResources=true')).status).toBe(404);
  }, 240_000);
});
