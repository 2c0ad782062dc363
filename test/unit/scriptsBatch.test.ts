/**
 * Batches (several steps of one VM in one Run Command): the wrapper really runs in bash here, with its log and
 * marker directories in a temp dir, and its stdout is read back as Run Command returns it (formatRunCommandMessage:
 * the last 4,096 bytes). Marker logic: a matching marker skips, a changed script or a live step runs again, a
 * failing step stops the batch and leaves no marker, a step asking for a reboot ends the batch.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatRunCommandMessage } from '../../local/azure-sim/vm/runOutput';
import { buildStepScript } from '../../shared/configure/buildStep';
import { configurationStages, usesMarker } from '../../shared/configure/stages';
import { STEP, stepScript, type SecretRequirement, type StepName } from '../../shared/scripts';
import {
  batchSecrets,
  buildBatchScript,
  parseBatchOutput,
  stepHash,
  type BatchEntry,
} from '../../shared/scripts/batch';
import { SEED_NICS, seedParams } from './scriptsFixture';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function vm() {
  const root = mkdtempSync(join(tmpdir(), 'qwk-batch-'));
  dirs.push(root);
  return { root, log: join(root, 'log'), markers: join(root, 'markers') };
}

/** Runs a batch in bash like the VM would; returns Azure's message and the parsed steps. */
function run(where: ReturnType<typeof vm>, entries: BatchEntry[], env: Record<string, string> = {}) {
  const script = buildBatchScript(entries);
  const file = join(where.root, 'batch.sh');
  writeFileSync(file, script);
  const r = spawnSync('bash', [file], {
    encoding: 'buffer',
    env: { PATH: process.env.PATH, TMPDIR: where.root, QWK_LOG_DIR: where.log, QWK_MARKER_DIR: where.markers, ...env },
  });
  const message = formatRunCommandMessage(r.stdout, r.stderr);
  return {
    message,
    out: parseBatchOutput(
      message,
      entries.map((e) => e.id),
    ),
    stdout: r.stdout.toString(),
  };
}

// Small real steps built with the common frame (prelude, result line).
const step = (name: StepName, body: string, secrets: SecretRequirement[] = []) => stepScript(name, body, secrets);
const touch = (id: string, file: string): BatchEntry => ({
  id,
  script: step(STEP.hosts, `echo x >>${file}\nqwk_changed "touched"\n`),
  useMarker: true,
});

describe('a batch in bash', () => {
  it('runs every step once with its own times and result, then skips them all by their markers', () => {
    const where = vm();
    const count = join(where.root, 'count');
    const entries = [touch('a', count), touch('b', count), touch('c', count)];
    const first = run(where, entries);
    expect(first.out.steps.map((s) => [s.id, s.status])).toEqual([
      ['a', 'ran'],
      ['b', 'ran'],
      ['c', 'ran'],
    ]);
    for (const s of first.out.steps) {
      expect(s.status === 'ran' && s.ok && s.changed).toBe(true);
      expect(Date.parse(s.endedAt)).toBeGreaterThanOrEqual(Date.parse(s.startedAt));
      expect(Math.abs(Date.parse(s.startedAt) - Date.now())).toBeLessThan(120_000);
    }
    expect(readFileSync(count, 'utf8')).toBe('x\nx\nx\n');
    expect(readFileSync(join(where.markers, 'a.done'), 'utf8').trim()).toBe(stepHash(entries[0].script));
    expect(readFileSync(join(where.log, 'a.log'), 'utf8')).toContain('changed: touched');

    const second = run(where, entries);
    expect(second.out.steps.map((s) => [s.id, s.status])).toEqual([
      ['a', 'skipped'],
      ['b', 'skipped'],
      ['c', 'skipped'],
    ]);
    expect(readFileSync(count, 'utf8')).toBe('x\nx\nx\n');
  });

  it('redoes a step whose script changed, and always runs a step without a marker', () => {
    const where = vm();
    const count = join(where.root, 'count');
    run(where, [touch('a', count), touch('b', count)]);
    const changed: BatchEntry = {
      id: 'b',
      script: step(STEP.hosts, `echo y >>${count}\nqwk_changed "touched again"\n`),
      useMarker: true,
    };
    const live: BatchEntry = { ...touch('a', count), useMarker: false };
    const again = run(where, [live, changed]);
    expect(again.out.steps.map((s) => [s.id, s.status])).toEqual([
      ['a', 'ran'],
      ['b', 'ran'],
    ]);
    expect(readFileSync(count, 'utf8')).toBe('x\nx\nx\ny\n');
  });

  it('stops at a failing step with its own message; it leaves no marker and later steps do not run', () => {
    const where = vm();
    const count = join(where.root, 'count');
    const failing: BatchEntry = {
      id: 'bad',
      script: step(STEP.sshd, 'qwk_run false || qwk_fail "sshd -t rejected the configuration"\n'),
      useMarker: true,
    };
    const r = run(where, [touch('a', count), failing, touch('c', count)]);
    expect(r.out.steps.map((s) => s.id)).toEqual(['a', 'bad']);
    const bad = r.out.steps[1];
    expect(bad.status === 'ran' && !bad.ok && bad.message).toMatch(/sshd -t rejected the configuration/);
    expect(existsSync(join(where.markers, 'bad.done'))).toBe(false);
    expect(existsSync(join(where.markers, 'a.done'))).toBe(true);
    expect(readFileSync(count, 'utf8')).toBe('x\n');
  });

  it('reports a step killed without a result line as failed, with its stderr', () => {
    const where = vm();
    const killed: BatchEntry = {
      id: 'killed',
      script: { name: STEP.hosts, script: '#!/bin/bash\necho "segfault here" >&2\nexit 139\n', secrets: [] },
      useMarker: true,
    };
    const r = run(where, [killed]);
    expect(r.out.steps).toHaveLength(1);
    const s = r.out.steps[0];
    expect(s.status === 'ran' && !s.ok).toBe(true);
    expect(s.status === 'ran' && s.message).toMatch(/no result line \(exit 139\).*segfault here/);
  });

  it('ends the batch at a step that asks for a reboot (the rest runs after the restart)', () => {
    const where = vm();
    const count = join(where.root, 'count');
    const reboot: BatchEntry = {
      id: 'os-selinux',
      script: step(STEP.selinux, 'qwk_changed "config"\nqwk_reboot_required\n'),
      useMarker: false,
    };
    const r = run(where, [touch('a', count), reboot, touch('c', count)]);
    expect(r.out.steps.map((s) => s.id)).toEqual(['a', 'os-selinux']);
    const s = r.out.steps[1];
    expect(s.status === 'ran' && s.ok && s.rebootRequired).toBe(true);
    expect(existsSync(join(where.markers, 'os-selinux.done'))).toBe(false);
  });

  it('gives each step only its own secret parameters', () => {
    const where = vm();
    const seen = join(where.root, 'seen');
    const reads = (id: string, secrets: SecretRequirement[]): BatchEntry => ({
      id,
      script: step(
        STEP.sshKeys,
        `printf '%s=%s;%s\\n' "${id}" "\${QWK_SSH_PRIVATE_KEY:-unset}" "\${QWK_PG_PASSWORD:-unset}" >>${seen}\n`,
        secrets,
      ),
      useMarker: true,
    });
    const entries = [
      reads('one', [{ name: 'QWK_SSH_PRIVATE_KEY', required: true }]),
      reads('two', [{ name: 'QWK_PG_PASSWORD', required: true }]),
    ];
    expect(
      batchSecrets(entries)
        .map((s) => s.name)
        .sort(),
    ).toEqual(['QWK_PG_PASSWORD', 'QWK_SSH_PRIVATE_KEY']);
    const r = run(where, entries, { QWK_SSH_PRIVATE_KEY: 'k-secret', QWK_PG_PASSWORD: 'p-secret' });
    expect(readFileSync(seen, 'utf8')).toBe('one=k-secret;unset\ntwo=unset;p-secret\n');
    expect(r.message).not.toMatch(/k-secret|p-secret/);
    expect(buildBatchScript(entries)).not.toMatch(/k-secret|p-secret/);
  });

  it('keeps the output of the primary node’s longest batch inside the 4,096-byte tail', () => {
    const where = vm();
    const chatty = (id: string): BatchEntry => ({
      id,
      script: step(
        STEP.hosts,
        `for i in $(seq 1 50); do qwk_changed "a long change description number $i of this step"; done\nqwk_data big "$(printf '%0500d' 0)"\n`,
      ),
      useMarker: true,
    });
    const ids = ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'];
    const r = run(where, ids.map(chatty));
    expect(Buffer.byteLength(r.stdout)).toBeLessThan(4096);
    expect(r.out.steps.map((s) => s.id)).toEqual(ids);
  });
});

describe('buildBatchScript', () => {
  const p = seedParams();
  it('refuses an empty batch, duplicate or odd ids, and a script that would end its here-document', () => {
    const s = step(STEP.hosts, 'true\n');
    expect(() => buildBatchScript([])).toThrow(/at least one/);
    expect(() =>
      buildBatchScript([
        { id: 'a', script: s, useMarker: true },
        { id: 'a', script: s, useMarker: true },
      ]),
    ).toThrow(/twice/);
    expect(() => buildBatchScript([{ id: 'a b', script: s, useMarker: true }])).toThrow(/plain name/);
    expect(() =>
      buildBatchScript([{ id: 'a', script: step(STEP.hosts, 'cat <<X\nQWK_BATCH_EOF\nX\n'), useMarker: true }]),
    ).toThrow(/QWK_BATCH_EOF/);
  });

  it('hashes the script text and the secret parameter names, never a value', () => {
    const a = step(STEP.hosts, 'true\n');
    const b = step(STEP.hosts, 'false\n');
    const withSecret = step(STEP.hosts, 'true\n', [{ name: 'QWK_LK_LICENSE', required: true }]);
    expect(stepHash(a)).toBe(stepHash(step(STEP.hosts, 'true\n')));
    expect(stepHash(a)).not.toBe(stepHash(b));
    expect(stepHash(a)).not.toBe(stepHash(withSecret));
    expect(stepHash(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  const available = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!available)('builds a shellcheck-clean wrapper for every stage of the seed cluster', () => {
    const where = vm();
    const ctx = { subscriptionId: 's', resourceGroup: 'rg', publicUrl: 'https://app.test' };
    for (const stage of configurationStages(p)) {
      for (const { vm: name, steps } of stage.vms) {
        const nics = SEED_NICS[name as keyof typeof SEED_NICS] ?? SEED_NICS['Clstr-nodeA'];
        const entries = steps.map((ref) => ({
          id: ref.id,
          script: buildStepScript(ref, p, nics, ctx),
          useMarker: usesMarker(ref, 'first'),
        }));
        const file = join(where.root, `${stage.name}-${name}.sh`);
        writeFileSync(file, buildBatchScript(entries));
        const r = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '--format=gcc', file], {
          encoding: 'utf8',
        });
        expect(r.stdout + r.stderr, `${stage.name} on ${name}`).toBe('');
      }
    }
  });
});

describe('parseBatchOutput', () => {
  it('says why when no step reported, and ignores lines for unknown ids', () => {
    const none = parseBatchOutput('Enable succeeded: \n[stdout]\n\n[stderr]\nbash: killed\n', ['a']);
    expect(none.steps).toEqual([]);
    expect(none.problem).toMatch(/reported no step.*stderr: bash: killed/);
    const other = parseBatchOutput(
      'Enable succeeded: \n[stdout]\nQWK_STEP {"id":"zz","status":"skipped","rc":0,"start":1,"end":2}\n[stderr]\n',
      ['a'],
    );
    expect(other.steps).toEqual([]);
  });

  it('reads a skipped step and a ran step with epoch times', () => {
    const msg = [
      'Enable succeeded: ',
      '[stdout]',
      'QWK_STEP {"id":"a","status":"skipped","rc":0,"start":1764000000,"end":1764000000}',
      'QWK_STEP {"id":"b","status":"ran","rc":0,"start":1764000001,"end":1764000009}',
      'QWK_RESULT {"step":"os-hosts","ok":true,"changed":false,"rebootRequired":false,"message":"no change","data":{}}',
      '[stderr]',
      '',
    ].join('\n');
    expect(parseBatchOutput(msg, ['a', 'b']).steps).toEqual([
      { id: 'a', status: 'skipped', startedAt: '2025-11-24T16:00:00.000Z', endedAt: '2025-11-24T16:00:00.000Z' },
      {
        id: 'b',
        status: 'ran',
        ok: true,
        changed: false,
        rebootRequired: false,
        message: 'no change',
        startedAt: '2025-11-24T16:00:01.000Z',
        endedAt: '2025-11-24T16:00:09.000Z',
      },
    ]);
  });
});
