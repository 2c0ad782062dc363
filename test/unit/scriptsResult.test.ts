/** parseScriptResult on messages shaped like Azure's RunShellScript value[0].message. */
import { describe, expect, it } from 'vitest';
import { parseScriptResult, splitRunCommandMessage } from '../../shared/scripts';

const line = (o: object) => `QWK_RESULT ${JSON.stringify(o)}`;
const ok = {
  step: 'os-hosts',
  ok: true,
  changed: true,
  rebootRequired: false,
  message: 'changed: x',
  data: { entries: '3' },
};
const msg = (stdout: string, stderr = '') => `Enable succeeded: \n[stdout]\n${stdout}\n[stderr]\n${stderr}\n`;

describe('parseScriptResult', () => {
  it('reads the result line at the end of stdout', () => {
    const r = parseScriptResult(msg(`changed: x\n${line(ok)}`), 'os-hosts');
    expect(r).toMatchObject({ ...ok, source: 'result-line' });
  });

  it('reads a failure the script reported, keeping its message', () => {
    const failed = { ...ok, ok: false, changed: false, message: 'mount /mnt/qwkmnt failed' };
    const r = parseScriptResult(msg(line(failed), 'mount.nfs: Connection timed out'), 'os-hosts');
    expect(r.ok).toBe(false);
    expect(r.source).toBe('result-line');
    expect(r.message).toBe('mount /mnt/qwkmnt failed');
    expect(r.stderrTail).toBe('mount.nfs: Connection timed out');
  });

  it("copes with Azure's truncation (stdout cut at the front) and CRLF", () => {
    const long = `${'x'.repeat(3000)}\r\npartial line\r\n${line(ok)}\r\n`;
    const truncated = long.slice(long.length - 1200);
    const r = parseScriptResult(`Enable succeeded: \r\n[stdout]\r\n${truncated}\r\n[stderr]\r\n\r\n`, 'os-hosts');
    expect(r.ok).toBe(true);
    expect(r.data).toEqual({ entries: '3' });
  });

  it('a missing result line is a failure with the stderr tail as message', () => {
    const r = parseScriptResult(
      msg('starting...', `${'noise\n'.repeat(200)}bash: line 7: lkcli: command not found`),
      'lk-ip',
    );
    expect(r).toMatchObject({ step: 'lk-ip', ok: false, changed: false, source: 'missing' });
    expect(r.message).toMatch(/^the script printed no QWK_RESULT line/);
    expect(r.message).toMatch(/stderr: .*lkcli: command not found$/);
    expect(r.message.length).toBeLessThan(600);
  });

  it('without stderr, the stdout tail explains; an empty output says so', () => {
    expect(parseScriptResult(msg('Killed'), 'x').message).toMatch(/stdout: Killed$/);
    expect(parseScriptResult('', 'x').message).toMatch(/stdout: \(empty\)$/);
    expect(parseScriptResult('Enable failed: timed out after 5400s').message).toMatch(/stderr: timed out after 5400s/);
  });

  it('rejects a truncated or malformed result line and a line of another step', () => {
    expect(parseScriptResult(msg('QWK_RESULT {"step":"os-hosts","ok":tr')).source).toBe('invalid');
    expect(parseScriptResult(msg(line({ ...ok, ok: 'yes' }))).source).toBe('invalid');
    const other = parseScriptResult(msg(line(ok)), 'os-sshd');
    expect(other.ok).toBe(false);
    expect(other.message).toMatch(/for step 'os-hosts', expected 'os-sshd'/);
  });

  it('takes the last result line when several are present', () => {
    const r = parseScriptResult(msg(`${line({ ...ok, message: 'first' })}\n${line({ ...ok, message: 'last' })}`));
    expect(r.message).toBe('last');
  });

  it('splits stdout and stderr', () => {
    expect(splitRunCommandMessage(msg('a\nb', 'c'))).toEqual({ stdout: 'a\nb', stderr: 'c\n' });
    expect(splitRunCommandMessage('Enable succeeded: \n[stdout]\nonly\n')).toEqual({ stdout: 'only\n', stderr: '' });
  });
});
