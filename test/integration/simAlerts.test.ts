/**
 * Alerting of the simulator with the real @azure/arm-monitor client: action groups, a metric alert and a Resource
 * Health activity log alert created through ARM; the signals are driven through the alerting's signal-source seam
 * (ManualSignalSource: metric series and VM health), not by a deployed cluster. The alert clock is compressed
 * (scale 0.01: PT1M = 0.6 s, Azure's retry delays 5/20/5/40/5 s = 50/200/50/400/50 ms).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonitorClient } from '@azure/arm-monitor';
import { startSimulator, type RunningSimulator } from '../../local/azure-sim';
import { ManualSignalSource, RealClock, type DeliveryAttempt } from '../../local/azure-sim/monitor/alerts';
import { makeSimClients, type SimClients } from '../support/simClients';
import { simFetch } from '../support/simHttp';
import { makeMonitorClient } from '../support/simMonitorClient';
import { createGroupAndVnet, createLoadBalancer, ids } from '../support/simTopology';

const SCALE = 0.01;
const RG = 'rg-alerts';
const clock = new RealClock(() => SCALE);
const signals = new ManualSignalSource(clock);

interface Received {
  path: string;
  body: any;
}
const received: Received[] = [];
let receiver: http.Server;
let receiverUrl = '';
let sim: RunningSimulator;
let c: SimClients;
let monitor: MonitorClient;
let lbId = '';
const captured: { metricFired?: any; resourceHealth?: any } = {};

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let data = '';
    req.on('data', (d) => (data += d));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: data ? JSON.parse(data) : undefined });
      res.writeHead(req.url?.startsWith('/busy') ? 503 : 200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  sim = await startSimulator({
    port: 0,
    timeScale: 0.001,
    stateDir: '.local/test-sim-alerts',
    alerting: { clock, signals },
  });
  c = makeSimClients(sim);
  monitor = makeMonitorClient(sim);
  await createGroupAndVnet(c, RG);
  await createLoadBalancer(c, RG);
  lbId = ids(c, RG).lb('ilb');
});
afterAll(async () => {
  await sim?.stop();
  await new Promise((r) => receiver?.close(r));
});

const groupId = (name: string) =>
  `/subscriptions/${c.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Insights/actionGroups/${name}`;
const vmId = (rg: string, name: string) =>
  `/subscriptions/${c.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;
const bodiesAt = (p: string) => received.filter((r) => r.path === p).map((r) => r.body);
/** PUT of an activity log alert as the REST API (api-version 2023-01-01-preview) takes it; 201 created. */
const putActivityLogAlert = async (name: string, properties: Record<string, unknown>) => {
  const res = await simFetch(
    sim,
    'PUT',
    `/subscriptions/${c.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Insights/activityLogAlerts/${name}?api-version=2023-01-01-preview`,
    { location: 'Global', properties },
  );
  if (res.status !== 200 && res.status !== 201)
    throw new Error(`PUT ${name}: ${res.status} ${JSON.stringify(res.json)}`);
  return res;
};

describe('Microsoft.Insights resources through @azure/arm-monitor', () => {
  it('creates, reads, lists action groups and refuses invalid ones', async () => {
    const ag = await monitor.actionGroups.createOrUpdate(RG, 'ops', {
      location: 'Global',
      groupShortName: 'ops',
      enabled: true,
      webhookReceivers: [{ name: 'hook', serviceUri: `${receiverUrl}/ok`, useCommonAlertSchema: true }],
      emailReceivers: [{ name: 'mail', emailAddress: 'ops@example.com' }],
    });
    expect(ag.id).toBe(groupId('ops'));
    expect(ag.webhookReceivers?.[0]).toMatchObject({ name: 'hook', useCommonAlertSchema: true });
    expect(ag.emailReceivers?.[0].status).toBe('Enabled');
    await monitor.actionGroups.createOrUpdate(RG, 'busy', {
      location: 'Global',
      groupShortName: 'busy',
      enabled: true,
      webhookReceivers: [{ name: 'busy', serviceUri: `${receiverUrl}/busy`, useCommonAlertSchema: true }],
    });
    const names: string[] = [];
    for await (const g of monitor.actionGroups.listByResourceGroup(RG)) names.push(g.name!);
    expect(names.sort()).toEqual(['busy', 'ops']);
    await expect(
      monitor.actionGroups.createOrUpdate(RG, 'bad', {
        location: 'Global',
        groupShortName: 'a-name-longer-than-12',
        enabled: true,
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await expect(monitor.actionGroups.get(RG, 'bad')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('refuses metric alerts Azure refuses (bad window, unknown action group, dynamic thresholds)', async () => {
    const base = {
      location: 'global',
      severity: 2,
      enabled: true,
      scopes: [lbId],
      evaluationFrequency: 'PT5M',
      windowSize: 'PT1M',
      criteria: {
        odataType: 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria' as const,
        allOf: [
          {
            criterionType: 'StaticThresholdCriterion' as const,
            name: 'c1',
            metricName: 'DipAvailability',
            operator: 'LessThan',
            threshold: 50,
            timeAggregation: 'Average',
          },
        ],
      },
    };
    await expect(monitor.metricAlerts.createOrUpdate(RG, 'bad', base)).rejects.toMatchObject({ statusCode: 400 });
    await expect(
      monitor.metricAlerts.createOrUpdate(RG, 'bad', {
        ...base,
        windowSize: 'PT5M',
        actions: [{ actionGroupId: groupId('nope') }],
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await expect(monitor.metricAlerts.get(RG, 'bad')).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('metric alert: Fired and Resolved reach the webhook in the Common Alert Schema', () => {
  it('fires when a backend DipAvailability falls below 50 over PT1M and resolves after it recovers', async () => {
    const rule = await monitor.metricAlerts.createOrUpdate(RG, 'probe-down', {
      location: 'global',
      description: 'A backend stopped answering the health probe',
      severity: 1,
      enabled: true,
      scopes: [lbId],
      evaluationFrequency: 'PT1M',
      windowSize: 'PT1M',
      autoMitigate: true,
      criteria: {
        odataType: 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria',
        allOf: [
          {
            criterionType: 'StaticThresholdCriterion',
            name: 'dip',
            metricName: 'DipAvailability',
            metricNamespace: 'Microsoft.Network/loadBalancers',
            operator: 'LessThan',
            threshold: 50,
            timeAggregation: 'Average',
            dimensions: [{ name: 'BackendIPAddress', operator: 'Include', values: ['*'] }],
          },
        ],
      },
      actions: [{ actionGroupId: groupId('ops'), webHookProperties: { customKey1: 'value1', customKey2: 'value2' } }],
    });
    expect(rule.autoMitigate).toBe(true);
    expect(rule.scopes).toEqual([lbId]);
    const got = await monitor.metricAlerts.get(RG, 'probe-down');
    expect(got.evaluationFrequency).toBe('PT1M');
    expect(got.criteria.odataType).toBe('Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria');

    signals.set(lbId, 'DipAvailability', { BackendIPAddress: '10.20.1.10' }, 100);
    signals.set(lbId, 'DipAvailability', { BackendIPAddress: '10.20.1.11' }, 0);
    const metricBodies = () => bodiesAt('/ok').filter((b) => b.data.essentials.signalType === 'Metric');
    const fired = await until('a Fired metric alert', () =>
      metricBodies().find((b) => b.data.essentials.monitorCondition === 'Fired'),
    );
    captured.metricFired = fired;
    expect(fired.schemaId).toBe('azureMonitorCommonAlertSchema');
    expect(fired.data.essentials).toMatchObject({
      alertRule: 'probe-down',
      severity: 'Sev1',
      monitoringService: 'Platform',
      description: 'A backend stopped answering the health probe',
    });
    expect(fired.data.essentials.alertTargetIDs).toEqual([
      `/subscriptions/${c.subscriptionId}/resourcegroups/${RG}/providers/microsoft.network/loadbalancers/ilb`,
    ]);
    const cond = fired.data.alertContext.condition;
    expect(fired.data.alertContext.conditionType).toBe('SingleResourceMultipleMetricCriteria');
    expect(cond.windowSize).toBe('PT1M');
    expect(cond.allOf[0]).toMatchObject({
      metricName: 'DipAvailability',
      operator: 'LessThan',
      threshold: '50',
      timeAggregation: 'Average',
      metricValue: 0,
      dimensions: [{ name: 'BackendIPAddress', value: '10.20.1.11' }],
    });
    expect(fired.data.customProperties).toEqual({ customKey1: 'value1', customKey2: 'value2' });
    // only the failing backend fired
    expect(
      metricBodies().every((b) => b.data.alertContext.condition.allOf[0].dimensions[0].value === '10.20.1.11'),
    ).toBe(true);
    const active = await simFetch(sim, 'GET', '/_sim/alerts');
    expect(active.json).toEqual([expect.objectContaining({ dimensions: { BackendIPAddress: '10.20.1.11' } })]);

    signals.set(lbId, 'DipAvailability', { BackendIPAddress: '10.20.1.11' }, 100);
    const resolved = await until('a Resolved metric alert', () =>
      metricBodies().find((b) => b.data.essentials.monitorCondition === 'Resolved'),
    );
    expect(resolved.data.essentials.alertId).toBe(fired.data.essentials.alertId);
    expect(Date.parse(resolved.data.essentials.resolvedDateTime)).toBeGreaterThan(
      Date.parse(fired.data.essentials.firedDateTime),
    );
    expect(metricBodies().filter((b) => b.data.essentials.monitorCondition === 'Fired')).toHaveLength(1);
    expect((await simFetch(sim, 'GET', '/_sim/alerts')).json).toEqual([]);
    const disabled = await monitor.metricAlerts.update(RG, 'probe-down', { enabled: false, tags: { owner: 'ops' } });
    expect(disabled.enabled).toBe(false);
    expect(disabled.tags).toEqual({ owner: 'ops' });
    const journal = sim.journal().filter((o) => o.op.startsWith('metricAlerts.'));
    expect(journal.map((o) => [o.op, o.httpStatus])).toContainEqual(['metricAlerts.update', 200]);
    await monitor.metricAlerts.delete(RG, 'probe-down');
    await expect(monitor.metricAlerts.get(RG, 'probe-down')).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('Resource Health activity log alert', () => {
  it('fires when a VM becomes Unavailable or Degraded, and reports its recovery; out-of-scope VMs do not', async () => {
    // anyOf and containsAny exist from activityLogAlerts 2020-10-01 on: sent as the REST API takes them (raw PUT), so
    // this does not depend on the api-version of the installed @azure/arm-monitor (7 speaks 2017-04-01).
    const created = await putActivityLogAlert('vm-health', {
      scopes: [`/subscriptions/${c.subscriptionId}/resourceGroups/${RG}`],
      condition: {
        allOf: [
          { field: 'category', equals: 'ResourceHealth' },
          {
            anyOf: [
              { field: 'properties.currentHealthStatus', equals: 'Unavailable' },
              { field: 'properties.currentHealthStatus', equals: 'Degraded' },
              { field: 'properties.currentHealthStatus', equals: 'Available' },
            ],
          },
        ],
      },
      actions: { actionGroups: [{ actionGroupId: groupId('ops') }] },
      enabled: true,
      description: 'VM health changed',
    });
    expect(created.status).toBe(201);
    expect(created.json.properties.enabled).toBe(true);
    const health = () => bodiesAt('/ok').filter((b) => b.data.essentials.monitoringService === 'Resource Health');
    signals.setVmHealth(vmId('other-rg', 'elsewhere'), 'Unavailable');
    signals.setVmHealth(vmId(RG, 'nodeA'), 'Unavailable', {
      title: 'Rebooted by user',
      cause: 'UserInitiated',
      type: 'Downtime',
    });
    const down = await until('a Resource Health alert', () => health()[0]);
    captured.resourceHealth = down;
    expect(down.data.essentials).toMatchObject({
      alertRule: 'vm-health',
      signalType: 'Activity Log',
      monitorCondition: 'Fired',
      configurationItems: ['nodeA'],
    });
    expect(down.data.alertContext).toMatchObject({
      eventSource: 'ResourceHealth',
      status: 'Active',
      operationName: 'Microsoft.Resourcehealth/healthevent/Activated/action',
      properties: { currentHealthStatus: 'Unavailable', previousHealthStatus: 'Available', cause: 'UserInitiated' },
    });
    signals.setVmHealth(vmId(RG, 'nodeA'), 'Degraded');
    signals.setVmHealth(vmId(RG, 'nodeA'), 'Available');
    await until('three Resource Health alerts', () => health().length >= 3);
    expect(
      health().map((b) => [b.data.alertContext.properties.currentHealthStatus, b.data.alertContext.status]),
    ).toEqual([
      ['Unavailable', 'Active'],
      ['Degraded', 'Active'],
      ['Available', 'Resolved'],
    ]);
    expect(health().every((b) => b.data.essentials.configurationItems[0] === 'nodeA')).toBe(true);
  });

  it("a receiver answering 503 sees Azure's retries, then is skipped for 15 minutes", async () => {
    await putActivityLogAlert('vm-health-busy', {
      scopes: [vmId(RG, 'nodeB')],
      condition: {
        allOf: [
          { field: 'category', equals: 'ResourceHealth' },
          { field: 'properties.currentHealthStatus', containsAny: ['Unavailable', 'Degraded'] },
        ],
      },
      actions: { actionGroups: [{ actionGroupId: groupId('busy') }] },
    });
    signals.setVmHealth(vmId(RG, 'nodeB'), 'Unavailable');
    const busyAttempts = async () =>
      ((await simFetch(sim, 'GET', '/_sim/alerts/deliveries')).json as DeliveryAttempt[]).filter(
        (d) => d.receiver === 'busy',
      );
    const attempts = await until('the last retry', async () => {
      const a = await busyAttempts();
      return a.some((x) => x.outcome === 'failed') ? a : undefined;
    });
    expect(attempts.map((a) => [a.attempt, a.status, a.outcome])).toEqual([
      [1, 503, 'retrying'],
      [2, 503, 'retrying'],
      [3, 503, 'retrying'],
      [4, 503, 'retrying'],
      [5, 503, 'retrying'],
      [6, 503, 'failed'],
    ]);
    expect(bodiesAt('/busy')).toHaveLength(6);
    const gaps = attempts.slice(1).map((a, i) => Date.parse(a.at) - Date.parse(attempts[i].at));
    console.log(`retry gaps at alert clock scale ${SCALE} (Azure 5/20/5/40/5 s): ${gaps.join(', ')} ms`);
    // the endpoint is now paused (15 min × scale): the next notification is skipped, not sent
    signals.setVmHealth(vmId(RG, 'nodeB'), 'Degraded');
    const skipped = await until('a skipped delivery', async () =>
      (await busyAttempts()).find((a) => a.outcome === 'skipped'),
    );
    expect(skipped.attempt).toBe(0);
    expect(bodiesAt('/busy')).toHaveLength(6);
  });
});

describe('paging stand-ins', () => {
  const pd = (body: unknown) => simFetch(sim, 'POST', '/_pager/pagerduty/v2/enqueue', body, { auth: false });
  const example = {
    payload: {
      summary: 'Example alert on host1.example.com',
      timestamp: '2015-07-17T08:42:58.315+0000',
      severity: 'info',
      source: 'host1.example.com',
      component: 'postgres',
      group: 'prod-datapipe',
      class: 'deploy',
      custom_details: { 'ping time': '1500ms', 'load avg': 0.75 },
    },
    routing_key: 'samplekeyhere',
    dedup_key: 'samplekeyhere',
    event_action: 'trigger',
    client: 'Sample Monitoring Service',
    client_url: 'https://monitoring.service.com',
  };

  it('PagerDuty accepts the documented example and refuses the documented mistakes', async () => {
    const ok = await pd(example);
    expect(ok.status).toBe(202);
    expect(ok.json).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'samplekeyhere' });
    const noKey = await pd({ ...example, dedup_key: undefined });
    expect(noKey.status).toBe(202);
    expect(noKey.json.dedup_key).toMatch(/^[0-9a-f]{32}$/);
    const mistakes: [string, unknown][] = [
      ['no routing_key', { ...example, routing_key: undefined }],
      ['no event_action', { ...example, event_action: undefined }],
      ['long summary', { ...example, payload: { ...example.payload, summary: 'x'.repeat(1025) } }],
      ['bad severity', { ...example, payload: { ...example.payload, severity: 'high' } }],
      ['long dedup_key', { ...example, dedup_key: 'k'.repeat(256) }],
    ];
    for (const [what, body] of mistakes) {
      const r = await pd(body);
      expect(r.status, what).toBe(400);
      expect(r.json.status, what).toBe('invalid event');
      expect(r.json.errors.length, what).toBeGreaterThan(0);
    }
  });

  it('PagerDuty answers 429 over 120 events a minute for one routing key', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 121; i++) statuses.push((await pd({ ...example, routing_key: 'burst-key' })).status);
    expect(statuses.slice(0, 120).every((s) => s === 202)).toBe(true);
    expect(statuses[120]).toBe(429);
    expect((await pd({ ...example, routing_key: 'other-key' })).status).toBe(202);
  });

  it('Teams accepts a Workflows card envelope, refuses plain text; events and faults are controllable', async () => {
    await simFetch(sim, 'DELETE', '/_sim/pager/events');
    const card = {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [{ type: 'TextBlock', text: 'Failover on rg-alerts', wrap: true }],
          },
        },
      ],
    };
    expect((await simFetch(sim, 'POST', '/_pager/teams/ops', card, { auth: false })).status).toBe(202);
    const text = await simFetch(sim, 'POST', '/_pager/teams/ops', { text: 'hello' }, { auth: false });
    expect(text.status).toBe(400);
    expect(text.json.error.code).toBe('TriggerInputSchemaMismatch');
    expect((await simFetch(sim, 'POST', '/_pager/webhook/sink', { any: 1 }, { auth: false })).status).toBe(200);
    const f = await simFetch(sim, 'POST', '/_sim/pager/faults', { channel: 'teams', kind: 'throttle', times: 1 });
    expect(f.status).toBe(201);
    expect((await simFetch(sim, 'POST', '/_pager/teams/ops', card, { auth: false })).status).toBe(429);
    expect((await simFetch(sim, 'POST', '/_pager/teams/ops', card, { auth: false })).status).toBe(202);
    expect((await simFetch(sim, 'POST', '/_sim/pager/faults', { kind: 'sideways' })).status).toBe(400);
    const events = (await simFetch(sim, 'GET', '/_sim/pager/events')).json;
    expect(events.map((e: any) => [e.channel, e.path, e.status])).toEqual([
      ['teams', '/_pager/teams/ops', 202],
      ['teams', '/_pager/teams/ops', 400],
      ['webhook', '/_pager/webhook/sink', 200],
      ['teams', '/_pager/teams/ops', 429],
      ['teams', '/_pager/teams/ops', 202],
    ]);
    expect(events[0].cardErrors).toEqual([]);
    expect(events[0].headers['content-type']).toBe('application/json');
    expect((await simFetch(sim, 'DELETE', '/_sim/pager/events')).status).toBe(204);
    expect((await simFetch(sim, 'GET', '/_sim/pager/events')).json).toEqual([]);
  });
});

/** Key-by-key differences between a published sample and a generated payload (arrays: their first items). */
function keyDiff(sample: unknown, mine: unknown, at = '$'): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (Array.isArray(sample) && Array.isArray(mine))
    return sample.length && mine.length ? keyDiff(sample[0], mine[0], `${at}[0]`) : [];
  if (!isObj(sample) || !isObj(mine)) return [];
  const out: string[] = [];
  for (const k of Object.keys(sample)) if (!(k in mine)) out.push(`missing ${at}.${k}`);
  for (const k of Object.keys(mine)) if (!(k in sample)) out.push(`extra ${at}.${k}`);
  for (const k of Object.keys(sample)) if (k in mine) out.push(...keyDiff(sample[k], mine[k], `${at}.${k}`));
  return out;
}

describe('conformance with the published Common Alert Schema samples', () => {
  const dir = process.env.QWK_CONFORMANCE_FIXTURES;
  if (!dir) console.log('QWK_CONFORMANCE_FIXTURES is not set: skipping the Common Alert Schema conformance check');
  it.skipIf(!dir)("metric alert and Resource Health payloads have the samples' keys", () => {
    const load = (f: string) => JSON.parse(readFileSync(path.join(dir!, 'alerts', f), 'utf8'));
    expect(captured.metricFired).toBeDefined();
    expect(captured.resourceHealth).toBeDefined();
    expect(keyDiff(load('metric-alert-static-fired-testaction.json'), captured.metricFired)).toEqual([]);
    expect(keyDiff(load('resource-health-alert-testaction.json'), captured.resourceHealth)).toEqual([]);
  });
});

describe('reset', () => {
  it('POST /_sim/reset forgets rules, deliveries and pager events', async () => {
    expect((await simFetch(sim, 'GET', '/_sim/alerts/deliveries')).json.length).toBeGreaterThan(0);
    expect((await simFetch(sim, 'POST', '/_sim/reset')).status).toBe(204);
    expect((await simFetch(sim, 'GET', '/_sim/alerts/deliveries')).json).toEqual([]);
    expect((await simFetch(sim, 'GET', '/_sim/pager/events')).json).toEqual([]);
    const rules: string[] = [];
    for await (const r of monitor.activityLogAlerts.listBySubscriptionId()) rules.push(r.name!);
    expect(rules).toEqual([]);
  });
});
