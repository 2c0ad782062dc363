import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestSpecification, Vitest } from 'vitest/node' with { 'resolution-mode': 'import' };
import { HEAVY_FILES, heavyWeight, LongestFirstSequencer, UNLISTED_DEPLOYING_WEIGHT, weightOf } from '../sequencer';

const ROOT = path.resolve(__dirname, '../..');

/** The parts of a spec and of vitest's context that the sequencer reads. */
const spec = (rel: string) => ({ moduleId: path.join(ROOT, rel) }) as unknown as TestSpecification;
const ctx = { config: { root: ROOT } } as unknown as Vitest;

describe('the longest-first sequencer', () => {
  it('lists only files that exist (a renamed heavy file would silently lose its place)', () => {
    const missing = Object.keys(HEAVY_FILES).filter((f) => !existsSync(path.join(ROOT, f)));
    expect(missing).toEqual([]);
  });

  it('puts the listed files first, longest first, then the others larger first', () => {
    const files = [
      'test/unit/specParse.test.ts',
      'test/integration/deployInfra.test.ts',
      'test/unit/pagingTeams.test.ts',
      'test/integration/qwkRelay.test.ts',
      'test/integration/deployRestart.test.ts',
    ];
    const others = ['test/unit/specParse.test.ts', 'test/unit/pagingTeams.test.ts'].sort(
      (a, b) => statSync(path.join(ROOT, b)).size - statSync(path.join(ROOT, a)).size,
    );
    const sorted = new LongestFirstSequencer(ctx).sort(files.map(spec));
    expect(sorted.map((s) => path.relative(ROOT, s.moduleId))).toEqual([
      'test/integration/qwkRelay.test.ts',
      'test/integration/deployRestart.test.ts',
      'test/integration/deployInfra.test.ts',
      ...others,
    ]);
  });

  it('cuts the files into shards that cover each once', () => {
    const files = Object.keys(HEAVY_FILES).map(spec);
    const shards = [1, 2, 3].map((index) =>
      new LongestFirstSequencer({ config: { root: ROOT, shard: { index, count: 3 } } } as unknown as Vitest).shard(
        files,
      ),
    );
    const size = Math.ceil(files.length / 3);
    expect(shards.map((s) => s.length)).toEqual([size, size, files.length - 2 * size]);
    expect(new Set(shards.flat().map((s) => s.moduleId)).size).toBe(files.length);
  });

  it('weighs an unlisted file that deploys configured clusters before the short ones, a listed one by its list', () => {
    const deploying = 'stack = await startConfigStack({ timeScale: 0.005 });';
    expect(weightOf('test/integration/newScenario.test.ts', () => deploying)).toBe(UNLISTED_DEPLOYING_WEIGHT);
    expect(weightOf('test/integration/simArm.test.ts', () => 'startStack({})')).toBe(0);
    expect(weightOf('test/integration/qwkRelay.test.ts', () => deploying)).toBe(
      HEAVY_FILES['test/integration/qwkRelay.test.ts'],
    );
  });

  it('weighs a path with either separator, an unlisted one 0', () => {
    expect(heavyWeight('test\\integration\\qwkRelay.test.ts')).toBe(HEAVY_FILES['test/integration/qwkRelay.test.ts']);
    expect(heavyWeight('test/unit/specParse.test.ts')).toBe(0);
  });
});
