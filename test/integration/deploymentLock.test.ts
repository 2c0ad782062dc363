import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../local/azurite';
import { DeploymentLock } from '../../shared/deployments/deploymentLock';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

describe('DeploymentLock (Azurite)', () => {
  it('lets exactly one of many concurrent claims win', async () => {
    const lock = DeploymentLock.fromConnectionString(azurite.connectionString, 'lockconcurrent');
    const running = new Set<string>();
    const isRunning = async (id: string) => running.has(id);
    const results = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const r = await lock.claim('sub', 'RG-A', `d${i}`, new Date(), isRunning);
        if (r.claimed) running.add(`d${i}`);
        return r;
      }),
    );
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    const winner = [...running][0];
    for (const r of results) if (!r.claimed) expect(r.runningDeploymentId).toBe(winner);
  });

  it('hands the target to a new deployment once the previous one ended, case-insensitively', async () => {
    const lock = DeploymentLock.fromConnectionString(azurite.connectionString, 'lockreuse');
    const running = new Set(['first']);
    const isRunning = async (id: string) => running.has(id);
    expect(await lock.claim('sub', 'rg-b', 'first', new Date(), isRunning)).toEqual({ claimed: true });
    expect(await lock.claim('SUB', 'RG-B', 'second', new Date(), isRunning)).toEqual({
      claimed: false,
      runningDeploymentId: 'first',
    });
    running.delete('first');
    expect(await lock.claim('sub', 'rg-b', 'second', new Date(), isRunning)).toEqual({ claimed: true });
    await lock.release('sub', 'rg-b', 'second');
    expect(await lock.claim('sub', 'rg-b', 'third', new Date(), async () => true)).toEqual({ claimed: true });
  });
});
