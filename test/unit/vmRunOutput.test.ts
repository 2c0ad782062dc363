import { describe, expect, it } from 'vitest';
import { formatRunCommandMessage, lastBytes, RUN_COMMAND_OUTPUT_LIMIT } from '../../local/azure-sim/vm/runOutput';

describe('Run Command output shaping', () => {
  it('keeps only the last 4,096 bytes of each stream', () => {
    const out = Buffer.from('a'.repeat(5000) + 'END');
    expect(lastBytes(out).length).toBe(RUN_COMMAND_OUTPUT_LIMIT);
    expect(lastBytes(out).toString().endsWith('END')).toBe(true);
    expect(lastBytes(Buffer.from('short')).toString()).toBe('short');
  });

  it('builds the Linux RunShellScript message without an exit code', () => {
    expect(formatRunCommandMessage(Buffer.from('hi\n'), Buffer.from('oops\n'))).toBe(
      'Enable succeeded: \n[stdout]\nhi\n\n[stderr]\noops\n\n',
    );
    const msg = formatRunCommandMessage(Buffer.from('x'.repeat(10_000)), Buffer.alloc(0));
    expect(msg).toBe(`Enable succeeded: \n[stdout]\n${'x'.repeat(4096)}\n[stderr]\n\n`);
  });
});
