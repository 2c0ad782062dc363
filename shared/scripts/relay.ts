/**
 * The QWK relay (Monitoring 2/5): a small bash program installed on the witness as a systemd service. Every
 * `interval` seconds it reads every QWK object in the witness's share (raw text + mtime by the witness's clock) and
 * POSTs them, signed with HMAC-SHA256 under the cluster's relay key, to the app's ingest route
 * (POST {QWK_PUBLIC_URL}/api/clusters/{subscriptionId}/{resourceGroup}/qwk). A failed POST is logged to the journal
 * (stderr) and retried on the next tick; nothing is queued.
 *
 * The key never appears on a command line or in the environment (both readable through /proc): the program reads
 * it from a root-only file and computes the HMAC with bash builtins and coreutils' sha256sum (RFC 2104 over the
 * key's bytes). The signed message is `<timestamp>\n<counter>\n<body>`; headers x-qwk-timestamp (Unix seconds),
 * x-qwk-counter (strictly increasing across restarts: max(stored + 1, milliseconds since the epoch), stored under
 * /var/lib/qwk-relay) and x-qwk-signature: sha256=<hex>. See shared/monitoring/relaySignature.ts for the check.
 */
import { heredocBody, sh, singleLine, sq } from './bash';
import { SECRET_PARAMETERS, type ScriptParams } from './params';
import { STEP, stepScript, type StepScript } from './script';

/** Where the relay lives on the witness. */
export const RELAY_PATHS = {
  program: '/usr/local/sbin/qwk-relay',
  configDir: '/etc/qwk-relay',
  config: '/etc/qwk-relay/relay.conf',
  key: '/etc/qwk-relay/relay.key',
  unit: 'qwk-relay.service',
  unitFile: '/etc/systemd/system/qwk-relay.service',
  stateDir: '/var/lib/qwk-relay',
} as const;

/** Headers of a relay POST (lower case, as Node reports them). */
export const RELAY_HEADERS = {
  timestamp: 'x-qwk-timestamp',
  counter: 'x-qwk-counter',
  signature: 'x-qwk-signature',
} as const;

/** Default relay interval (spec monitoring.relayIntervalSeconds). */
export const DEFAULT_RELAY_INTERVAL_SECONDS = 5;

/** Where and as whom the relay posts: known only when the step runs (cluster ids, the app's public URL). */
export interface RelayTarget {
  subscriptionId: string;
  resourceGroup: string;
  /** The app's public base URL (QWK_PUBLIC_URL), https://… without a trailing slash. */
  publicUrl: string;
}

/** The ingest route's URL for a cluster. */
export function relayIngestUrl(t: RelayTarget): string {
  const base = t.publicUrl.replace(/\/+$/, '');
  return `${base}/api/clusters/${encodeURIComponent(t.subscriptionId)}/${encodeURIComponent(t.resourceGroup)}/qwk`;
}

/** The relay program (bash). Same bytes on every witness; its configuration file says where and what. */
export const RELAY_PROGRAM = String.raw`#!/bin/bash
# qwk-relay (installed by qwk-ops): publishes the QWK objects of the witness's share to qwk-ops, signed.
# Usage: qwk-relay [CONFIG]   (default /etc/qwk-relay/relay.conf; KEY=VALUE lines, read, never sourced)
# No errexit: a failing tick is logged and retried on the next one; only a bad configuration ends the program
# (systemd restarts it, Restart=on-failure).
set -uo pipefail
umask 077
CONF=${'$'}{1:-/etc/qwk-relay/relay.conf}
URL='' INTERVAL=5 SHARE='' SUBSCRIPTION='' RESOURCE_GROUP='' KEY_FILE=/etc/qwk-relay/relay.key
STATE_DIR=${'$'}{STATE_DIRECTORY:-/var/lib/qwk-relay}
WORK=${'$'}{RUNTIME_DIRECTORY:-/run/qwk-relay}
MAX_OBJECTS=32
MAX_OBJECT_BYTES=4096

log() { printf 'qwk-relay: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

[ -r "$CONF" ] || die "cannot read $CONF"
while IFS= read -r line || [ -n "$line" ]; do
  case $line in '' | '#'*) continue ;; esac
  k=${'$'}{line%%=*}
  v=${'$'}{line#*=}
  case $k in
    QWK_RELAY_URL) URL=$v ;;
    QWK_RELAY_INTERVAL) INTERVAL=$v ;;
    QWK_RELAY_SHARE) SHARE=$v ;;
    QWK_RELAY_SUBSCRIPTION) SUBSCRIPTION=$v ;;
    QWK_RELAY_RESOURCE_GROUP) RESOURCE_GROUP=$v ;;
    QWK_RELAY_KEY_FILE) KEY_FILE=$v ;;
    *) log "ignoring unknown setting $k in $CONF" ;;
  esac
done <"$CONF"
[[ $URL == https://* ]] || die "QWK_RELAY_URL must be an https:// URL (got '$URL')"
if ! [[ $INTERVAL =~ ^[0-9]+$ ]] || [ "$INTERVAL" -lt 1 ]; then die "QWK_RELAY_INTERVAL must be a positive integer"; fi
[ -d "$SHARE" ] || die "QWK_RELAY_SHARE '$SHARE' is not a directory"
if [ -z "$SUBSCRIPTION" ] || [ -z "$RESOURCE_GROUP" ]; then die "QWK_RELAY_SUBSCRIPTION and QWK_RELAY_RESOURCE_GROUP are required"; fi
[ -r "$KEY_FILE" ] || die "cannot read the relay key $KEY_FILE"
KEY=$(<"$KEY_FILE")
[ -n "$KEY" ] || die "the relay key $KEY_FILE is empty"
mkdir -p "$STATE_DIR" "$WORK" || die "cannot create $STATE_DIR or $WORK"
HOST=$(hostname 2>/dev/null || printf 'witness')

# JSON string literal of $1: quotes, backslashes and control characters escaped.
json_str() {
  local s=$1 out='' i c
  s=${'$'}{s//\\/\\\\}
  s=${'$'}{s//\"/\\\"}
  s=${'$'}{s//$'\n'/\\n}
  s=${'$'}{s//$'\r'/\\r}
  s=${'$'}{s//$'\t'/\\t}
  if [[ $s == *[$'\001'-$'\037']* ]]; then
    for ((i = 0; i < ${'$'}{#s}; i++)); do
      c=${'$'}{s:i:1}
      if [[ $c == [$'\001'-$'\037'] ]]; then printf -v c '\\u%04x' "'$c"; fi
      out+=$c
    done
    s=$out
  fi
  printf '"%s"' "$s"
}

# HMAC-SHA256 (RFC 2104) of file $1 under $KEY, in hex: bash builtins + sha256sum, so the key is never an argument.
hmac_sha256_hex() {
  local file=$1 k=$KEY i c ipad='' opad='' inner esc=''
  [ "${'$'}{#k}" -le 64 ] || die "relay keys longer than 64 bytes are not supported"
  for ((i = 0; i < 64; i++)); do
    if ((i < ${'$'}{#k})); then printf -v c '%d' "'${'$'}{k:i:1}"; else c=0; fi
    printf -v ipad '%s\\x%02x' "$ipad" $((c ^ 0x36))
    printf -v opad '%s\\x%02x' "$opad" $((c ^ 0x5c))
  done
  inner=$( { printf '%b' "$ipad"; cat -- "$file"; } | sha256sum)
  inner=${'$'}{inner%% *}
  esc=''
  for ((i = 0; i < 64; i += 2)); do esc+="\\x${'$'}{inner:i:2}"; done
  { printf '%b' "$opad"; printf '%b' "$esc"; } | sha256sum | { read -r h _ && printf '%s' "$h"; }
}

# Strictly increasing across restarts and clock steps: max(stored + 1, milliseconds since the epoch).
next_counter() {
  local stored=0 now
  if [ -r "$STATE_DIR/counter" ]; then read -r stored <"$STATE_DIR/counter" || stored=0; fi
  [[ $stored =~ ^[0-9]+$ ]] || stored=0
  now=$(date +%s%3N)
  if [ "$now" -le "$stored" ]; then now=$((stored + 1)); fi
  printf '%s\n' "$now" >"$STATE_DIR/counter.tmp" && mv -f "$STATE_DIR/counter.tmp" "$STATE_DIR/counter"
  COUNTER=$now
}

# Writes the snapshot's JSON body to $WORK/body.
build_body() {
  local f name n=0 text mtime first=1
  {
    printf '{"v":1,"subscriptionId":%s,"resourceGroup":%s,"witness":%s,"witnessTime":%s,"counter":%s,"objects":[' \
      "$(json_str "$SUBSCRIPTION")" "$(json_str "$RESOURCE_GROUP")" "$(json_str "$HOST")" \
      "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)")" "$COUNTER"
    for f in "$SHARE"/*; do
      [ -f "$f" ] || continue
      name=${'$'}{f##*/}
      # QWK object names are node names with '-' and '.' replaced by '_' (no temporary or hidden files)
      [[ $name =~ ^[A-Za-z0-9_]+$ ]] || continue
      n=$((n + 1))
      [ "$n" -le "$MAX_OBJECTS" ] || break
      text=''
      IFS= read -r -d '' -n "$MAX_OBJECT_BYTES" text <"$f" || true
      mtime=$(date -u -r "$f" +%Y-%m-%dT%H:%M:%S.%3NZ 2>/dev/null) || continue
      [ "$first" = 1 ] || printf ','
      first=0
      printf '{"name":%s,"mtime":%s,"text":%s}' "$(json_str "$name")" "$(json_str "$mtime")" "$(json_str "$text")"
    done
    printf ']}'
  } >"$WORK/body"
}

post_once() {
  local ts mac code
  next_counter
  build_body
  ts=$(date +%s)
  printf '%s\n%s\n' "$ts" "$COUNTER" >"$WORK/signed"
  cat "$WORK/body" >>"$WORK/signed"
  mac=$(hmac_sha256_hex "$WORK/signed")
  {
    printf 'content-type: application/json\n'
    printf 'x-qwk-timestamp: %s\n' "$ts"
    printf 'x-qwk-counter: %s\n' "$COUNTER"
    printf 'x-qwk-signature: sha256=%s\n' "$mac"
  } >"$WORK/headers"
  code=$(curl -sS --proto =https --connect-timeout 5 --max-time "$((INTERVAL > 10 ? INTERVAL : 10))" \
    -o "$WORK/response" -w '%{http_code}' -X POST -H "@$WORK/headers" --data-binary "@$WORK/body" "$URL" 2>"$WORK/curl.err")
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    log "POST $URL failed (curl exit $rc): $(tr '\n' ' ' <"$WORK/curl.err" | cut -c1-300)"
    return 1
  fi
  case $code in
    2??) return 0 ;;
    *)
      log "POST $URL answered HTTP $code: $(tr '\n' ' ' <"$WORK/response" | cut -c1-300)"
      return 1
      ;;
  esac
}

log "started: every ${'$'}{INTERVAL}s, share $SHARE, to $URL"
failing=0
next=$(date +%s%N)
while :; do
  if post_once; then
    if [ "$failing" -gt 0 ]; then log "POST succeeded again after $failing failed attempts"; fi
    failing=0
    date -u +%Y-%m-%dT%H:%M:%SZ >"$STATE_DIR/last-success"
  else
    failing=$((failing + 1))
  fi
  next=$((next + INTERVAL * 1000000000))
  now=$(date +%s%N)
  if [ "$now" -ge "$next" ]; then next=$((now + INTERVAL * 1000000000)); fi
  wait_ns=$((next - now))
  sleep "$((wait_ns / 1000000000)).$(printf '%09d' $((wait_ns % 1000000000)))"
done
`;

/** The systemd unit (restarts on failure, starts at boot). */
export function relayUnitFile(): string {
  return [
    '[Unit]',
    'Description=qwk-ops QWK relay: publishes the QWK objects of the witness share to qwk-ops',
    'Wants=network-online.target',
    'After=network-online.target nfs-server.service',
    'StartLimitIntervalSec=0',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${RELAY_PATHS.program} ${RELAY_PATHS.config}`,
    'Restart=on-failure',
    'RestartSec=5',
    'UMask=0077',
    'RuntimeDirectory=qwk-relay',
    'RuntimeDirectoryMode=0700',
    'StateDirectory=qwk-relay',
    'StateDirectoryMode=0700',
    'NoNewPrivileges=yes',
    'PrivateTmp=yes',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** The relay's configuration file (no secret: the key is in its own root-only file). */
export function relayConfigFile(p: ScriptParams, t: RelayTarget): string {
  const interval = p.monitoring?.relayIntervalSeconds ?? DEFAULT_RELAY_INTERVAL_SECONDS;
  const url = relayIngestUrl(t);
  if (!/^https:\/\/[^\s"'`$\\]+$/.test(url)) throw new Error(`the relay's ingest URL must be https:// (got ${url})`);
  return [
    '# qwk-ops QWK relay (generated; rewritten by every deployment)',
    `QWK_RELAY_URL=${singleLine('ingest URL', url)}`,
    `QWK_RELAY_INTERVAL=${interval}`,
    `QWK_RELAY_SHARE=${singleLine('share path', p.qwk.sharePath)}`,
    `QWK_RELAY_SUBSCRIPTION=${singleLine('subscription', t.subscriptionId)}`,
    `QWK_RELAY_RESOURCE_GROUP=${singleLine('resource group', t.resourceGroup)}`,
    `QWK_RELAY_KEY_FILE=${RELAY_PATHS.key}`,
    '',
  ].join('\n');
}

/**
 * Witness: the relay program, its configuration, its key (from the secret parameter QWK_RELAY_KEY, 0600 root, never
 * echoed) and its systemd unit, enabled and running; restarted when any of them changed.
 */
export function buildQwkRelay(p: ScriptParams, t: RelayTarget): StepScript {
  const key = SECRET_PARAMETERS.relayKey;
  return stepScript(
    STEP.relay,
    sh`
qwk_secret_required ${key}
unit=${sq(RELAY_PATHS.unit)}
share=${sq(p.qwk.sharePath)}
[ -d "$share" ] || qwk_fail "the QWK share $share does not exist yet (witness-nfs-server first)"
ensure_dir ${sq(RELAY_PATHS.configDir)} 700
ensure_dir ${sq(RELAY_PATHS.stateDir)} 700
before=$QWK_CHANGED
QWK_CHANGED=false
qwk_mktemp; keytmp=$QWK_TMP
printf '%s' "\${${key}}" >"$keytmp"
( umask 077; [ -e ${sq(RELAY_PATHS.key)} ] || : >${sq(RELAY_PATHS.key)} )
qwk_replace_if_changed ${sq(RELAY_PATHS.key)} "$keytmp" "relay key (value not shown)"
ensure_mode ${sq(RELAY_PATHS.key)} 600
ensure_file ${sq(RELAY_PATHS.program)} 755 <<'QWK_EOF'
${heredocBody('relay program', RELAY_PROGRAM)}
QWK_EOF
ensure_file ${sq(RELAY_PATHS.config)} 600 <<'QWK_EOF'
${heredocBody('relay config', relayConfigFile(p, t))}
QWK_EOF
unit_before=$QWK_CHANGED
QWK_CHANGED=false
ensure_file ${sq(RELAY_PATHS.unitFile)} 644 <<'QWK_EOF'
${heredocBody('relay unit', relayUnitFile())}
QWK_EOF
unit_changed=$QWK_CHANGED
relay_changed=false
if [ "$unit_before" = true ] || [ "$unit_changed" = true ]; then relay_changed=true; QWK_CHANGED=true; fi
if [ "$before" = true ]; then QWK_CHANGED=true; fi
if [ "$unit_changed" = true ]; then qwk_run systemctl daemon-reload; fi
was_active=false
if systemctl is-active --quiet "$unit" 2>/dev/null; then was_active=true; fi
ensure_service_running "$unit"
if [ "$relay_changed" = true ] && [ "$was_active" = true ]; then
  qwk_run systemctl restart "$unit"
  qwk_changed "restarted $unit"
fi
systemctl is-active --quiet "$unit" || qwk_fail "$unit is not running (journalctl -u $unit)"
qwk_data unit "$unit"
qwk_data url ${sq(relayIngestUrl(t))}
`,
    [{ name: key, required: true }],
  );
}
