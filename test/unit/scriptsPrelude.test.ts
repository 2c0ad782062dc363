/** The shared bash prelude, executed for real by bash on temporary files: result line, change tracking, helpers. */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseScriptResult, PRELUDE, qwkDefaultsEntries, qwkDefaultsLines, sq } from '../../shared/scripts';
import { seedParams } from './scriptsFixture';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'qwk-prelude-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs PRELUDE + body as a step script; returns stdout, stderr, exit code and the parsed result. */
function run(body: string, env: Record<string, string> = {}) {
  const script = ['#!/bin/bash', 'set -euo pipefail', 'set -o errtrace', "QWK_STEP='t'", PRELUDE, body].join('\n');
  const r = spawnSync('bash', ['-c', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, QWK_LOG_DIR: join(dir, 'log'), TMPDIR: dir, ...env },
  });
  const message = `Enable succeeded: \n[stdout]\n${r.stdout}\n[stderr]\n${r.stderr}\n`;
  return { ...r, result: parseScriptResult(message, 't') };
}

function lastLine(text: string): string {
  return text.trimEnd().split('\n').pop() ?? '';
}

describe('result line', () => {
  it('is the last stdout line on success, with no change', () => {
    const r = run('echo hello');
    expect(lastLine(r.stdout)).toMatch(/^QWK_RESULT \{/);
    expect(r.status).toBe(0);
    expect(r.result).toMatchObject({
      step: 't',
      ok: true,
      changed: false,
      rebootRequired: false,
      message: 'no change',
      source: 'result-line',
    });
  });

  it('reports changes, data (escaped) and reboot', () => {
    const r = run(`qwk_changed "did \\"x\\""; qwk_data k 'a"b\\c'; qwk_data n 2; qwk_reboot_required`);
    expect(r.result.ok).toBe(true);
    expect(r.result.changed).toBe(true);
    expect(r.result.rebootRequired).toBe(true);
    expect(r.result.message).toBe('changed: did "x"');
    expect(r.result.data).toEqual({ k: 'a"b\\c', n: '2' });
  });

  it('is still printed last when a command fails, with the failing command as message', () => {
    const r = run('echo before\nfalse\necho never');
    expect(r.status).not.toBe(0);
    expect(lastLine(r.stdout)).toMatch(/^QWK_RESULT /);
    expect(r.stdout).not.toContain('never');
    expect(r.result.ok).toBe(false);
    expect(r.result.source).toBe('result-line');
    expect(r.result.message).toMatch(/command failed \(exit 1\) at line \d+: false/);
  });

  it('carries qwk_fail messages and the log tail', () => {
    const r = run('qwk_run sh -c "echo from-the-log"\nqwk_fail "it broke"');
    expect(r.result.ok).toBe(false);
    expect(r.result.message).toMatch(/^it broke \| log: .*from-the-log/);
  });

  it('fails inside functions too (errtrace) and removes temp files on exit', () => {
    const r = run('qwk_mktemp; echo secret >"$QWK_TMP"; f() { false; }; f');
    expect(r.result.ok).toBe(false);
    expect(readdirSync(dir).filter((n) => n.startsWith('qwk-ops.'))).toEqual([]);
  });

  it('never prints a secret parameter it only writes to a temp file', () => {
    const r = run('qwk_secret_required QWK_X\nqwk_mktemp\nprintf "%s\\n" "$QWK_X" >"$QWK_TMP"\nqwk_changed wrote', {
      QWK_X: 's3cr3t-value',
    });
    expect(r.result.ok).toBe(true);
    expect(r.stdout + r.stderr).not.toContain('s3cr3t-value');
    expect(readFileSync(join(dir, 'log', 't.log'), 'utf8')).not.toContain('s3cr3t-value');
    const missing = run('qwk_secret_required QWK_X');
    expect(missing.result).toMatchObject({ ok: false });
    expect(missing.result.message).toMatch(/^secret parameter QWK_X is missing/);
  });
});

describe('idempotent edit helpers', () => {
  it('ensure_line appends once (adding a missing final newline)', () => {
    const f = join(dir, 'hosts');
    writeFileSync(f, '127.0.0.1 localhost');
    const body = `ensure_line ${sq(f)} '10.5.1.11 Clstr-nodeA'`;
    expect(run(body).result.changed).toBe(true);
    expect(run(body).result.changed).toBe(false);
    expect(readFileSync(f, 'utf8')).toBe('127.0.0.1 localhost\n10.5.1.11 Clstr-nodeA\n');
  });

  it('set_kv replaces the active key once, keeps comments and permissions, then changes nothing', () => {
    const f = join(dir, 'LifeKeeper');
    writeFileSync(f, '# QUORUM_MODE=comment\nQUORUM_MODE=majority\nOTHER=1\nQUORUM_MODE=dup\n', { mode: 0o640 });
    const body = `set_kv ${sq(f)} QUORUM_MODE storage\nset_kv ${sq(f)} NEWKEY 'a b'`;
    expect(run(body).result.changed).toBe(true);
    expect(readFileSync(f, 'utf8')).toBe('# QUORUM_MODE=comment\nQUORUM_MODE=storage\nOTHER=1\nNEWKEY=a b\n');
    expect(statSync(f).mode & 0o777).toBe(0o640);
    expect(run(body).result.changed).toBe(false);
  });

  it("writes the guide's QWK lines into /etc/default/LifeKeeper-like files exactly", () => {
    const f = join(dir, 'LifeKeeper');
    writeFileSync(f, 'NOBCASTPING=0\nQUORUM_MODE=majority\nWITNESS_MODE=remote_verify\n');
    const p = seedParams();
    const body = qwkDefaultsEntries(p)
      .map(([k, v]) => `set_kv ${sq(f)} ${k} ${sq(v)}`)
      .join('\n');
    expect(run(body).result.changed).toBe(true);
    expect(readFileSync(f, 'utf8').trimEnd().split('\n')).toEqual(['NOBCASTPING=0', ...qwkDefaultsLines(p)]);
    expect(run(body).result.changed).toBe(false);
  });

  it('set_line inserts before a Match block when the directive is absent', () => {
    const f = join(dir, 'sshd_config');
    writeFileSync(f, '#PasswordAuthentication yes\nPermitRootLogin no\nMatch User x\n  X11Forwarding no\n');
    const body = `set_line ${sq(f)} '^[[:space:]]*PasswordAuthentication[[:space:]]' 'PasswordAuthentication no' '^[[:space:]]*Match[[:space:]]'`;
    expect(run(body).result.changed).toBe(true);
    expect(readFileSync(f, 'utf8')).toBe(
      '#PasswordAuthentication yes\nPermitRootLogin no\nPasswordAuthentication no\nMatch User x\n  X11Forwarding no\n',
    );
    expect(run(body).result.changed).toBe(false);
  });

  it('ensure_file writes content and mode once', () => {
    const f = join(dir, 'sub', 'file.conf');
    const body = `ensure_file ${sq(f)} 600 <<'EOF'\nline one\nEOF`;
    expect(run(body).result.changed).toBe(true);
    expect(readFileSync(f, 'utf8')).toBe('line one\n');
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(run(body).result.changed).toBe(false);
  });

  it('remove_lines_matching drops stale entries but keeps the wanted one', () => {
    const f = join(dir, 'hosts');
    writeFileSync(f, '10.0.0.9 Clstr-nodeA\n10.5.1.11 Clstr-nodeA\n10.5.1.12 Clstr-nodeB\n');
    const body = `remove_lines_matching ${sq(f)} '^[0-9.]+[[:space:]]+Clstr-nodeA[[:space:]]*$' '10.5.1.11 Clstr-nodeA'`;
    expect(run(body).result.changed).toBe(true);
    expect(readFileSync(f, 'utf8')).toBe('10.5.1.11 Clstr-nodeA\n10.5.1.12 Clstr-nodeB\n');
    expect(run(body).result.changed).toBe(false);
  });

  it('qwk_wait_until gives up after its timeout', () => {
    const r = run('if qwk_wait_until 1 1 false; then echo waited; else qwk_message timeout; fi');
    expect(r.result.message).toBe('timeout');
  });

  it('qwk_fetch copies a local file once', () => {
    const src = join(dir, 'src.img');
    const dest = join(dir, 'out', 'dest.img');
    writeFileSync(src, 'image');
    const body = `qwk_fetch ${sq(src)} QWK_NONE ${sq(dest)}`;
    expect(run(body).result.changed).toBe(true);
    expect(existsSync(dest) && readFileSync(dest, 'utf8')).toBe('image');
    expect(run(body).result.changed).toBe(false);
    expect(run(`qwk_fetch ${sq(join(dir, 'nope'))} QWK_NONE ${sq(join(dir, 'x'))}`).result.ok).toBe(false);
  });

  it('qwk_fetch passes SAS tokens and URLs to curl only through its 0600 config file', () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    // a fake curl: records its argv and the config it was given, writes the -o file
    writeFileSync(
      join(bin, 'curl'),
      [
        '#!/bin/bash',
        `printf '%s\\n' "$*" >>${sq(join(dir, 'argv'))}`,
        'out=""; cfg=""',
        'while [ $# -gt 0 ]; do case $1 in -o) out=$2; shift;; --config) cfg=$2; shift;; esac; shift; done',
        `stat -c %a "$cfg" >>${sq(join(dir, 'cfgmode'))}; cat "$cfg" >>${sq(join(dir, 'cfg'))}`,
        'echo data >"$out"',
      ].join('\n'),
      { mode: 0o755 },
    );
    const env = { PATH: `${bin}:${process.env.PATH}` };
    const token = 'sv=2024-01-01&sig=SECRETSIG';
    const r1 = run(`qwk_fetch 'https://acct.blob.core.windows.net/c/sps.img' QWK_SAS ${sq(join(dir, 'a.img'))}`, {
      ...env,
      QWK_SAS: `?${token}`,
    });
    expect(r1.result.changed).toBe(true);
    const r2 = run(`qwk_fetch 'https://acct.blob.core.windows.net/c/x.iso' QWK_SAS ${sq(join(dir, 'b.img'))}`, {
      ...env,
      QWK_SAS: 'https://other.example/x.iso?sig=FULLURLSIG',
    });
    expect(r2.result.ok).toBe(true);
    expect(readFileSync(join(dir, 'cfg'), 'utf8')).toBe(
      `url = "https://acct.blob.core.windows.net/c/sps.img?${token}"\nurl = "https://other.example/x.iso?sig=FULLURLSIG"\n`,
    );
    expect(readFileSync(join(dir, 'cfgmode'), 'utf8')).toBe('600\n600\n');
    const argv = readFileSync(join(dir, 'argv'), 'utf8');
    expect(argv).not.toMatch(/SECRETSIG|FULLURLSIG/);
    expect(r1.stdout + r1.stderr + r2.stdout + r2.stderr).not.toMatch(/SECRETSIG|FULLURLSIG/);
    expect(readdirSync(dir).filter((n) => n.startsWith('qwk-ops.'))).toEqual([]);
  });
});
