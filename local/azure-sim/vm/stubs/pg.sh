# PostgreSQL helpers shared by initdb/pg_ctl/psql and the LifeKeeper pgsql resource.
# Running servers: /run/sim/postgres/<port> holds the data directory; <datadir>/postmaster.pid as PostgreSQL writes it.
# Roles with passwords: <datadir>/global/sim-authid ("<role> <sha256 of 'sim:'+password>").
sim_pg_port() { # datadir
  local p; p=$(sed -n 's/^[[:space:]]*port[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' "$1/postgresql.conf" 2>/dev/null | tail -1)
  echo "${p:-5432}"
}
sim_pg_running_dir() { cat "/run/sim/postgres/$1" 2>/dev/null; } # port -> datadir
sim_pg_start() { # datadir (root of the sandbox prefix optional as $2)
  local d=$1 root=${2:-} port; port=$(sim_pg_port "$root$d")
  mkdir -p "$root/run/sim/postgres" "$root/run/postgresql"
  echo "$d" >"$root/run/sim/postgres/$port"
  printf '%s\n%s\n%s\n%s\n' "$((4000 + port % 1000))" "$d" "$(date +%s)" "$port" >"$root$d/postmaster.pid"
  : >"$root/run/postgresql/.s.PGSQL.$port"
}
sim_pg_stop() { # datadir [root]
  local d=$1 root=${2:-} port; port=$(sim_pg_port "$root$d")
  rm -f "$root/run/sim/postgres/$port" "$root$d/postmaster.pid" "$root/run/postgresql/.s.PGSQL.$port"
}
sim_pw_hash() { printf 'sim:%s' "$1" | sha256sum | cut -c1-64; }
