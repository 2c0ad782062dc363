import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';

/**
 * How the sandboxes get their namespaces, chosen once per process:
 * - `root`: the process is root; `unshare` gives each run its mount/UTS/net/PID/IPC namespaces directly.
 * - `userns`: not root; an unprivileged user namespace (`unshare --user --map-root-user`) makes the run root inside,
 *   which is enough for overlayfs on /usr, bind mounts, procfs and chroot on current kernels (≥ 5.11). When the user
 *   has subordinate ids (/etc/subuid, /etc/subgid, with newuidmap/newgidmap installed), ids 1…65535 inside map to
 *   them, so scripts can `chown` to and run as other users (postgres); without them only root exists inside, and
 *   a `chown` to another user fails.
 */
export type SandboxMode =
  | { kind: 'root' }
  | { kind: 'userns'; subIds?: { uid: number; gid: number; count: number } }
  | { kind: 'unavailable'; reason: string };

let cached: SandboxMode | undefined;

/** The mode of this process (probed once: a synchronous `unshare … true` at start-up, not while serving). */
export function sandboxMode(): SandboxMode {
  cached ??= probe();
  return cached;
}

/** `unshare` arguments that open the namespaces of one run (before the command). */
export function unshareArgs(mode: SandboxMode = sandboxMode()): string[] {
  const ns = ['--mount', '--uts', '--net', '--pid', '--ipc', '--fork', '--kill-child'];
  if (mode.kind === 'root') return ns;
  if (mode.kind === 'unavailable') throw new Error(`VM sandboxes are unavailable: ${mode.reason}`);
  return [...userArgs(mode), ...ns];
}

/** `unshare` arguments of the user namespace alone (root inside, subordinate ids mapped when available). */
export function userNamespaceArgs(mode: Extract<SandboxMode, { kind: 'userns' }>): string[] {
  return userArgs(mode);
}

function userArgs(mode: Extract<SandboxMode, { kind: 'userns' }>): string[] {
  const args = ['--user', '--map-root-user'];
  if (mode.subIds) {
    const n = mode.subIds.count;
    args.push(`--map-users=${mode.subIds.uid},1,${n}`, `--map-groups=${mode.subIds.gid},1,${n}`);
  }
  return args;
}

/**
 * Removes a sandbox tree. As root a plain recursive delete; in a user namespace, files that scripts gave to other
 * users (subordinate ids on the host) can only be deleted from inside one, so `rm -rf` runs there.
 */
export async function removeTree(dir: string, mode: SandboxMode = sandboxMode()): Promise<void> {
  if (mode.kind !== 'userns' || !mode.subIds) {
    // retried: a process of the VM that was just stopped may still be closing a file in the tree (ENOTEMPTY)
    await fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const child = spawn('unshare', [...userArgs(mode), 'rm', '-rf', '--', dir], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`rm -rf ${dir} exited ${code}`))));
  });
}

function probe(): SandboxMode {
  if (process.getuid?.() === 0) return { kind: 'root' };
  const subIds = subordinateIds();
  const candidates: Extract<SandboxMode, { kind: 'userns' }>[] = subIds
    ? [{ kind: 'userns', subIds }, { kind: 'userns' }]
    : [{ kind: 'userns' }];
  let lastError = '';
  for (const mode of candidates) {
    try {
      execFileSync('unshare', [...userArgs(mode), '--mount', '--pid', '--fork', 'true'], {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 10_000,
      });
      return mode;
    } catch (e) {
      const err = e as { stderr?: Buffer; message: string };
      lastError = err.stderr?.toString().trim() || err.message;
    }
  }
  return {
    kind: 'unavailable',
    reason:
      `not running as root, and unprivileged user namespaces do not work here (${lastError}). ` +
      'Run as root, or enable them (sysctl kernel.unprivileged_userns_clone=1 / user.max_user_namespaces > 0; ' +
      'AppArmor: kernel.apparmor_restrict_unprivileged_userns=0).',
  };
}

/** The user's first subordinate uid/gid range, when newuidmap/newgidmap can map it. */
function subordinateIds(): { uid: number; gid: number; count: number } | undefined {
  const user = os.userInfo();
  const range = (file: string, id: number) => {
    try {
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        const [who, start, count] = line.split(':');
        if ((who === user.username || who === String(id)) && Number(count) > 0)
          return { start: Number(start), count: Number(count) };
      }
    } catch {
      /* no file */
    }
    return undefined;
  };
  const u = range('/etc/subuid', user.uid);
  const g = range('/etc/subgid', user.gid);
  const hasHelpers = ['newuidmap', 'newgidmap'].every((b) =>
    (process.env.PATH ?? '').split(':').some((d) => d && fs.existsSync(`${d}/${b}`)),
  );
  if (!u || !g || !hasHelpers) return undefined;
  return { uid: u.start, gid: g.start, count: Math.min(u.count, g.count, 65535) };
}
