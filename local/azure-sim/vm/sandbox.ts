import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runInSandbox, type SandboxRunResult } from './sandboxExec';
import { sandboxPathsFor, stubsDir, type SandboxPaths } from './sandboxPaths';
import { HIDDEN_HOST_BINARIES, RHEL_DIRS, rhelTree } from './rhelTree';
import type { SimVm } from './runtime';

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

  /** Lays out the RHEL 9.2 tree and runs the first-boot provisioning (idempotent: does nothing if created). */
  async create(): Promise<void> {
    if (this.exists()) return;
    const { fsDir, workDir } = this.paths;
    fs.rmSync(this.paths.vmDir, { recursive: true, force: true });
    fs.mkdirSync(workDir, { recursive: true });
    for (const [dir, mode] of RHEL_DIRS) {
      fs.mkdirSync(path.join(fsDir, dir), { recursive: true });
      if (mode !== undefined) fs.chmodSync(path.join(fsDir, dir), mode);
    }
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
      fs.symlinkSync(target, path.join(fsDir, link));
    }
    for (const f of rhelTree(this.vm)) {
      const p = path.join(fsDir, f.path);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, f.content, { mode: f.mode ?? 0o644 });
      if (f.mode !== undefined) fs.chmodSync(p, f.mode);
    }
    fs.chownSync(path.join(fsDir, 'home', this.vm.adminUsername), 1000, 1000);
    this.copyHostRuntimeFiles();
    this.vm.dataDisks.forEach((d) => {
      const dev = `sd${String.fromCharCode('c'.charCodeAt(0) + d.lun)}`;
      fs.writeFileSync(path.join(fsDir, 'dev', dev), `SIM-DISK ${d.diskSizeGB}G\n`);
      fs.mkdirSync(path.join(fsDir, 'dev/disk/azure/scsi1'), { recursive: true });
      fs.symlinkSync(`../../../${dev}`, path.join(fsDir, `dev/disk/azure/scsi1/lun${d.lun}`));
    });
    for (const lv of ['rootlv', 'usrlv', 'optlv', 'homelv', 'varlv', 'tmplv'])
      fs.writeFileSync(path.join(fsDir, 'dev/mapper', `rootvg-${lv}`), '');
    this.hideHostBinaries();
    fs.writeFileSync(path.join(fsDir, '.sim', 'vm-name'), this.vm.name);
    const r = await this.runInternal('/.sim/stubs/sim-firstboot');
    if (r.exitCode !== 0) throw new Error(`sandbox first boot failed for ${this.vm.name}: ${r.stderr.toString()}`);
    fs.writeFileSync(path.join(fsDir, '.sim', 'created'), new Date().toISOString());
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
  async exec(bash: string, timeoutMs = 60_000): Promise<SandboxRunResult> {
    const name = `/.sim/internal-${process.pid}-${++this.internalSeq}.sh`;
    fs.writeFileSync(this.hostPath(name), bash);
    try {
      return await this.run(name, '/', timeoutMs, 64 * 1024);
    } finally {
      fs.rmSync(this.hostPath(name), { force: true });
    }
  }

  remove(): void {
    fs.rmSync(this.paths.vmDir, { recursive: true, force: true });
  }

  private runInternal(script: string): Promise<SandboxRunResult> {
    return this.run(script, '/', 60_000, 64 * 1024);
  }

  /** Debian's /etc/alternatives (awk, …) and the loader cache, so host binaries under /usr work in the chroot. */
  private copyHostRuntimeFiles(): void {
    const alt = path.join(this.paths.fsDir, 'etc/alternatives');
    fs.mkdirSync(alt, { recursive: true });
    if (fs.existsSync('/etc/alternatives')) {
      for (const name of fs.readdirSync('/etc/alternatives')) {
        const src = path.join('/etc/alternatives', name);
        const st = fs.lstatSync(src);
        if (st.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(src), path.join(alt, name));
      }
    }
    for (const f of ['/etc/ld.so.cache']) {
      if (fs.existsSync(f)) fs.copyFileSync(f, path.join(this.paths.fsDir, f));
    }
  }

  /**
   * overlayfs whiteouts (char device 0/0 in the upper layer) hide host binaries RHEL would not have, and
   * everything in the host's /usr/local (an image's /usr/local is empty).
   */
  private hideHostBinaries(): void {
    const hidden = HIDDEN_HOST_BINARIES.filter((rel) => lexists(path.join('/usr', rel)));
    for (const dir of safeReaddir('/usr/local')) {
      const sub = path.join('/usr/local', dir);
      if (fs.lstatSync(sub).isDirectory()) hidden.push(...safeReaddir(sub).map((e) => `local/${dir}/${e}`));
      else hidden.push(`local/${dir}`);
    }
    for (const rel of hidden) {
      const p = path.join(this.paths.fsDir, 'usr', rel);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      if (!lexists(p)) execFileSync('mknod', [p, 'c', '0', '0']);
    }
  }
}

function lexists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
