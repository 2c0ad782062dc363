/** LifeKeeper installation, license and start (the guide's section 7.3), plus bash helpers for the LifeKeeper steps. */
import { bashArray, heredocBody, sh, sq } from './bash';
import { locationFileName } from './packages';
import { SECRET_PARAMETERS, type ScriptParams } from './params';
import { STEP, stepScript, type StepScript } from './script';

export const LK_ROOT = '/opt/LifeKeeper';
export const LK_DEFAULTS_FILE = '/etc/default/LifeKeeper';

/**
 * Arguments for the installer image's ./setup; "{responseFile}" becomes the response file's path.
 * NOT CONFIRMED by public SIOS documentation (SIOS documents a "non-interactive way" whose exact options were not
 * readable here): override lifeKeeper.setupArgs in the spec with the documented options for your version.
 */
export const DEFAULT_LK_SETUP_ARGS: readonly string[] = ['-f', '{responseFile}', '-q', 'y'];

/**
 * Response file selecting what the guide ticks in the interactive setup (7.3).
 * NOT CONFIRMED by public SIOS documentation: the key names are placeholders; override lifeKeeper.responseFile.
 */
export const DEFAULT_LK_RESPONSE_FILE = [
  '# LifeKeeper for Linux setup response file written by qwk-ops.',
  "# NOT CONFIRMED by public SIOS documentation: key names are placeholders for the guide's selections (7.3);",
  '# override lifeKeeper.responseFile with the documented non-interactive configuration of your version.',
  '# Use Quorum / Witness Functions',
  'LKCONF_QWK="y"',
  '# Recovery kits: Networking / LifeKeeper LB Health Check Kit',
  'LKCONF_RK_LBHC="y"',
  '# Recovery kits: Database / LifeKeeper PostgreSQL RDBMS Recovery Kit',
  'LKCONF_RK_PGSQL="y"',
  '# Recovery kits: Storage / DataKeeper for Linux',
  'LKCONF_RK_DATAKEEPER="y"',
].join('\n');

/**
 * Bash helpers for steps that talk to LifeKeeper: readiness (lktest = LifeKeeper processes up, lcdstatus answering
 * = the configuration database is initialised) and existence checks before every create.
 * lcdstatus -e prints SIOS's documented "short status": resource lines "BACKUP TAG ID STATE PRIO PRIMARY" and
 * communication lines "MACHINE NETWORK ADDRESSES/DEVICE STATE PRIO".
 */
export const LK_HELPERS = sh`
LKBIN=${LK_ROOT}/bin
lk_running() { "$LKBIN/lktest" >/dev/null 2>&1; }
lk_ready() { lk_running && "$LKBIN/lcdstatus" -q >/dev/null 2>&1; }
lk_require_running() { lk_ready || qwk_fail "LifeKeeper is not running on this node (lifekeeper-start first)"; }
# lk_require_host NAME: this VM is NAME (host name = VM name = LifeKeeper system name).
lk_require_host() {
  local n
  n=$(uname -n)
  [ "\${n%%.*}" = "$1" ] || [ "$(sed -n '1s/[.].*//p' /etc/hostname 2>/dev/null)" = "$1" ] ||
    qwk_fail "this step must run on $1, not on \${n%%.*}"
}
# lk_status [SYSTEM]: short status of this node or of SYSTEM.
lk_status() { if [ -n "\${1:-}" ]; then "$LKBIN/lcdstatus" -e -d "$1"; else "$LKBIN/lcdstatus" -e; fi; }
# lk_has_resource TAG [SYSTEM]: the resource exists (ins_list) here or on SYSTEM.
lk_has_resource() {
  local out
  if [ -n "\${2:-}" ]; then out=$("$LKBIN/ins_list" -d "$2" -t "$1" 2>/dev/null) || return 1
  else out=$("$LKBIN/ins_list" -t "$1" 2>/dev/null) || return 1; fi
  [ -n "$out" ]
}
# lk_extended_to TAG SYSTEM: the resource has an equivalency with SYSTEM (eqv_list) and exists there.
lk_extended_to() {
  local out
  out=$("$LKBIN/eqv_list" -t "$1" 2>/dev/null) || return 1
  grep -qwF -- "$2" <<<"$out" && lk_has_resource "$1" "$2"
}
# lk_state TAG [SYSTEM]: ISP, OSU, OSF, ISS... from the short status; empty if unknown.
lk_state() {
  local out
  out=$(lk_status "\${2:-}" 2>/dev/null) || return 0
  awk -v t="$1" '{ for (i = 1; i <= NF - 2; i++) if ($i == t) { print $(i + 2); exit } }' <<<"$out"
}
# lk_commpath_state PEER LOCAL_IP REMOTE_IP: ALIVE, DEAD... of that TCP comm path; empty if it does not exist.
lk_commpath_state() {
  local out
  out=$(lk_status 2>/dev/null) || return 0
  awk -v m="$1" -v a="$2/$3" -v b="$3/$2" '$1 == m && $2 == "TCP" && ($3 == a || $3 == b) { print $4; exit }' <<<"$out"
}
`;

/** Install LifeKeeper from the image at installerLocation with an unattended setup; skipped when installed. */
export function buildLifeKeeperInstall(p: ScriptParams): StepScript {
  const location = p.lifeKeeper.installerLocation ?? '';
  const image = `/var/tmp/qwk-ops/${locationFileName(location, 'sps.img')}`;
  const responseFile = '/var/tmp/qwk-ops/lk-setup.conf';
  const setupArgs = p.lifeKeeper.setupArgs.map((a) => a.split('{responseFile}').join(responseFile));
  return stepScript(
    STEP.lifeKeeperInstall,
    sh`
if [ -x ${LK_ROOT}/bin/lkstart ] && rpm -q steeleye-lk >/dev/null 2>&1; then
  qwk_data version "$(rpm -q steeleye-lk)"
  exit 0
fi
${location === '' ? 'qwk_fail "LifeKeeper is not installed and the spec has no lifeKeeper.installerLocation"\n' : ''}img=${sq(image)}
mnt=/mnt/qwk-lk-installer
qwk_fetch ${sq(location)} ${SECRET_PARAMETERS.lifeKeeperInstallerSas} "$img"
mkdir -p "$mnt"
if ! is_mounted "$mnt"; then qwk_run mount -o loop,ro "$img" "$mnt" || qwk_fail "cannot loop-mount $img"; fi
[ -x "$mnt/setup" ] || qwk_fail "$img has no setup script at its root"
ensure_file ${sq(responseFile)} 600 <<'QWK_EOF'
${heredocBody('lifeKeeper.responseFile', p.lifeKeeper.responseFile)}
QWK_EOF
setup_args=${bashArray(setupArgs)}
printf '+ (cd %s && ./setup %s)\n' "$mnt" "\${setup_args[*]}" >>"$QWK_LOG"
if ! (cd "$mnt" && ./setup "\${setup_args[@]}") </dev/null >>"$QWK_LOG" 2>&1; then
  qwk_run umount "$mnt" || true
  qwk_fail "LifeKeeper setup failed"
fi
qwk_run umount "$mnt"
[ -x ${LK_ROOT}/bin/lkstart ] || qwk_fail "setup ended but ${LK_ROOT}/bin/lkstart is missing"
rm -f -- "$img"
qwk_changed "installed LifeKeeper"
qwk_data version "$(rpm -q steeleye-lk 2>/dev/null || echo unknown)"
`,
    [{ name: SECRET_PARAMETERS.lifeKeeperInstallerSas, required: false }],
  );
}

/**
 * License from a secret parameter through lkkeyins (7.3): written to a 0600 temp file that is removed at exit.
 * A digest of the installed license (not the license) in /var/lib/qwk-ops makes a re-run skip lkkeyins.
 */
export function buildLifeKeeperLicense(): StepScript {
  const env = SECRET_PARAMETERS.lifeKeeperLicense;
  return stepScript(
    STEP.lifeKeeperLicense,
    sh`
qwk_secret_required ${env}
[ -x ${LK_ROOT}/bin/lkkeyins ] || qwk_fail "LifeKeeper is not installed (${LK_ROOT}/bin/lkkeyins missing)"
marker=/var/lib/qwk-ops/lk-license.sha256
digest=$(printf '%s' "$${env}" | sha256sum | cut -d' ' -f1)
if [ -f "$marker" ] && [ "$(cat "$marker")" = "$digest" ]; then
  qwk_data license installed
  exit 0
fi
QWK_TMP_SUFFIX=.lic qwk_mktemp
keyfile=$QWK_TMP
printf '%s\n' "$${env}" >"$keyfile"
qwk_run ${LK_ROOT}/bin/lkkeyins "$keyfile" || qwk_fail "lkkeyins rejected the license"
rm -f -- "$keyfile"
mkdir -p /var/lib/qwk-ops
printf '%s\n' "$digest" >"$marker"
qwk_changed "installed the LifeKeeper license"
`,
    [{ name: env, required: true }],
  );
}

/** NOBCASTPING=1, PATH/MANPATH for LifeKeeper's commands, lkstart, and a bounded wait until LifeKeeper is ready. */
export function buildLifeKeeperStart(p: ScriptParams): StepScript {
  return stepScript(
    STEP.lifeKeeperStart,
    sh`${LK_HELPERS}
[ -x "$LKBIN/lkstart" ] || qwk_fail "LifeKeeper is not installed"
[ -f ${LK_DEFAULTS_FILE} ] || qwk_fail "${LK_DEFAULTS_FILE} not found"
set_kv ${LK_DEFAULTS_FILE} NOBCASTPING 1
ensure_file /etc/profile.d/lifekeeper.sh 644 <<'EOF'
# qwk-ops: LifeKeeper commands and manual pages (guide 7.3)
case ":$PATH:" in *:${LK_ROOT}/bin:*) ;; *) PATH=$PATH:${LK_ROOT}/bin ;; esac
case ":$MANPATH:" in *:${LK_ROOT}/man:*) ;; *) MANPATH=$MANPATH:${LK_ROOT}/man ;; esac
export PATH MANPATH
EOF
if ! lk_running; then
  qwk_run "$LKBIN/lkstart" || qwk_fail "lkstart failed"
  qwk_changed "started LifeKeeper"
fi
timeout=${p.lifeKeeper.startTimeoutSec}
qwk_wait_until "$timeout" 5 lk_ready || qwk_fail "LifeKeeper not ready after \${timeout}s (lktest/lcdstatus)"
qwk_data ready true
`,
  );
}
