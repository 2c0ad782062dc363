/** QWK storage mode (the guide's section 9.2): parameters, qwk_storage_init, and the freshness check. */
import { sh, sq } from './bash';
import { LK_DEFAULTS_FILE, LK_HELPERS } from './lifekeeper';
import { findNode, qwkObjectKey, qwkObjectName, type ScriptParams } from './params';
import { STEP, stepScript, type StepScript } from './script';

/** LifeKeeper's default QUORUM_LOSS_ACTION, which the guide keeps (and which is therefore not written). */
export const DEFAULT_QUORUM_LOSS_ACTION = 'fastkill';

/** The /etc/default/LifeKeeper entries of 9.2, in the guide's order. */
export function qwkDefaultsEntries(p: ScriptParams): [string, string][] {
  const entries: [string, string][] = [
    ['QUORUM_MODE', 'storage'],
    ['WITNESS_MODE', 'storage'],
    ['QWK_STORAGE_TYPE', 'file'],
    ['QWK_STORAGE_HBEATTIME', String(p.qwk.hbeatTime)],
    ['QWK_STORAGE_NUMHBEATS', String(p.qwk.numHbeats)],
    ...p.nodes.map((n): [string, string] => [qwkObjectKey(n.name), qwkObjectPath(p, n.name)]),
  ];
  if (p.qwk.quorumLossAction !== DEFAULT_QUORUM_LOSS_ACTION)
    entries.push(['QUORUM_LOSS_ACTION', p.qwk.quorumLossAction]);
  return entries;
}

/** The lines those entries leave in /etc/default/LifeKeeper (QUORUM_MODE=storage, ...). */
export function qwkDefaultsLines(p: ScriptParams): string[] {
  return qwkDefaultsEntries(p).map(([k, v]) => `${k}=${v}`);
}

/** A node's QWK object as the nodes see it: /mnt/qwkmnt/Clstr_nodeA. */
export function qwkObjectPath(p: ScriptParams, nodeName: string): string {
  return `${p.qwk.mountPoint}/${qwkObjectName(nodeName)}`;
}

/** Bash: qwk_field FILE KEY prints KEY's value in a QWK object; qwk_object_valid FILE NODE. */
const QWK_OBJECT_HELPERS = sh`
qwk_field() { sed -n "/^$2=/{s/^$2=//p;q;}" "$1" 2>/dev/null || true; }
qwk_object_valid() {
  [ -s "$1" ] && [ "$(qwk_field "$1" signature)" = lifeguard_qwk_object ] && [ "$(qwk_field "$1" local_node)" = "$2" ]
}
`;

/** Both nodes: the QWK keys in /etc/default/LifeKeeper, each set idempotently (replaced if present, else added). */
export function buildQwkConfig(p: ScriptParams): StepScript {
  const sets = qwkDefaultsEntries(p)
    .map(([k, v]) => sh`set_kv "$f" ${k} ${sq(v)}`)
    .join('\n');
  return stepScript(
    STEP.qwkConfig,
    sh`
f=${LK_DEFAULTS_FILE}
[ -f "$f" ] || qwk_fail "$f not found: install LifeKeeper first"
${sets}
qwk_data quorumMode storage
`,
  );
}

/**
 * qwk_storage_init on one node (the orchestration runs the first node, then the second). Skipped when the node's
 * own QWK object is already initialised; otherwise waits (bounded) for the object to appear.
 */
export function buildQwkInit(p: ScriptParams, nodeName: string): StepScript {
  findNode(p, nodeName);
  const waitSec = p.qwk.hbeatTime * p.qwk.numHbeats;
  return stepScript(
    STEP.qwkInit,
    sh`${LK_HELPERS}${QWK_OBJECT_HELPERS}
me=${sq(nodeName)}
obj=${sq(qwkObjectPath(p, nodeName))}
mp=${sq(p.qwk.mountPoint)}
lk_require_running
is_mounted "$mp" || qwk_fail "$mp is not mounted (node-nfs-mount first)"
if ! qwk_object_valid "$obj" "$me"; then
  qwk_run "$LKBIN/qwk_storage_init" || qwk_fail "qwk_storage_init failed"
  qwk_changed "initialised the QWK object $obj"
  qwk_wait_until ${waitSec} 1 qwk_object_valid "$obj" "$me" || qwk_fail "$obj did not appear after qwk_storage_init"
fi
qwk_data object "$obj"
qwk_data sequence "$(qwk_field "$obj" sequence)"
`,
  );
}

/**
 * Both QWK objects exist and are being updated: each object's sequence is read twice, HBEATTIME (+1 s) apart, and
 * must have advanced. Runs on the witness (reading the exported directory) or on a node (reading its mount).
 */
export function buildQwkCheck(p: ScriptParams, where: 'witness' | 'node'): StepScript {
  const dir = where === 'witness' ? p.qwk.sharePath : p.qwk.mountPoint;
  const objects = p.nodes.map((n) => `${n.name}=${dir}/${qwkObjectName(n.name)}`);
  return stepScript(
    STEP.qwkCheck,
    sh`${QWK_OBJECT_HELPERS}
objects=(${objects.map(sq).join(' ')})
declare -A first
for entry in "\${objects[@]}"; do
  node=\${entry%%=*} obj=\${entry#*=}
  qwk_object_valid "$obj" "$node" || qwk_fail "QWK object $obj of $node is missing or invalid"
  first[$node]=$(qwk_field "$obj" sequence)
done
sleep ${p.qwk.hbeatTime + 1}
for entry in "\${objects[@]}"; do
  node=\${entry%%=*} obj=\${entry#*=}
  now=$(qwk_field "$obj" sequence)
  if ! [[ "$now" =~ ^[0-9]+$ ]] || ! [[ "\${first[$node]}" =~ ^[0-9]+$ ]] || [ "$now" -le "\${first[$node]}" ]; then
    qwk_fail "QWK object $obj of $node is stale (sequence \${first[$node]} -> $now in ${p.qwk.hbeatTime + 1}s)"
  fi
  qwk_data "$node" "$now"
done
qwk_message "both QWK objects are being updated"
`,
  );
}
