/** The seed guide's values as ScriptParams, and every step script built from them (shared by the scripts-* tests). */
import {
  buildClientCheck,
  buildCommPaths,
  buildDataKeeperMirror,
  buildDependencies,
  buildFirewall,
  buildHosts,
  buildInService,
  buildIpResource,
  buildLbhcResource,
  buildLifeKeeperInstall,
  buildLifeKeeperLicense,
  buildLifeKeeperStart,
  buildNicPinning,
  buildNodeNfsMount,
  buildPackageSource,
  buildPgsqlResource,
  buildPostgresClient,
  buildPostgresPrimary,
  buildPostgresServer,
  buildQwkCheck,
  buildQwkConfig,
  buildQwkInit,
  buildQwkRelay,
  buildSelinux,
  buildSshd,
  buildSshKeys,
  buildSwitchover,
  buildWitnessNfsServer,
  DEFAULT_LK_RESPONSE_FILE,
  DEFAULT_LK_SETUP_ARGS,
  type ScriptParams,
  type StepScript,
} from '../../shared/scripts';

export function seedParams(overrides: (p: ScriptParams) => void = () => {}): ScriptParams {
  const p: ScriptParams = {
    nodes: [
      { name: 'Clstr-nodeA', serviceIp: '10.5.1.11', replicationIp: '10.5.2.11', priority: 1 },
      { name: 'Clstr-nodeB', serviceIp: '10.5.1.12', replicationIp: '10.5.2.12', priority: 10 },
    ],
    witness: { name: 'Witness-node', serviceIp: '10.5.1.20' },
    adminUsername: 'lkadmin',
    loadBalancer: { frontendIp: '10.5.1.100', port: 5432, probePort: 12345 },
    qwk: {
      sharePath: '/root/qwkshare',
      mountPoint: '/mnt/qwkmnt',
      hbeatTime: 6,
      numHbeats: 4,
      quorumLossAction: 'fastkill',
      mountOptions: 'soft,timeo=20,retrans=1,noac',
      exportOptions: 'rw,no_root_squash,sync,no_wdelay',
    },
    postgres: { dataDir: '/data/pgsql/data', port: 5432, allowedCidr: '10.5.0.0/16', authMethod: 'scram-sha-256' },
    dataKeeper: { mountPoint: '/data', fs: 'xfs', tag: 'datarep-data', mode: 'synchronous', dataDiskLun: 0 },
    lifeKeeper: {
      installerLocation: 'https://qwkstore.blob.core.windows.net/media/sps.img',
      setupArgs: [...DEFAULT_LK_SETUP_ARGS],
      responseFile: DEFAULT_LK_RESPONSE_FILE,
      startTimeoutSec: 300,
    },
    packages: { source: 'rhui' },
    firewall: { keepFirewalld: false },
    monitoring: { relayIntervalSeconds: 5 },
  };
  overrides(p);
  return p;
}

/** Where the seed cluster's relay posts (the cluster ids and the app's public URL are known when the step runs). */
export const RELAY_TARGET = {
  subscriptionId: '00000000-0000-0000-0000-000000000001',
  resourceGroup: 'LKL-QWK-storage',
  publicUrl: 'https://qwk-ops.azurewebsites.net',
};

export const SEED_NICS = {
  'Clstr-nodeA': [
    { device: 'eth0', macAddress: '00-0D-3A-CC-FB-DA' },
    { device: 'eth1', macAddress: '60-45-BD-64-E0-4C' },
  ],
};

/** Every builder's script for the seed (and the variants that change the script's shape). */
export function allScripts(): StepScript[] {
  const p = seedParams();
  const iso = seedParams((q) => {
    q.packages = { source: 'iso', isoLocation: 'https://qwkstore.blob.core.windows.net/media/rhel-9.2-x86_64-dvd.iso' };
  });
  const fw = seedParams((q) => {
    q.firewall.keepFirewalld = true;
  });
  const trust = seedParams((q) => {
    q.postgres.authMethod = 'trust';
  });
  return [
    buildHosts(p),
    buildSelinux(),
    buildFirewall(p, 'node'),
    buildFirewall(fw, 'node'),
    buildFirewall(fw, 'witness'),
    buildNicPinning(SEED_NICS['Clstr-nodeA']),
    buildSshd(),
    buildSshKeys(p, 'node'),
    buildSshKeys(p, 'witness'),
    buildPackageSource(p),
    buildPackageSource(iso),
    buildWitnessNfsServer(p),
    buildPostgresClient(),
    buildNodeNfsMount(p),
    buildLifeKeeperInstall(p),
    buildLifeKeeperLicense(),
    buildLifeKeeperStart(p),
    buildQwkConfig(p),
    buildQwkInit(p, 'Clstr-nodeA'),
    buildQwkCheck(p, 'witness'),
    buildQwkCheck(p, 'node'),
    buildPostgresServer(),
    buildPostgresPrimary(p),
    buildPostgresPrimary(trust),
    buildCommPaths(p, 'Clstr-nodeA', { requireAlive: false }),
    buildCommPaths(p, 'Clstr-nodeB', { requireAlive: true }),
    buildDataKeeperMirror(p),
    buildPgsqlResource(p),
    buildLbhcResource(p),
    buildIpResource(p),
    buildDependencies(p),
    buildSwitchover(p, 'Clstr-nodeB'),
    buildInService(p, 'Clstr-nodeA', 'Clstr-nodeB'),
    buildClientCheck(p),
    buildQwkRelay(p, RELAY_TARGET),
    buildClientCheck(trust),
  ];
}
