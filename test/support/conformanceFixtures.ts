/**
 * Conformance fixtures that live outside the repository (published examples of Azure and others). Their folder is
 * named by the environment variable QWK_CONFORMANCE_FIXTURES (the folder that holds `arm-examples/`, `alerts/`).
 * When it is unset or the sub-folder is missing, the suite is skipped, and says so.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const CONFORMANCE_FIXTURES_ENV = 'QWK_CONFORMANCE_FIXTURES';

/** The fixture folder `sub` (e.g. "arm-examples"), or undefined after a printed notice that `suite` is skipped. */
export function conformanceFixtures(sub: string, suite: string): string | undefined {
  const base = process.env[CONFORMANCE_FIXTURES_ENV];
  const dir = base ? path.resolve(base, sub) : undefined;
  if (dir && existsSync(dir)) return dir;
  console.warn(
    `SKIPPED: ${suite} — ${
      base ? `${dir} does not exist` : `${CONFORMANCE_FIXTURES_ENV} is not set`
    }. To run it, set ${CONFORMANCE_FIXTURES_ENV} to the folder that holds ${sub}/ (.ci/run does when it exists).`,
  );
  return undefined;
}
