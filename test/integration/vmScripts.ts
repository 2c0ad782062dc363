/** Guide-like (seed-digest §5–§9) idempotent scripts used by the VM runtime tests. */
export const hostsScript = `set -euo pipefail
for entry in "10.5.1.11 Clstr-nodeA" "10.5.1.12 Clstr-nodeB" "10.5.1.20 Witness-node"; do
  grep -qxF "$entry" /etc/hosts || echo "$entry" >> /etc/hosts
done
echo "RESULT hosts ok"`;

export const osBaselineScript = `set -euo pipefail
${hostsScript.replace('set -euo pipefail\n', '').replace('echo "RESULT hosts ok"', '')}
changed=0
if ! grep -q '^SELINUX=disabled' /etc/selinux/config; then sed -i 's/^SELINUX=.*/SELINUX=disabled/' /etc/selinux/config; changed=1; fi
if [ "$(cat /etc/ssh/sshd_config.d/00-qwk.conf 2>/dev/null)" != "PasswordAuthentication no" ]; then
  echo "PasswordAuthentication no" > /etc/ssh/sshd_config.d/00-qwk.conf; systemctl restart sshd
fi
for dev in $(ls /sys/class/net | grep '^eth'); do
  mac=$(cat /sys/class/net/$dev/address)
  want=$(printf 'DEVICE=%s\\nHWADDR=%s\\nBOOTPROTO=dhcp\\nONBOOT=yes\\n' "$dev" "$mac")
  [ "$(cat /etc/sysconfig/network-scripts/ifcfg-$dev 2>/dev/null)" = "$want" ] || printf '%s\\n' "$want" > /etc/sysconfig/network-scripts/ifcfg-$dev
done
if systemctl is-enabled -q firewalld || systemctl is-active -q firewalld; then systemctl disable --now firewalld; fi
rpm -q nfs-utils >/dev/null || dnf install -y nfs-utils
echo "RESULT os ok selinux_changed=$changed"`;

export const witnessShareScript = `set -euo pipefail
rpm -q nfs-utils >/dev/null || dnf install -y nfs-utils
mkdir -p /root/qwkshare
for n in Clstr-nodeA Clstr-nodeB; do
  line="/root/qwkshare $n(rw,no_root_squash,sync,no_wdelay)"
  grep -qxF "$line" /etc/exports || echo "$line" >> /etc/exports
done
exportfs -a
systemctl is-enabled -q nfs-server || systemctl enable nfs-server
systemctl is-active -q nfs-server || systemctl start nfs-server
exportfs -v
echo "RESULT share ok"`;

export const nodeMountScript = `set -euo pipefail
${hostsScript.replace('set -euo pipefail\n', '').replace('echo "RESULT hosts ok"', '')}
rpm -q nfs-utils >/dev/null || dnf install -y nfs-utils
mkdir -p /mnt/qwkmnt
line='Witness-node:/root/qwkshare /mnt/qwkmnt nfs soft,timeo=20,retrans=1,noac 0 0'
grep -qxF "$line" /etc/fstab || echo "$line" >> /etc/fstab
mountpoint -q /mnt/qwkmnt || mount /mnt/qwkmnt
echo "RESULT mount ok"`;

export const lifekeeperScript = (node: string) => `set -euo pipefail
if [ ! -x /opt/LifeKeeper/bin/lkstart ]; then
  curl -fsSL -o /root/sps.img 'https://qwkops.blob.core.windows.net/installers/sps.img'
  mkdir -p /mnt/lkimg
  mountpoint -q /mnt/lkimg || mount -o loop /root/sps.img /mnt/lkimg
  printf 'LKCONF_QUORUM_WITNESS=y\\nLKCONF_LBHC_KIT=y\\nLKCONF_PGSQL_KIT=y\\nLKCONF_DATAKEEPER=y\\n' > /root/lk-response
  /mnt/lkimg/setup -f /root/lk-response -q y
  umount /mnt/lkimg
fi
ls /var/LifeKeeper/license/*.lic >/dev/null 2>&1 || { echo "SIM-LICENSE" > /root/lk.lic; /opt/LifeKeeper/bin/lkkeyins /root/lk.lic; }
setkey() { if grep -q "^$1=" /etc/default/LifeKeeper; then sed -i "s|^$1=.*|$1=$2|" /etc/default/LifeKeeper; else echo "$1=$2" >> /etc/default/LifeKeeper; fi; }
setkey NOBCASTPING 1
/opt/LifeKeeper/bin/lktest >/dev/null || /opt/LifeKeeper/bin/lkstart
for _ in $(seq 1 50); do [ -e /opt/LifeKeeper/config/LK_INITDONE ] && break; sleep 0.1; done
[ -e /opt/LifeKeeper/config/LK_INITDONE ]
setkey QUORUM_MODE storage
setkey WITNESS_MODE storage
setkey QWK_STORAGE_TYPE file
setkey QWK_STORAGE_HBEATTIME 6
setkey QWK_STORAGE_NUMHBEATS 4
setkey QWK_STORAGE_OBJECT_Clstr_nodeA /mnt/qwkmnt/Clstr_nodeA
setkey QWK_STORAGE_OBJECT_Clstr_nodeB /mnt/qwkmnt/Clstr_nodeB
[ -f /mnt/qwkmnt/${node.replace(/-/g, '_')} ] || /opt/LifeKeeper/bin/qwk_storage_init
echo "RESULT lifekeeper ok"`;

export const commpathScript = `set -euo pipefail
export PATH=$PATH:/opt/LifeKeeper/bin
net_list | grep '10.5.1.11/10.5.1.12' >/dev/null || lkcli commpath create --laddr 10.5.1.11 --raddr 10.5.1.12 --dest Clstr-nodeB --priority 1
net_list | grep '10.5.2.11/10.5.2.12' >/dev/null || lkcli commpath create --laddr 10.5.2.11 --raddr 10.5.2.12 --dest Clstr-nodeB --priority 2
echo "RESULT commpaths ok"`;

export const lbhcScript = `set -euo pipefail
export PATH=$PATH:/opt/LifeKeeper/bin
ins_list -t lbhc-12345 >/dev/null || lkcli resource create lbhc --tag lbhc-12345 --port 12345 --msg ''
eqv_list -t lbhc-12345 >/dev/null || lkcli resource extend lbhc --tag lbhc-12345 --dest Clstr-nodeB --template_priority 1 --target_priority 10
ins_list -t ip-10.5.1.100 >/dev/null || lkcli resource create ip --tag ip-10.5.1.100 --ipaddr 10.5.1.100 --netmask 255.255.255.255 --device eth0
eqv_list -t ip-10.5.1.100 >/dev/null || lkcli resource extend ip --tag ip-10.5.1.100 --dest Clstr-nodeB
echo "RESULT hierarchy ok"`;

export const postgresPrimaryScript = `set -euo pipefail
export PATH=$PATH:/opt/LifeKeeper/bin
rpm -q postgresql-server >/dev/null || dnf install -y postgresql-server
ins_list -t datarep-data >/dev/null || lkcli resource create dk --tag datarep-data --mode synchronous --device /dev/sdc --fstype xfs --mount_point /data --fstag /data --hierarchy new --bitmap /opt/LifeKeeper/bitmap__data
if [ ! -f /data/pgsql/data/PG_VERSION ]; then
  mkdir -m 755 -p /data/pgsql/data
  chown -R postgres:postgres /data/pgsql
  su - postgres -c 'initdb -D /data/pgsql/data'
  echo 'host all all 10.5.0.0/16 scram-sha-256' >> /data/pgsql/data/pg_hba.conf
  echo "listen_addresses = '*'" >> /data/pgsql/data/postgresql.conf
  echo "port = 5432" >> /data/pgsql/data/postgresql.conf
fi
su - postgres -c 'pg_ctl status -D /data/pgsql/data' >/dev/null || su - postgres -c 'pg_ctl start -D /data/pgsql/data -w -l /tmp/pg.log'
su - postgres -c "psql -q -c \\"ALTER USER postgres WITH PASSWORD '$PGPW'\\""
su - postgres -c 'psql -l' | grep template1 >/dev/null
ins_list -t pgsql-5432 >/dev/null || lkcli resource create pgsql --tag pgsql-5432 --datadir /data/pgsql/data --exepath /usr/bin --clientexe /usr/bin/psql --dbport 5432
eqv_list -t datarep-data >/dev/null || lkcli resource extend dk --tag datarep-data --dest Clstr-nodeB --mode synchronous --laddr 10.5.2.11 --raddr 10.5.2.12 --switchback intelligent --template_priority 1 --target_priority 10
eqv_list -t pgsql-5432 >/dev/null || lkcli resource extend pgsql --tag pgsql-5432 --dest Clstr-nodeB
dep_list -f: | grep -x 'pgsql-5432:ip-10.5.1.100' >/dev/null || lkcli dependency create --parent pgsql-5432 --child ip-10.5.1.100
dep_list -f: | grep -x 'pgsql-5432:lbhc-12345' >/dev/null || lkcli dependency create --parent pgsql-5432 --child lbhc-12345
echo "RESULT postgres ok"`;

export const clientCheckScript = (host: string) => `set -euo pipefail
rpm -q postgresql >/dev/null || dnf install -y postgresql
PGPASSWORD="$PGPW" psql -h ${host} -U postgres -d postgres -tA -c 'select 1'`;

export const localIsoRepoScript = `set -euo pipefail
size=$(lvs --noheadings -o lv_size --units m rootvg/homelv | tr -d ' m')
if [ "\${size%.*}" -lt 17000 ]; then lvextend -L +16384 /dev/mapper/rootvg-homelv; xfs_growfs /home; fi
iso=/home/lkadmin/rhel-9.2-x86_64-dvd.iso
[ -f "$iso" ] || curl -fsS -o "$iso" 'https://qwkops.blob.core.windows.net/media/rhel-9.2-x86_64-dvd.iso'
mkdir -p /media/cdrom
line="$iso /media/cdrom iso9660 loop,ro 0 0"
grep -qxF "$line" /etc/fstab || echo "$line" >> /etc/fstab
mountpoint -q /media/cdrom || mount /media/cdrom
for r in BaseOS AppStream; do
  want=$(printf '[rhel-dvd-%s]\\nname=rhel-dvd-%s\\nbaseurl=file:///media/cdrom/%s\\nenabled=1\\ngpgcheck=1\\ngpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release' $r $r $r)
  [ "$(cat /etc/yum.repos.d/rhel-dvd-$r.repo 2>/dev/null)" = "$want" ] || printf '%s\\n' "$want" > /etc/yum.repos.d/rhel-dvd-$r.repo
done
if grep -q '^enabled=1' /etc/yum.repos.d/rh-cloud-base.repo; then sed -i 's/^enabled=1/enabled=0/' /etc/yum.repos.d/rh-cloud-base.repo; fi
rpm -q xorg-x11-xauth >/dev/null || dnf install -y xauth
dnf repolist
echo "RESULT repo ok"`;
