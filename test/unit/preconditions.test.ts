import { describe, expect, it } from 'vitest';
import { deploymentPreconditions } from '../../shared/deployments/preconditions';
import { parseClusterSpec } from '../../shared/spec';

const base = { subscriptionId: '00000000-0000-0000-0000-000000000001', witness: { sshSourceCidr: '203.0.113.0/24' } };
const spec = (input: object) => {
  const r = parseClusterSpec({ ...base, ...input });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.spec;
};
const vault = (names: string[]) => {
  const asked: string[] = [];
  return { asked, exists: async (name: string) => (asked.push(name), names.includes(name)) };
};

describe('deploymentPreconditions', () => {
  it('asks nothing of Key Vault for an infrastructure-only deployment', async () => {
    const v = vault([]);
    expect(await deploymentPreconditions(spec({ configure: false }), v, 'https://kv')).toEqual([]);
    expect(v.asked).toEqual([]);
  });

  it('names the missing license secret and says how to store it', async () => {
    const errors = await deploymentPreconditions(
      spec({
        lifeKeeper: { installerLocation: 'https://a.blob.core.windows.net/m/sps.img', licenseSecretName: 'lk-lic' },
      }),
      vault([]),
      'https://kv',
    );
    expect(errors).toEqual([
      {
        path: 'lifeKeeper.licenseSecretName',
        message: expect.stringContaining("Key Vault https://kv has no secret 'lk-lic'"),
      },
    ]);
    expect(errors[0].message).toContain('az keyvault secret set');
  });

  it('checks the installer SAS secret when the spec names one, and passes when both exist', async () => {
    const s = spec({
      lifeKeeper: { installerLocation: 'https://a.blob.core.windows.net/m/sps.img', installerSasSecretName: 'lk-sas' },
    });
    expect((await deploymentPreconditions(s, vault(['lifekeeper-license']), 'https://kv')).map((e) => e.path)).toEqual([
      'lifeKeeper.installerSasSecretName',
    ]);
    expect(await deploymentPreconditions(s, vault(['lifekeeper-license', 'lk-sas']), 'https://kv')).toEqual([]);
  });

  it('names each paging route secret that is missing, also for an infrastructure-only deployment', async () => {
    const routes = [
      { kind: 'pagerduty', routingKeySecretName: 'pd-key' },
      { kind: 'teams', webhookUrlSecretName: 'teams-url' },
      { kind: 'webhook', url: 'https://hooks.example.com/x', hmacSecretName: 'hook-key' },
    ];
    const errors = await deploymentPreconditions(
      spec({ configure: false, monitoring: { routes } }),
      vault(['teams-url']),
      'https://kv',
    );
    expect(errors.map((e) => e.path)).toEqual([
      'monitoring.routes[0].routingKeySecretName',
      'monitoring.routes[2].hmacSecretName',
    ]);
    expect(errors[0].message).toContain('"pd-key"');
    expect(errors[1].message).toContain('"hook-key"');
  });
});
