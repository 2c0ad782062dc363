import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Paths + content hashes of a sandbox tree (symlink targets, modes), for "the second run changed nothing" checks.
 * Always skips the simulator's own /.sim, /proc and the Run Command download directory (/var/lib/waagent);
 * `exclude` adds more absolute paths (e.g. a script's own log directory).
 */
export const TREE_SNAPSHOT_EXCLUDES = ['/.sim', '/proc', '/var/lib/waagent'];

export function treeSnapshot(root: string, options: { exclude?: string[] } = {}): Map<string, string> {
  const exclude = new Set([...TREE_SNAPSHOT_EXCLUDES, ...(options.exclude ?? [])]);
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    const abs = path.join(root, rel);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(abs);
    } catch {
      return;
    }
    if (exclude.has(rel)) return;
    if (st.isSymbolicLink()) out.set(rel, `link:${fs.readlinkSync(abs)}`);
    else if (st.isDirectory()) {
      out.set(rel || '/', `dir:${(st.mode & 0o7777).toString(8)}:${st.uid}:${st.gid}`);
      for (const name of fs.readdirSync(abs).sort()) walk(`${rel}/${name}`);
    } else if (st.isFile()) {
      out.set(rel, `file:${(st.mode & 0o7777).toString(8)}:${st.uid}:${st.gid}:${contentHash(abs, st)}`);
    } else out.set(rel, `special:${st.mode.toString(8)}`);
  };
  walk('');
  return out;
}

/**
 * sha256 of the content; for a file the snapshotting user may not read (a 0000 /etc/shadow when the sandboxes run
 * in a user namespace, where root's bypass of file modes does not apply outside), its size and mtime instead.
 */
function contentHash(abs: string, st: fs.Stats): string {
  try {
    return createHash('sha256').update(fs.readFileSync(abs)).digest('hex');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EACCES') throw e;
    return `unreadable:${st.size}:${st.mtimeMs}`;
  }
}

/** Paths added, removed or changed between two snapshots. */
export function diffTrees(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [p, v] of after) if (before.get(p) !== v) out.push(before.has(p) ? `changed ${p}` : `added ${p}`);
  for (const p of before.keys()) if (!after.has(p)) out.push(`removed ${p}`);
  return out.sort();
}
