/**
 * Runs once before the suite: says up front what this machine cannot run and is therefore skipped, and why, so a
 * green run on a machine without a tool is never mistaken for a full one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { sandboxMode } from '../local/azure-sim/vm/sandboxMode';

export default function setup(): void {
  const notes: string[] = [];
  if (spawnSync('shellcheck', ['--version']).status !== 0)
    notes.push(
      'shellcheck of the generated Run Command scripts (test/unit/scriptsShellcheck.test.ts): shellcheck is not on PATH' +
        ' (install it: apt-get install -y shellcheck; under CI=true its absence fails the run)',
    );
  const fixtures = process.env.QWK_CONFORMANCE_FIXTURES;
  if (!fixtures || !existsSync(path.join(fixtures, 'arm-examples')))
    notes.push(
      "ARM conformance with Azure's published examples (test/integration/simConformance.test.ts): " +
        (fixtures ? `${fixtures}/arm-examples does not exist` : 'QWK_CONFORMANCE_FIXTURES is not set') +
        ' (set it to the folder holding arm-examples/; .ci/run does)',
    );
  const mode = sandboxMode();
  const sandboxes =
    mode.kind === 'root'
      ? 'as root'
      : mode.kind === 'userns'
        ? `in unprivileged user namespaces${mode.subIds ? ' with subordinate ids' : ' (no subordinate ids: only root inside a VM)'}`
        : `UNAVAILABLE (${mode.reason}): the VM sandbox and deployment tests will fail`;
  console.log(`\nqwk-ops tests: VM sandboxes run ${sandboxes}.`);
  if (notes.length)
    console.warn(`qwk-ops tests: SKIPPED on this machine:\n${notes.map((n) => `  - ${n}`).join('\n')}\n`);
}
