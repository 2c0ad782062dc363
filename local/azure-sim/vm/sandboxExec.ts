import { spawn } from 'node:child_process';
import { unshareArgs } from './sandboxMode';
import type { SandboxPaths } from './sandboxPaths';

/**
 * Runs a bash script as root inside a VM sandbox without touching the host:
 * `unshare` (in a user namespace when the process is not root, see sandboxMode.ts) gives the run its own mount, UTS, network, PID and IPC namespaces; /usr is an overlay (host /usr
 * read-only below, the sandbox's own usr/ as the writable upper layer, where stub commands and whiteouts
 * shadow host binaries); /dev gets only null/zero/random/urandom/tty; /proc is the run's own procfs with
 * /proc/sys read-only; the simulator's stubs, the cluster directory and the real mount/umount binaries appear
 * under /.sim; NFS/loop mounts recorded in /run/sim/mounts are re-established; then `chroot` into the sandbox.
 */
export const WRAPPER = String.raw`
set -eu
FS=$1; WORK=$2; CLUSTER=$3; STUBS=$4; HN=$5; SCRIPT=$6; CWD=$7
mount --make-rprivate /
mount -t overlay overlay -o "lowerdir=/usr,upperdir=$FS/usr,workdir=$WORK" "$FS/usr"
for d in null zero random urandom tty; do
  [ -e "$FS/dev/$d" ] || : >"$FS/dev/$d"
  mount --bind "/dev/$d" "$FS/dev/$d"
done
mount -t proc proc "$FS/proc"
mount --bind "$FS/proc/sys" "$FS/proc/sys" && mount -o remount,bind,ro "$FS/proc/sys" || true
mkdir -p "$FS/.sim/stubs" "$FS/.sim/cluster" "$FS/.sim/bin"
mount --bind "$STUBS" "$FS/.sim/stubs"
mount -o remount,bind,ro "$FS/.sim/stubs" || true
mount --bind "$CLUSTER" "$FS/.sim/cluster"
for b in mount umount; do
  [ -e "$FS/.sim/bin/$b.real" ] || : >"$FS/.sim/bin/$b.real"
  mount --bind "$(command -v $b)" "$FS/.sim/bin/$b.real"
done
if [ -f "$FS/run/sim/mounts" ]; then
  while read -r src tgt typ opts from; do
    [ "$from" = "-" ] || [ -z "$from" ] && continue
    [ -d "$FS$tgt" ] && [ -e "$FS$from" ] && mount --bind "$FS$from" "$FS$tgt" || true
  done <"$FS/run/sim/mounts"
fi
hostname "$HN" || true
ip link set lo up 2>/dev/null || true
cd "$FS"
exec chroot "$FS" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=en_US.UTF-8 SHELL=/bin/bash USER=root LOGNAME=root /bin/bash -c 'cd "$1" && exec /bin/bash "$2"' run "$CWD" "$SCRIPT" </dev/null
`;

export interface SandboxRunOptions {
  hostname: string;
  /** Absolute path of the script inside the sandbox. */
  scriptPath: string;
  cwd: string;
  timeoutMs: number;
  /** Keep at most this many trailing bytes of each stream (older output is dropped while running). */
  keepBytes: number;
}

export interface SandboxRunResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
  timedOut: boolean;
  durationMs: number;
}

class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly keep: number) {}
  push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
    if (this.size > this.keep * 2) this.compact();
  }
  private compact(): void {
    const all = Buffer.concat(this.chunks);
    const tail = all.subarray(Math.max(0, all.length - this.keep));
    this.chunks = [tail];
    this.size = tail.length;
  }
  value(): Buffer {
    this.compact();
    return this.chunks[0] ?? Buffer.alloc(0);
  }
}

export function runInSandbox(paths: SandboxPaths, stubs: string, opts: SandboxRunOptions): Promise<SandboxRunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      'unshare',
      [
        ...unshareArgs(),
        'bash',
        '-c',
        WRAPPER,
        'sim-wrapper',
        paths.fsDir,
        paths.workDir,
        paths.clusterDir,
        stubs,
        opts.hostname,
        opts.scriptPath,
        opts.cwd,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    const out = new TailBuffer(opts.keepBytes);
    const err = new TailBuffer(opts.keepBytes);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        stdout: out.value(),
        stderr: err.value(),
        exitCode: code ?? (signal ? 128 + 9 : 1),
        timedOut,
        durationMs: Date.now() - started,
      });
    });
  });
}
