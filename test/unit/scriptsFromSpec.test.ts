/** scriptParamsFromSpec: the resolved spec's defaults give the guide's values; ARM's facts win. */
import { describe, expect, it } from 'vitest';
import { buildQwkConfig, qwkDefaultsLines, scriptParamsFromSpec } from '../../shared/scripts';
import { parseClusterSpec } from '../../shared/spec';
import { seedParams } from './scriptsFixture';

function spec(input: object = {}) {
  const r = parseClusterSpec({
    subscriptionId: '00000000-0000-0000-0000-000000000000',
    witness: { publicIp: false },
    ...input,
    lifeKeeper: {
      installerLocation: 'https://x.blob.core.windows.net/m/sps.img',
      ...(input as { lifeKeeper?: object }).lifeKeeper,
    },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.spec;
}

describe('scriptParamsFromSpec', () => {
  it("gives the seed guide's values for the default spec", () => {
    const expected = seedParams((p) => {
      delete p.lifeKeeper.installerLocation;
    });
    const actual = scriptParamsFromSpec(spec());
    expect({ ...actual, lifeKeeper: { ...actual.lifeKeeper, installerLocation: undefined } }).toEqual({
      ...expected,
      lifeKeeper: { ...expected.lifeKeeper, installerLocation: undefined },
      packages: { source: 'rhui', isoLocation: undefined },
    });
  });

  it("takes the spec's overrides and ARM's facts", () => {
    const s = spec({
      nodes: [{ name: 'db-1' }, {}],
      qwk: { hbeatTime: 8 },
      lifeKeeper: {
        installerLocation: 'https://x.blob.core.windows.net/m/sps.img',
        installerOptions: ['--unattended'],
      },
      postgres: { authMethod: 'trust' },
      firewall: { keepFirewalld: true },
    });
    const p = scriptParamsFromSpec(s, { vms: { 'db-1': { serviceIp: '10.5.1.41' } }, dataDiskLun: 2 });
    expect(p.nodes[0]).toEqual({ name: 'db-1', serviceIp: '10.5.1.41', replicationIp: '10.5.2.11', priority: 1 });
    expect(p.lifeKeeper.setupArgs).toEqual(['--unattended']);
    expect(p.postgres.authMethod).toBe('trust');
    expect(p.firewall.keepFirewalld).toBe(true);
    expect(p.dataKeeper.dataDiskLun).toBe(2);
    expect(qwkDefaultsLines(p)).toContain('QWK_STORAGE_HBEATTIME=8');
    expect(buildQwkConfig(p).script).toContain('set_kv "$f" QWK_STORAGE_OBJECT_db_1 \'/mnt/qwkmnt/db_1\'');
  });
});
