import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { removeTree } from './sandboxMode';
import { runInSandbox, type SandboxRunResult } from './sandboxExec';
import { sandboxPathsFor, stubsDir, type SandboxPaths } from './sandboxPaths';
import { HIDDEN_HOST_BINARIES, RHEL_DIRS, rhelTree } from './rhelTree';
import type { SimVm } from './runtime';

const execFileAsync = promisify(execFile);

/** A VM's sandbox: its root file system on the host and the way to run bash inside it. */
export class Sandbox {
  readonly paths: SandboxPaths;
  private readonly stubs = stubsDir();
  private internalSeq = 0;

  constructor(
    rootDir: string,
    readonly vm: SimVm,
  ) {
    this.paths = sandboxPathsFor(rootDir, vm);
  }

  exists(): boolean {
    return fs.existsSync(path.join(this.paths.fsDir, '.sim', 'created'));
  }

  /** Host path of an absolute path inside the sandbox (no mount resolution). */
  hostPath(p: string): string {
    return path.join(this.paths.fsDir, p);
  }

  /**
   * Lays out the RHEL 9.2 tree and runs the first-boot provisioning (idempotent: does nothing if created).
   * Asynchronous file system calls and child processes only: the event loop of the process that also serves ARM
   * and the Functions host is never blocked while VMs are being created.
   */
  async create(): Promise<void> {
    if (this.exists()) return;
    const { fsDir, workDir } = this.paths;
    await removeTree(this.paths.vmDir);
    await fsp.mkdir(workDir, { recursive: true });
    for (const [dir] of RHEL_DIRS) await fsp.mkdir(path.join(fsDir, dir), { recursive: true });
    for (const [link, target] of [
      ['bin', 'usr/bin'],
      ['sbin', 'usr/sbin'],
      ['lib', 'usr/lib'],
      ['lib64', 'usr/lib64'],
      ['var/run', '../run'],
      ['dev/fd', '/proc/self/fd'],
      ['dev/stdin', '/proc/self/fd/0'],
      ['dev/stdout', '/proc/self/fd/1'],
      ['dev/stderr', '/proc/self/fd/2'],
      ['etc/mtab', '../run/sim/mounts'],
    ] as const) {
      await fsp.symlink(target, path.join(fsDir, link));
    }
    for (const f of rhelTree(this.vm)) {
      const p = path.join(fsDir, f.path);
      await fsp.mkdir(path.dirname(p), { recursive: true });
      await fsp.writeFile(p, f.content, { mode: f.mode ?? 0o644 });
      if (f.mode !== undefined) await fsp.chmod(p, f.mode);
    }
    await this.copyHostRuntimeFiles();
    for (const d of this.vm.dataDisks) {
      const dev = `sd${String.fromCharCode('c'.charCodeAt(0) + d.lun)}`;
      await fsp.writeFile(path.join(fsDir, 'dev', dev), `SIM-DISK ${d.diskSizeGB}G\n`);
      await fsp.mkdir(path.join(fsDir, 'dev/disk/azure/scsi1'), { recursive: true });
      await fsp.symlink(`../../../${dev}`, path.join(fsDir, `dev/disk/azure/scsi1/lun${d.lun}`));
    }
    for (const lv of ['rootlv', 'usrlv', 'optlv', 'homelv', 'varlv', 'tmplv'])
      await fsp.writeFile(path.join(fsDir, 'dev/mapper', `rootvg-${lv}`), '');
    await this.hideHostBinaries();
    // Directories of /usr that stubs and packages write into exist in the overlay's upper layer, so inside they
    // belong to the sandbox's root (in a user namespace the host's own /usr dirs belong to an unmapped owner).
    for (const dir of USR_WRITABLE_DIRS) await fsp.mkdir(path.join(fsDir, 'usr', dir), { recursive: true });
    // Modes last: a 0550 /root would keep a non-root owner from writing into it (root ignores modes).
    for (const [dir, mode] of RHEL_DIRS) if (mode !== undefined) await fsp.chmod(path.join(fsDir, dir), mode);
    await fsp.writeFile(path.join(fsDir, '.sim', 'vm-name'), this.vm.name);
    // The admin's home belongs to the admin (uid 1000), set from inside: in a user namespace only ids mapped there
    // can be given (without subordinate ids only root exists inside, and the home stays root's).
    const home = `/home/${this.vm.adminUsername}`;
    await this.runInternalBash(`chown 1000:1000 ${shellQuote(home)} 2>/dev/null || true`);
    const r = await this.runInternal('/.sim/stubs/sim-firstboot');
    if (r.exitCode !== 0) throw new Error(`sandbox first boot failed for ${this.vm.name}: ${r.stderr.toString()}`);
    await fsp.writeFile(path.join(fsDir, '.sim', 'created'), new Date().toISOString());
  }

  /** Volatile state reset, enabled units started, fstab mounted (see stubs/sim-boot). */
  async boot(): Promise<void> {
    const r = await this.runInternal('/.sim/stubs/sim-boot');
    if (r.exitCode !== 0) throw new Error(`sandbox boot failed for ${this.vm.name}: ${r.stderr.toString()}`);
  }

  /** Runs a script (already written inside the sandbox) as root. */
  run(scriptPath: string, cwd: string, timeoutMs: number, keepBytes: number): Promise<SandboxRunResult> {
    return runInSandbox(this.paths, this.stubs, {
      hostname: this.vm.computerName,
      scriptPath,
      cwd,
      timeoutMs,
      keepBytes,
    });
  }

  /** Runs simulator-internal bash (boot, shutdown, LifeKeeper model actions) inside the sandbox. */
  async exec(bash: string, timeoutMs = INTERNAL_RUN_LIMIT_MS): Promise<SandboxRunResult> {
    const name = `/.sim/internal-${process.pid}-${++this.internalSeq}.sh`;
    await fsp.writeFile(this.hostPath(name), bash);
    try {
      return await this.run(name, '/', timeoutMs, 64 * 1024);
    } finally {
      await fsp.rm(this.hostPath(name), { force: true });
    }
  }

  remove(): Promise<void> {
    return removeTree(this.paths.vmDir);
  }

  private runInternal(script: string): Promise<SandboxRunResult> {
    return this.run(script, '/', INTERNAL_RUN_LIMIT_MS, 64 * 1024);
  }

  private async runInternalBash(bash: string): Promise<void> {
    const r = await this.exec(bash);
    if (r.exitCode !== 0) throw new Error(`sandbox setup failed for ${this.vm.name}: ${r.stderr.toString()}`);
  }

  /** Debian's /etc/alternatives (awk, …) and the loader cache, so host binaries under /usr work in the chroot. */
  private async copyHostRuntimeFiles(): Promise<void> {
    const alt = path.join(this.paths.fsDir, 'etc/alternatives');
    await fsp.mkdir(alt, { recursive: true });
    for (const name of await safeReaddir('/etc/alternatives')) {
      const src = path.join('/etc/alternatives', name);
      const st = await fsp.lstat(src);
      if (st.isSymbolicLink()) await fsp.symlink(await fsp.readlink(src), path.join(alt, name));
    }
    for (const f of ['/etc/ld.so.cache']) {
      if (await lexists(f)) await fsp.copyFile(f, path.join(this.paths.fsDir, f));
    }
  }

  /**
   * overlayfs whiteouts (char device 0/0 in the upper layer) hide host binaries RHEL would not have, and
   * everything in the host's /usr/local (an image's /usr/local is empty). One `mknod` child for all of them
   * (unprivileged users may create whiteouts since Linux 5.8).
   */
  private async hideHostBinaries(): Promise<void> {
    const hidden: string[] = [];
    for (const rel of HIDDEN_HOST_BINARIES) if (await lexists(path.join('/usr', rel))) hidden.push(rel);
    for (const dir of await safeReaddir('/usr/local')) {
      const sub = path.join('/usr/local', dir);
      if ((await fsp.lstat(sub)).isDirectory())
        hidden.push(...(await safeReaddir(sub)).map((e) => `local/${dir}/${e}`));
      else hidden.push(`local/${dir}`);
    }
    const todo: string[] = [];
    for (const rel of hidden) {
      const p = path.join(this.paths.fsDir, 'usr', rel);
      await fsp.mkdir(path.dirname(p), { recursive: true });
      if (!(await lexists(p))) todo.push(p);
    }
    if (todo.length)
      await execFileAsync('bash', ['-c', 'for p; do mknod "$p" c 0 0; done', 'mknod-whiteouts', ...todo]);
  }
}

/** /usr directories the stubs and simulated packages write into (see stubs/lib.sh, stubs/packages.sh). */
const USR_WRITABLE_DIRS = ['bin', 'sbin', 'lib/systemd/system', 'lib64', 'libexec', 'share', 'local/bin', 'local/sbin'];

/** Limit of the simulator's own runs (first boot, boot, shutdown, model actions): generous, never scaled. */
const INTERNAL_RUN_LIMIT_MS = 10 * 60_000;

async function lexists(p: string): Promise<boolean> {
  try {
    await fsp.lstat(p);
    return true;
  } catch {
    return false;
  }
}

async function safeReaddir(dir: string): Promise<string[]> {
  try {
    return await fsp.readdir(dir);
  } catch {
    return [];
  }
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
