import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sandboxMode, userNamespaceArgs } from './sandboxMode';

/**
 * Paths + content hashes of a sandbox tree (symlink targets, modes), for "the second run changed nothing" checks.
 * Always skips the simulator's own /.sim, /proc and the Run Command download directory (/var/lib/waagent);
 * `exclude` adds more absolute paths (e.g. a script's own log directory).
 *
 * When the sandboxes run in a user namespace with subordinate ids, files that scripts gave to other users (a 0700
 * ~/.ssh, PostgreSQL's data) are unreadable from the host user; the walk then runs inside such a namespace, as its
 * root (owners are shown as the namespace sees them: the same ids as inside the VM).
 */
export const TREE_SNAPSHOT_EXCLUDES = ['/.sim', '/proc', '/var/lib/waagent'];

export function treeSnapshot(root: string, options: { exclude?: string[] } = {}): Map<string, string> {
  const exclude = [...TREE_SNAPSHOT_EXCLUDES, ...(options.exclude ?? [])];
  const mode = sandboxMode();
  if (mode.kind === 'userns' && mode.subIds) {
    const script = `const deps = { fs: require('node:fs'), path: require('node:path'), createHash: require('node:crypto').createHash };
process.stdout.write(JSON.stringify((${walkTree.toString()})(process.argv[1], JSON.parse(process.argv[2]), deps)));`;
    const json = execFileSync(
      'unshare',
      [...userNamespaceArgs(mode), process.execPath, '-e', script, root, JSON.stringify(exclude)],
      { maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' },
    );
    return new Map(JSON.parse(json) as [string, string][]);
  }
  return new Map(walkTree(root, exclude, { fs, path, createHash }));
}

/**
 * The walk itself: self-contained (it only uses its arguments), so that it can also run in a child process.
 * A file the walker cannot read (a 0000 /etc/shadow seen from outside a user namespace) is identified by its size
 * and mtime instead of its content.
 */
function walkTree(
  root: string,
  excludeList: string[],
  deps: { fs: typeof fs; path: typeof path; createHash: typeof createHash },
): [string, string][] {
  const exclude = new Set(excludeList);
  const out: [string, string][] = [];
  const hash = (abs: string, st: fs.Stats): string => {
    try {
      return deps.createHash('sha256').update(deps.fs.readFileSync(abs)).digest('hex');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EACCES') throw e;
      return `unreadable:${st.size}:${st.mtimeMs}`;
    }
  };
  const walk = (rel: string): void => {
    const abs = deps.path.join(root, rel);
    let st: fs.Stats;
    try {
      st = deps.fs.lstatSync(abs);
    } catch {
      return;
    }
    if (exclude.has(rel)) return;
    if (st.isSymbolicLink()) out.push([rel, `link:${deps.fs.readlinkSync(abs)}`]);
    else if (st.isDirectory()) {
      out.push([rel || '/', `dir:${(st.mode & 0o7777).toString(8)}:${st.uid}:${st.gid}`]);
      for (const name of deps.fs.readdirSync(abs).sort()) walk(`${rel}/${name}`);
    } else if (st.isFile()) {
      out.push([rel, `file:${(st.mode & 0o7777).toString(8)}:${st.uid}:${st.gid}:${hash(abs, st)}`]);
    } else out.push([rel, `special:${st.mode.toString(8)}`]);
  };
  walk('');
  return out;
}

/** Paths added, removed or changed between two snapshots. */
export function diffTrees(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [p, v] of after) if (before.get(p) !== v) out.push(before.has(p) ? `changed ${p}` : `added ${p}`);
  for (const p of before.keys()) if (!after.has(p)) out.push(`removed ${p}`);
  return out.sort();
}
