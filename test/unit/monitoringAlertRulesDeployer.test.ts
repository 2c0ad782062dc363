import { RestError } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { ensureClusterAlertRules, type AlertRulesDeps } from '../../shared/monitoring/alertRulesDeployer';
import type { ClusterRecord } from '../../shared/registry/clusterRecord';

const SUB = '00000000-0000-0000-0000-00000000000a';
const base = `/subscriptions/${SUB}/resourceGroups/rg1/providers`;
const record = {
  subscriptionId: SUB,
  resourceGroup: 'rg1',
  loadBalancerId: `${base}/Microsoft.Network/loadBalancers/ilb`,
  nodes: [
    { name: 'nodeA', vmId: `${base}/Microsoft.Compute/virtualMachines/nodeA` },
    { name: 'nodeB', vmId: `${base}/Microsoft.Compute/virtualMachines/nodeB` },
  ],
  witness: { name: 'wit', vmId: `${base}/Microsoft.Compute/virtualMachines/wit` },
} as unknown as ClusterRecord;
const KEY = 'the-function-key-5309';

/** The SDK's three operation groups, recording each PUT in order; `fail` makes one PUT throw; secret 'missing' = 404. */
function fakeDeps(o: { secret?: string; fail?: (name: string) => Error | undefined } = {}) {
  const puts: { op: string; rg: string; name: string; body: any }[] = [];
  const op = (kind: string) => ({
    createOrUpdate: async (rg: string, name: string, body: unknown) => {
      const err = o.fail?.(name);
      if (err) throw err;
      puts.push({ op: kind, rg, name, body });
      return body;
    },
  });
  const deps: AlertRulesDeps = {
    monitor: () =>
      ({
        actionGroups: op('actionGroups'),
        metricAlerts: op('metricAlerts'),
        activityLogAlerts: op('activityLogAlerts'),
      }) as unknown as ReturnType<AlertRulesDeps['monitor']>,
    readSecret: async (name) => {
      if (o.secret === 'missing') throw new RestError(`Secret not found: ${name}`, { statusCode: 404 });
      return o.secret ?? KEY;
    },
    settings: { publicUrl: 'https://app.test', functionKeySecretName: 'alerts-key' },
  };
  return { deps, puts };
}

describe('ensureClusterAlertRules', () => {
  it('PUTs the action group first with the key in its webhook only, then 4 metric and 3 Resource Health rules', async () => {
    const { deps, puts } = fakeDeps();
    const out = await ensureClusterAlertRules(deps, { record, tags: { 'managed-by': 'qwk-ops' } });
    expect(out.ok).toBe(true);
    expect(puts[0]).toMatchObject({ op: 'actionGroups', rg: 'rg1', name: 'qwk-rg1-ops' });
    expect(puts[0].body.webhookReceivers[0].serviceUri).toBe(`https://app.test/api/alerts?code=${KEY}`);
    expect(puts.slice(1).map((p) => p.op)).toEqual([
      ...Array<string>(4).fill('metricAlerts'),
      ...Array<string>(3).fill('activityLogAlerts'),
    ]);
    expect(puts.every((p) => p.body.tags['managed-by'] === 'qwk-ops')).toBe(true);
    expect(JSON.stringify(out)).not.toContain(KEY);
    expect(out.ok && out.detail).toMatch(/action group qwk-rg1-ops .*4 metric alerts.*3 Resource Health alerts/);
  });

  it('is skipped, successfully and saying why, without the settings; nothing is read or PUT', async () => {
    const { deps, puts } = fakeDeps();
    let read = false;
    const out = await ensureClusterAlertRules(
      {
        ...deps,
        readSecret: async () => ((read = true), KEY),
        settings: { publicUrl: 'https://app.test', functionKeySecretName: undefined },
      },
      { record, tags: {} },
    );
    expect(out).toEqual({ ok: true, detail: expect.stringMatching(/^skipped: .*QWK_ALERTS_FUNCTION_KEY_SECRET/) });
    expect(read).toBe(false);
    expect(puts).toEqual([]);
  });

  it('fails, not transiently, naming the secret when Key Vault lacks it', async () => {
    const { deps, puts } = fakeDeps({ secret: 'missing' });
    const out = await ensureClusterAlertRules(deps, { record, tags: {} });
    expect(out).toMatchObject({
      ok: false,
      failure: { transient: false, code: 'AlertRouteKeyMissing', message: expect.stringContaining("'alerts-key'") },
    });
    expect(puts).toEqual([]);
  });

  it('reports a PUT failure classified, with the key scrubbed from its message', async () => {
    const { deps } = fakeDeps({
      fail: (name) =>
        name === 'qwk-rg1-ops'
          ? new RestError(`bad serviceUri https://app.test/api/alerts?code=${KEY}`, {
              statusCode: 400,
              code: 'BadRequest',
            })
          : undefined,
    });
    const out = await ensureClusterAlertRules(deps, { record, tags: {} });
    expect(out).toMatchObject({ ok: false, failure: { transient: false, code: 'BadRequest', statusCode: 400 } });
    expect(JSON.stringify(out)).not.toContain(KEY);
    expect(!out.ok && out.failure.message).toContain('code=***');
  });

  it('a throttled PUT is transient (the orchestrator retries the step)', async () => {
    const { deps } = fakeDeps({
      fail: (name) => (name.endsWith('-vip') ? new RestError('slow down', { statusCode: 429 }) : undefined),
    });
    const out = await ensureClusterAlertRules(deps, { record, tags: {} });
    expect(out).toMatchObject({ ok: false, failure: { transient: true } });
  });
});
