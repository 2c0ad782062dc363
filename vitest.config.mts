import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/globalSetup.ts'],
    pool: 'forks',
    // One worker per core, at most two: the integration files run real processes (sandboxes, child hosts) of their
    // own, so more workers than cores only makes every deadline tighter.
    maxWorkers: Math.max(1, Math.min(2, availableParallelism())),
    // Generous bounds: a loaded machine is slow, never wrong. Tests poll for conditions well inside these.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Under CI a JSON report as well, from which .ci/run prints the closing "N passed, N failed" line.
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: process.env.VITEST_JSON ?? 'dist/test-results.json' }]]
      : ['default'],
  },
});
