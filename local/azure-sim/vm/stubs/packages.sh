# Package catalogue of the simulated RHEL 9.2 repositories (BaseOS + AppStream subset) and what installing each
# one brings into the sandbox. Sourced by dnf/rpm/setup stubs.

# name -> "version-release"
sim_pkg_catalogue() {
  case $1 in
    nfs-utils) echo 2.5.4-18.el9;;
    rpcbind) echo 1.2.6-5.el9;;
    postgresql) echo 13.10-1.el9_2;;
    postgresql-server) echo 13.10-1.el9_2;;
    postgresql-contrib) echo 13.10-1.el9_2;;
    xorg-x11-xauth) echo 1.1-10.el9;;
    xhost) echo 1.0.8-5.el9;;
    net-tools) echo 2.0-0.62.20160912git.el9;;
    tar|rsync|unzip|bzip2|wget|jq|nmap-ncat|lsof|sg3_utils|perl|mdadm|iscsi-initiator-utils|bc|psmisc|gdisk|chrony|java-17-openjdk-headless|redhat-lsb-core|ksh|libnsl|patch|zip|sysstat)
      echo 1.0-1.el9;;
    *) return 1;;
  esac
}
# dnf resolves capabilities (e.g. "xauth" is provided by xorg-x11-xauth).
sim_pkg_resolve() {
  case $1 in
    xauth) echo xorg-x11-xauth;;
    /usr/bin/psql) echo postgresql;;
    *) echo "$1";;
  esac
}
sim_pkg_requires() {
  case $1 in
    nfs-utils) echo rpcbind;;
    postgresql-server) echo postgresql;;
  esac
}
sim_unit() { # sim_unit <name> <description>
  mkdir -p /usr/lib/systemd/system
  printf '[Unit]\nDescription=%s\n\n[Service]\nType=simple\nExecStart=/bin/true\n\n[Install]\nWantedBy=multi-user.target\n' "$2" >"/usr/lib/systemd/system/$1"
}
sim_user() { # sim_user <name> <uid> <home> <shell> <comment>
  grep -q "^$1:" /etc/group || echo "$1:x:$2:" >>/etc/group
  grep -q "^$1:" /etc/passwd || echo "$1:x:$2:$2:$5:$3:$4" >>/etc/passwd
  grep -q "^$1:" /etc/shadow || echo "$1:!!:19500::::::" >>/etc/shadow
  mkdir -p "$3"; chown "$2:$2" "$3"; chmod 700 "$3"
}
# What a package's files/scriptlets bring.
sim_pkg_provision() {
  case $1 in
    rpcbind) sim_unit rpcbind.service "RPC Bind"; sim_provide /usr/sbin/rpcbind true-cmd;;
    nfs-utils)
      for b in exportfs showmount; do sim_provide "/usr/sbin/$b"; done
      sim_provide /usr/sbin/mount.nfs true-cmd
      sim_unit nfs-server.service "NFS server and services"
      sim_unit nfs-client.target "NFS client services"
      mkdir -p /var/lib/nfs; touch /var/lib/nfs/etab /var/lib/nfs/rmtab
      [ -f /etc/nfs.conf ] || printf '[general]\n[exportfs]\n[nfsd]\n# vers4=y\n' >/etc/nfs.conf;;
    postgresql) for b in psql pg_dump pg_dumpall createdb dropdb; do sim_provide "/usr/bin/$b" "$( [ $b = psql ] && echo psql || echo true-cmd )"; done;;
    postgresql-server)
      sim_provide /usr/bin/initdb; sim_provide /usr/bin/pg_ctl
      sim_provide /usr/bin/postgres true-cmd; sim_provide /usr/bin/postgresql-setup true-cmd
      sim_user postgres 26 /var/lib/pgsql /bin/bash "PostgreSQL Server"
      mkdir -p /var/run/postgresql; chown 26:26 /var/run/postgresql; chmod 755 /var/run/postgresql
      sim_unit postgresql.service "PostgreSQL database server";;
    xorg-x11-xauth) sim_provide /usr/bin/xauth;;
    xhost) sim_provide /usr/bin/xhost true-cmd;;
    net-tools) sim_provide /usr/sbin/ifconfig ip; sim_provide /usr/bin/netstat true-cmd;;
  esac
}
