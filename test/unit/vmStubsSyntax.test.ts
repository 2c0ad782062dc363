import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const STUBS = path.resolve(__dirname, '../../local/azure-sim/vm/stubs');

function scripts(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return scripts(p);
    return fs.readFileSync(p, 'utf8').startsWith('#!/bin/bash') || e.name.endsWith('.sh') ? [p] : [];
  });
}

describe('VM stub commands', () => {
  const files = scripts(STUBS);
  it('finds the stubs', () => {
    expect(files.map((f) => path.basename(f))).toEqual(
      expect.arrayContaining(['lib.sh', 'dnf', 'systemctl', 'mount', 'lifekeeper', 'psql', 'setup']),
    );
  });
  it.each(files.map((f) => [path.relative(STUBS, f), f]))('%s parses with bash -n', (_name, file) => {
    expect(() => execFileSync('bash', ['-n', file], { stdio: 'pipe' })).not.toThrow();
  });
  it('executables are executable', () => {
    for (const f of files.filter((x) => !x.endsWith('.sh'))) expect(fs.statSync(f).mode & 0o111).not.toBe(0);
  });
});
