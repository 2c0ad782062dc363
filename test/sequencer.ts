/**
 * Longest files first. The suite's wall time is set by a few integration files that wait on real time (the cluster
 * clock, relay intervals, deployments); when one of them starts late it runs alone at the end while the other
 * workers sit idle. Vitest's default order needs the timings of a previous run (its cache), which a fresh clone
 * has not, and then falls back to file size, which says little about duration. So the heavy files are listed here
 * with their wall time (seconds, in a whole-suite run on the 2-core CI machine kind) and start first, longest first;
 * every other file follows, larger files first (vitest's own order on a fresh clone), and fills the gaps. The order
 * is the same on every machine: it does not depend on a previous run's cache.
 *
 * Add a file here when it takes more than ~15 s; its figure needs to be right only roughly (the order is what counts).
 * A file left out that deploys configured clusters (startConfigStack) still starts early (UNLISTED_DEPLOYING_WEIGHT).
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { TestSequencer, TestSpecification, Vitest } from 'vitest/node' with { 'resolution-mode': 'import' };

export const HEAVY_FILES: Readonly<Record<string, number>> = {
  'test/integration/reportE2e.test.ts': 330,
  'test/integration/monitoringE2e.test.ts': 150,
  'test/integration/simCluster.test.ts': 130,
  'test/integration/qwkRelay.test.ts': 100,
  'test/integration/deployRestart.test.ts': 72,
  'test/integration/deployConfigure.test.ts': 66,
  'test/integration/deployConfigureCrash.test.ts': 64,
  'test/integration/pagingPipeline.test.ts': 54,
  'test/integration/scriptsSandbox.test.ts': 44,
  'test/integration/startRestart.test.ts': 40,
  'test/integration/deployCrash.test.ts': 37,
  'test/integration/deployInfra.test.ts': 21,
  'test/integration/vmRuntime.test.ts': 21,
};

/** The listed weight of a test file (its path relative to the root, with forward slashes), 0 when not listed. */
export function heavyWeight(relativePath: string): number {
  return HEAVY_FILES[relativePath.split('\\').join('/')] ?? 0;
}

/**
 * Weight of a file not (yet) listed that deploys configured clusters on a local stack (every such file so far takes
 * a minute or more): it starts before the short files, after the listed ones of more than a minute.
 */
export const UNLISTED_DEPLOYING_WEIGHT = 60;

/** A file's weight: its listed one, else UNLISTED_DEPLOYING_WEIGHT when its text starts a configuring stack, else 0. */
export function weightOf(relativePath: string, text: () => string): number {
  return heavyWeight(relativePath) || (text().includes('startConfigStack(') ? UNLISTED_DEPLOYING_WEIGHT : 0);
}

const size = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};
const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

export class LongestFirstSequencer implements TestSequencer {
  constructor(private readonly ctx: Vitest) {}

  private relative(f: TestSpecification): string {
    return path.relative(this.ctx.config.root, f.moduleId);
  }

  /** `--shard=i/n`: the files in a fixed order (by path), cut into n nearly equal parts. */
  shard(files: TestSpecification[]): TestSpecification[] {
    const { index, count } = this.ctx.config.shard ?? { index: 1, count: 1 };
    const byPath = [...files].sort((a, b) => (this.relative(a) < this.relative(b) ? -1 : 1));
    const per = Math.ceil(byPath.length / count);
    return byPath.slice((index - 1) * per, index * per);
  }

  sort(files: TestSpecification[]): TestSpecification[] {
    const key = (f: TestSpecification) =>
      [weightOf(this.relative(f), () => read(f.moduleId)), size(f.moduleId)] as const;
    return [...files]
      .map((f) => ({ f, k: key(f) }))
      .sort((a, b) => b.k[0] - a.k[0] || b.k[1] - a.k[1])
      .map(({ f }) => f);
  }
}
