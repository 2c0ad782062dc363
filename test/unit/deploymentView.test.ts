import { describe, expect, it } from 'vitest';
import { deploymentView } from '../../shared/deployments/deploymentView';

const base = {
  name: 'deployCluster',
  instanceId: 'dpl-1',
  createdTime: '2026-01-01T00:00:00Z',
  lastUpdatedTime: new Date('2026-01-01T00:01:00Z'),
};

describe('deploymentView', () => {
  it('shows a pending deployment before the orchestrator published anything', () => {
    expect(deploymentView({ ...base, runtimeStatus: 'Pending' })).toEqual({
      id: 'dpl-1',
      operation: 'deploy',
      cluster: null,
      runtimeStatus: 'Pending',
      phase: 'pending',
      progress: { done: 0, total: 0 },
      steps: [],
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:01:00.000Z',
    });
  });

  it('takes phase, progress, steps and error from the custom status (object or JSON string)', () => {
    const custom = {
      cluster: { subscriptionId: 's', resourceGroup: 'rg', location: 'japaneast' },
      phase: 'failed',
      progress: { done: 3, total: 10 },
      steps: [{ name: 'vnet', status: 'failed', attempts: 1 }],
      error: { step: 'vnet', code: 'PrivateIPAddressInUse', message: 'x' },
    };
    for (const customStatus of [custom, JSON.stringify(custom)]) {
      const v = deploymentView({ ...base, runtimeStatus: 'Failed', customStatus });
      expect(v).toMatchObject({
        phase: 'failed',
        progress: { done: 3, total: 10 },
        error: { code: 'PrivateIPAddressInUse', step: 'vnet' },
      });
      expect(v.cluster?.resourceGroup).toBe('rg');
    }
  });

  it('explains a failure the orchestrator did not describe, and marks terminations', () => {
    expect(deploymentView({ ...base, runtimeStatus: 'Failed', output: 'boom' }).error).toEqual({
      step: 'orchestration',
      code: 'OrchestrationFailed',
      message: 'boom',
    });
    expect(
      deploymentView({ ...base, runtimeStatus: 'Terminated', customStatus: { phase: 'provisioning' } }).phase,
    ).toBe('cancelled');
  });

  it('shows what a cancelled (terminated) deployment left half done', () => {
    const customStatus = {
      phase: 'provisioning',
      progress: { done: 1, total: 4 },
      steps: [
        { name: 'credentials', status: 'succeeded', attempts: 1, startedAt: 'a', endedAt: 'b' },
        { name: 'vnet', status: 'running', attempts: 1, startedAt: 'c' },
        { name: 'nsg', status: 'retrying', attempts: 2, startedAt: 'c', detail: 'Throttled' },
        { name: 'vm', status: 'pending', attempts: 0 },
      ],
    };
    const v = deploymentView({ ...base, runtimeStatus: 'Terminated', customStatus });
    expect(v.phase).toBe('cancelled');
    expect(v.unfinished).toEqual({ interrupted: ['vnet', 'nsg'], notStarted: ['vm'] });
    expect(v.steps.map((s) => [s.name, s.status, s.endedAt])).toEqual([
      ['credentials', 'succeeded', 'b'],
      ['vnet', 'interrupted', '2026-01-01T00:01:00.000Z'],
      ['nsg', 'interrupted', '2026-01-01T00:01:00.000Z'],
      ['vm', 'skipped', undefined],
    ]);
    expect(v.progress).toEqual({ done: 1, total: 4 });
  });

  it('shows the Run Commands, and a cancelled batch’s pending steps as interrupted with it', () => {
    const customStatus = {
      phase: 'configuring',
      progress: { done: 1, total: 4 },
      steps: [
        { name: 'configure:A:os-hosts', status: 'succeeded', attempts: 1, startedAt: 'a', endedAt: 'b' },
        { name: 'configure:A:os-sshd', status: 'pending', attempts: 0 },
        { name: 'configure:B:os-sshd', status: 'pending', attempts: 0 },
        { name: 'register', status: 'pending', attempts: 0 },
      ],
      runCommands: [
        { vm: 'A', steps: ['os-hosts'], status: 'succeeded', startedAt: 'a', endedAt: 'b' },
        { vm: 'A', steps: ['os-sshd'], status: 'running', startedAt: 'b' },
      ],
    };
    const running = deploymentView({ ...base, runtimeStatus: 'Running', customStatus });
    expect(running.runCommands).toEqual(customStatus.runCommands);
    expect(running.steps.map((s) => s.status)).toEqual(['succeeded', 'pending', 'pending', 'pending']);
    const v = deploymentView({ ...base, runtimeStatus: 'Terminated', customStatus });
    expect(v.unfinished).toEqual({
      interrupted: ['configure:A:os-sshd'],
      notStarted: ['configure:B:os-sshd', 'register'],
    });
  });

  it('reports tear-downs as their own operation', () => {
    expect(deploymentView({ ...base, name: 'teardownCluster', runtimeStatus: 'Running' }).operation).toBe('teardown');
  });
});
