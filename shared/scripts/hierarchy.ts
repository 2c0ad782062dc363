/**
 * The LifeKeeper hierarchy (the guide's section 8), created on the primary and extended to the standby, with an
 * existence check (ins_list / eqv_list / dep_list / lcdstatus) before every create so a re-run skips what exists.
 *
 * Order for the orchestration: comm paths on both nodes → DataKeeper mirror (formats the data disk, mounts /data
 * on the primary) → postgres-primary (initdb on /data) → pgsql → lbhc → ip → dependencies.
 *
 * The lkcli sub-commands are SIOS's documented CLI (lkcli commpath/resource/dependency); the option names used
 * below were NOT all confirmed against public documentation — they are kept in LKCLI, the one place to fix them.
 */
import { sh, sq } from './bash';
import { LK_HELPERS, LK_ROOT } from './lifekeeper';
import { findNode, lifeKeeperTags, peerOf, primaryAndStandby, type ScriptParams } from './params';
import { STEP, stepScript, type StepName, type StepScript } from './script';

/** lkcli argument lists (after "lkcli"). */
export const LKCLI = {
  commPathCreate: (laddr: string, raddr: string, dest: string, priority: number) => [
    'commpath',
    'create',
    '--laddr',
    laddr,
    '--raddr',
    raddr,
    '--dest',
    dest,
    '--priority',
    String(priority),
  ],
  dkCreate: (o: { tag: string; mode: string; device: string; fs: string; mountPoint: string; bitmap: string }) => [
    'resource',
    'create',
    'dk',
    '--tag',
    o.tag,
    '--mode',
    o.mode,
    '--hierarchy',
    'new',
    '--device',
    o.device,
    '--fstype',
    o.fs,
    '--mount_point',
    o.mountPoint,
    '--fstag',
    o.mountPoint,
    '--bitmap',
    o.bitmap,
  ],
  pgsqlCreate: (o: { tag: string; dataDir: string; port: number }) => [
    'resource',
    'create',
    'pgsql',
    '--tag',
    o.tag,
    '--exepath',
    '/usr/bin',
    '--clientexe',
    '/usr/bin/psql',
    '--adminexe',
    '/usr/bin/pg_ctl',
    '--datadir',
    o.dataDir,
    '--port',
    String(o.port),
    '--socket',
    `/var/run/postgresql/.s.PGSQL.${o.port}`,
    '--dbuser',
    'postgres',
    '--logfile',
    `/tmp/${o.tag}.lk.log`,
  ],
  lbhcCreate: (o: { tag: string; port: number }) => [
    'resource',
    'create',
    'lbhc',
    '--tag',
    o.tag,
    '--port',
    String(o.port),
  ],
  ipCreate: (o: { tag: string; ip: string }) => [
    'resource',
    'create',
    'ip',
    '--tag',
    o.tag,
    '--ipaddr',
    o.ip,
    '--netmask',
    '255.255.255.255',
    '--nic',
    'eth0',
  ],
  /** Extend (pre-extend: switchback intelligent, template priority = primary's, target priority = standby's). */
  extend: (
    kit: string,
    tag: string,
    dest: string,
    templatePriority: number,
    targetPriority: number,
    extra: string[] = [],
  ) => [
    'resource',
    'extend',
    kit,
    '--tag',
    tag,
    '--dest',
    dest,
    '--switchback',
    'intelligent',
    '--template_priority',
    String(templatePriority),
    '--target_priority',
    String(targetPriority),
    ...extra,
  ],
  dependencyCreate: (parent: string, child: string) => ['dependency', 'create', '--parent', parent, '--child', child],
};

function lkcli(args: string[]): string {
  return `qwk_run "$LKBIN/lkcli" ${args.map(sq).join(' ')}`;
}

/**
 * TCP comm paths from this node to its peer: service network priority 1, replication network priority 2 (8.1).
 * Runs on each node (both directions). With requireAlive (the second node), waits until both paths are ALIVE.
 */
export function buildCommPaths(p: ScriptParams, localNode: string, opts: { requireAlive: boolean }): StepScript {
  const me = findNode(p, localNode);
  const peer = peerOf(p, localNode);
  const paths = [
    { laddr: me.serviceIp, raddr: peer.serviceIp, priority: 1 },
    { laddr: me.replicationIp, raddr: peer.replicationIp, priority: 2 },
  ];
  const ensure = paths
    .map(
      (c) => sh`
if [ -z "$(lk_commpath_state "$peer" ${sq(c.laddr)} ${sq(c.raddr)})" ]; then
  ${lkcli(LKCLI.commPathCreate(c.laddr, c.raddr, peer.name, c.priority))} || qwk_fail "creating the comm path ${c.laddr}/${c.raddr} failed"
  qwk_changed "comm path ${c.laddr}/${c.raddr} priority ${c.priority}"
fi`,
    )
    .join('');
  const check = paths
    .map((c) => sh`[ "$(lk_commpath_state "$peer" ${sq(c.laddr)} ${sq(c.raddr)})" = ALIVE ]`)
    .join(' && ');
  return stepScript(
    STEP.commPaths,
    sh`${LK_HELPERS}
peer=${sq(peer.name)}
lk_require_running
lk_require_host ${sq(me.name)}
${ensure}
${
  opts.requireAlive
    ? sh`all_alive() { ${check}; }
qwk_wait_until 180 5 all_alive || qwk_fail "the comm paths to $peer are not ALIVE after 180s"`
    : '# the peer creates its side next: ALIVE is awaited there'
}
${paths.map((c, i) => sh`qwk_data path${i + 1} "$(lk_commpath_state "$peer" ${sq(c.laddr)} ${sq(c.raddr)})"`).join('\n')}
`,
  );
}

/** Bash: data_disk LUN [SYSTEM] prints the data disk's device through Azure's udev links, here or on SYSTEM. */
const DATA_DISK_HELPER = sh`
data_disk() {
  local lun=$1 sys=\${2:-} link dev
  for link in "/dev/disk/azure/scsi1/lun$lun" "/dev/disk/azure/data/by-lun/$lun"; do
    if [ -n "$sys" ]; then dev=$("$LKBIN/lcdremexec" -d "$sys" -- readlink -f "$link" 2>/dev/null) || dev=''
    elif [ -e "$link" ]; then dev=$(readlink -f "$link")
    else dev=''; fi
    if [ -n "$dev" ] && [ "$dev" != "$link" ]; then printf '%s' "$dev"; return 0; fi
  done
  return 1
}
`;

/** Common frame of the hierarchy steps: helpers, primary/standby, LifeKeeper running. */
function hierarchyPrologue(p: ScriptParams): string {
  const { primary, standby } = primaryAndStandby(p);
  return sh`${LK_HELPERS}
primary=${sq(primary.name)}
standby=${sq(standby.name)}
lk_require_running
lk_require_host "$primary"
`;
}

/** Bash that extends TAG to the standby unless it is already there. */
function extendIfMissing(p: ScriptParams, kit: string, tag: string, extra: string[] = []): string {
  const { primary, standby } = primaryAndStandby(p);
  return sh`
if ! lk_extended_to ${sq(tag)} "$standby"; then
  ${lkcli(LKCLI.extend(kit, tag, standby.name, primary.priority, standby.priority, extra))} || qwk_fail "extending ${tag} to $standby failed"
  qwk_changed "extended ${tag} to $standby"
fi`;
}

/** Bash that fails unless TAG is In Service (ISP) on this node. */
function requireInService(tag: string): string {
  return sh`
state=$(lk_state ${sq(tag)})
[ "$state" = ISP ] || qwk_fail "${tag} is '\${state:-unknown}' here, expected ISP"
qwk_data ${sq(tag)} "$state"`;
}

/**
 * DataKeeper (8.2): "Replicate New Filesystem" on the data disk (LUN from the spec), mount point, fs, tag,
 * file-system tag = mount point, bitmap /opt/LifeKeeper/bitmap_<mount with / as _>, synchronous; extended to the
 * standby over the replication IPs.
 */
export function buildDataKeeperMirror(p: ScriptParams): StepScript {
  const { primary, standby } = primaryAndStandby(p);
  const dk = p.dataKeeper;
  const bitmap = `${LK_ROOT}/bitmap_${dk.mountPoint.replace(/\//g, '_')}`;
  const create = LKCLI.dkCreate({
    tag: dk.tag,
    mode: dk.mode,
    device: '__DEVICE__',
    fs: dk.fs,
    mountPoint: dk.mountPoint,
    bitmap,
  });
  const extendExtra = [
    '--laddr',
    primary.replicationIp,
    '--raddr',
    standby.replicationIp,
    '--mode',
    dk.mode,
    '--device',
    '__TARGET_DEVICE__',
  ];
  return stepScript(
    STEP.dataKeeper,
    sh`${hierarchyPrologue(p)}${DATA_DISK_HELPER}
tag=${sq(dk.tag)}
mp=${sq(dk.mountPoint)}
lun=${sq(dk.dataDiskLun)}
if ! lk_has_resource "$tag"; then
  is_mounted "$mp" && qwk_fail "$mp is mounted but there is no $tag resource: refusing to create it (it formats the disk)"
  device=$(data_disk "$lun") || qwk_fail "no data disk at LUN $lun on $primary"
  ${lkcli(create).replace(sq('__DEVICE__'), '"$device"')} || qwk_fail "creating the DataKeeper resource $tag failed"
  qwk_changed "created $tag on $device mounted at $mp"
fi
if ! lk_extended_to "$tag" "$standby"; then
  target_device=$(data_disk "$lun" "$standby") || qwk_fail "no data disk at LUN $lun on $standby"
  ${lkcli(LKCLI.extend('dk', dk.tag, standby.name, primary.priority, standby.priority, extendExtra)).replace(sq('__TARGET_DEVICE__'), '"$target_device"')} || qwk_fail "extending $tag to $standby failed"
  qwk_changed "extended $tag to $standby ($target_device) over ${primary.replicationIp}/${standby.replicationIp}"
fi
is_mounted "$mp" || qwk_fail "$mp is not mounted on the primary"${requireInService(dk.tag)}
`,
  );
}

/** A resource step on the primary: create unless it exists (after an optional precheck), extend, require ISP. */
function resourceStep(
  p: ScriptParams,
  o: { step: StepName; kit: string; tag: string; create: string[]; extendExtra?: string[]; precheck?: string },
): StepScript {
  return stepScript(
    o.step,
    sh`${hierarchyPrologue(p)}
if ! lk_has_resource ${sq(o.tag)}; then
${o.precheck ?? ''}  ${lkcli(o.create)} || qwk_fail "creating ${o.tag} failed"
  qwk_changed "created ${o.tag}"
fi${extendIfMissing(p, o.kit, o.tag, o.extendExtra)}${requireInService(o.tag)}
`,
  );
}

/** PostgreSQL resource (8.4 step 5) with the guide's parameters; PostgreSQL must be running (postgres-primary). */
export function buildPgsqlResource(p: ScriptParams): StepScript {
  const tag = lifeKeeperTags(p).pgsql;
  return resourceStep(p, {
    step: STEP.pgsqlResource,
    kit: 'pgsql',
    tag,
    create: LKCLI.pgsqlCreate({ tag, dataDir: p.postgres.dataDir, port: p.postgres.port }),
    extendExtra: ['--exepath', '/usr/bin'],
    precheck: sh`  runuser -u postgres -- pg_ctl status -D ${sq(p.postgres.dataDir)} >/dev/null 2>&1 || qwk_fail "PostgreSQL is not running on the primary (postgres-primary first)"
`,
  });
}

/** LB Health Check resource (8.5): reply daemon on the ILB probe port, empty reply message. */
export function buildLbhcResource(p: ScriptParams): StepScript {
  const tag = lifeKeeperTags(p).lbhc;
  return resourceStep(p, {
    step: STEP.lbhcResource,
    kit: 'lbhc',
    tag,
    create: LKCLI.lbhcCreate({ tag, port: p.loadBalancer.probePort }),
  });
}

/** IP resource (8.6): the ILB frontend IP, netmask 255.255.255.255 (/32), interface eth0. */
export function buildIpResource(p: ScriptParams): StepScript {
  const tag = lifeKeeperTags(p).ip;
  const ip = p.loadBalancer.frontendIp;
  return resourceStep(p, {
    step: STEP.ipResource,
    kit: 'ip',
    tag,
    create: LKCLI.ipCreate({ tag, ip }),
    extendExtra: ['--ipaddr', ip, '--netmask', '255.255.255.255', '--nic', 'eth0'],
  });
}

/** Dependencies (8.7): pgsql → ip and pgsql → lbhc, on the primary and the standby (dep_list before creating). */
export function buildDependencies(p: ScriptParams): StepScript {
  const tags = lifeKeeperTags(p);
  const pairs = [tags.ip, tags.lbhc].map(
    (child) => sh`
if ! lk_dep_exists ${sq(tags.pgsql)} ${sq(child)}; then
  ${lkcli(LKCLI.dependencyCreate(tags.pgsql, child))} || qwk_fail "creating the dependency ${tags.pgsql} -> ${child} failed"
  qwk_changed "dependency ${tags.pgsql} -> ${child}"
fi
if ! lk_dep_exists ${sq(tags.pgsql)} ${sq(child)} "$standby"; then
  qwk_run "$LKBIN/dep_create" -d "$standby" -p ${sq(tags.pgsql)} -c ${sq(child)} || qwk_fail "creating the dependency ${tags.pgsql} -> ${child} on $standby failed"
  qwk_changed "dependency ${tags.pgsql} -> ${child} on $standby"
fi`,
  );
  return stepScript(
    STEP.dependencies,
    sh`${hierarchyPrologue(p)}
# lk_dep_exists PARENT CHILD [SYSTEM]: dep_list -c PARENT lists PARENT's children.
lk_dep_exists() {
  local out
  if [ -n "\${3:-}" ]; then out=$("$LKBIN/dep_list" -d "$3" -c "$1" 2>/dev/null) || return 1
  else out=$("$LKBIN/dep_list" -c "$1" 2>/dev/null) || return 1; fi
  grep -qwF -- "$2" <<<"$out"
}
${pairs.join('')}
qwk_data parent ${sq(tags.pgsql)}
`,
  );
}
