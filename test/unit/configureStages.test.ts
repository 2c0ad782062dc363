/** The configuration's pure parts: stage ordering, step names, scripts per step, secret bindings, facts, registry record. */
import { describe, expect, it } from 'vitest';
import { buildStepScript } from '../../shared/configure/buildStep';
import { runtimeFactsOf } from '../../shared/configure/facts';
import { classifyRunCommandError } from '../../shared/configure/runCommand';
import { clusterSshKeySecret, generatedSecrets, secretBindings } from '../../shared/configure/secrets';
import {
  configStepRefs,
  configurationStages,
  LIVE_STEPS,
  usesMarker,
  type ConfigStage,
  type ConfigStepRef,
} from '../../shared/configure/stages';
import { STEPS } from '../../shared/names';
import { planDeployment } from '../../shared/plan';
import { clusterRecord } from '../../shared/registry/clusterRecord';
import { SECRET_PARAMETERS, STEP, scriptParamsFromSpec } from '../../shared/scripts';
import { parseClusterSpec } from '../../shared/spec';
import { seedParams } from './scriptsFixture';

const p = seedParams();
/** What the activity knows when a step runs (the relay step needs it). */
const CTX = {
  subscriptionId: '00000000-0000-0000-0000-000000000001',
  resourceGroup: 'rg1',
  publicUrl: 'https://app.test',
};
const stages = configurationStages(p);

/** Index of the stage in which `vm` runs `id`, and its position in that VM's list. */
function where(vm: string, id: string): { stage: number; pos: number } {
  for (const [i, s] of stages.entries()) {
    const own = s.vms.find((v) => v.vm === vm);
    const pos = own?.steps.findIndex((r) => r.id === id) ?? -1;
    if (pos >= 0) return { stage: i, pos };
  }
  throw new Error(`${vm} never runs ${id}`);
}
/** a strictly before b across VMs: an earlier stage (same-stage steps of two VMs run in parallel). */
const acrossBefore = (a: [string, string], b: [string, string]) => where(...a).stage < where(...b).stage;
/** a before b on one VM: earlier stage, or same stage earlier in the list. */
function onVmBefore(vm: string, a: string, b: string): boolean {
  const x = where(vm, a);
  const y = where(vm, b);
  return x.stage < y.stage || (x.stage === y.stage && x.pos < y.pos);
}

const A = 'Clstr-nodeA';
const B = 'Clstr-nodeB';
const W = 'Witness-node';

describe('configurationStages', () => {
  it('runs every VM at most once per stage, with ids unique per VM', () => {
    for (const s of stages) expect(new Set(s.vms.map((v) => v.vm)).size).toBe(s.vms.length);
    const names = configStepRefs(stages).map((r) => STEPS.configure(r.vm, r.id));
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(52); // 7 OS steps × 3 VMs, 2 + 5 × 2 software, 3 + 1 storage, 2 peer, 7 hierarchy, 5 verification, relay
  });

  it('puts SELinux last in the OS stage (one batch, one restart) and the In Service check after the hierarchy', () => {
    for (const vm of [A, B, W]) {
      const own = stages[0].vms.find((v) => v.vm === vm)!.steps;
      expect(own[own.length - 1].step).toBe(STEP.selinux);
    }
    const hierarchy = stages.find((s) => s.name === 'hierarchy')!.vms;
    expect(hierarchy.map((v) => v.vm)).toEqual([A]);
    expect(hierarchy[0].steps.at(-1)!.step).toBe(STEP.inService);
  });

  it.each([
    ['first', { live: false, switchover: true, other: true }],
    ['always', { live: false, switchover: false, other: true }],
    ['never', { live: false, switchover: true, other: true }],
  ] as const)('markers with verify.switchover %s', (policy, want) => {
    const refs = configStepRefs(stages);
    const switchover = refs.filter((r) => r.switchover);
    expect(switchover.map((r) => `${r.vm}:${r.id}`)).toEqual([
      `${B}:${STEP.switchover}`,
      `${W}:${STEP.clientCheck}-standby`,
      `${A}:${STEP.switchover}`,
    ]);
    for (const r of refs) {
      const kind = LIVE_STEPS.has(r.step) ? 'live' : r.switchover ? 'switchover' : 'other';
      expect([r.vm, r.id, usesMarker(r, policy)]).toEqual([r.vm, r.id, want[kind]]);
    }
    expect(refs.filter((r) => LIVE_STEPS.has(r.step)).map((r) => `${r.vm}:${r.id}`)).toEqual([
      `${A}:${STEP.selinux}`,
      `${B}:${STEP.selinux}`,
      `${W}:${STEP.selinux}`,
      `${A}:${STEP.lifeKeeperStart}`,
      `${B}:${STEP.lifeKeeperStart}`,
      `${A}:${STEP.inService}`,
    ]);
  });

  it('keeps the guide’s cross-VM order', () => {
    expect(acrossBefore([W, STEP.witnessNfs], [A, STEP.nodeNfs])).toBe(true);
    expect(acrossBefore([W, STEP.witnessNfs], [B, STEP.nodeNfs])).toBe(true);
    expect(acrossBefore([A, STEP.qwkInit], [B, STEP.qwkInit])).toBe(true);
    for (const n of [A, B]) expect(acrossBefore([n, STEP.lifeKeeperStart], [A, STEP.commPaths])).toBe(true);
    expect(acrossBefore([A, STEP.commPaths], [B, STEP.commPaths])).toBe(true);
    expect(acrossBefore([B, STEP.commPaths], [A, STEP.dataKeeper])).toBe(true);
    expect(acrossBefore([A, STEP.dependencies], [B, STEP.switchover])).toBe(true);
    expect(acrossBefore([B, STEP.switchover], [W, `${STEP.clientCheck}-standby`])).toBe(true);
    expect(acrossBefore([W, `${STEP.clientCheck}-standby`], [A, STEP.switchover])).toBe(true);
    expect(acrossBefore([A, STEP.switchover], [W, STEP.clientCheck])).toBe(true);
    expect(
      acrossBefore([A, STEP.qwkInit], [W, STEP.qwkCheck]) && acrossBefore([B, STEP.qwkInit], [W, STEP.qwkCheck]),
    ).toBe(true);
  });

  it('keeps each VM’s own order', () => {
    for (const vm of [A, B, W]) {
      expect(onVmBefore(vm, STEP.hosts, STEP.selinux)).toBe(true);
      expect(onVmBefore(vm, STEP.sshd, STEP.sshKeys)).toBe(true);
    }
    for (const n of [A, B]) {
      expect(onVmBefore(n, STEP.packageSource, STEP.lifeKeeperInstall)).toBe(true);
      expect(onVmBefore(n, STEP.lifeKeeperInstall, STEP.lifeKeeperLicense)).toBe(true);
      expect(onVmBefore(n, STEP.lifeKeeperLicense, STEP.lifeKeeperStart)).toBe(true);
      expect(onVmBefore(n, STEP.lifeKeeperStart, STEP.qwkConfig)).toBe(true);
      expect(onVmBefore(n, STEP.nodeNfs, STEP.qwkInit)).toBe(true);
      expect(onVmBefore(n, STEP.postgresServer, STEP.switchover)).toBe(true);
    }
    const hierarchy = [
      STEP.dataKeeper,
      STEP.postgresPrimary,
      STEP.pgsqlResource,
      STEP.lbhcResource,
      STEP.ipResource,
      STEP.dependencies,
    ];
    for (let i = 1; i < hierarchy.length; i++) expect(onVmBefore(A, hierarchy[i - 1], hierarchy[i])).toBe(true);
  });

  it('builds the hierarchy on the primary (lowest priority number) whatever the node order', () => {
    const swapped = configurationStages(
      seedParams((q) => {
        q.nodes[0].priority = 10;
        q.nodes[1].priority = 1;
      }),
    );
    const hierarchy = swapped.find((s) => s.name === 'hierarchy')!;
    expect(hierarchy.vms.map((v) => v.vm)).toEqual([B]);
    const peer = swapped.find((s) => s.name === 'peer')!;
    expect(peer.vms.map((v) => v.vm)).toEqual([A]);
    expect(peer.vms[0].steps.find((r) => r.step === STEP.commPaths)!.requireAlive).toBe(true);
  });

  it('runs as much in parallel as the order allows: the OS stage covers all three VMs', () => {
    expect(stages[0].vms.map((v) => v.vm).sort()).toEqual([A, B, W]);
    expect(
      stages
        .find((s) => s.name === 'software')!
        .vms.map((v) => v.vm)
        .sort(),
    ).toEqual([A, B, W]);
  });
});

describe('buildStepScript', () => {
  const nics = [
    { device: 'eth0', macAddress: '00-0D-3A-CC-FB-DA' },
    { device: 'eth1', macAddress: '60-45-BD-64-E0-4C' },
  ];
  it('gives every step a script for its own step name, with the VM’s real MACs for NIC pinning', () => {
    for (const ref of configStepRefs(stages)) {
      const s = buildStepScript(ref, p, nics, CTX);
      expect(s.name).toBe(ref.step);
      expect(s.script).toMatch(/^#!\/bin\/bash\n/);
    }
    const pin = buildStepScript({ id: STEP.nicPinning, step: STEP.nicPinning, vm: A, role: 'node' }, p, nics).script;
    expect(pin).toContain("mac='00:0d:3a:cc:fb:da'");
    expect(pin).toContain("mac='60:45:bd:64:e0:4c'");
  });

  it('uses the witness variant of the SSH key step on the witness only', () => {
    const ref = (vm: string, role: ConfigStepRef['role']): ConfigStepRef => ({
      id: STEP.sshKeys,
      step: STEP.sshKeys,
      vm,
      role,
    });
    expect(buildStepScript(ref(W, 'witness'), p, []).secrets.map((s) => s.name)).toContain(
      SECRET_PARAMETERS.sshPrivateKey,
    );
    expect(buildStepScript(ref(A, 'node'), p, []).secrets.map((s) => s.name)).not.toContain(
      SECRET_PARAMETERS.sshPrivateKey,
    );
  });
});

describe('secrets', () => {
  const spec = parseClusterSpec(
    {
      resourceGroup: 'rg1',
      witness: { sshSourceCidr: '203.0.113.0/24' },
      lifeKeeper: { installerLocation: 'https://acct.blob.core.windows.net/media/sps.img' },
    },
    { defaultSubscriptionId: '00000000-0000-0000-0000-000000000001' },
  );
  if (!spec.ok) throw new Error(JSON.stringify(spec));
  const plan = planDeployment(spec.spec);

  it('binds every required secret parameter of every script to a Key Vault secret name', () => {
    const bindings = secretBindings(spec.spec, plan.credentials);
    const specStages: ConfigStage[] = configurationStages(scriptParamsFromSpec(spec.spec));
    for (const ref of configStepRefs(specStages)) {
      for (const s of buildStepScript(
        ref,
        scriptParamsFromSpec(spec.spec),
        [{ device: 'eth0', macAddress: '00-0D-3A-00-00-01' }],
        CTX,
      ).secrets) {
        if (s.required) expect(bindings[s.name], `${ref.step}: ${s.name}`).toBeTruthy();
      }
    }
    expect(bindings).toEqual({
      [SECRET_PARAMETERS.sshPublicKey]: 'rg1-admin-ssh-key-pub',
      [SECRET_PARAMETERS.sshPrivateKey]: 'rg1-admin-ssh-key',
      [SECRET_PARAMETERS.lifeKeeperLicense]: 'lifekeeper-license',
      [SECRET_PARAMETERS.postgresPassword]: 'rg1-postgres-password',
      [SECRET_PARAMETERS.relayKey]: `rg1-${spec.spec.subscriptionId.slice(0, 8)}-qwk-relay-key`,
    });
  });

  it('generates the cluster key pair, the PostgreSQL password (not under trust) and the relay key', () => {
    const relayKey = `rg1-${spec.spec.subscriptionId.slice(0, 8)}-qwk-relay-key`;
    expect(generatedSecrets(spec.spec, plan.credentials)).toEqual([
      { secretName: 'rg1-admin-ssh-key', kind: 'sshKey' },
      { secretName: 'rg1-postgres-password', kind: 'password' },
      { secretName: relayKey, kind: 'hmacKey' },
    ]);
    const trust = { ...spec.spec, postgres: { ...spec.spec.postgres, authMethod: 'trust' as const } };
    expect(generatedSecrets(trust, plan.credentials)).toEqual([
      { secretName: 'rg1-admin-ssh-key', kind: 'sshKey' },
      { secretName: relayKey, kind: 'hmacKey' },
    ]);
    expect(secretBindings(trust, plan.credentials)).not.toHaveProperty(SECRET_PARAMETERS.postgresPassword);
  });

  it('gives password-authenticated VMs a cluster key pair of their own', () => {
    expect(clusterSshKeySecret({ kind: 'password', secretName: 'rg1-admin-password' })).toBe(
      'rg1-admin-password-cluster-ssh-key',
    );
  });

  it('registers what monitoring needs from the plan and the parameters', () => {
    const record = clusterRecord(plan, scriptParamsFromSpec(spec.spec), {
      deploymentId: 'dpl-1',
      registeredAt: '2026-01-01T00:00:00.000Z',
    });
    expect(record).toMatchObject({
      resourceGroup: 'rg1',
      deploymentId: 'dpl-1',
      activeNode: A,
      frontendIp: '10.5.1.100',
      probePort: 12345,
      servicePort: 5432,
      loadBalancingRule: 'LKL-QWK-storage-rule',
      relayIntervalSeconds: 5,
      qwk: {
        sharePath: '/root/qwkshare',
        mountPoint: '/mnt/qwkmnt',
        hbeatTime: 6,
        numHbeats: 4,
        quorumLossAction: 'fastkill',
      },
    });
    expect(record.loadBalancerId).toMatch(
      /\/resourceGroups\/rg1\/providers\/Microsoft\.Network\/loadBalancers\/LKL-QWK-storage-ILB$/,
    );
    expect(
      record.nodes.map((n) => [n.name, n.serviceIp, n.replicationIp, n.priority, n.qwkObject, n.vmId.split('/').pop()]),
    ).toEqual([
      [A, '10.5.1.11', '10.5.2.11', 1, 'Clstr_nodeA', A],
      [B, '10.5.1.12', '10.5.2.12', 10, 'Clstr_nodeB', B],
    ]);
    expect(record.witness).toMatchObject({ name: W, serviceIp: '10.5.1.20' });
  });
});

describe('runtime facts and Run Command errors', () => {
  it('takes the service IP from the primary NIC and the replication IP from the second', () => {
    const facts = runtimeFactsOf({
      [A]: {
        id: 'a',
        nics: [
          { id: 'n0', device: 'eth0', macAddress: 'm0', privateIp: '10.5.1.11' },
          { id: 'n1', device: 'eth1', macAddress: 'm1', privateIp: '10.5.2.11' },
        ],
      },
      [W]: { id: 'w', nics: [{ id: 'n2', device: 'eth0', macAddress: 'm2', privateIp: '10.5.1.20' }] },
    });
    expect(facts).toEqual({
      vms: { [A]: { serviceIp: '10.5.1.11', replicationIp: '10.5.2.11' }, [W]: { serviceIp: '10.5.1.20' } },
    });
  });

  it('treats a busy VM (409 Conflict) and a VM not running yet as transient, other errors as ARM says', () => {
    const err = (statusCode: number, code: string) =>
      Object.assign(new Error(`${code} happened`), { statusCode, code });
    expect(classifyRunCommandError(err(409, 'Conflict'))).toMatchObject({ transient: true, code: 'Conflict' });
    expect(classifyRunCommandError(err(409, 'OperationNotAllowed'))).toMatchObject({ transient: true });
    expect(classifyRunCommandError(err(403, 'AuthorizationFailed'))).toMatchObject({
      transient: false,
      code: 'AuthorizationFailed',
    });
    expect(classifyRunCommandError(err(503, 'ServiceUnavailable'))).toMatchObject({ transient: true });
  });
});
