# Shared helpers for the simulator's stub commands. Sourced by every stub; runs inside a VM sandbox.
# Simulator-only state lives under /.sim (hidden) and /run/sim (cleared at boot); everything else mimics RHEL.
SIM_CMD=${SIM_CMD:-$(basename "$0")}
SIM_STUBS=/.sim/stubs
SIM_CLUSTER=/.sim/cluster

sim_json_str() {
  local s=$1
  s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/\\n}; s=${s//$'\t'/\\t}; s=${s//$'\r'/\\r}
  printf '"%s"' "$s"
}

# Appends {"t","cmd","argv"} to the sandbox journal. Password literals in SQL are redacted.
sim_journal() {
  local line a first=1
  line="{\"t\":\"$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)\",\"cmd\":$(sim_json_str "$SIM_CMD"),\"argv\":["
  for a in "$@"; do
    a=$(printf '%s' "$a" | sed -E "s/(PASSWORD[[:space:]]+)'[^']*'/\\1'***'/Ig")
    [ $first = 1 ] || line+=","
    line+=$(sim_json_str "$a"); first=0
  done
  printf '%s]}\n' "$line" >>/.sim/journal.jsonl 2>/dev/null || true
}

sim_die() { local code=$1; shift; printf '%s\n' "$*" >&2; exit "$code"; }

# Atomic write: sim_write <file> (content on stdin)
sim_write() { local f=$1 tmp; mkdir -p "$(dirname "$f")"; tmp="$f.sim$$"; cat >"$tmp" && mv -f "$tmp" "$f"; }

# --- packages ---------------------------------------------------------------
SIM_RPMDB=/var/lib/rpm/sim-packages
sim_pkg_installed() { grep -qx "$1 .*" "$SIM_RPMDB" 2>/dev/null || grep -qx "$1" "$SIM_RPMDB" 2>/dev/null; }
sim_pkg_version() { awk -v p="$1" '$1==p {print $2; exit}' "$SIM_RPMDB" 2>/dev/null; }

# Installs a stub binary: sim_provide /usr/bin/psql [stub name]
sim_provide() {
  local target=$1 stub=${2:-$(basename "$1")}
  mkdir -p "$(dirname "$target")"
  rm -f "$target"; ln -s "$SIM_STUBS/$stub" "$target"
}

# --- systemd ----------------------------------------------------------------
sim_unit_name() { case $1 in *.service|*.socket|*.target|*.timer|*.mount) printf '%s' "$1";; *) printf '%s.service' "$1";; esac; }
sim_unit_file() {
  local u; u=$(sim_unit_name "$1")
  if [ -f "/etc/systemd/system/$u" ]; then printf '%s' "/etc/systemd/system/$u"; elif [ -f "/usr/lib/systemd/system/$u" ]; then printf '%s' "/usr/lib/systemd/system/$u"; fi
}
sim_unit_active() { [ -e "/run/systemd/sim-active/$(sim_unit_name "$1")" ]; }
sim_unit_enabled() { [ -L "/etc/systemd/system/multi-user.target.wants/$(sim_unit_name "$1")" ]; }

# --- cluster ----------------------------------------------------------------
# /.sim/cluster/peers: "<vmName> <computerName> <powerState> <ip,ip>" per VM of the resource group.
sim_self() { cat /etc/hostname 2>/dev/null | head -1; }
sim_self_vm() { cat /.sim/vm-name 2>/dev/null; }
# Resolves a host name or IP (through /etc/hosts too) to "<vmName> <computerName> <powerState> <ips>".
sim_peer_lookup() {
  local h=$1 ip
  if [[ ! $h =~ ^[0-9.]+$ ]]; then
    ip=$(awk -v h="$h" '!/^#/ { for (i=2;i<=NF;i++) if (tolower($i)==tolower(h)) { print $1; exit } }' /etc/hosts 2>/dev/null)
    if [ -z "$ip" ]; then
      awk -v h="$h" 'tolower($2)==tolower(h) || tolower($1)==tolower(h) {print; exit}' "$SIM_CLUSTER/peers" 2>/dev/null
      return
    fi
    h=$ip
  fi
  awk -v ip="$h" '{ n=split($4,a,","); for (i=1;i<=n;i++) if (a[i]==ip) { print; exit } }' "$SIM_CLUSTER/peers" 2>/dev/null
}
sim_peer_fs() { printf '%s/%s/fs' "$SIM_CLUSTER" "$1"; }
sim_vm_of_system() { awk -v s="$1" '$2==s {print $1; exit}' "$SIM_CLUSTER/peers" 2>/dev/null; }
sim_system_running() { awk -v s="$1" '$2==s && $3=="running" {f=1} END {exit f?0:1}' "$SIM_CLUSTER/peers" 2>/dev/null; }
sim_my_ips() { awk -v v="$(sim_self_vm)" '$1==v {gsub(",", " ", $4); print $4}' "$SIM_CLUSTER/peers" 2>/dev/null; }

# ip_in_cidr <ip> <a.b.c.d/n>
ip_in_cidr() {
  local ip=$1 net=${2%/*} bits=${2#*/} a b c d e f g h
  [[ $ip =~ ^[0-9.]+$ && $net =~ ^[0-9.]+$ && $bits =~ ^[0-9]+$ ]] || return 1
  IFS=. read -r a b c d <<<"$ip"; IFS=. read -r e f g h <<<"$net"
  local x=$(( (a<<24)|(b<<16)|(c<<8)|d )) y=$(( (e<<24)|(f<<16)|(g<<8)|h )) m=$(( bits==0 ? 0 : (0xffffffff << (32-bits)) & 0xffffffff ))
  [ $(( x & m )) = $(( y & m )) ]
}
