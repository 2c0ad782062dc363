import { describe, expect, it } from 'vitest';
import { alapWaves } from '../../shared/deployments/waves';
import { deploymentSteps } from '../../shared/deployments/deploymentSteps';
import { parseClusterSpec } from '../../shared/spec';
import { planDeployment } from '../../shared/plan';

describe('alapWaves', () => {
  it('places every step after all its dependencies, as late as possible', () => {
    const steps = [
      { name: 'rg', dependsOn: [] },
      { name: 'pip', dependsOn: ['rg'] },
      { name: 'nat', dependsOn: ['pip'] },
      { name: 'vnet', dependsOn: ['nat'] },
      { name: 'nsg', dependsOn: ['rg'] },
      { name: 'nic', dependsOn: ['vnet', 'nsg'] },
      { name: 'vm', dependsOn: ['nic'] },
      { name: 'key', dependsOn: [] },
      { name: 'vm2', dependsOn: ['key', 'nsg'] },
    ];
    expect(alapWaves(steps)).toEqual([['rg'], ['pip'], ['nat'], ['vnet', 'nsg'], ['nic', 'key'], ['vm', 'vm2']]);
  });

  it('refuses cycles', () => {
    expect(() =>
      alapWaves([
        { name: 'a', dependsOn: ['b'] },
        { name: 'b', dependsOn: ['a'] },
      ]),
    ).toThrow(/cycle/);
  });

  it('orders the seed deployment so that all three VMs start together, last', () => {
    const parsed = parseClusterSpec({
      subscriptionId: '00000000-0000-0000-0000-000000000001',
      configure: false,
      witness: { sshSourceCidr: '203.0.113.0/24' },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const steps = deploymentSteps(planDeployment(parsed.spec));
    const waves = alapWaves(steps);
    const waveOf = new Map(waves.flatMap((w, i) => w.map((s) => [s, i] as const)));
    for (const s of steps) for (const d of s.dependsOn) expect(waveOf.get(d)!).toBeLessThan(waveOf.get(s.name)!);
    expect(waves.at(-1)).toEqual(['verify']);
    expect(waves.at(-2)!.sort()).toEqual(['vm:Clstr-nodeA', 'vm:Clstr-nodeB', 'vm:Witness-node']);
    expect(waves.flat().sort()).toEqual(steps.map((s) => s.name).sort());
  });
});
