/** Every generated Run Command script passes shellcheck (installed from Debian's packages in CI). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allScripts } from './scriptsFixture';

const available = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' }).status === 0;
if (!available && process.env.CI === 'true') {
  throw new Error('shellcheck is not installed (CI=true): apt-get install -y shellcheck');
}
if (!available) {
  console.warn(
    'SKIPPED scripts-shellcheck: shellcheck is not installed (apt-get update && apt-get install -y shellcheck)',
  );
}

/** QWK_SCRIPTS_DUMP=<dir> keeps the generated scripts there for inspection. */
const dump = process.env.QWK_SCRIPTS_DUMP;
const dir = dump ?? mkdtempSync(join(tmpdir(), 'qwk-shellcheck-'));
afterAll(() => {
  if (!dump) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!available)('shellcheck', () => {
  const scripts = allScripts();
  it.each(scripts.map((s, i) => [`${i}:${s.name}`, s] as const))('%s passes shellcheck', (_label, s) => {
    const file = join(dir, `${s.name}.sh`);
    writeFileSync(file, s.script);
    const r = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '--format=gcc', file], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
