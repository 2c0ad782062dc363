/**
 * Monitoring benchmark (`npm run bench monitoring`): 1,000 registered clusters, one sweep. Light clusters: each has
 * a resource group and an ILB in the simulator (so the simulator's metrics batch API answers for it), a registry
 * row and a fresh relay snapshot row written directly; no VM sandboxes (their instance views answer 404, power
 * `unknown`). The sweep runs the app's own code in-process — ClusterMonitor.sweepShards, then evaluateShard for
 * every shard concurrently, as the shard queue's consumers would — over real SDK clients (ARM, metrics, Tables
 * on Azurite, the transitions queue), each client counted by a pipeline policy.
 *
 * If the simulator has no load-balancing rule health route, the rule health call is answered by a pipeline policy
 * of the network client (one healthy active node) — still counted as an ARM call — and the output says so.
 */
import { mkdtempSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import type { TableClient } from '@azure/data-tables';
import { createHttpHeaders, type PipelinePolicy } from '@azure/core-rest-pipeline';
import { QueueServiceClient } from '@azure/storage-queue';
import { createAzureClients } from '../shared/azure/clients';
import { tableClient } from '../shared/azure/tables';
import { loadConfig } from '../shared/config';
import { AlertStore } from '../shared/monitoring/alertStore';
import { ClusterMonitor, sdkSignalReaders } from '../shared/monitoring/clusterMonitor';
import { IncidentStore } from '../shared/monitoring/incidentStore';
import { QwkSnapshotStore } from '../shared/monitoring/qwkSnapshotStore';
import { QUEUES, TABLES } from '../shared/names';
import type { ClusterRecord } from '../shared/registry/clusterRecord';
import { ClusterRegistry } from '../shared/registry/clusterRegistry';
import { makeSimClients } from '../local/azure-sim/sdkClients';
import { localAppSettings, startStack } from '../local/stack';

const LOCATION = 'westeurope';

export interface MonitoringFigures {
  clusters: number;
  shards: number;
  ruleHealth:
    | 'simulator'
    | 'stubbed at the network client pipeline (simulator has no route)'
    | 'stubbed at the network client pipeline (light clusters: no VMs for the simulator to probe)';
  sweeps: {
    label: string;
    wallMs: number;
    ok: number;
    failed: number;
    states: Record<string, number>;
    metricsCalls: number;
    metricsCallsPer50Clusters: number;
    tableReads: number;
    tableReadsPerCluster: number;
    tableQueries: number;
    tableWrites: number;
    armCalls: number;
    armCallsPerCluster: number;
    armCallsByKind: Record<string, number>;
    runCommands: number;
  }[];
  setupMs: number;
  /** os.loadavg() over 1 minute before and after the sweeps (the machine is shared). */
  loadAverage: { before: number; after: number };
}

const round = (n: number) => Math.round(n * 100) / 100;

class Counter {
  counts = new Map<string, number>();
  add(k: string) {
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }
  get(k: string) {
    return this.counts.get(k) ?? 0;
  }
  sum(prefix: string) {
    let n = 0;
    for (const [k, v] of this.counts) if (k.startsWith(prefix)) n += v;
    return n;
  }
  reset() {
    this.counts.clear();
  }
}

function counting(counter: Counter, kind: (method: string, url: URL) => string): PipelinePolicy {
  return {
    name: 'benchCounter',
    sendRequest: (req, next) => {
      counter.add(kind(req.method, new URL(req.url)));
      return next(req);
    },
  };
}

/** Table operations: a read is a GET of one entity (…(PartitionKey='…',RowKey='…')), a query a GET of a set. */
function tableKind(method: string, url: URL): string {
  if (method === 'GET') return /\(PartitionKey=/.test(decodeURIComponent(url.pathname)) ? 'table:read' : 'table:query';
  if (url.pathname.endsWith('/Tables')) return 'table:create';
  return 'table:write';
}

function armKind(method: string, url: URL): string {
  const p = url.pathname.toLowerCase();
  if (p.includes('/runcommand')) return 'arm:runCommand';
  if (p.includes('/metrics:getbatch')) return 'metrics:batch';
  if (p.endsWith('/health')) return 'arm:ruleHealth';
  if (p.includes('/operations/') || p.includes('operationresults')) return 'arm:lroPoll';
  if (p.endsWith('/instanceview')) return 'arm:instanceView';
  return `arm:${method}`;
}

async function pool<T>(items: T[], n: number, f: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await f(items[i++]);
    }),
  );
}

export async function runMonitoringBenchmark(clusters = 1000): Promise<MonitoringFigures> {
  const t0 = Date.now();
  const stack = await startStack({
    startHost: false,
    sim: { port: 0, withVmRuntime: false, timeScale: 0.001, stateDir: mkdtempSync(path.join(tmpdir(), 'qwk-bmon-')) },
  });
  try {
    const sim = makeSimClients(stack.sim);
    const sub = sim.subscriptionId;
    await sim.resources.resourceGroups.createOrUpdate('bench-net', { location: LOCATION });
    await sim.network.virtualNetworks.beginCreateOrUpdateAndWait('bench-net', 'vnet', {
      location: LOCATION,
      addressSpace: { addressPrefixes: ['10.20.0.0/16'] },
      subnets: [{ name: 'service', addressPrefix: '10.20.0.0/17' }],
    });
    const subnet = `/subscriptions/${sub}/resourceGroups/bench-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/service`;
    const conn = stack.settings.AzureWebJobsStorage;
    const registry = ClusterRegistry.fromConnectionString(conn);
    const snapshots = QwkSnapshotStore.fromConnectionString(conn);
    const records: ClusterRecord[] = [];
    const index = Array.from({ length: clusters }, (_, i) => i);
    const ip = (i: number, k: number) => `10.20.${Math.floor((i * 4 + k) / 250)}.${((i * 4 + k) % 250) + 4}`;
    await pool(index, 16, async (i) => {
      const rg = `bench-${String(i).padStart(4, '0')}`;
      const lbId = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/loadBalancers/ilb`;
      await sim.resources.resourceGroups.createOrUpdate(rg, { location: LOCATION });
      await sim.network.loadBalancers.beginCreateOrUpdateAndWait(rg, 'ilb', {
        location: LOCATION,
        sku: { name: 'Standard' },
        frontendIPConfigurations: [
          { name: 'fe', subnet: { id: subnet }, privateIPAllocationMethod: 'Static', privateIPAddress: ip(i, 0) },
        ],
        backendAddressPools: [{ name: 'pool' }],
        probes: [{ name: 'probe', protocol: 'Tcp', port: 12345, intervalInSeconds: 5, numberOfProbes: 2 }],
        loadBalancingRules: [
          {
            name: 'rule',
            protocol: 'Tcp',
            frontendPort: 5432,
            backendPort: 5432,
            enableFloatingIP: true,
            frontendIPConfiguration: { id: `${lbId}/frontendIPConfigurations/fe` },
            backendAddressPool: { id: `${lbId}/backendAddressPools/pool` },
            probe: { id: `${lbId}/probes/probe` },
          },
        ],
      });
      const vm = (n: string) =>
        `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${n}`;
      const record: ClusterRecord = {
        subscriptionId: sub,
        resourceGroup: rg,
        location: LOCATION,
        deploymentId: `dpl-${rg}`,
        loadBalancerId: lbId,
        loadBalancingRule: 'rule',
        frontendIp: ip(i, 0),
        servicePort: 5432,
        probePort: 12345,
        nodes: ['A', 'B'].map((x, k) => ({
          name: `Clstr-node${x}`,
          vmId: vm(`Clstr-node${x}`),
          serviceIp: ip(i, k + 1),
          replicationIp: `10.21.0.${k + 1}`,
          priority: k + 1,
          qwkObject: `Clstr_node${x}`,
        })),
        witness: { name: 'Witness-node', vmId: vm('Witness-node'), serviceIp: ip(i, 3) },
        qwk: {
          sharePath: '/root/qwkshare',
          mountPoint: '/qwk',
          hbeatTime: 6,
          numHbeats: 4,
          quorumLossAction: 'fastkill',
        },
        activeNode: 'Clstr-nodeA',
        relayIntervalSeconds: 5,
        registeredAt: new Date().toISOString(),
      };
      records.push(record);
      await registry.upsert(record);
    });

    // Fresh relay snapshots, written at the start of each sweep (witness clock = app clock here).
    const writeSnapshots = async () => {
      const now = new Date().toISOString();
      await pool(records, 16, async (r) => {
        const current = await snapshots.get(r.subscriptionId, r.resourceGroup);
        await snapshots.put(
          {
            subscriptionId: r.subscriptionId,
            resourceGroup: r.resourceGroup,
            counter: (current?.record.counter ?? 0) + 1,
            witnessTime: now,
            receivedAt: now,
            objects: [],
            nodes: r.nodes.map((n, k) => ({
              node: n.name,
              object: n.qwkObject,
              sequence: (current?.record.counter ?? 0) + 1,
              lastAdvancedAt: now,
              advanceSeenAt: now,
              mtime: now,
              peers: [{ node: r.nodes[1 - k].name, commstat: 'UP' }],
            })),
          },
          current?.etag,
        );
      });
    };

    // The app's clients and stores, counted.
    const counter = new Counter();
    const settings = localAppSettings(stack.azurite, stack.sim);
    const clients = createAzureClients(loadConfig(settings));
    const armPolicy = counting(counter, armKind);
    clients.network(sub).pipeline.addPolicy(armPolicy);
    clients.compute(sub).pipeline.addPolicy(armPolicy);
    clients.metrics(LOCATION).pipeline.addPolicy(armPolicy);
    let ruleHealth: MonitoringFigures['ruleHealth'] = 'simulator';
    // The simulator's rule health reports the backends' probe states from their VMs; a light cluster has none, so
    // it reports no backend (the app would read every VM's power to find out why). Then the answer one node Up, in
    // the API's shape, is given at the network client's pipeline (still counted as one ARM call; Azure adds the
    // LRO's polls, which the simulator shows as two per call).
    const probed = await clients
      .network(sub)
      .loadBalancerLoadBalancingRules.beginHealthAndWait(records[0].resourceGroup, 'ilb', 'rule')
      .catch(() => undefined);
    if (!probed?.loadBalancerBackendAddresses?.length) {
      ruleHealth = probed
        ? 'stubbed at the network client pipeline (light clusters: no VMs for the simulator to probe)'
        : 'stubbed at the network client pipeline (simulator has no route)';
      const byLb = new Map(records.map((r) => [r.loadBalancerId.toLowerCase(), r]));
      clients.network(sub).pipeline.addPolicy(
        {
          name: 'benchRuleHealthStub',
          sendRequest: async (req, next) => {
            const m = /^(.*\/loadbalancers\/[^/]+)\/loadbalancingrules\/[^/]+\/health$/i.exec(
              new URL(req.url).pathname,
            );
            const r = m && byLb.get(m[1].toLowerCase());
            if (req.method !== 'POST' || !r) return next(req);
            const body = {
              loadBalancerBackendAddresses: r.nodes.map((n, k) => ({
                ipAddress: n.serviceIp,
                state: k === 0 ? 'Up' : 'Down',
              })),
            };
            return {
              request: req,
              status: 200,
              headers: createHttpHeaders({ 'content-type': 'application/json' }),
              bodyAsText: JSON.stringify(body),
            };
          },
        },
        { afterPhase: 'Retry' },
      );
    }
    const table = (name: string): TableClient => {
      const t = tableClient(conn, name);
      t.pipeline.addPolicy(counting(counter, tableKind));
      return t;
    };
    const queue = QueueServiceClient.fromConnectionString(conn).getQueueClient(QUEUES.incidentTransitions);
    const monitor = new ClusterMonitor({
      registry: new ClusterRegistry(table(TABLES.clusters)),
      snapshots: new QwkSnapshotStore(table(TABLES.qwkSnapshots)),
      store: new IncidentStore(
        table(TABLES.clusterHealth),
        table(TABLES.incidents),
        table(TABLES.clusterTimeline),
        queue,
        table(TABLES.clusterHistory),
      ),
      alerts: new AlertStore(table(TABLES.alerts)),
      readers: sdkSignalReaders(clients),
      now: () => new Date(),
      alertLookbackMinutes: 60,
      warn: () => undefined,
    });
    const setupMs = Date.now() - t0;

    const loadBefore = os.loadavg()[0];
    const sweeps: MonitoringFigures['sweeps'] = [];
    let shardsCount = 0;
    for (const label of ['first sweep (health rows created)', 'second sweep (steady state)']) {
      await writeSnapshots();
      counter.reset();
      const start = Date.now();
      const shards = await monitor.sweepShards();
      shardsCount = shards.length;
      const results = await Promise.all(shards.map((s) => monitor.evaluateShard(s)));
      const wallMs = Date.now() - start;
      const all = results.flatMap((r) => r.results);
      const states: Record<string, number> = {};
      for (const r of all) states[r.state ?? 'failed'] = (states[r.state ?? 'failed'] ?? 0) + 1;
      const metricsCalls = counter.get('metrics:batch');
      const armCalls = counter.sum('arm:');
      const armCallsByKind = Object.fromEntries([...counter.counts].filter(([k]) => k.startsWith('arm:')));
      sweeps.push({
        label,
        wallMs,
        ok: all.filter((r) => r.ok).length,
        failed: all.filter((r) => !r.ok).length,
        states,
        metricsCalls,
        metricsCallsPer50Clusters: Math.round((metricsCalls / (clusters / 50)) * 100) / 100,
        tableReads: counter.get('table:read'),
        tableReadsPerCluster: Math.round((counter.get('table:read') / clusters) * 100) / 100,
        tableQueries: counter.get('table:query'),
        tableWrites: counter.get('table:write'),
        armCalls,
        armCallsPerCluster: Math.round((armCalls / clusters) * 100) / 100,
        armCallsByKind,
        runCommands: counter.get('arm:runCommand'),
      });
    }
    const loadAverage = { before: round(loadBefore), after: round(os.loadavg()[0]) };
    return { clusters, shards: shardsCount, ruleHealth, sweeps, setupMs, loadAverage };
  } finally {
    await stack.stop();
  }
}
