import { describe, expect, it } from 'vitest';
import {
  type PlannedResource,
  criticalPath,
  planDeployment,
  topologicalOrder,
  withCredentials,
} from '../../shared/plan';
import { parseClusterSpec } from '../../shared/spec';

const SUB = '6f1c2d3e-4a5b-4c7d-8e9f-0a1b2c3d4e5f';

function planFor(extra: Record<string, unknown> = {}) {
  const result = parseClusterSpec({
    subscriptionId: SUB,
    configure: false,
    witness: { sshSourceCidr: '198.51.100.0/24' },
    ...extra,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return planDeployment(result.spec);
}

function vmBody(plan: ReturnType<typeof planFor>, name: string) {
  const vm = plan.resources.find((r): r is PlannedResource<'virtualMachine'> => r.key === `vm:${name}`);
  if (!vm) throw new Error(`no vm:${name}`);
  return vm.body;
}

describe('withCredentials', () => {
  const key = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 qwk-ops';

  it('fills the SSH public key into a copy, leaving the planned body untouched', () => {
    const planned = vmBody(planFor(), 'Clstr-nodeA');
    const filled = withCredentials(planned, { publicKey: key });
    expect(filled.osProfile!.linuxConfiguration!.ssh!.publicKeys).toEqual([
      { path: '/home/lkadmin/.ssh/authorized_keys', keyData: key },
    ]);
    expect(planned.osProfile!.linuxConfiguration!.ssh!.publicKeys![0].keyData).toBe('');
    expect(JSON.stringify(planned)).not.toContain(key);
    expect({ ...filled, osProfile: undefined }).toEqual({ ...planned, osProfile: undefined });
  });

  it('fills the admin password for password auth', () => {
    const planned = vmBody(planFor({ vm: { auth: { kind: 'password' } } }), 'Witness-node');
    const filled = withCredentials(planned, { password: 'Pw-from-key-vault-1' });
    expect(filled.osProfile!.adminPassword).toBe('Pw-from-key-vault-1');
    expect(planned.osProfile!.adminPassword).toBeUndefined();
  });

  it('refuses a credential of the other kind', () => {
    expect(() => withCredentials(vmBody(planFor(), 'Clstr-nodeB'), { password: 'x' })).toThrow(/SSH-key/);
    const passwordVm = vmBody(planFor({ vm: { auth: { kind: 'password' } } }), 'Clstr-nodeB');
    expect(() => withCredentials(passwordVm, { publicKey: key })).toThrow(/password authentication/);
  });
});

describe('criticalPath', () => {
  const r = (key: string, dependsOn: string[] = []) => ({ key, dependsOn }) as unknown as PlannedResource;

  it('finds the longest path by duration, not by hop count', () => {
    // a(3) → c(1); b(5) → c; d(2) alone; e(1) → a
    const plan = { resources: [r('a'), r('b'), r('c', ['a', 'b']), r('d'), r('e', ['a'])] };
    expect(criticalPath(plan, { a: 3, b: 5, c: 1, d: 2, e: 1 })).toEqual({ duration: 6, keys: ['b', 'c'] });
    expect(
      criticalPath(
        plan,
        new Map([
          ['a', 9],
          ['b', 5],
          ['c', 1],
          ['d', 2],
          ['e', 1],
        ]),
      ),
    ).toEqual({
      duration: 10,
      keys: ['a', 'c'],
    });
    expect(criticalPath(plan, { d: 7 })).toEqual({ duration: 7, keys: ['d'] });
  });

  it('on the default plan: the VM chain through the NAT gateway, VNet, ILB and a node NIC', () => {
    const plan = planFor();
    const unit = Object.fromEntries(plan.resources.map((x) => [x.key, 1]));
    const path = criticalPath(plan, unit);
    expect(path.duration).toBe(7);
    expect(path.keys.slice(0, 6)).toEqual([
      'resourceGroup',
      'pip:natGateway',
      'natGateway',
      'vnet',
      'loadBalancer',
      'nic:Clstr-nodeA:service',
    ]);
    expect(path.keys[6]).toMatch(/^vm:Clstr-node[AB]$/);
    const slowWitness = criticalPath(plan, { ...unit, 'vm:Witness-node': 100 });
    expect(slowWitness).toEqual({
      duration: 105,
      keys: ['resourceGroup', 'pip:natGateway', 'natGateway', 'vnet', 'nic:Witness-node:service', 'vm:Witness-node'],
    });
  });

  it('topologicalOrder rejects cycles and unknown dependencies', () => {
    expect(() => topologicalOrder([r('a', ['b']), r('b', ['a'])])).toThrow(/cycle/);
    expect(() => topologicalOrder([r('a', ['zz'])])).toThrow(/unknown resource zz/);
    expect(topologicalOrder([r('c', ['b']), r('b', ['a']), r('a')]).map((x) => x.key)).toEqual(['a', 'b', 'c']);
  });
});
