import { sq } from './bash';
import type { SecretRequirement } from './params';
import { PRELUDE } from './prelude';

/** A generated Run Command script for one step. */
export interface StepScript {
  /** Step name, also the "step" of its result line. */
  name: string;
  /** The bash script (pass it to Run Command as script lines: script.split('\n')). */
  script: string;
  /** Secret parameters (environment variables) the activity must pass; their values never appear in `script`. */
  secrets: SecretRequirement[];
}

/** Step names, one per builder (node-specific steps run on each node under the same name). */
export const STEP = {
  hosts: 'os-hosts',
  selinux: 'os-selinux',
  firewall: 'os-firewall',
  nicPinning: 'os-nic-pinning',
  sshd: 'os-sshd',
  sshKeys: 'os-ssh-keys',
  packageSource: 'packages-source',
  witnessNfs: 'witness-nfs-server',
  postgresClient: 'witness-postgres-client',
  nodeNfs: 'node-nfs-mount',
  lifeKeeperInstall: 'lifekeeper-install',
  lifeKeeperLicense: 'lifekeeper-license',
  lifeKeeperStart: 'lifekeeper-start',
  qwkConfig: 'qwk-config',
  qwkInit: 'qwk-storage-init',
  qwkCheck: 'qwk-check',
  postgresServer: 'postgres-server',
  postgresPrimary: 'postgres-primary',
  commPaths: 'lk-comm-paths',
  dataKeeper: 'lk-datakeeper',
  pgsqlResource: 'lk-pgsql',
  lbhcResource: 'lk-lbhc',
  ipResource: 'lk-ip',
  dependencies: 'lk-dependencies',
  inService: 'lk-in-service',
  switchover: 'verify-switchover',
  clientCheck: 'verify-client',
  relay: 'witness-qwk-relay',
} as const;

export type StepName = (typeof STEP)[keyof typeof STEP];

/**
 * Wraps a step body in the common frame: shebang, strict mode, the step name, the prelude (result line on EXIT,
 * helpers) and the body. The body must only reach secrets through the environment variables listed in `secrets`.
 */
export function stepScript(name: StepName, body: string, secrets: SecretRequirement[] = []): StepScript {
  const script = [
    '#!/bin/bash',
    `# qwk-ops Run Command step "${name}" (generated). Idempotent: a second run changes nothing.`,
    '# Ends with one line: QWK_RESULT {"step","ok","changed","rebootRequired","message","data"}.',
    'set -euo pipefail',
    'set -o errtrace',
    `QWK_STEP=${sq(name)}`,
    PRELUDE.trimEnd(),
    '',
    body.trimEnd(),
    '',
  ].join('\n');
  return { name, script, secrets };
}
