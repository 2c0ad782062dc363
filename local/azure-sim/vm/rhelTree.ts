import type { SimVm } from './runtime';

/** Files of a freshly deployed Azure RHEL 9.2 (LVM) image that the configuration scripts read or edit. */
export interface SeedFile {
  path: string;
  content: string;
  mode?: number;
}

export function macForLinux(armMac: string): string {
  return armMac.replace(/-/g, ':').toLowerCase();
}

const SELINUX_CONFIG = `
# This file controls the state of SELinux on the system.
# SELINUX= can take one of these three values:
#     enforcing - SELinux security policy is enforced.
#     permissive - SELinux prints warnings instead of enforcing.
#     disabled - No SELinux policy is loaded.
# See also:
# https://docs.fedoraproject.org/en-US/quick-docs/getting-started-with-selinux/#getting-started-with-selinux-selinux-states-and-modes
#
# NOTE: In earlier Fedora kernel builds, SELINUX=disabled would also
# fully disable SELinux during boot. If you need a system with SELinux
# fully disabled instead of SELinux running with no policy loaded, you
# need to pass selinux=0 to the kernel command line. You can use grubby
# to persistently set the bootloader to boot with selinux=0:
#
#    grubby --update-kernel ALL --args selinux=0
#
# To revert back to SELinux enabled:
#
#    grubby --update-kernel ALL --remove-args selinux
#
SELINUX=enforcing
# SELINUXTYPE= can take one of these three values:
#     targeted - Targeted processes are protected,
#     minimum - Modification of targeted policy. Only selected processes are protected.
#     mls - Multi Level Security protection.
SELINUXTYPE=targeted

`.trimStart();

const SSHD_CONFIG = `#	$OpenBSD: sshd_config,v 1.104 2021/07/02 05:11:21 dtucker Exp $

# This is the sshd server system-wide configuration file.  See
# sshd_config(5) for more information.

# To modify the system-wide sshd configuration, create a  *.conf  file under
#  /etc/ssh/sshd_config.d/  which will be automatically included below
Include /etc/ssh/sshd_config.d/*.conf

#Port 22
#AddressFamily any
#ListenAddress 0.0.0.0

#PermitRootLogin prohibit-password
#PubkeyAuthentication yes

AuthorizedKeysFile	.ssh/authorized_keys

# To disable tunneled clear text passwords, change to no here!
#PasswordAuthentication yes
#PermitEmptyPasswords no

# Change to no to disable s/key passwords
KbdInteractiveAuthentication no

#AllowAgentForwarding yes
#AllowTcpForwarding yes
#GatewayPorts no
X11Forwarding yes
#X11DisplayOffset 10
#X11UseLocalhost yes

ClientAliveInterval 180

# override default of no subsystems
Subsystem	sftp	/usr/libexec/openssh/sftp-server
`;

const rhuiRepo = (id: string, name: string, urlPath: string, client = true) =>
  [
    `[${id}]`,
    `name=${name}`,
    `baseurl=https://rhui4-1.microsoft.com/pulp/repos/${urlPath}`,
    'enabled=1',
    'gpgcheck=1',
    ...(client ? ['gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release'] : []),
    'sslverify=1',
    'sslcacert=/etc/pki/rhui/ca.crt',
    ...(client
      ? ['sslclientcert=/etc/pki/rhui/product/content-base.crt', 'sslclientkey=/etc/pki/rhui/key-base.pem']
      : []),
    '',
  ].join('\n');

const RH_CLOUD_BASE_REPO = [
  rhuiRepo(
    'rhui-rhel-9-for-x86_64-baseos-rhui-rpms',
    'Red Hat Enterprise Linux 9 for x86_64 - BaseOS from RHUI (RPMs)',
    'content/dist/rhel9/rhui/$releasever/x86_64/baseos/os',
  ),
  rhuiRepo(
    'rhui-rhel-9-for-x86_64-appstream-rhui-rpms',
    'Red Hat Enterprise Linux 9 for x86_64 - AppStream from RHUI (RPMs)',
    'content/dist/rhel9/rhui/$releasever/x86_64/appstream/os',
  ),
  rhuiRepo(
    'rhui-microsoft-azure-rhel9',
    'Microsoft Azure RPMs for Red Hat Enterprise Linux 9',
    'unprotected/microsoft-azure-rhel9',
    false,
  ),
].join('\n');

const FSTAB = `
#
# /etc/fstab
# Created by anaconda on Wed Apr 26 06:21:11 2023
#
# Accessible filesystems, by reference, are maintained under '/dev/disk/'.
# See man pages fstab(5), findfs(8), mount(8) and/or blkid(8) for more info.
#
# After editing this file, run 'systemctl daemon-reload' to update systemd
# units generated from this file.
#
/dev/mapper/rootvg-rootlv /                       xfs     defaults        0 0
UUID=7e6a1a6d-a8e4-4a57-8b7b-a7f0d7b5b6c1 /boot                   xfs     defaults        0 0
UUID=4B0C-6D6E          /boot/efi               vfat    defaults,uid=0,gid=0,umask=077,shortname=winnt 0 2
/dev/mapper/rootvg-homelv /home                   xfs     defaults        0 0
/dev/mapper/rootvg-optlv /opt                    xfs     defaults        0 0
/dev/mapper/rootvg-tmplv /tmp                    xfs     defaults        0 0
/dev/mapper/rootvg-usrlv /usr                    xfs     defaults        0 0
/dev/mapper/rootvg-varlv /var                    xfs     defaults        0 0
`.trimStart();

function passwd(admin: string): SeedFile[] {
  return [
    {
      path: '/etc/passwd',
      content: [
        'root:x:0:0:root:/root:/bin/bash',
        'bin:x:1:1:bin:/bin:/sbin/nologin',
        'daemon:x:2:2:daemon:/sbin:/sbin/nologin',
        'adm:x:3:4:adm:/var/adm:/sbin/nologin',
        'nobody:x:65534:65534:Kernel Overflow User:/:/sbin/nologin',
        'sshd:x:74:74:Privilege-separated SSH:/usr/share/empty.sshd:/sbin/nologin',
        'chrony:x:992:988:chrony system user:/var/lib/chrony:/sbin/nologin',
        `${admin}:x:1000:1000::/home/${admin}:/bin/bash`,
        '',
      ].join('\n'),
    },
    {
      path: '/etc/group',
      content: [
        'root:x:0:',
        'bin:x:1:',
        'daemon:x:2:',
        'adm:x:4:',
        'wheel:x:10:' + admin,
        'nobody:x:65534:',
        'sshd:x:74:',
        `${admin}:x:1000:`,
        '',
      ].join('\n'),
    },
    {
      path: '/etc/shadow',
      mode: 0o000,
      content: [
        'root:!!:19473:0:99999:7:::',
        'bin:*:19473:0:99999:7:::',
        'sshd:!!:19473::::::',
        `${admin}:$6$simsalt$Zm9yLXNpbXVsYXRpb24tb25seQ:19500:0:99999:7:::`,
        '',
      ].join('\n'),
    },
  ];
}

export function rhelTree(vm: SimVm): SeedFile[] {
  const files: SeedFile[] = [
    { path: '/etc/redhat-release', content: 'Red Hat Enterprise Linux release 9.2 (Plow)\n' },
    {
      path: '/etc/os-release',
      content:
        'NAME="Red Hat Enterprise Linux"\nVERSION="9.2 (Plow)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.2"\nPLATFORM_ID="platform:el9"\nPRETTY_NAME="Red Hat Enterprise Linux 9.2 (Plow)"\n',
    },
    { path: '/etc/hostname', content: `${vm.computerName}\n` },
    {
      path: '/etc/hosts',
      content:
        '127.0.0.1   localhost localhost.localdomain localhost4 localhost4.localdomain4\n::1         localhost localhost.localdomain localhost6 localhost6.localdomain6\n',
    },
    { path: '/etc/selinux/config', content: SELINUX_CONFIG },
    { path: '/etc/ssh/sshd_config', content: SSHD_CONFIG, mode: 0o600 },
    { path: '/etc/ssh/sshd_config.d/50-cloud-init.conf', content: 'PasswordAuthentication yes\n', mode: 0o600 },
    {
      path: '/etc/ssh/sshd_config.d/50-redhat.conf',
      content:
        'Include /etc/crypto-policies/back-ends/opensshserver.config\nSyslogFacility AUTHPRIV\nChallengeResponseAuthentication no\nGSSAPIAuthentication yes\nGSSAPICleanupCredentials no\nUsePAM yes\nX11Forwarding yes\nPrintMotd no\n',
      mode: 0o600,
    },
    { path: '/etc/fstab', content: FSTAB },
    { path: '/etc/exports', content: '' },
    { path: '/etc/yum.repos.d/rh-cloud-base.repo', content: RH_CLOUD_BASE_REPO },
    {
      path: '/etc/default/grub',
      content:
        'GRUB_TIMEOUT=10\nGRUB_DISTRIBUTOR="$(sed \'s, release .*$,,g\' /etc/system-release)"\nGRUB_DEFAULT=saved\nGRUB_CMDLINE_LINUX="console=tty1 console=ttyS0,115200n8 earlyprintk=ttyS0,115200 rootdelay=300 scsi_mod.use_blk_mq=y"\n',
    },
    {
      path: '/etc/default/useradd',
      content: 'GROUP=100\nHOME=/home\nINACTIVE=-1\nEXPIRE=\nSHELL=/bin/bash\nSKEL=/etc/skel\nCREATE_MAIL_SPOOL=yes\n',
    },
    {
      path: '/etc/nsswitch.conf',
      content: 'passwd:     files\nshadow:     files\ngroup:      files\nhosts:      files dns myhostname\n',
    },
    {
      path: '/etc/resolv.conf',
      content: '# Generated by NetworkManager\nsearch reddog.microsoft.com\nnameserver 168.63.129.16\n',
    },
    {
      path: '/etc/machine-id',
      content: `${vm.id.length.toString(16).padStart(4, '0')}${Buffer.from(vm.name).toString('hex').padEnd(28, '0').slice(0, 28)}\n`,
    },
    {
      path: '/etc/lvm/sim-lvs',
      content:
        'rootvg/rootlv 2048\nrootvg/usrlv 10240\nrootvg/optlv 2048\nrootvg/homelv 1024\nrootvg/varlv 8192\nrootvg/tmplv 2048\n',
    },
    { path: '/etc/lvm/sim-vgs', content: 'rootvg 64000\n' },
    {
      path: '/etc/sudoers',
      content: 'root\tALL=(ALL)\tALL\n%wheel\tALL=(ALL)\tALL\n#includedir /etc/sudoers.d\n',
      mode: 0o440,
    },
    { path: '/etc/sudoers.d/waagent', content: `${vm.adminUsername} ALL=(ALL) ALL\n`, mode: 0o440 },
    { path: '/root/.bash_profile', content: '# .bash_profile\n\nif [ -f ~/.bashrc ]; then\n\t. ~/.bashrc\nfi\n' },
    { path: '/root/.bashrc', content: "# .bashrc\n\nalias rm='rm -i'\nalias cp='cp -i'\nalias mv='mv -i'\n" },
    { path: `/home/${vm.adminUsername}/.bashrc`, content: '# .bashrc\n' },
    { path: '/var/lib/rpm/sim-packages', content: '' },
    { path: '/var/lib/nfs/etab', content: '' },
    ...passwd(vm.adminUsername),
  ];
  vm.nics.forEach((nic, i) => {
    const dev = `eth${i}`;
    files.push({ path: `/sys/class/net/${dev}/address`, content: `${macForLinux(nic.macAddress)}\n` });
    files.push({ path: `/sys/class/net/${dev}/operstate`, content: 'up\n' });
    files.push({ path: `/sys/class/net/${dev}/mtu`, content: '1500\n' });
  });
  files.push({ path: '/sys/class/net/lo/address', content: '00:00:00:00:00:00\n' });
  const eth0 = vm.nics[0];
  if (eth0) {
    files.push({
      path: '/etc/sysconfig/network-scripts/ifcfg-eth0',
      content:
        'DEVICE=eth0\nONBOOT=yes\nBOOTPROTO=dhcp\nTYPE=Ethernet\nUSERCTL=no\nPEERDNS=yes\nIPV6INIT=no\nPERSISTENT_DHCLIENT=yes\nNM_CONTROLLED=yes\n',
    });
  }
  return files;
}

/** Directories of the image (mode 0755 unless given). */
export const RHEL_DIRS: [string, number?][] = [
  ['/boot'],
  ['/dev'],
  ['/dev/mapper'],
  ['/dev/shm', 0o1777],
  ['/dev/pts'],
  ['/etc/default'],
  ['/etc/exports.d'],
  ['/etc/profile.d'],
  ['/etc/skel'],
  ['/etc/systemd/system/multi-user.target.wants'],
  ['/etc/sysconfig'],
  ['/home'],
  ['/media'],
  ['/mnt'],
  ['/opt'],
  ['/proc'],
  ['/root', 0o550],
  ['/run'],
  ['/srv'],
  ['/sys'],
  ['/tmp', 0o1777],
  ['/usr'],
  ['/var/lib/waagent'],
  ['/var/log'],
  ['/var/tmp', 0o1777],
  ['/.sim'],
];

/** Host binaries RHEL does not have until a package brings them: hidden by overlay whiteouts. */
export const HIDDEN_HOST_BINARIES = [
  'bin/psql',
  'bin/pg_dump',
  'bin/pg_dumpall',
  'bin/createdb',
  'bin/dropdb',
  'bin/pg_ctl',
  'bin/initdb',
  'bin/postgres',
  'bin/xauth',
  'bin/xhost',
  'sbin/exportfs',
  'sbin/showmount',
  'sbin/mount.nfs',
  'sbin/rpcbind',
  'bin/apt',
  'bin/apt-get',
  'bin/dpkg',
  'bin/ifconfig',
  'sbin/ifconfig',
  'bin/netstat',
];
