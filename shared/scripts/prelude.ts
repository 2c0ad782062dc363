import { sh } from './bash';

/**
 * The bash shared by every generated script: the result line (QWK_RESULT, printed last by the EXIT trap, even on
 * failure), change tracking, a per-step log under /var/log/qwk-ops (command output goes there, not to stdout, so the
 * 4,096 bytes Run Command returns end with the result line) and idempotent edit helpers.
 *
 * Contract for step bodies: call qwk_changed "<what>" for every change; qwk_data KEY VALUE for result data;
 * qwk_fail "<message>" to stop with a clear message; qwk_run CMD... for commands whose output belongs in the log;
 * qwk_mktemp to get a 0600 temp file ($QWK_TMP) that is removed at exit (secrets are written only to such files).
 */
export const PRELUDE = sh`
# ---- qwk-ops prelude ----------------------------------------------------------------------------------------------
QWK_CHANGED=false
QWK_REBOOT=false
QWK_CHANGES=()
QWK_DATA=()
QWK_TMPFILES=()
QWK_MESSAGE=''
QWK_FAIL_MSG=''
QWK_ERR_LINE=''
QWK_ERR_CMD=''
QWK_LOG_DIR=\${QWK_LOG_DIR:-/var/log/qwk-ops}
QWK_LOG="$QWK_LOG_DIR/$QWK_STEP.log"
umask 022
mkdir -p "$QWK_LOG_DIR"
printf '==== %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$QWK_STEP" >>"$QWK_LOG"

# JSON string literal of $1 (quotes included); control characters other than \n \r \t are dropped.
qwk_json_str() {
  local s=$1
  s=\${s//\\/\\\\}
  s=\${s//\"/\\\"}
  s=\${s//$'\n'/\\n}
  s=\${s//$'\r'/\\r}
  s=\${s//$'\t'/\\t}
  s=$(printf '%s' "$s" | LC_ALL=C tr -d '\000-\010\013\014\016-\037')
  printf '"%s"' "$s"
}

qwk_changed() {
  QWK_CHANGED=true
  QWK_CHANGES+=("$1")
  printf 'changed: %s\n' "$1"
}
qwk_data() { QWK_DATA+=("$(qwk_json_str "$1"):$(qwk_json_str "$2")"); }
qwk_reboot_required() { QWK_REBOOT=true; }
qwk_message() { QWK_MESSAGE=$1; }
qwk_fail() {
  QWK_FAIL_MSG=$1
  exit 1
}

# In a batch (QWK_COMPACT=1) the line stays short: no data, and a success's message cut at 160 characters.
qwk_emit() {
  local ok=$1 msg=$2 data max=600
  data=$(IFS=,; printf '%s' "\${QWK_DATA[*]}")
  if [ "\${QWK_COMPACT:-}" = 1 ]; then
    data=''
    if [ "$ok" = true ]; then max=160; fi
  fi
  if [ "\${#msg}" -gt "$max" ]; then msg="\${msg:0:$((max - 3))}..."; fi
  printf 'QWK_RESULT {"step":%s,"ok":%s,"changed":%s,"rebootRequired":%s,"message":%s,"data":{%s}}\n' \
    "$(qwk_json_str "$QWK_STEP")" "$ok" "$QWK_CHANGED" "$QWK_REBOOT" "$(qwk_json_str "$msg")" "$data"
}

qwk_on_exit() {
  local rc=$? msg tail_text f
  trap - EXIT ERR
  set +e
  for f in "\${QWK_TMPFILES[@]}"; do rm -f -- "$f"; done
  if [ "$rc" -eq 0 ]; then
    msg=$QWK_MESSAGE
    if [ -z "$msg" ]; then
      if [ "$QWK_CHANGED" = true ]; then msg=$(IFS=';'; printf 'changed: %s' "\${QWK_CHANGES[*]}"); else msg='no change'; fi
    fi
    qwk_emit true "$msg"
  else
    msg=$QWK_FAIL_MSG
    if [ -z "$msg" ]; then msg="command failed (exit $rc) at line \${QWK_ERR_LINE:-?}: \${QWK_ERR_CMD:-?}"; fi
    tail_text=$(tail -n 4 "$QWK_LOG" 2>/dev/null | tr '\n' ' ')
    if [ "\${#tail_text}" -gt 250 ]; then tail_text=\${tail_text: -250}; fi
    if [ -n "$tail_text" ]; then msg="$msg | log: $tail_text"; fi
    printf 'failed: %s\n' "$msg" >>"$QWK_LOG"
    qwk_emit false "$msg"
  fi
  exit "$rc"
}
trap 'QWK_ERR_LINE=$LINENO; QWK_ERR_CMD=$BASH_COMMAND' ERR
trap qwk_on_exit EXIT

# Runs a command with its output in the step log (never pass a secret as an argument).
qwk_run() {
  printf '+ %s\n' "$*" >>"$QWK_LOG"
  "$@" </dev/null >>"$QWK_LOG" 2>&1
}

# qwk_mktemp: QWK_TMP = a new 0600 temp file (name ending in $QWK_TMP_SUFFIX), removed when the script exits.
qwk_mktemp() {
  QWK_TMP=$(mktemp --suffix="\${QWK_TMP_SUFFIX:-}" "\${TMPDIR:-/tmp}/qwk-ops.XXXXXXXX")
  chmod 600 "$QWK_TMP"
  QWK_TMPFILES+=("$QWK_TMP")
}

# The value of the secret parameter (environment variable) named $1; fails if required ($2 = required) and empty.
qwk_secret_required() {
  local name=$1
  if [ -z "\${!name:-}" ]; then qwk_fail "secret parameter $name is missing"; fi
}

# Waits until "$@" succeeds: qwk_wait_until TIMEOUT_SEC INTERVAL_SEC CMD...; returns 1 on timeout.
qwk_wait_until() {
  local timeout=$1 interval=$2 start
  shift 2
  start=$SECONDS
  until "$@"; do
    if [ $((SECONDS - start)) -ge "$timeout" ]; then return 1; fi
    sleep "$interval"
  done
}

# Replaces $1 with the content of $2 (keeping $1's owner and mode) if they differ; $3 describes the change.
qwk_replace_if_changed() {
  local file=$1 tmp=$2 what=$3
  if [ -f "$file" ] && cmp -s "$file" "$tmp"; then return 0; fi
  mkdir -p "$(dirname "$file")"
  cat "$tmp" >"$file"
  qwk_changed "$file: $what"
}

# ensure_line FILE LINE: appends LINE unless the file has it already (exact, whole line).
ensure_line() {
  local file=$1 line=$2
  if [ -f "$file" ] && grep -qxF -- "$line" "$file"; then return 0; fi
  mkdir -p "$(dirname "$file")"
  if [ -s "$file" ] && [ -n "$(tail -c 1 "$file")" ]; then printf '\n' >>"$file"; fi
  printf '%s\n' "$line" >>"$file"
  qwk_changed "$file: added '$line'"
}

# remove_lines_matching FILE ERE KEEP_LINE: removes lines matching ERE except the exact KEEP_LINE.
remove_lines_matching() {
  local file=$1 tmp
  [ -f "$file" ] || return 0
  qwk_mktemp; tmp=$QWK_TMP
  QWK_RE=$2 QWK_KEEP=$3 awk '$0 == ENVIRON["QWK_KEEP"] || $0 !~ ENVIRON["QWK_RE"]' "$file" >"$tmp"
  qwk_replace_if_changed "$file" "$tmp" "removed stale lines"
}

# set_line FILE MATCH_ERE LINE [INSERT_BEFORE_ERE]: the first line matching MATCH_ERE becomes LINE and later
# matches are removed; without a match LINE goes before the first line matching INSERT_BEFORE_ERE, else at the end.
set_line() {
  local file=$1 tmp
  if [ ! -f "$file" ]; then mkdir -p "$(dirname "$file")"; : >"$file"; fi
  qwk_mktemp; tmp=$QWK_TMP
  QWK_RE=$2 QWK_LINE=$3 QWK_BEFORE=\${4:-} awk '
    BEGIN { re = ENVIRON["QWK_RE"]; line = ENVIRON["QWK_LINE"]; before = ENVIRON["QWK_BEFORE"]; done = 0 }
    $0 ~ re { if (!done) { print line; done = 1 }; next }
    !done && before != "" && $0 ~ before { print line; done = 1 }
    { print }
    END { if (!done) print line }
  ' "$file" >"$tmp"
  qwk_replace_if_changed "$file" "$tmp" "set '$3'"
}

# set_kv FILE KEY VALUE: KEY=VALUE (shell-style config such as /etc/default/LifeKeeper, /etc/selinux/config).
set_kv() { set_line "$1" "^[[:space:]]*$2=" "$2=$3"; }

# ensure_file PATH MODE < content: writes the file if its content differs, then ensures the mode (octal, e.g. 644).
ensure_file() {
  local path=$1 mode=$2 tmp
  qwk_mktemp; tmp=$QWK_TMP
  cat >"$tmp"
  qwk_replace_if_changed "$path" "$tmp" "written"
  ensure_mode "$path" "$mode"
}

ensure_mode() {
  if [ "$(stat -c %a "$1")" != "$2" ]; then
    chmod "$2" "$1"
    qwk_changed "chmod $2 $1"
  fi
}

ensure_dir() {
  local dir=$1 mode=$2
  if [ ! -d "$dir" ]; then
    mkdir -p "$dir"
    qwk_changed "created $dir"
  fi
  ensure_mode "$dir" "$mode"
}

# ensure_packages PKG...: installs with dnf what rpm does not know yet.
ensure_packages() {
  local p missing=()
  for p in "$@"; do rpm -q "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ "\${#missing[@]}" -eq 0 ] && return 0
  qwk_run dnf install -y "\${missing[@]}" || qwk_fail "dnf install \${missing[*]} failed"
  for p in "\${missing[@]}"; do rpm -q "$p" >/dev/null 2>&1 || qwk_fail "package $p is still not installed after dnf install"; done
  qwk_changed "installed \${missing[*]}"
}

# ensure_service_running UNIT: enabled and active.
ensure_service_running() {
  local unit=$1
  if ! systemctl is-enabled --quiet "$unit" 2>/dev/null; then
    qwk_run systemctl enable "$unit"
    qwk_changed "enabled $unit"
  fi
  if ! systemctl is-active --quiet "$unit" 2>/dev/null; then
    qwk_run systemctl start "$unit"
    qwk_changed "started $unit"
  fi
}

is_mounted() { mountpoint -q -- "$1"; }

# ensure_fstab_entry MOUNT_POINT LINE: LINE is the only /etc/fstab entry for MOUNT_POINT.
ensure_fstab_entry() {
  local mp=$1 line=$2 tmp
  qwk_mktemp; tmp=$QWK_TMP
  QWK_MP=$mp QWK_LINE=$line awk '
    BEGIN { mp = ENVIRON["QWK_MP"]; line = ENVIRON["QWK_LINE"]; done = 0 }
    $1 !~ /^#/ && $2 == mp { if (!done && $0 == line) { print; done = 1 }; next }
    { print }
    END { if (!done) print line }
  ' /etc/fstab >"$tmp"
  qwk_replace_if_changed /etc/fstab "$tmp" "entry '$line'"
}

# qwk_fetch URL_OR_PATH SAS_SECRET_PARAM DEST: makes DEST a copy of the source, downloading only if DEST is missing.
# URL_OR_PATH is an https URL or a path on the VM. The secret parameter, when set, is either a whole SAS URL (used
# instead) or a SAS token appended to the https URL; otherwise an Azure blob URL is fetched with the VM's managed
# identity token from IMDS. URLs and tokens go to curl through a 0600 config file, never on its command line.
qwk_fetch() {
  local src=$1 sas_param=$2 dest=$3 cfg token_json token part sep
  if [ -s "$dest" ]; then return 0; fi
  [ -n "$src" ] || qwk_fail "no source location for $dest"
  mkdir -p "$(dirname "$dest")"
  part="$dest.part"
  qwk_mktemp; cfg=$QWK_TMP
  if [[ "\${!sas_param:-}" =~ ^https:// ]]; then
    printf 'url = "%s"\n' "\${!sas_param}" >"$cfg"
  elif [ -n "\${!sas_param:-}" ] && [[ "$src" =~ ^https:// ]]; then
    token=\${!sas_param#\?}
    sep='?'; [[ "$src" == *\?* ]] && sep='&'
    printf 'url = "%s%s%s"\n' "$src" "$sep" "$token" >"$cfg"
    token=''
  elif [[ "$src" =~ ^https://[^/]+\.blob\.core\.windows\.net/ ]]; then
    token_json=$(curl -fsS --max-time 30 -H 'Metadata: true' \
      'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fstorage.azure.com%2F') ||
      qwk_fail "could not get a managed identity token from IMDS for $src"
    token=$(printf '%s' "$token_json" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
    token_json=''
    [ -n "$token" ] || qwk_fail "IMDS returned no access_token for storage"
    { printf 'url = "%s"\n' "$src"; printf 'header = "Authorization: Bearer %s"\n' "$token"; printf 'header = "x-ms-version: 2021-08-06"\n'; } >"$cfg"
    token=''
  elif [[ "$src" =~ ^https?:// ]]; then
    printf 'url = "%s"\n' "$src" >"$cfg"
  elif [ -n "$src" ] && [ -f "$src" ]; then
    cp -- "$src" "$part"
    mv -f -- "$part" "$dest"
    qwk_changed "copied $src to $dest"
    return 0
  else
    qwk_fail "source '$src' is neither a URL nor a file on this VM, and $sas_param is empty"
  fi
  curl -fsSL --retry 3 --max-time 3600 --config "$cfg" -o "$part" 2>>"$QWK_LOG" || qwk_fail "download of $dest failed (see $QWK_LOG)"
  mv -f -- "$part" "$dest"
  qwk_changed "downloaded $dest"
}
# ---- end of prelude ------------------------------------------------------------------------------------------------
`;
