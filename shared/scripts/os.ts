/** OS settings on every VM: the guide's sections 5.2–5.6. */
import { bashArray, sh, singleLine, sq } from './bash';
import { normalizeMac, SECRET_PARAMETERS, type NicFact, type ScriptParams } from './params';
import { STEP, stepScript, type StepScript } from './script';

export type VmRole = 'node' | 'witness';

/** Escapes text for use inside a POSIX ERE. */
export function ereEscape(text: string): string {
  return text.replace(/[.[\]()*+?{}|^$\\]/g, '\\$&');
}

/** The guide's /etc/hosts lines (5.6): "10.5.1.11 Clstr-nodeA", ..., "10.5.1.20 Witness-node". */
export function hostsLines(p: ScriptParams): string[] {
  return [...p.nodes, p.witness].map((h) => `${h.serviceIp} ${singleLine('host name', h.name)}`);
}

/** /etc/hosts entries for the nodes and the witness (all VMs). A stale "IP name" line for the same name goes. */
export function buildHosts(p: ScriptParams): StepScript {
  const hosts = [...p.nodes, p.witness];
  const body = hosts
    .map((h) => {
      const line = `${h.serviceIp} ${h.name}`;
      const stale = `^[0-9.]+[[:space:]]+${ereEscape(h.name)}[[:space:]]*$`;
      return sh`remove_lines_matching /etc/hosts ${sq(stale)} ${sq(line)}
ensure_line /etc/hosts ${sq(line)}`;
    })
    .join('\n');
  return stepScript(STEP.hosts, `${body}\nqwk_data entries ${hosts.length}\n`);
}

/** SELINUX=disabled in /etc/selinux/config (5.4); a reboot is required when the file changed or SELinux still runs. */
export function buildSelinux(): StepScript {
  return stepScript(
    STEP.selinux,
    sh`
cfg=/etc/selinux/config
[ -f "$cfg" ] || qwk_fail "$cfg not found"
set_kv "$cfg" SELINUX disabled
# The live mode decides, not "did the file change": a crash between the change and the restart leaves the file
# right and the kernel still enforcing — that node still needs its restart.
runtime=$(getenforce 2>/dev/null || echo unknown)
qwk_data runtime "$runtime"
if [ "$QWK_CHANGED" = true ]; then
  qwk_reboot_required
elif [ "$runtime" = Enforcing ] || [ "$runtime" = Permissive ]; then
  qwk_reboot_required
  qwk_message "$cfg says disabled but SELinux runs $runtime: restart needed"
fi
`,
  );
}

/**
 * Ports a VM needs when firewalld stays on (SIOS "Running LifeKeeper With a Firewall" and the ports FAQ:
 * 7365/tcp comm paths, 778/tcp LifeKeeper web/lkpolicy, 10001+/tcp DataKeeper mirrors; plus PostgreSQL and the ILB
 * probe on the nodes, NFS on the witness). ICMP (lkping) stays allowed by firewalld's defaults.
 */
export function firewallOpenings(p: ScriptParams, role: VmRole): { ports: string[]; services: string[] } {
  if (role === 'witness') return { ports: [], services: ['nfs'] };
  return {
    ports: ['7365/tcp', '778/tcp', '10001-10010/tcp', `${p.postgres.port}/tcp`, `${p.loadBalancer.probePort}/tcp`],
    services: [],
  };
}

/** firewalld disabled as the guide does (5.5), or kept running with the needed openings if the spec opts in. */
export function buildFirewall(p: ScriptParams, role: VmRole): StepScript {
  if (!p.firewall.keepFirewalld) {
    return stepScript(
      STEP.firewall,
      sh`
if systemctl is-enabled --quiet firewalld 2>/dev/null; then
  qwk_run systemctl disable firewalld
  qwk_changed "disabled firewalld"
fi
if systemctl is-active --quiet firewalld 2>/dev/null; then
  qwk_run systemctl stop firewalld
  qwk_changed "stopped firewalld"
fi
qwk_data firewalld disabled
`,
    );
  }
  const { ports, services } = firewallOpenings(p, role);
  return stepScript(
    STEP.firewall,
    sh`
openings=${bashArray([...ports.map((x) => `port=${x}`), ...services.map((x) => `service=${x}`)])}
ensure_service_running firewalld
reload=false
for opening in "\${openings[@]}"; do
  kind=\${opening%%=*} value=\${opening#*=}
  if ! firewall-cmd --permanent --query-"$kind"="$value" >/dev/null 2>&1; then
    qwk_run firewall-cmd --permanent --add-"$kind"="$value"
    qwk_changed "allowed $kind $value"
    reload=true
  fi
done
if [ "$reload" = true ]; then qwk_run firewall-cmd --reload; fi
qwk_data firewalld kept
`,
  );
}

/**
 * NIC name pinning (5.3): ifcfg-ethN with each NIC's own MAC (the guide's eth1 example repeats eth0's, a typo),
 * BOOTPROTO=dhcp, ONBOOT=yes. Refuses to pin if the interface already has another MAC.
 */
export function buildNicPinning(nics: NicFact[]): StepScript {
  if (nics.length === 0) throw new Error('NIC pinning needs at least one NIC');
  const body = nics
    .map((nic) => {
      if (!/^eth[0-9]+$/.test(nic.device)) throw new Error(`unexpected NIC device name '${nic.device}'`);
      const mac = normalizeMac(nic.macAddress);
      const file = `/etc/sysconfig/network-scripts/ifcfg-${nic.device}`;
      return sh`
dev=${sq(nic.device)} mac=${sq(mac)} f=${sq(file)}
if [ -r "/sys/class/net/$dev/address" ]; then
  actual=$(tr '[:upper:]' '[:lower:]' <"/sys/class/net/$dev/address")
  [ "$actual" = "$mac" ] || qwk_fail "$dev has MAC $actual, expected $mac: refusing to pin the wrong NIC"
fi
set_kv "$f" AUTOCONNECT_PRIORITY 999
set_kv "$f" BOOTPROTO dhcp
set_kv "$f" DEVICE "$dev"
set_kv "$f" HWADDR "$mac"
set_kv "$f" ONBOOT yes
set_kv "$f" TYPE Ethernet
set_kv "$f" USERCTL no
qwk_data "$dev" "$mac"`;
    })
    .join('\n');
  return stepScript(STEP.nicPinning, body);
}

/**
 * sshd (5.2): PasswordAuthentication no and X11Forwarding yes in /etc/ssh/sshd_config as the guide does, plus a
 * drop-in that sorts first: RHEL 9 includes /etc/ssh/sshd_config.d/*.conf at the top and sshd keeps the first value,
 * so Azure's 50-cloud-init.conf (PasswordAuthentication yes for password VMs) would otherwise win.
 * sshd is validated and restarted only when something changed.
 */
export function buildSshd(): StepScript {
  return stepScript(
    STEP.sshd,
    sh`
cfg=/etc/ssh/sshd_config
[ -f "$cfg" ] || qwk_fail "$cfg not found"
set_line "$cfg" '^[[:space:]]*PasswordAuthentication[[:space:]]' 'PasswordAuthentication no' '^[[:space:]]*Match[[:space:]]'
set_line "$cfg" '^[[:space:]]*X11Forwarding[[:space:]]' 'X11Forwarding yes' '^[[:space:]]*Match[[:space:]]'
if [ -d /etc/ssh/sshd_config.d ]; then
  ensure_file /etc/ssh/sshd_config.d/00-qwk-ops.conf 600 <<'EOF'
# qwk-ops: sorts before 50-cloud-init.conf so that these values win (sshd keeps the first one it reads).
PasswordAuthentication no
X11Forwarding yes
EOF
fi
if [ "$QWK_CHANGED" = true ]; then
  qwk_run sshd -t || qwk_fail "sshd -t rejected the configuration; sshd not restarted"
  qwk_run systemctl restart sshd
  qwk_changed "restarted sshd"
fi
`,
  );
}

/**
 * The cluster's SSH key pair (5.2), from secret parameters instead of ssh-keygen on the witness: the public key in
 * root's and the admin user's authorized_keys on the nodes; on the witness the key pair as those users' identity.
 */
export function buildSshKeys(p: ScriptParams, role: VmRole): StepScript {
  const users = ['root', singleLine('admin user', p.adminUsername)];
  const pub = SECRET_PARAMETERS.sshPublicKey;
  const priv = SECRET_PARAMETERS.sshPrivateKey;
  const common = sh`
qwk_secret_required ${pub}
pub=$(printf '%s\n' "$${pub}" | tr -d '\r' | sed -n '/[^[:space:]]/{p;q;}')
case "$pub" in
  ssh-*|ecdsa-*) ;;
  *) qwk_fail "${pub} is not an OpenSSH public key" ;;
esac

# ssh_dir USER: SSH_DIR=the user's ~/.ssh (created 0700, owned by the user).
ssh_dir() {
  local user=$1 home dir
  home=$(getent passwd "$user" | cut -d: -f6)
  [ -n "$home" ] || qwk_fail "user $user not found"
  dir=$home/.ssh
  ensure_dir "$dir" 700
  ensure_owner "$dir" "$user"
  SSH_DIR=$dir
}
ensure_owner() {
  local path=$1 user=$2
  if [ "$(stat -c %U "$path")" != "$user" ]; then
    chown "$user:" "$path"
    qwk_changed "chown $user $path"
  fi
}
users=${bashArray(users)}
`;
  if (role === 'node') {
    return stepScript(
      STEP.sshKeys,
      sh`${common}
for user in "\${users[@]}"; do
  ssh_dir "$user"
  ak=$SSH_DIR/authorized_keys
  if [ ! -f "$ak" ] || ! grep -qxF -- "$pub" "$ak"; then
    if [ -s "$ak" ] && [ -n "$(tail -c 1 "$ak")" ]; then printf '\n' >>"$ak"; fi
    printf '%s\n' "$pub" >>"$ak"
    qwk_changed "cluster key authorized for $user"
  fi
  ensure_mode "$ak" 600
  ensure_owner "$ak" "$user"
done
`,
      [{ name: pub, required: true }],
    );
  }
  return stepScript(
    STEP.sshKeys,
    sh`${common}
qwk_secret_required ${priv}
case "$(printf '%s' "$pub" | cut -d' ' -f1)" in
  ssh-rsa) id_name=id_rsa ;;
  ssh-ed25519) id_name=id_ed25519 ;;
  ecdsa-*) id_name=id_ecdsa ;;
  *) id_name=id_qwk ;;
esac
key=$(printf '%s\n' "$${priv}" | tr -d '\r')
for user in "\${users[@]}"; do
  ssh_dir "$user"
  ensure_file "$SSH_DIR/$id_name" 600 <<<"$key"
  ensure_owner "$SSH_DIR/$id_name" "$user"
  ensure_file "$SSH_DIR/$id_name.pub" 644 <<<"$pub"
  ensure_owner "$SSH_DIR/$id_name.pub" "$user"
done
key=''
qwk_data identity "$id_name"
`,
    [
      { name: pub, required: true },
      { name: priv, required: true },
    ],
  );
}
