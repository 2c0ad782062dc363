/** Verification as the guide tests (8.3, 8.7): switchover and back, a client connection through the ILB. */
import { bashArray, sh, sq } from './bash';
import { LK_HELPERS } from './lifekeeper';
import { findNode, lifeKeeperTags, SECRET_PARAMETERS, type ScriptParams } from './params';
import { STEP, stepScript, type StepScript } from './script';

/** Seconds to wait for the whole hierarchy to be In Service after a switchover. */
const SWITCHOVER_TIMEOUT_SEC = 600;

/**
 * Brings the whole hierarchy In Service on targetNode (run there): perform_action restore on the root (pgsql),
 * which takes it out of service on the other node; nothing to do if it is already ISP here. Switchover to the
 * standby and back = this step on the standby, then on the primary.
 */
export function buildSwitchover(p: ScriptParams, targetNode: string): StepScript {
  findNode(p, targetNode);
  const tags = lifeKeeperTags(p);
  const all = [tags.pgsql, tags.ip, tags.lbhc, tags.fs, tags.datarep];
  return stepScript(
    STEP.switchover,
    sh`${LK_HELPERS}
me=${sq(targetNode)}
root=${sq(tags.pgsql)}
tags=${bashArray(all)}
lk_require_running
lk_require_host "$me"
all_in_service() {
  local t
  for t in "\${tags[@]}"; do [ "$(lk_state "$t")" = ISP ] || return 1; done
}
if [ "$(lk_state "$root")" != ISP ]; then
  qwk_run "$LKBIN/perform_action" -t "$root" -a restore || qwk_fail "perform_action restore of $root on $me failed"
  qwk_changed "switched the hierarchy over to $me"
fi
if ! qwk_wait_until ${SWITCHOVER_TIMEOUT_SEC} 5 all_in_service; then
  states=''
  for t in "\${tags[@]}"; do states="$states $t=$(lk_state "$t")"; done
  qwk_fail "hierarchy not In Service on $me after ${SWITCHOVER_TIMEOUT_SEC}s:$states"
fi
qwk_data active "$me"
`,
  );
}

/**
 * The hierarchy In Service somewhere (run on the spec's primary, after the hierarchy's steps; a live check that runs
 * on every deployment, no marker): nothing to do when it is In Service here or on the peer (a re-run interrupts
 * nothing); when it is In Service nowhere — both nodes were restarted — it is brought In Service here, where the
 * spec says; when the peer's state cannot be read, it stops with that advice rather than risk two active nodes.
 */
export function buildInService(p: ScriptParams, primaryNode: string, peerNode: string): StepScript {
  findNode(p, primaryNode);
  findNode(p, peerNode);
  const tags = lifeKeeperTags(p);
  const all = [tags.pgsql, tags.ip, tags.lbhc, tags.fs, tags.datarep];
  return stepScript(
    STEP.inService,
    sh`${LK_HELPERS}
me=${sq(primaryNode)}
peer=${sq(peerNode)}
root=${sq(tags.pgsql)}
tags=${bashArray(all)}
lk_require_running
lk_require_host "$me"
lk_has_resource "$root" || qwk_fail "the hierarchy ($root) does not exist on $me: run the hierarchy's steps first"
all_in_service() {
  local t
  for t in "\${tags[@]}"; do [ "$(lk_state "$t")" = ISP ] || return 1; done
}
here=$(lk_state "$root")
there=''
if [ "$here" != ISP ]; then there=$(lk_state "$root" "$peer"); fi
if [ "$here" = ISP ]; then
  qwk_data active "$me"
  qwk_message "hierarchy In Service on $me"
elif [ "$there" = ISP ]; then
  qwk_data active "$peer"
  qwk_message "hierarchy In Service on $peer (left there: moving it interrupts the database; switch over by hand or with verify.switchover always)"
elif [ -z "$there" ]; then
  qwk_fail "hierarchy ($root) not In Service on $me ($here) and the state on $peer cannot be read: check the comm paths (lcdstatus -e), then bring it In Service on the node with the latest data: perform_action -t $root -a restore"
else
  qwk_run "$LKBIN/perform_action" -t "$root" -a restore ||
    qwk_fail "hierarchy ($root) In Service nowhere ($me: $here, $peer: $there) and perform_action restore on $me failed: check the /data mirror (lcdstatus -e) and restore it on the node with the latest data"
  qwk_changed "brought the hierarchy In Service on $me (it was In Service nowhere: $me $here, $peer $there)"
  if ! qwk_wait_until ${SWITCHOVER_TIMEOUT_SEC} 5 all_in_service; then
    states=''
    for t in "\${tags[@]}"; do states="$states $t=$(lk_state "$t")"; done
    qwk_fail "hierarchy not In Service on $me after ${SWITCHOVER_TIMEOUT_SEC}s:$states"
  fi
  qwk_data active "$me"
fi
`,
  );
}

/** From the witness: psql through the ILB frontend IP (8.7 step 5), retried while the probe settles. */
export function buildClientCheck(p: ScriptParams): StepScript {
  const scram = p.postgres.authMethod === 'scram-sha-256';
  const pw = SECRET_PARAMETERS.postgresPassword;
  return stepScript(
    STEP.clientCheck,
    sh`
host=${sq(p.loadBalancer.frontendIp)}
port=${sq(p.loadBalancer.port)}
${
  scram
    ? sh`qwk_secret_required ${pw}
export PGPASSWORD="$${pw}"`
    : '# trust authentication: no password'
}
export PGCONNECT_TIMEOUT=5
client_ok() { [ "$(psql -h "$host" -p "$port" -U postgres -d postgres -Atc 'SELECT 1' 2>>"$QWK_LOG")" = 1 ]; }
qwk_wait_until 120 5 client_ok || qwk_fail "psql -h $host -p $port -U postgres -d postgres does not answer"
unset PGPASSWORD
qwk_data endpoint "$host:$port"
qwk_message "PostgreSQL answers through $host:$port"
`,
    scram ? [{ name: pw, required: true }] : [],
  );
}
