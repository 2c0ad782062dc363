# LifeKeeper Configuration Database (LCD) of the simulator, per node, under /var/LifeKeeper/sim:
#   resources/<tag with / as %2F>  key=value lines: tag app type id state(ISP|OSU|OSF) priority switchback opt_<name>
#   deps       "<parent> <child>"            equivs     "<tag> <other system> <other priority>"
#   commpaths  "<dest system> <laddr> <raddr> <priority>"        systems    one system name per line
#   qwk_storage_initialized                  (flag written by qwk_storage_init)
# LifeKeeper is running iff lifekeeper.service is active (/run/systemd/sim-active/lifekeeper.service).
# Functions take a root prefix R: "" for this node, /.sim/cluster/<vm>/fs for another node of the cluster.
source /.sim/stubs/pg.sh
LKROOT=/opt/LifeKeeper
lk_db() { echo "${1:-}/var/LifeKeeper/sim"; }
lk_esc() { printf '%s' "${1//\//%2F}"; }
lk_res_file() { echo "$(lk_db "$1")/resources/$(lk_esc "$2")"; }
lk_res_exists() { [ -f "$(lk_res_file "$1" "$2")" ]; }
lk_res_get() { sed -n "s/^$3=//p" "$(lk_res_file "$1" "$2")" 2>/dev/null | head -1; }
lk_res_set() { local f; f=$(lk_res_file "$1" "$2"); { grep -v "^$3=" "$f"; echo "$3=$4"; } | sim_write "$f"; }
lk_tags() { local f; for f in "$(lk_db "$1")"/resources/*; do [ -f "$f" ] && sed -n 's/^tag=//p' "$f"; done; }
lk_running() { [ -e "${1:-}/run/systemd/sim-active/lifekeeper.service" ]; }
lk_installed() { [ -x "${1:-}$LKROOT/bin/lkstart" ] || [ -L "${1:-}$LKROOT/bin/lkstart" ]; }
lk_licensed() { ls "${1:-}"/var/LifeKeeper/license/* >/dev/null 2>&1; }
lk_peer_root() { local vm; vm=$(sim_vm_of_system "$1"); [ -n "$vm" ] && echo "/.sim/cluster/$vm/fs"; }
lk_require_running() { lk_running || sim_die 1 "LifeKeeper is not running on $(sim_self). Start LifeKeeper with lkstart."; }
# All tags connected to <tag> through dependencies (the hierarchy), <tag> included.
lk_hier() {
  local R=$1 todo=("$2") seen=" " t
  while [ ${#todo[@]} -gt 0 ]; do
    t=${todo[0]}; todo=("${todo[@]:1}")
    [[ $seen == *" $t "* ]] && continue
    seen+="$t "; echo "$t"
    while read -r p c; do
      [ "$p" = "$t" ] && todo+=("$c"); [ "$c" = "$t" ] && todo+=("$p")
    done <"$(lk_db "$R")/deps" 2>/dev/null
  done
}
# Children-first ordering is not needed by the model: states flip together.
lk_set_state() { # R tag state
  local R=$1 tag=$2 st=$3 type d
  lk_res_set "$R" "$tag" state "$st"
  type=$(lk_res_get "$R" "$tag" type)
  if [ "$type" = pgsql ]; then
    d=$(lk_res_get "$R" "$tag" opt_datadir)
    if [ "$st" = ISP ]; then [ -f "$R$d/PG_VERSION" ] && sim_pg_start "$d" "$R"; else [ -n "$d" ] && sim_pg_stop "$d" "$R"; fi
  fi
  return 0
}
# Copies a mirrored file system's content from one node to another (DataKeeper keeps the target in sync).
lk_mirror_sync() { # fromR toR tag
  local mp; mp=$(lk_res_get "$1" "$3" opt_mount_point)
  [ -n "$mp" ] && [ -d "$1$mp" ] || return 0
  [ "$2$mp" != / ] || return 0
  mkdir -p "$2$mp"; find "$2$mp" -mindepth 1 -maxdepth 1 -exec rm -rf {} + 2>/dev/null; cp -a "$1$mp/." "$2$mp/" 2>/dev/null || true
  rm -f "$2$mp/pgsql/data/postmaster.pid" 2>/dev/null || true
}
# Brings <tag>'s hierarchy in service on this node (out of service on the others), as perform_action -a restore.
lk_restore_here() { # tag
  local t sys R
  while read -r t sys _; do
    R=$(lk_peer_root "$sys") || continue
    [ -n "$R" ] || continue
    for h in $(lk_hier "" "$1"); do
      lk_res_exists "$R" "$h" || continue
      if [ "$(lk_res_get "$R" "$h" state)" = ISP ]; then lk_set_state "$R" "$h" OSU; fi
      [ "$(lk_res_get "$R" "$h" type)" = netraid ] && lk_mirror_sync "$R" "" "$h"
    done
  done < <(awk -v t="$1" '$1==t' "$(lk_db)/equivs" 2>/dev/null)
  for h in $(lk_hier "" "$1"); do lk_set_state "" "$h" ISP; done
}
