import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/globalSetup.ts'],
    pool: 'forks',
    // The long real-time files start at once, longest first; the short ones fill the gaps (test/sequencer.ts).
    sequence: { sequencer: LongestFirstSequencer },
    // The heavy integration files mostly wait on real time (the cluster clock, Run Command's 20 s floor, LROs), so
    // one worker more than cores, at most three, shortens the wall time without starving anyone of CPU.
    maxWorkers: Math.max(1, Math.min(3, availableParallelism() + 1)),
    // Generous bounds: a loaded machine is slow, never wrong. Tests poll for conditions well inside these.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Under CI a JSON report as well, from which .ci/run prints the closing "N passed, N failed" line.
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: process.env.VITEST_JSON ?? 'dist/test-results.json' }]]
      : ['default'],
  },
});
