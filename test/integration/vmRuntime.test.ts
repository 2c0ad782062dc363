import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createVmRuntime,
  diffTrees,
  parseQwkObject,
  removeTree,
  treeSnapshot,
  RUN_COMMAND_LIMIT_FLOOR_MS,
  RUN_COMMAND_TIMEOUT_MS,
  runCommandLimitMs,
  VmBusyError,
  VmNotRunningError,
  type SimVm,
  type SimVmRuntime,
} from '../../local/azure-sim/vm';
import { nodeA, nodeB, seedVm, witness } from './vmClusterFixture';
import * as S from './vmScripts';

const sha = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(rt: SimVmRuntime, vm: SimVm, script: string, parameters?: { name: string; value: string }[]) {
  return rt.runCommand(vm.id, { commandId: 'RunShellScript', script: [script], parameters });
}

async function runOk(rt: SimVmRuntime, vm: SimVm, script: string, parameters?: { name: string; value: string }[]) {
  const r = await run(rt, vm, script, parameters);
  if (r.exitCode !== 0) throw new Error(`${vm.name} exit ${r.exitCode}: ${r.message}`);
  return r;
}

/** Polls a condition; the deadline is generous (a loaded machine), the conditions' own timing is asserted apart. */
async function waitFor(cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('VM runtime: sandboxes and Run Command', () => {
  const TIME_SCALE = 0.001;
  let root: string;
  let rt: SimVmRuntime;
  const vm = seedVm('Solo-vm', ['10.9.1.4'], 0x40, 'rg-solo');

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vmrt-'));
    rt = createVmRuntime({ rootDir: root, timeScale: TIME_SCALE, clusterTimeScale: TIME_SCALE });
    await rt.vmCreated(vm);
  });
  afterAll(async () => {
    await rt.close();
    await removeTree(root);
  });

  it('seeds a RHEL 9.2 tree with the NICs real MACs', () => {
    const fsRoot = rt.sandboxPath(vm.id);
    expect(fs.readFileSync(path.join(fsRoot, 'etc/redhat-release'), 'utf8')).toContain('9.2');
    expect(fs.readFileSync(path.join(fsRoot, 'etc/selinux/config'), 'utf8')).toMatch(/^SELINUX=enforcing$/m);
    expect(fs.readFileSync(path.join(fsRoot, 'sys/class/net/eth0/address'), 'utf8').trim()).toBe('00:0d:3a:40:00:00');
    expect(fs.existsSync(path.join(fsRoot, 'home/lkadmin'))).toBe(true);
    expect(rt.powerState(vm.id)).toBe('running');
  });

  it('runs a real script twice; the second run changes nothing', async () => {
    const fsRoot = rt.sandboxPath(vm.id);
    const before = treeSnapshot(fsRoot);
    const first = await runOk(rt, vm, S.osBaselineScript);
    expect(first.message).toContain('RESULT os ok selinux_changed=1');
    const afterFirst = treeSnapshot(fsRoot);
    expect(diffTrees(before, afterFirst)).toEqual(
      expect.arrayContaining([
        'changed /etc/hosts',
        'changed /etc/selinux/config',
        'added /etc/sysconfig/network-scripts/ifcfg-eth0'.replace('added', 'changed'),
      ]),
    );
    const second = await runOk(rt, vm, S.osBaselineScript);
    expect(second.message).toContain('RESULT os ok selinux_changed=0');
    expect(diffTrees(afterFirst, treeSnapshot(fsRoot))).toEqual([]);
    expect(fs.readFileSync(path.join(fsRoot, 'etc/sysconfig/network-scripts/ifcfg-eth0'), 'utf8')).toContain(
      'HWADDR=00:0d:3a:40:00:00',
    );
    expect(rt.journal(vm.id).some((j) => j.cmd === 'systemctl' && j.argv.join(' ') === 'disable --now firewalld')).toBe(
      true,
    );
  });

  it('answers like Azure: Enable succeeded, only the last 4,096 bytes of stdout and stderr, no exit code', async () => {
    const script = `for i in $(seq 1 2000); do printf 'out%05d\\n' $i; done
for i in $(seq 1 1500); do printf 'err%05d\\n' $i >&2; done
exit 3`;
    const r = await run(rt, vm, script);
    expect(r.exitCode).toBe(3);
    const m = /^Enable succeeded: \n\[stdout\]\n([\s\S]*)\n\[stderr\]\n([\s\S]*)\n$/.exec(r.message);
    expect(m).not.toBeNull();
    const [, out, err] = m!;
    expect(Buffer.byteLength(out)).toBe(4096);
    expect(Buffer.byteLength(err)).toBe(4096);
    expect(out.endsWith('out02000\n')).toBe(true);
    expect(err.endsWith('err01500\n')).toBe(true);
    expect(out).not.toContain('out00001');
    expect(r.message).not.toMatch(/exit|code 3/i);
  });

  it('takes at least 20 s × timeScale and refuses a second run while one is in progress', async () => {
    const slow = run(rt, vm, 'sleep 0.4; echo slow-done');
    await sleep(50);
    await expect(run(rt, vm, 'echo second')).rejects.toBeInstanceOf(VmBusyError);
    const r = await slow;
    expect(r.message).toContain('slow-done');
    expect(r.durationMs).toBeGreaterThanOrEqual(400);
    const quick = await run(rt, vm, 'true');
    expect(quick.durationMs).toBeGreaterThanOrEqual(20_000 * TIME_SCALE);
  });

  it('never touches the real machine: /etc/hosts, host name and network stay as they were', async () => {
    const hostHosts = sha('/etc/hosts');
    const hostName = os.hostname();
    const r = await runOk(
      rt,
      vm,
      'echo "10.9.9.9 evil" >> /etc/hosts; hostname hacked; ip link set eth0 down; cat /etc/hosts; rm -f /usr/bin/ls || true; touch /usr/bin/planted',
    );
    expect(r.message).toContain('10.9.9.9 evil');
    expect(sha('/etc/hosts')).toBe(hostHosts);
    expect(os.hostname()).toBe(hostName);
    expect(fs.existsSync('/usr/bin/planted')).toBe(false);
    expect(fs.existsSync('/usr/bin/ls')).toBe(true);
    expect(fs.readFileSync(path.join(rt.sandboxPath(vm.id), 'etc/hosts'), 'utf8')).toContain('10.9.9.9 evil');
    await runOk(rt, vm, 'ip link set eth0 up; hostname Solo-vm');
  });

  it('does not run on a VM that is not running; runs again after start', async () => {
    await rt.powerAction(vm.id, 'powerOff');
    expect(rt.powerState(vm.id)).toBe('stopped');
    await expect(run(rt, vm, 'true')).rejects.toBeInstanceOf(VmNotRunningError);
    await rt.powerAction(vm.id, 'deallocate');
    expect(rt.powerState(vm.id)).toBe('deallocated');
    await rt.powerAction(vm.id, 'start');
    expect(rt.powerState(vm.id)).toBe('running');
    expect((await run(rt, vm, 'echo back')).message).toContain('back');
  });

  it("serves packages from the guide's local ISO repo: /home grown, DVD loop-mounted from fstab, RHUI disabled", async () => {
    const r1 = await runOk(rt, vm, S.localIsoRepoScript);
    expect(r1.message).toContain('rootvg/homelv changed from 1.00 GiB');
    expect(r1.message).toMatch(/rhel-dvd-AppStream[\s\S]*RESULT repo ok/);
    expect(r1.message).not.toContain('rhui-rhel-9');
    const snap = treeSnapshot(rt.sandboxPath(vm.id));
    const r2 = await runOk(rt, vm, S.localIsoRepoScript);
    expect(r2.message).not.toContain('changed from');
    expect(diffTrees(snap, treeSnapshot(rt.sandboxPath(vm.id)))).toEqual([]);
    const broken = await run(rt, vm, 'umount /media/cdrom; dnf install -y tar');
    expect(broken.exitCode).toBe(1);
    expect(broken.message).toContain("Failed to download metadata for repo 'rhel-dvd-");
    await runOk(rt, vm, 'mount /media/cdrom');
  });

  it('stubs follow the real tools: sshd -T (first value wins, drop-ins first), runuser -u, curl --config, initdb --pwfile', async () => {
    const sshd = await runOk(
      rt,
      vm,
      'rm -f /etc/ssh/sshd_config.d/00-qwk.conf; sshd -t && sshd -T | grep -E "^(passwordauthentication|x11forwarding) "',
    );
    expect(sshd.message).toContain('passwordauthentication yes\nx11forwarding yes');
    await runOk(rt, vm, 'echo "PasswordAuthentication no" > /etc/ssh/sshd_config.d/00-qwk.conf');
    expect((await runOk(rt, vm, 'sshd -T | grep ^passwordauthentication')).message).toContain(
      'passwordauthentication no',
    );
    const cfg = await runOk(
      rt,
      vm,
      `printf 'url = "https://acct.blob.core.windows.net/media/sps.img"\\n' > /root/c.cfg; curl -fsSL --config /root/c.cfg -o /root/sps.img; head -c 20 /root/sps.img`,
    );
    expect(cfg.message).toContain('SIM-IMAGE:lifekeeper');
    const pg = await run(
      rt,
      vm,
      [
        'rpm -q postgresql-server >/dev/null || dnf install -y -q postgresql-server',
        'install -d -o postgres -g postgres /srv/pg && rm -rf /srv/pg/data',
        'printf "S3cret\\n" > /srv/pg/pw && chown postgres /srv/pg/pw',
        'runuser -u postgres -- initdb -D /srv/pg/data --auth-local=peer --auth-host=scram-sha-256 --pwfile=/srv/pg/pw >/dev/null',
        'runuser -u postgres -- pg_ctl start -D /srv/pg/data -w >/dev/null',
        'runuser -u postgres -- psql -d postgres -Atc "SELECT 1"',
        'psql -h 127.0.0.1 -U postgres -d postgres -Atc "SELECT 1" 2>&1 || true',
        'PGPASSWORD=S3cret psql -h 127.0.0.1 -U postgres -d postgres -Atc "SELECT 2"',
        'psql -U postgres -d postgres -c "SELECT 1" 2>&1 || true',
        'initdb -D /srv/pg/other 2>&1 || true',
        'runuser -u postgres -- pg_ctl stop -D /srv/pg/data >/dev/null',
      ].join('\n'),
    );
    expect(pg.exitCode).toBe(0);
    expect(pg.message).toMatch(
      /\[stdout\]\n1\n.*fe_sendauth: no password supplied\n2\n.*Peer authentication failed for user "postgres"\n.*cannot be run as root/s,
    );
  });

  it('a script asking for a reboot gets it after returning: the SELinux mode follows the config at boot only', async () => {
    const noReboot = await runOk(rt, vm, "sed -i 's/^SELINUX=.*/SELINUX=permissive/' /etc/selinux/config; getenforce");
    expect(noReboot.message).toContain('[stdout]\nDisabled\n');
    const r = await runOk(rt, vm, 'reboot; echo still-ran');
    expect(r.message).toContain('still-ran');
    expect(rt.powerState(vm.id)).toBe('running');
    expect((await runOk(rt, vm, 'getenforce')).message).toContain('[stdout]\nPermissive\n');
  });
});

describe('VM runtime: NFS witness share, LifeKeeper/QWK model, ILB probe', () => {
  const TIME_SCALE = 0.005;
  let root: string;
  let rt: SimVmRuntime;
  const w = witness();
  const a = nodeA();
  const b = nodeB();
  const pg = [{ name: 'PGPW', value: 'Sim-Pw-123' }];

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vmrt-cluster-'));
    rt = createVmRuntime({ rootDir: root, timeScale: TIME_SCALE, clusterTimeScale: TIME_SCALE });
    await Promise.all([rt.vmCreated(w), rt.vmCreated(a), rt.vmCreated(b)]);
  });
  afterAll(async () => {
    await rt.close();
    await removeTree(root);
  });

  it('refuses the NFS mount before the witness exports; shows the share after mount', async () => {
    const early = await run(rt, a, S.nodeMountScript);
    expect(early.exitCode).not.toBe(0);
    expect(early.message).toContain('mount.nfs: Connection refused');
    await runOk(rt, w, S.witnessShareScript);
    const second = await runOk(rt, w, S.witnessShareScript);
    expect(second.message).toContain(
      'Clstr-nodeA(sync,no_wdelay,hide,no_subtree_check,sec=sys,rw,secure,no_root_squash,no_all_squash)',
    );
    await Promise.all([runOk(rt, a, S.nodeMountScript), runOk(rt, b, S.nodeMountScript)]);
    await runOk(rt, a, 'echo from-nodeA > /mnt/qwkmnt/probe-file');
    expect(fs.readFileSync(path.join(rt.sandboxPath(w.id), 'root/qwkshare/probe-file'), 'utf8')).toBe('from-nodeA\n');
    expect((await runOk(rt, b, 'cat /mnt/qwkmnt/probe-file; findmnt -n -o SOURCE /mnt/qwkmnt')).message).toContain(
      'from-nodeA\nWitness-node:/root/qwkshare',
    );
    expect(fs.existsSync(path.join(rt.sandboxPath(a.id), 'mnt/qwkmnt/probe-file'))).toBe(false);
    await runOk(rt, a, 'rm /mnt/qwkmnt/probe-file');
  });

  it('keeps both QWK objects updating with rising sequences and answers the probe on the lbhc node', async () => {
    await runOk(rt, a, S.lifekeeperScript('Clstr-nodeA'));
    await runOk(rt, b, S.lifekeeperScript('Clstr-nodeB'));
    await runOk(rt, a, S.commpathScript);
    await runOk(rt, a, S.lbhcScript);
    const treeA = treeSnapshot(rt.sandboxPath(a.id));
    for (const script of [S.lifekeeperScript('Clstr-nodeA'), S.commpathScript, S.lbhcScript])
      await runOk(rt, a, script);
    expect(diffTrees(treeA, treeSnapshot(rt.sandboxPath(a.id)))).toEqual([]);
    const share = path.join(rt.sandboxPath(w.id), 'root/qwkshare');
    const read = (n: string) => parseQwkObject(fs.readFileSync(path.join(share, n), 'utf8'));
    await waitFor(() => (read('Clstr_nodeA')?.sequence ?? 0) > 3 && (read('Clstr_nodeB')?.sequence ?? 0) > 3);
    const first = { a: read('Clstr_nodeA')!, b: read('Clstr_nodeB')! };
    await waitFor(
      () => read('Clstr_nodeA')!.sequence > first.a.sequence && read('Clstr_nodeB')!.sequence > first.b.sequence,
    );
    const later = { a: read('Clstr_nodeA')!, b: read('Clstr_nodeB')! };
    expect(later.a).toMatchObject({
      localNode: 'Clstr-nodeA',
      checksumValid: true,
      peers: [{ node: 'Clstr-nodeB', commstat: 'UP' }],
    });
    expect(later.b).toMatchObject({
      localNode: 'Clstr-nodeB',
      checksumValid: true,
      peers: [{ node: 'Clstr-nodeA', commstat: 'UP' }],
    });
    const text = fs.readFileSync(path.join(share, 'Clstr_nodeA'), 'utf8');
    expect(text).toMatch(
      /^signature=lifeguard_qwk_object\nlocal_node=Clstr-nodeA\ntime=\d{14}\nsequence=\d+\nnode=Clstr-nodeB\ncommstat=UP\nchecksum=\d+\n$/,
    );
    const now = new Date();
    expect(rt.probeAnswered('10.5.1.11', 12345, now)).toBe(true);
    expect(rt.probeAnswered('10.5.1.12', 12345, now)).toBe(false);
    expect(rt.probeAnswered('10.5.1.11', 12345, new Date(now.getTime() - 3_600_000))).toBe(false);
  });

  it('LifeKeeper remote execution and status of the peer (lcdremexec, lcdstatus -e -d)', async () => {
    const r = await runOk(
      rt,
      a,
      'PATH=$PATH:/opt/LifeKeeper/bin; lcdremexec -d Clstr-nodeB -- readlink -f /dev/disk/azure/scsi1/lun0; lcdremexec -d Clstr-nodeB -- hostname; lcdstatus -e -d Clstr-nodeB',
    );
    expect(r.message).toMatch(/\[stdout\]\n\/dev\/sdc\nClstr-nodeB\nBACKUP +TAG +ID +STATE +PRIO +PRIMARY\n/);
    expect(r.message).toMatch(/Clstr-nodeA +lbhc-12345 +lbhc-12345 +OSU +10 +Clstr-nodeA/);
  });

  it('runs PostgreSQL under LifeKeeper; a switchover moves the frontend IP and the probe to the standby', async () => {
    await runOk(rt, b, 'rpm -q postgresql-server >/dev/null || dnf install -y postgresql-server');
    await runOk(rt, a, S.postgresPrimaryScript, pg);
    const again = await runOk(rt, a, S.postgresPrimaryScript, pg);
    expect(again.message).toContain('RESULT postgres ok');
    expect((await runOk(rt, w, S.clientCheckScript('10.5.1.100'), pg)).message).toMatch(/\n1\n\n\[stderr\]/);
    const wrongPw = await run(rt, w, S.clientCheckScript('10.5.1.11'), [{ name: 'PGPW', value: 'nope' }]);
    expect(wrongPw.message).toContain('password authentication failed for user "postgres"');
    const beforeSwitch = new Date();
    await runOk(rt, b, 'PATH=$PATH:/opt/LifeKeeper/bin; perform_action -t pgsql-5432 -a restore');
    const now = new Date();
    expect(rt.probeAnswered('10.5.1.12', 12345, now)).toBe(true);
    expect(rt.probeAnswered('10.5.1.11', 12345, now)).toBe(false);
    expect(rt.probeAnswered('10.5.1.11', 12345, beforeSwitch)).toBe(true);
    expect((await runOk(rt, w, S.clientCheckScript('10.5.1.100'), pg)).message).toMatch(/\n1\n\n\[stderr\]/);
    await runOk(rt, a, 'PATH=$PATH:/opt/LifeKeeper/bin; perform_action -t pgsql-5432 -a restore');
    expect(rt.probeAnswered('10.5.1.11', 12345, new Date())).toBe(true);
  });

  it('restart of the active node: LifeKeeper comes back, resources restored, QWK writer resumes', async () => {
    const objA = path.join(rt.sandboxPath(w.id), 'root/qwkshare/Clstr_nodeA');
    const seqBefore = parseQwkObject(fs.readFileSync(objA, 'utf8'))!.sequence;
    const t0 = new Date();
    await rt.powerAction(a.id, 'restart');
    expect(rt.powerState(a.id)).toBe('running');
    const snap = rt.clusterModel(a.id).nodes.find((n) => n.vmName === 'Clstr-nodeA')!;
    expect(snap.lkRunning).toBe(true);
    expect(snap.resources.find((r) => r.tag === 'pgsql-5432')?.state).toBe('ISP');
    await waitFor(() => parseQwkObject(fs.readFileSync(objA, 'utf8'))!.sequence > seqBefore + 2);
    expect(rt.probeAnswered('10.5.1.11', 12345, new Date())).toBe(true);
    const changes = rt.probeChanges('10.5.1.11', 12345).filter((c) => c.at >= t0);
    expect(changes.map((c) => c.up)).toEqual([false, true]);
    expect(
      (await runOk(rt, a, "mountpoint -q /mnt/qwkmnt && su - postgres -c 'pg_ctl status -D /data/pgsql/data'")).message,
    ).toContain('server is running');
  });

  it('witness down: QWK objects stop updating (the nodes lose their storage)', async () => {
    const share = path.join(rt.sandboxPath(w.id), 'root/qwkshare');
    const seq = (n: string) => parseQwkObject(fs.readFileSync(path.join(share, n), 'utf8'))!.sequence;
    await rt.witnessDown(w.id);
    await sleep(6000 * TIME_SCALE * 2);
    const stopped = seq('Clstr_nodeA');
    await sleep(6000 * TIME_SCALE * 4);
    expect(seq('Clstr_nodeA')).toBe(stopped);
    expect(rt.clusterModel(a.id).qwkWriters.find((x) => x.node === 'Clstr-nodeA')?.lastError).toContain(
      'not reachable',
    );
    await runOk(rt, w, 'systemctl start nfs-server');
    rt.refresh();
    await waitFor(() => seq('Clstr_nodeA') > stopped);
  });

  it('crash of the active node: the standby takes over once the witness check passes', async () => {
    expect(rt.probeAnswered('10.5.1.12', 12345, new Date())).toBe(false);
    const crashAt = Date.now();
    await rt.crashNode(a.id);
    expect(rt.powerState(a.id)).toBe('stopped');
    await waitFor(() => rt.probeAnswered('10.5.1.12', 12345, new Date()));
    // witness check: NUMHBEATS (4) × HBEATTIME (6 s) × timeScale without updates from nodeA
    expect(Date.now() - crashAt).toBeGreaterThanOrEqual(4 * 6000 * TIME_SCALE);
    const nodeBView = rt.clusterModel(b.id).nodes.find((n) => n.vmName === 'Clstr-nodeB')!;
    expect(nodeBView.resources.every((r) => r.state === 'ISP')).toBe(true);
    const objB = () =>
      parseQwkObject(fs.readFileSync(path.join(rt.sandboxPath(w.id), 'root/qwkshare/Clstr_nodeB'), 'utf8'))!;
    await waitFor(() => objB().peers[0]?.commstat === 'DOWN');
    expect(objB().peers).toEqual([{ node: 'Clstr-nodeA', commstat: 'DOWN' }]);
    await rt.powerAction(a.id, 'start');
    const nodeAView = rt.clusterModel(a.id).nodes.find((n) => n.vmName === 'Clstr-nodeA')!;
    expect(nodeAView.lkRunning).toBe(true);
    expect(nodeAView.resources.every((r) => r.state === 'OSU')).toBe(true);
    expect(rt.probeAnswered('10.5.1.12', 12345, new Date())).toBe(true);
  });
  it("guide §9.3: the active node's networks go down; it loses quorum and the standby takes over", async () => {
    // after the crash test the hierarchy is on nodeB and nodeA is back as standby
    expect(rt.probeAnswered('10.5.1.12', 12345, new Date())).toBe(true);
    await waitFor(() =>
      rt
        .clusterModel(a.id)
        .qwkWriters.some((x) => x.node === 'Clstr-nodeA' && x.lastError === undefined && x.lastSequence !== undefined),
    );
    await runOk(rt, b, 'ifconfig eth1 down; ifconfig eth0 down');
    await waitFor(() => rt.probeAnswered('10.5.1.11', 12345, new Date()));
    expect(rt.probeAnswered('10.5.1.12', 12345, new Date())).toBe(false);
    const view = rt.clusterModel(a.id);
    expect(view.nodes.find((n) => n.vmName === 'Clstr-nodeB')).toMatchObject({
      lkRunning: false,
      downInterfaces: ['eth0', 'eth1'],
    });
    expect(view.nodes.find((n) => n.vmName === 'Clstr-nodeA')!.resources.every((r) => r.state === 'ISP')).toBe(true);
    const objA = () =>
      parseQwkObject(fs.readFileSync(path.join(rt.sandboxPath(w.id), 'root/qwkshare/Clstr_nodeA'), 'utf8'))!;
    await waitFor(() => objA().peers[0]?.commstat === 'DOWN');
    expect((await runOk(rt, w, S.clientCheckScript('10.5.1.100'), pg)).message).toMatch(/\n1\n\n\[stderr\]/);
  });
  it('guide §9.4: with the witness down, losing the comm paths stops the resources on every node', async () => {
    await rt.powerAction(b.id, 'restart');
    expect(rt.clusterModel(b.id).nodes.find((n) => n.vmName === 'Clstr-nodeB')).toMatchObject({
      lkRunning: true,
      downInterfaces: [],
    });
    expect(rt.probeAnswered('10.5.1.11', 12345, new Date())).toBe(true);
    await rt.witnessDown(w.id);
    await sleep(6000 * TIME_SCALE * 2);
    expect(rt.probeAnswered('10.5.1.11', 12345, new Date())).toBe(true);
    await runOk(rt, a, 'ip link set eth1 down; ip link set eth0 down');
    await waitFor(() => !rt.probeAnswered('10.5.1.11', 12345, new Date()));
    const nodesDown = () =>
      rt
        .clusterModel(a.id)
        .nodes.filter((n) => n.vmName !== 'Witness-node')
        .every((n) => !n.lkRunning);
    await waitFor(nodesDown);
    const view = rt.clusterModel(a.id);
    for (const name of ['Clstr-nodeA', 'Clstr-nodeB']) {
      expect(view.nodes.find((n) => n.vmName === name)!.resources.some((r) => r.state === 'ISP')).toBe(false);
    }
    expect(view.probeAnswering).toEqual([]);
  });
});

describe('VM runtime: Run Command timeout and deletion', () => {
  it('floors the scaled 90-minute limit; kills a script at the limit and forgets a deleted VM', async () => {
    // At small time scales 90 min × timeScale would cut real work: the limit never goes below its floor.
    expect(runCommandLimitMs(0.005)).toBe(RUN_COMMAND_LIMIT_FLOOR_MS);
    expect(runCommandLimitMs(1)).toBe(RUN_COMMAND_TIMEOUT_MS);
    expect(RUN_COMMAND_LIMIT_FLOOR_MS).toBeGreaterThanOrEqual(10 * 60_000);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vmrt-timeout-'));
    // The limit itself under test: set explicitly, well below the script's 5 s.
    const rt = createVmRuntime({ rootDir: root, timeScale: 0.00005, runCommandLimitMs: 300 });
    const vm = seedVm('Slow-vm', ['10.9.2.4'], 0x50, 'rg-slow');
    try {
      await rt.vmCreated(vm);
      const r = await run(rt, vm, 'echo started; sleep 5; echo never');
      expect(r.exitCode).toBe(124);
      expect(r.message).toContain('started');
      expect(r.message).not.toContain('never');
      expect(r.durationMs).toBeLessThan(5000);
      const dir = rt.sandboxPath(vm.id);
      await rt.vmDeleted(vm.id);
      expect(fs.existsSync(dir)).toBe(false);
      expect(rt.powerState(vm.id)).toBe('unknown');
    } finally {
      await rt.close();
      await removeTree(root);
    }
  });
});
