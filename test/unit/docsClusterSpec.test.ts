import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../../shared/spec';

const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'CLUSTER-SPEC.md'), 'utf8');
const jsonBlocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]) as Record<string, unknown>);

describe('docs/CLUSTER-SPEC.md', () => {
  it('shows the smallest valid spec, which the parser accepts', () => {
    const result = parseClusterSpec(jsonBlocks[0], { defaultSubscriptionId: '00000000-0000-0000-0000-000000000001' });
    expect(result.ok).toBe(true);
  });

  it('shows exactly the defaults the parser applies', () => {
    const defaults = jsonBlocks[1];
    const result = parseClusterSpec({
      subscriptionId: defaults.subscriptionId,
      witness: { sshSourceCidr: (defaults.witness as { sshSourceCidr: string }).sshSourceCidr },
      lifeKeeper: { installerLocation: (defaults.lifeKeeper as { installerLocation: string }).installerLocation },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(JSON.parse(JSON.stringify(result.spec))).toEqual(defaults);
  });
});
