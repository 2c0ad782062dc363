/** PostgreSQL on the cluster nodes (the guide's section 8.4, steps 1–4). */
import { sh, sq } from './bash';
import { primaryAndStandby, SECRET_PARAMETERS, type ScriptParams } from './params';
import { STEP, stepScript, type StepScript } from './script';

/** pg_hba.conf lines replacing initdb's 127.0.0.1/32 lines, as in the guide but with the spec's auth method. */
export function pgHbaLines(p: ScriptParams): { all: string; replication: string } {
  const { allowedCidr: cidr, authMethod: method } = p.postgres;
  return { all: `host all all ${cidr} ${method}`, replication: `host replication all ${cidr} ${method}` };
}

/** The guide's postgresql.conf settings (listen_addresses, port), plus scram password hashing when used. */
export function postgresConfLines(p: ScriptParams): [string, string][] {
  const lines: [string, string][] = [
    ['listen_addresses', "listen_addresses = '*'"],
    ['port', `port = ${p.postgres.port}`],
  ];
  if (p.postgres.authMethod === 'scram-sha-256')
    lines.push(['password_encryption', 'password_encryption = scram-sha-256']);
  return lines;
}

/** Both nodes: the server package (not enabled as a systemd service: LifeKeeper starts and stops PostgreSQL). */
export function buildPostgresServer(): StepScript {
  return stepScript(STEP.postgresServer, 'ensure_packages postgresql-server');
}

/**
 * On the primary, with the DataKeeper mirror In Service at /data: the data directory, initdb, pg_hba.conf for the
 * allowed CIDR (scram-sha-256 with the password from a secret parameter; the guide's trust only if the spec asks),
 * listen_addresses and port, started with pg_ctl (restarted only if the configuration changed while it ran).
 */
export function buildPostgresPrimary(p: ScriptParams): StepScript {
  const { dataDir, port, allowedCidr, authMethod } = p.postgres;
  const base = dataDir.replace(/\/[^/]+\/?$/, '') || dataDir;
  const scram = authMethod === 'scram-sha-256';
  const pw = SECRET_PARAMETERS.postgresPassword;
  const hba = pgHbaLines(p);
  const cidrEre = allowedCidr.replace(/[./]/g, (c) => `\\${c}`);
  const hbaAllRe = `^host[[:space:]]+all[[:space:]]+all[[:space:]]+(127\\.0\\.0\\.1/32|${cidrEre})[[:space:]]`;
  const hbaReplRe = `^host[[:space:]]+replication[[:space:]]+all[[:space:]]+(127\\.0\\.0\\.1/32|${cidrEre})[[:space:]]`;
  const conf = postgresConfLines(p)
    .map(
      ([key, line]) =>
        sh`set_line "$data/postgresql.conf" ${sq(`^[[:space:]]*#?[[:space:]]*${key}[[:space:]]*=`)} ${sq(line)}`,
    )
    .join('\n');
  return stepScript(
    STEP.postgresPrimary,
    sh`
data=${sq(dataDir)}
base=${sq(base)}
port=${sq(port)}
mount_point=${sq(p.dataKeeper.mountPoint)}
pg() { runuser -u postgres -- "$@"; }
${scram ? `qwk_secret_required ${pw}` : "# auth method trust: requested explicitly by the spec (the guide's setting)"}
is_mounted "$mount_point" || qwk_fail "$mount_point is not mounted here: the DataKeeper mirror must be In Service on this node"
if [ ! -d "$data" ]; then
  mkdir -p "$data"
  chmod 755 "$data"
  qwk_changed "created $data"
fi
if [ "$(stat -c %U "$base")" != postgres ] || [ "$(stat -c %U "$data")" != postgres ]; then
  chown -R postgres:postgres "$base"
  qwk_changed "chown -R postgres:postgres $base"
fi
if [ ! -s "$data/PG_VERSION" ]; then
${
  scram
    ? sh`  qwk_mktemp
  pwfile=$QWK_TMP
  printf '%s\n' "$${pw}" >"$pwfile"
  chown postgres "$pwfile"
  qwk_run pg initdb -D "$data" --auth-local=peer --auth-host=scram-sha-256 --pwfile="$pwfile" || qwk_fail "initdb failed"
  rm -f -- "$pwfile"`
    : sh`  qwk_run pg initdb -D "$data" || qwk_fail "initdb failed"`
}
  qwk_changed "initdb $data"
fi
conf_before=$QWK_CHANGED
QWK_CHANGED=false
set_line "$data/pg_hba.conf" ${sq(hbaAllRe)} ${sq(hba.all)}
set_line "$data/pg_hba.conf" ${sq(hbaReplRe)} ${sq(hba.replication)}
${conf}
conf_changed=$QWK_CHANGED
if [ "$conf_before" = true ]; then QWK_CHANGED=true; fi
if pg pg_ctl status -D "$data" >/dev/null 2>&1; then
  if [ "$conf_changed" = true ]; then
    qwk_run pg pg_ctl restart -D "$data" -o "-p $port" -w || qwk_fail "pg_ctl restart failed"
    qwk_changed "restarted PostgreSQL"
  fi
else
  qwk_run pg pg_ctl start -D "$data" -o "-p $port" -w -l "$base/pg_ctl.log" || qwk_fail "pg_ctl start failed (see $base/pg_ctl.log)"
  qwk_changed "started PostgreSQL"
fi
${
  scram
    ? sh`# the password works over TCP with the pg_hba method (scram-sha-256), else it is (re)set
self_ip=${sq(primaryAndStandby(p).primary.serviceIp)}
pw_works() {
  [ "$(PGPASSWORD="$${pw}" PGCONNECT_TIMEOUT=5 psql -h "$self_ip" -p "$port" -U postgres -d postgres -Atc 'SELECT 1' 2>>"$QWK_LOG")" = 1 ]
}
if ! pw_works; then
  pw_sql=\${${pw}//\'/\'\'}
  # password_encryption = scram-sha-256 is already in effect (postgresql.conf above, server (re)started)
  printf "ALTER ROLE postgres PASSWORD '%s';\\n" "$pw_sql" |
    pg psql -p "$port" -d postgres -q -v ON_ERROR_STOP=1 >>"$QWK_LOG" 2>&1 || qwk_fail "setting the postgres password failed"
  pw_sql=''
  pw_works || qwk_fail "the postgres password does not work over TCP at $self_ip:$port (pg_hba.conf / allowed CIDR?)"
  qwk_changed "set the postgres password (scram-sha-256)"
fi`
    : ''
}
pg psql -p "$port" -d postgres -Atc 'SELECT 1' >/dev/null 2>>"$QWK_LOG" || qwk_fail "PostgreSQL does not answer on port $port"
qwk_data dataDir "$data"
qwk_data auth ${sq(authMethod)}
`,
    scram ? [{ name: pw, required: true }] : [],
  );
}
