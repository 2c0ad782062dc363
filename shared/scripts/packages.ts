/** Package sources (the guide's section 6) and the packages each role needs (sections 8.4 and 9.1). */
import { sh, singleLine, sq } from './bash';
import { SECRET_PARAMETERS, type ScriptParams } from './params';
import { STEP, stepScript, type StepScript } from './script';

export const DEFAULT_ISO_NAME = 'rhel-9.2-x86_64-dvd.iso';
/** The guide grows /home by 16384 MiB (6.1) so that the DVD ISO fits. */
const HOME_GROW_MIB = 16384;
/** Grow /home only while it has less free space than this (the RHEL 9.2 DVD ISO is about 9 GiB). */
const HOME_MIN_FREE_MIB = 12288;

/** File name of a location (URL without query, or path). */
export function locationFileName(location: string, fallback: string): string {
  const path = location.split(/[?#]/)[0] ?? '';
  const name = path.split('/').pop() ?? '';
  return name === '' ? fallback : singleLine('file name', name);
}

/** Where the ISO lives on each VM: the admin user's home, as in the guide (6.2). */
export function isoPath(p: ScriptParams): string {
  return `/home/${p.adminUsername}/${locationFileName(p.packages.isoLocation ?? '', DEFAULT_ISO_NAME)}`;
}

/** The guide's fstab line for the ISO (6.2). */
export function isoFstabLine(p: ScriptParams): string {
  return `${isoPath(p)} /media/cdrom iso9660 ro,loop 0 0`;
}

/** The guide's /etc/yum.repos.d/rhel-dvd.repo (6.3); the name follows the ISO's release. */
export function dvdRepoFile(p: ScriptParams): string {
  const release = /rhel-([0-9.]+-[a-z0-9_]+)-dvd/i.exec(isoPath(p))?.[1] ?? '9.2-x86_64';
  const name = `Red Hat Enterprise Linux ${release}-DVD`;
  return ['BaseOS', 'AppStream']
    .map((repo) =>
      [
        `[rhel-dvd-${repo}]`,
        `name=${name}`,
        `baseurl=file:///media/cdrom/${repo}/`,
        'enabled=1',
        'gpgcheck=1',
        'gpgkey=file:///media/cdrom/RPM-GPG-KEY-redhat-release',
      ].join('\n'),
    )
    .join('\n\n');
}

/**
 * Package source, on every VM. rhui (default): the VMs reach Azure's RHUI through the NAT gateway, nothing to
 * change; the step checks that the repositories answer. iso: the guide's offline repository — grow /home
 * (lvextend + xfs_growfs, online), fetch the ISO, loop-mount it at /media/cdrom through fstab, the two local repos
 * with gpgcheck=1, rh-cloud-base.repo disabled.
 */
export function buildPackageSource(p: ScriptParams): StepScript {
  if (p.packages.source === 'rhui') {
    return stepScript(
      STEP.packageSource,
      sh`
qwk_run dnf -q makecache || qwk_fail "dnf cannot reach its repositories (RHUI through the NAT gateway?)"
qwk_data source rhui
`,
    );
  }
  const location = p.packages.isoLocation ?? '';
  const iso = isoPath(p);
  return stepScript(
    STEP.packageSource,
    sh`
iso=${sq(iso)}
if [ ! -s "$iso" ]; then
  avail=$(df -Pm /home | awk 'NR == 2 { print $4 }')
  if [ "\${avail:-0}" -lt ${HOME_MIN_FREE_MIB} ]; then
    qwk_run lvextend -L +${HOME_GROW_MIB}M /dev/mapper/rootvg-homelv || qwk_fail "lvextend of /dev/mapper/rootvg-homelv failed"
    qwk_run xfs_growfs /home || qwk_fail "xfs_growfs /home failed"
    qwk_changed "grew /home by ${HOME_GROW_MIB} MiB"
  fi
  qwk_fetch ${sq(location)} ${SECRET_PARAMETERS.isoSas} "$iso"
fi
ensure_dir /media/cdrom 755
ensure_fstab_entry /media/cdrom ${sq(isoFstabLine(p))}
if ! is_mounted /media/cdrom; then
  qwk_run mount /media/cdrom || qwk_fail "mount /media/cdrom failed"
  qwk_changed "mounted /media/cdrom"
fi
[ -d /media/cdrom/BaseOS ] || qwk_fail "/media/cdrom has no BaseOS: is $iso a RHEL DVD image?"
[ -d /media/cdrom/AppStream ] || qwk_fail "/media/cdrom has no AppStream: is $iso a RHEL DVD image?"
ensure_file /etc/yum.repos.d/rhel-dvd.repo 644 <<'EOF'
${dvdRepoFile(p)}
EOF
cloud=/etc/yum.repos.d/rh-cloud-base.repo
if [ -f "$cloud" ] && grep -q '^enabled=1' "$cloud"; then
  sed -i 's/^enabled=1/enabled=0/' "$cloud"
  qwk_changed "disabled $cloud"
fi
repos=$(dnf -q repolist --enabled 2>>"$QWK_LOG" || true)
for repo in rhel-dvd-BaseOS rhel-dvd-AppStream; do
  grep -q "^\${repo}[[:space:]]" <<<"$repos" || qwk_fail "repository $repo is not enabled"
done
qwk_data source iso
`,
    [{ name: SECRET_PARAMETERS.isoSas, required: false }],
  );
}

/** PostgreSQL client on the witness (8.4: the connection checks run from there). */
export function buildPostgresClient(): StepScript {
  return stepScript(STEP.postgresClient, 'ensure_packages postgresql');
}
