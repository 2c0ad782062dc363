import { describe, expect, it } from 'vitest';
import { parseResource, parseShellAssignments, qwkObjectKey } from '../../local/azure-sim/vm/nodeState';

describe('node state parsing', () => {
  it('reads /etc/default/LifeKeeper assignments (last wins, quotes removed)', () => {
    expect(
      parseShellAssignments(
        '# c\nQUORUM_MODE=majority\nQUORUM_MODE=storage\nQWK_STORAGE_OBJECT_Clstr_nodeA="/mnt/qwkmnt/Clstr_nodeA"\n bad line\n',
      ),
    ).toEqual({
      QUORUM_MODE: 'storage',
      QWK_STORAGE_OBJECT_Clstr_nodeA: '/mnt/qwkmnt/Clstr_nodeA',
    });
  });

  it('names the QWK object key with - and . turned into _', () => {
    expect(qwkObjectKey('Clstr-nodeA')).toBe('QWK_STORAGE_OBJECT_Clstr_nodeA');
    expect(qwkObjectKey('db1.example')).toBe('QWK_STORAGE_OBJECT_db1_example');
  });

  it('parses a resource file of the simulated LCD', () => {
    expect(
      parseResource('tag=lbhc-12345\napp=gen\ntype=lbhc\nid=lbhc-12345\nstate=ISP\npriority=1\nopt_port=12345\n'),
    ).toEqual({
      tag: 'lbhc-12345',
      app: 'gen',
      type: 'lbhc',
      id: 'lbhc-12345',
      state: 'ISP',
      priority: 1,
      opts: { port: '12345' },
    });
    expect(parseResource('state=ISP\n')).toBeUndefined();
  });
});
