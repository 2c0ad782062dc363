/** The step builders: the guide's exact lines, the per-step commands, naming rules, and secret hygiene. */
import { describe, expect, it } from 'vitest';
import {
  buildCommPaths,
  buildDataKeeperMirror,
  buildDependencies,
  buildFirewall,
  buildHosts,
  buildIpResource,
  buildLbhcResource,
  buildLifeKeeperInstall,
  buildLifeKeeperLicense,
  buildLifeKeeperStart,
  buildNicPinning,
  buildNodeNfsMount,
  buildPackageSource,
  buildPgsqlResource,
  buildPostgresPrimary,
  buildQwkCheck,
  buildQwkConfig,
  buildQwkInit,
  buildSelinux,
  buildSshd,
  buildSshKeys,
  buildSwitchover,
  buildWitnessNfsServer,
  dvdRepoFile,
  exportsLines,
  hostsLines,
  isoFstabLine,
  lifeKeeperTags,
  normalizeMac,
  pgHbaLines,
  primaryAndStandby,
  qwkDefaultsLines,
  qwkFstabLine,
  qwkObjectKey,
  SECRET_PARAMETERS,
  STEP,
} from '../../shared/scripts';
import { allScripts, SEED_NICS, seedParams } from './scriptsFixture';

const p = seedParams();

describe('every script', () => {
  const scripts = allScripts();
  it.each(scripts.map((s) => [s.name, s] as const))('%s has the common frame', (name, s) => {
    const lines = s.script.split('\n');
    expect(lines[0]).toBe('#!/bin/bash');
    expect(lines).toContain('set -euo pipefail');
    expect(lines).toContain(`QWK_STEP='${name}'`);
    expect(s.script).toContain('trap qwk_on_exit EXIT');
    expect(Object.values(STEP)).toContain(name);
  });

  it('declares exactly the secret parameters it reads, and reads them only from the environment', () => {
    const secretNames = Object.values(SECRET_PARAMETERS);
    for (const s of scripts) {
      const referenced = secretNames.filter((n) => new RegExp(`\\$\\{?${n}\\b|\\b${n}\\b`).test(s.script));
      expect([...s.secrets.map((x) => x.name)].sort(), s.name).toEqual(referenced.sort());
      for (const line of s.script
        .split('\n')
        .filter((l) => secretNames.some((n) => l.includes(`$${n}`) || l.includes(`\${${n}`)))) {
        expect(line, `${s.name}: ${line}`).not.toMatch(/^\s*echo\b|qwk_(run|data|changed|message|fail)\b/);
      }
    }
  });

  it('embeds no secret value: the builders never receive one and the scripts hold no key or password material', () => {
    for (const s of scripts) {
      expect(s.script, s.name).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY|ssh-rsa AAAA|PGPASSWORD=[^"$]|sig=|sv=20/);
    }
  });
});

describe("the guide's exact lines", () => {
  it('/etc/hosts (5.6)', () => {
    expect(hostsLines(p)).toEqual(['10.5.1.11 Clstr-nodeA', '10.5.1.12 Clstr-nodeB', '10.5.1.20 Witness-node']);
    const s = buildHosts(p).script;
    for (const l of hostsLines(p)) expect(s).toContain(`ensure_line /etc/hosts '${l}'`);
  });

  it('/etc/exports on the witness (9.1)', () => {
    expect(exportsLines(p)).toEqual([
      '/root/qwkshare Clstr-nodeA(rw,no_root_squash,sync,no_wdelay)',
      '/root/qwkshare Clstr-nodeB(rw,no_root_squash,sync,no_wdelay)',
    ]);
    const s = buildWitnessNfsServer(p).script;
    for (const l of exportsLines(p)) expect(s).toContain(`ensure_line /etc/exports '${l}'`);
    expect(s).toContain('ensure_packages nfs-utils');
    expect(s).toContain('ensure_service_running nfs-server');
    expect(s).toMatch(/exportfs -a/);
  });

  it('fstab on the nodes (9.1)', () => {
    expect(qwkFstabLine(p)).toBe('Witness-node:/root/qwkshare /mnt/qwkmnt nfs soft,timeo=20,retrans=1,noac 0 0');
    const s = buildNodeNfsMount(p).script;
    expect(s).toContain(`ensure_fstab_entry "$mp" '${qwkFstabLine(p)}'`);
    expect(s).toContain("mp='/mnt/qwkmnt'");
  });

  it('/etc/default/LifeKeeper QWK keys (9.2), each set idempotently', () => {
    expect(qwkDefaultsLines(p)).toEqual([
      'QUORUM_MODE=storage',
      'WITNESS_MODE=storage',
      'QWK_STORAGE_TYPE=file',
      'QWK_STORAGE_HBEATTIME=6',
      'QWK_STORAGE_NUMHBEATS=4',
      'QWK_STORAGE_OBJECT_Clstr_nodeA=/mnt/qwkmnt/Clstr_nodeA',
      'QWK_STORAGE_OBJECT_Clstr_nodeB=/mnt/qwkmnt/Clstr_nodeB',
    ]);
    const s = buildQwkConfig(p).script;
    expect(s).toContain(`set_kv "$f" QWK_STORAGE_OBJECT_Clstr_nodeA '/mnt/qwkmnt/Clstr_nodeA'`);
    expect(s).toContain(`set_kv "$f" QUORUM_MODE 'storage'`);
    expect(s).not.toContain('QUORUM_LOSS_ACTION');
  });

  it("QWK_STORAGE_OBJECT naming turns '-' and '.' into '_'", () => {
    expect(qwkObjectKey('Clstr-nodeA')).toBe('QWK_STORAGE_OBJECT_Clstr_nodeA');
    expect(qwkObjectKey('db-1.prod.example')).toBe('QWK_STORAGE_OBJECT_db_1_prod_example');
    const q = seedParams((x) => {
      x.nodes[0].name = 'pg-a.corp';
      x.qwk.quorumLossAction = 'osu';
    });
    expect(qwkDefaultsLines(q)).toContain('QWK_STORAGE_OBJECT_pg_a_corp=/mnt/qwkmnt/pg_a_corp');
    expect(qwkDefaultsLines(q)).toContain('QUORUM_LOSS_ACTION=osu');
  });

  it('local ISO repository (6.2–6.4)', () => {
    const iso = seedParams((x) => {
      x.packages = { source: 'iso', isoLocation: 'https://a.blob.core.windows.net/c/rhel-9.2-x86_64-dvd.iso' };
    });
    expect(isoFstabLine(iso)).toBe('/home/lkadmin/rhel-9.2-x86_64-dvd.iso /media/cdrom iso9660 ro,loop 0 0');
    expect(dvdRepoFile(iso)).toBe(
      [
        '[rhel-dvd-BaseOS]',
        'name=Red Hat Enterprise Linux 9.2-x86_64-DVD',
        'baseurl=file:///media/cdrom/BaseOS/',
        'enabled=1',
        'gpgcheck=1',
        'gpgkey=file:///media/cdrom/RPM-GPG-KEY-redhat-release',
        '',
        '[rhel-dvd-AppStream]',
        'name=Red Hat Enterprise Linux 9.2-x86_64-DVD',
        'baseurl=file:///media/cdrom/AppStream/',
        'enabled=1',
        'gpgcheck=1',
        'gpgkey=file:///media/cdrom/RPM-GPG-KEY-redhat-release',
      ].join('\n'),
    );
    const s = buildPackageSource(iso).script;
    expect(s).toContain('lvextend -L +16384M /dev/mapper/rootvg-homelv');
    expect(s).toContain('xfs_growfs /home');
    expect(s).toContain(dvdRepoFile(iso));
    expect(s).toContain('rh-cloud-base.repo');
    expect(s).toContain(
      `qwk_fetch 'https://a.blob.core.windows.net/c/rhel-9.2-x86_64-dvd.iso' ${SECRET_PARAMETERS.isoSas} "$iso"`,
    );
    expect(buildPackageSource(p).script).not.toContain('lvextend');
  });
});

describe('OS steps', () => {
  it('SELinux: SELINUX=disabled, reboot when the file changed or when SELinux still runs (the live mode)', () => {
    const s = buildSelinux().script;
    expect(s).toContain('set_kv "$cfg" SELINUX disabled');
    expect(s).toContain('if [ "$QWK_CHANGED" = true ]; then\n  qwk_reboot_required\n');
    expect(s).toContain(
      'elif [ "$runtime" = Enforcing ] || [ "$runtime" = Permissive ]; then\n  qwk_reboot_required\n',
    );
    expect(s).toContain('runtime=$(getenforce 2>/dev/null || echo unknown)');
  });

  it("firewalld disabled as the guide does, or kept with LifeKeeper's ports", () => {
    expect(buildFirewall(p, 'node').script).toContain('qwk_run systemctl disable firewalld');
    const kept = seedParams((x) => {
      x.firewall.keepFirewalld = true;
    });
    const node = buildFirewall(kept, 'node').script;
    expect(node).toContain(
      "openings=('port=7365/tcp' 'port=778/tcp' 'port=10001-10010/tcp' 'port=5432/tcp' 'port=12345/tcp')",
    );
    expect(node).not.toContain('systemctl disable firewalld');
    expect(buildFirewall(kept, 'witness').script).toContain("openings=('service=nfs')");
  });

  it("NIC pinning with each NIC's own MAC", () => {
    const s = buildNicPinning(SEED_NICS['Clstr-nodeA']).script;
    expect(s).toContain("dev='eth0' mac='00:0d:3a:cc:fb:da'");
    expect(s).toContain("dev='eth1' mac='60:45:bd:64:e0:4c'");
    expect(s).toContain("f='/etc/sysconfig/network-scripts/ifcfg-eth1'");
    for (const kv of ['BOOTPROTO dhcp', 'ONBOOT yes', 'HWADDR "$mac"', 'DEVICE "$dev"'])
      expect(s).toContain(`set_kv "$f" ${kv}`);
    expect(normalizeMac('60-45-BD-64-E0-4C')).toBe('60:45:bd:64:e0:4c');
    expect(() => normalizeMac('60-45-BD')).toThrow(/invalid MAC/);
    expect(() => buildNicPinning([{ device: 'eth0; rm', macAddress: '00-0D-3A-CC-FB-DA' }])).toThrow();
  });

  it('sshd: PasswordAuthentication no, X11Forwarding yes, restart only if changed', () => {
    const s = buildSshd().script;
    expect(s).toContain("'PasswordAuthentication no'");
    expect(s).toContain("'X11Forwarding yes'");
    expect(s).toMatch(
      /if \[ "\$QWK_CHANGED" = true \]; then\n\s+qwk_run sshd -t[^\n]*\n\s+qwk_run systemctl restart sshd/,
    );
  });

  it('SSH keys: public key on the nodes, key pair on the witness, from secret parameters', () => {
    expect(buildSshKeys(p, 'node').secrets).toEqual([{ name: 'QWK_SSH_PUBLIC_KEY', required: true }]);
    const w = buildSshKeys(p, 'witness');
    expect(w.secrets.map((x) => x.name)).toEqual(['QWK_SSH_PUBLIC_KEY', 'QWK_SSH_PRIVATE_KEY']);
    expect(w.script).toContain("users=('root' 'lkadmin')");
    expect(w.script).toContain('ensure_file "$SSH_DIR/$id_name" 600 <<<"$key"');
  });
});

describe('LifeKeeper steps', () => {
  it('install from the installer location with the setup arguments and response file', () => {
    const s = buildLifeKeeperInstall(p);
    expect(s.script).toContain(
      `qwk_fetch 'https://qwkstore.blob.core.windows.net/media/sps.img' QWK_LK_INSTALLER_SAS "$img"`,
    );
    expect(s.script).toContain("setup_args=('-f' '/var/tmp/qwk-ops/lk-setup.conf' '-q' 'y')");
    expect(s.script).toContain('LKCONF_QWK="y"');
    expect(s.secrets).toEqual([{ name: 'QWK_LK_INSTALLER_SAS', required: false }]);
    expect(() =>
      buildLifeKeeperInstall(
        seedParams((x) => {
          x.lifeKeeper.responseFile = 'a\nQWK_EOF\nrm -rf /';
        }),
      ),
    ).toThrow(/QWK_EOF/);
  });

  it('license through lkkeyins from a 0600 temp file', () => {
    const s = buildLifeKeeperLicense();
    expect(s.script).toContain('printf \'%s\\n\' "$QWK_LK_LICENSE" >"$keyfile"');
    expect(s.script).toContain('qwk_run /opt/LifeKeeper/bin/lkkeyins "$keyfile"');
    expect(s.secrets).toEqual([{ name: 'QWK_LK_LICENSE', required: true }]);
  });

  it('start: NOBCASTPING=1, PATH, lkstart, bounded wait', () => {
    const s = buildLifeKeeperStart(p).script;
    expect(s).toContain('set_kv /etc/default/LifeKeeper NOBCASTPING 1');
    expect(s).toContain('/etc/profile.d/lifekeeper.sh');
    expect(s).toContain('qwk_run "$LKBIN/lkstart"');
    expect(s).toContain('timeout=300');
  });

  it('QWK init on one node, check of both objects', () => {
    const s = buildQwkInit(p, 'Clstr-nodeB').script;
    expect(s).toContain("obj='/mnt/qwkmnt/Clstr_nodeB'");
    expect(s).toContain('qwk_run "$LKBIN/qwk_storage_init"');
    expect(() => buildQwkInit(p, 'Witness-node')).toThrow(/unknown cluster node/);
    const w = buildQwkCheck(p, 'witness').script;
    expect(w).toContain("objects=('Clstr-nodeA=/root/qwkshare/Clstr_nodeA' 'Clstr-nodeB=/root/qwkshare/Clstr_nodeB')");
    expect(w).toContain('sleep 7');
    expect(buildQwkCheck(p, 'node').script).toContain("'Clstr-nodeA=/mnt/qwkmnt/Clstr_nodeA'");
  });
});

describe('PostgreSQL', () => {
  it("scram-sha-256 by default, the guide's trust only on request", () => {
    expect(pgHbaLines(p)).toEqual({
      all: 'host all all 10.5.0.0/16 scram-sha-256',
      replication: 'host replication all 10.5.0.0/16 scram-sha-256',
    });
    const s = buildPostgresPrimary(p);
    expect(s.secrets).toEqual([{ name: 'QWK_PG_PASSWORD', required: true }]);
    expect(s.script).toContain('--auth-host=scram-sha-256 --pwfile="$pwfile"');
    expect(s.script).toContain("'listen_addresses = '\\''*'\\'''");
    expect(s.script).toContain("'port = 5432'");
    expect(s.script).toContain("data='/data/pgsql/data'");
    const trust = buildPostgresPrimary(
      seedParams((x) => {
        x.postgres.authMethod = 'trust';
      }),
    );
    expect(trust.secrets).toEqual([]);
    expect(trust.script).toContain("'host all all 10.5.0.0/16 trust'");
    expect(trust.script).toContain("'host replication all 10.5.0.0/16 trust'");
    expect(trust.script).not.toContain('QWK_PG_PASSWORD');
  });
});

describe('LifeKeeper hierarchy', () => {
  it('tags as in the guide', () => {
    expect(lifeKeeperTags(p)).toEqual({
      pgsql: 'pgsql-5432',
      lbhc: 'lbhc-12345',
      ip: 'ip-10.5.1.100',
      datarep: 'datarep-data',
      fs: '/data',
    });
    expect(primaryAndStandby(p).primary.name).toBe('Clstr-nodeA');
    expect(() =>
      lifeKeeperTags(
        seedParams((x) => {
          x.dataKeeper.tag = 'bad tag$';
        }),
      ),
    ).toThrow(/invalid LifeKeeper tag/);
  });

  it('comm paths: service network priority 1, replication priority 2, from each node', () => {
    const a = buildCommPaths(p, 'Clstr-nodeA', { requireAlive: false }).script;
    expect(a).toContain(
      "'commpath' 'create' '--laddr' '10.5.1.11' '--raddr' '10.5.1.12' '--dest' 'Clstr-nodeB' '--priority' '1'",
    );
    expect(a).toContain(
      "'commpath' 'create' '--laddr' '10.5.2.11' '--raddr' '10.5.2.12' '--dest' 'Clstr-nodeB' '--priority' '2'",
    );
    expect(a).toContain('lk_commpath_state "$peer"');
    expect(a).not.toContain('all_alive');
    const b = buildCommPaths(p, 'Clstr-nodeB', { requireAlive: true }).script;
    expect(b).toContain("'--laddr' '10.5.1.12' '--raddr' '10.5.1.11' '--dest' 'Clstr-nodeA'");
    expect(b).toContain('qwk_wait_until 180 5 all_alive');
  });

  it('DataKeeper mirror: new file system on the data disk, synchronous, over the replication IPs', () => {
    const s = buildDataKeeperMirror(p).script;
    expect(s).toContain(
      "'resource' 'create' 'dk' '--tag' 'datarep-data' '--mode' 'synchronous' '--hierarchy' 'new' '--device' \"$device\" '--fstype' 'xfs' '--mount_point' '/data' '--fstag' '/data' '--bitmap' '/opt/LifeKeeper/bitmap__data'",
    );
    expect(s).toContain(
      "'--laddr' '10.5.2.11' '--raddr' '10.5.2.12' '--mode' 'synchronous' '--device' \"$target_device\"",
    );
    expect(s).toContain('if ! lk_has_resource "$tag"; then');
    expect(s).toContain('if ! lk_extended_to "$tag" "$standby"; then');
    expect(s).toContain('/dev/disk/azure/scsi1/lun$lun');
  });

  it("pgsql, lbhc and ip resources with the guide's parameters, each checked before create and extend", () => {
    const pg = buildPgsqlResource(p).script;
    expect(pg).toContain(
      "'--tag' 'pgsql-5432' '--exepath' '/usr/bin' '--clientexe' '/usr/bin/psql' '--adminexe' '/usr/bin/pg_ctl' '--datadir' '/data/pgsql/data' '--port' '5432' '--socket' '/var/run/postgresql/.s.PGSQL.5432' '--dbuser' 'postgres' '--logfile' '/tmp/pgsql-5432.lk.log'",
    );
    expect(pg).toContain("if ! lk_has_resource 'pgsql-5432'; then");
    expect(pg).toContain('if ! lk_extended_to \'pgsql-5432\' "$standby"; then');
    expect(pg).toContain("'--template_priority' '1' '--target_priority' '10'");
    const lb = buildLbhcResource(p).script;
    expect(lb).toContain("'resource' 'create' 'lbhc' '--tag' 'lbhc-12345' '--port' '12345'");
    const ip = buildIpResource(p).script;
    expect(ip).toContain(
      "'resource' 'create' 'ip' '--tag' 'ip-10.5.1.100' '--ipaddr' '10.5.1.100' '--netmask' '255.255.255.255' '--nic' 'eth0'",
    );
  });

  it('dependencies pgsql → ip and pgsql → lbhc on both nodes', () => {
    const s = buildDependencies(p).script;
    expect(s).toContain("'dependency' 'create' '--parent' 'pgsql-5432' '--child' 'ip-10.5.1.100'");
    expect(s).toContain("'dependency' 'create' '--parent' 'pgsql-5432' '--child' 'lbhc-12345'");
    expect(s).toContain("if ! lk_dep_exists 'pgsql-5432' 'lbhc-12345' \"$standby\"; then");
  });

  it('switchover brings the root in service on the target node', () => {
    const s = buildSwitchover(p, 'Clstr-nodeB').script;
    expect(s).toContain("me='Clstr-nodeB'");
    expect(s).toContain('qwk_run "$LKBIN/perform_action" -t "$root" -a restore');
    expect(s).toContain("tags=('pgsql-5432' 'ip-10.5.1.100' 'lbhc-12345' '/data' 'datarep-data')");
  });
});
