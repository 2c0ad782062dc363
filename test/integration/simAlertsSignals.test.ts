/**
 * Alerting on the simulator's own signals (the default signal source): a metric alert evaluated on the metrics
 * batch API's DipAvailability (probe answers of a VM runtime) and a Resource Health alert on a VM powered off and
 * started through @azure/arm-compute. Control plane and alert clock are both compressed 100× (PT1M = 0.6 s).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonitorClient } from '@azure/arm-monitor';
import { startSimulator, type RunningSimulator } from '../../local/azure-sim';
import { RealClock } from '../../local/azure-sim/monitor/alerts';
import { NoopVmRuntime } from '../../local/azure-sim/noopRuntime';
import { makeSimClients, type SimClients } from '../support/simClients';
import { makeMonitorClient } from '../support/simMonitorClient';
import { createGroupAndVnet, createLoadBalancer, createNic, ids, vmBody } from '../support/simTopology';

const SCALE = 0.01;
const RG = 'rg-alert-signals';

/** Both backends answer the probe on 59999, except 10.20.1.10 between failAt and recoverAt. */
class ProbeRuntime extends NoopVmRuntime {
  failAt = Infinity;
  recoverAt = Infinity;
  override probeAnswered(ip: string, port: number, at: Date): boolean {
    if (port !== 59999) return false;
    if (ip === '10.20.1.10') return at.getTime() < this.failAt || at.getTime() >= this.recoverAt;
    return ip === '10.20.1.11';
  }
}

const runtime = new ProbeRuntime();
const received: any[] = [];
let receiver: http.Server;
let sim: RunningSimulator;
let c: SimClients;
let monitor: MonitorClient;

async function until<T>(what: string, f: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let data = '';
    req.on('data', (d) => (data += d));
    req.on('end', () => {
      received.push(JSON.parse(data));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  sim = await startSimulator({
    port: 0,
    timeScale: SCALE,
    // metric grains and alert evaluation run on the cluster clock, compressed alike; minutes readable at once
    clusterTimeScale: SCALE,
    metricsDelayS: 0,
    stateDir: '.local/test-sim-alert-signals',
    vmRuntime: runtime,
    alerting: { clock: new RealClock(() => SCALE) },
  });
  c = makeSimClients(sim, undefined, { retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 50 } });
  monitor = makeMonitorClient(sim);
  await createGroupAndVnet(c, RG);
  await createLoadBalancer(c, RG);
  await createNic(c, RG, 'n1', 'service', '10.20.1.10', true);
  await createNic(c, RG, 'n2', 'service', '10.20.1.11', true);
  await c.compute.virtualMachines.beginCreateOrUpdateAndWait(RG, 'nodeA', vmBody(c, RG, ['n1']), {
    updateIntervalInMs: 20,
  });
  await monitor.actionGroups.createOrUpdate(RG, 'ops', {
    location: 'Global',
    groupShortName: 'ops',
    enabled: true,
    webhookReceivers: [
      {
        name: 'hook',
        serviceUri: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
        useCommonAlertSchema: true,
      },
    ],
  });
}, 120_000);
afterAll(async () => {
  await sim?.stop();
  await new Promise((r) => receiver?.close(r));
});

const agId = () =>
  `/subscriptions/${c.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Insights/actionGroups/ops`;

describe('alerts on the simulator signals', () => {
  it('a DipAvailability metric alert fires for the backend that stops answering the probe, then resolves', async () => {
    await monitor.metricAlerts.createOrUpdate(RG, 'backend-down', {
      location: 'global',
      severity: 1,
      enabled: true,
      scopes: [ids(c, RG).lb('ilb')],
      evaluationFrequency: 'PT1M',
      windowSize: 'PT1M',
      criteria: {
        odataType: 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria',
        allOf: [
          {
            criterionType: 'StaticThresholdCriterion',
            name: 'dip',
            metricName: 'DipAvailability',
            operator: 'LessThan',
            threshold: 50,
            timeAggregation: 'Average',
            dimensions: [{ name: 'BackendIPAddress', operator: 'Include', values: ['*'] }],
          },
        ],
      },
      actions: [{ actionGroupId: agId() }],
    });
    runtime.failAt = Date.now();
    const metric = () => received.filter((b) => b.data.essentials.signalType === 'Metric');
    const fired = await until('Fired', () => metric().find((b) => b.data.essentials.monitorCondition === 'Fired'));
    expect(fired.data.alertContext.condition.allOf[0].dimensions).toEqual([
      { name: 'BackendIPAddress', value: '10.20.1.10' },
    ]);
    expect(fired.data.alertContext.condition.allOf[0].metricValue).toBeLessThan(50);
    runtime.recoverAt = Date.now();
    const resolved = await until('Resolved', () =>
      metric().find((b) => b.data.essentials.monitorCondition === 'Resolved'),
    );
    expect(resolved.data.essentials.alertId).toBe(fired.data.essentials.alertId);
    expect(metric().every((b) => b.data.alertContext.condition.allOf[0].dimensions[0].value === '10.20.1.10')).toBe(
      true,
    );
  });

  it('a Resource Health alert fires when the VM is powered off and reports it Available after a start', async () => {
    await monitor.activityLogAlerts.createOrUpdate(RG, 'vm-health', {
      location: 'Global',
      scopes: [ids(c, RG).vm('nodeA')],
      condition: { allOf: [{ field: 'category', equals: 'ResourceHealth' }] },
      actions: { actionGroups: [{ actionGroupId: agId() }] },
    });
    const health = () => received.filter((b) => b.data.essentials.monitoringService === 'Resource Health');
    await c.compute.virtualMachines.beginPowerOffAndWait(RG, 'nodeA', { updateIntervalInMs: 20 });
    const down = await until('Unavailable', () => health()[0]);
    expect(down.data.alertContext.properties).toMatchObject({
      currentHealthStatus: 'Unavailable',
      previousHealthStatus: 'Available',
    });
    await c.compute.virtualMachines.beginStartAndWait(RG, 'nodeA', { updateIntervalInMs: 20 });
    const up = await until('Available', () => health()[1]);
    expect(up.data.alertContext).toMatchObject({
      status: 'Resolved',
      properties: { currentHealthStatus: 'Available', previousHealthStatus: 'Unavailable' },
    });
  });
});
