import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatQwkObject, parseQwkObject, posixCksum, qwkTimestamp } from '../../local/azure-sim/vm/qwkObject';

describe('QWK object (seed-digest §9)', () => {
  it('computes the same checksum as POSIX cksum (which the qwk_storage_init stub uses)', () => {
    for (const text of ['', 'a', 'signature=lifeguard_qwk_object\nlocal_node=Clstr-nodeA\n', 'x'.repeat(70_000)]) {
      const expected = execFileSync('cksum', { input: text }).toString().split(' ')[0];
      expect(String(posixCksum(Buffer.from(text)))).toBe(expected);
    }
  });

  it('formats the guide layout with a 14-digit UTC time and parses it back', () => {
    const time = new Date(Date.UTC(2023, 11, 15, 9, 5, 7));
    const text = formatQwkObject({
      localNode: 'Clstr-nodeA',
      time,
      sequence: 52,
      peers: [{ node: 'Clstr-nodeB', commstat: 'UP' }],
    });
    const lines = text.split('\n');
    expect(lines.slice(0, 6)).toEqual([
      'signature=lifeguard_qwk_object',
      'local_node=Clstr-nodeA',
      'time=20231215090507',
      'sequence=52',
      'node=Clstr-nodeB',
      'commstat=UP',
    ]);
    expect(lines[6]).toMatch(/^checksum=\d+$/);
    expect(parseQwkObject(text)).toEqual({
      localNode: 'Clstr-nodeA',
      time,
      sequence: 52,
      peers: [{ node: 'Clstr-nodeB', commstat: 'UP' }],
      checksumValid: true,
    });
  });

  it('detects a tampered object and rejects foreign files', () => {
    const text = formatQwkObject({
      localNode: 'n1',
      time: new Date(0),
      sequence: 1,
      peers: [{ node: 'n2', commstat: 'DOWN' }],
    });
    expect(parseQwkObject(text.replace('sequence=1', 'sequence=2'))?.checksumValid).toBe(false);
    expect(parseQwkObject('hello\n')).toBeUndefined();
    expect(qwkTimestamp(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)))).toBe('20240102030405');
  });
});
