import * as fs from 'node:fs';
import * as path from 'node:path';

/** What the LifeKeeper/QWK model reads from one VM's sandbox (the stubs' state files; see README.md). */
export interface LkResource {
  tag: string;
  app: string;
  type: string;
  id: string;
  state: string;
  priority: number;
  opts: Record<string, string>;
}

export interface SimMount {
  source: string;
  target: string;
  fstype: string;
  options: string;
  bindFrom: string;
}

export interface NodeState {
  lkRunning: boolean;
  qwkInitialized: boolean;
  /** /etc/default/LifeKeeper as key → value (last assignment wins, quotes removed). */
  config: Record<string, string>;
  resources: LkResource[];
  commpaths: { dest: string; laddr: string; raddr: string; priority: number }[];
  mounts: SimMount[];
  /** Interfaces set down with ifconfig/ip (eth0, eth1 …). */
  downInterfaces: string[];
  activeUnits: string[];
}

function read(p: string): string {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

function list(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

export function parseShellAssignments(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    out[m[1]] = m[2].trim().replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}

export function parseResource(text: string): LkResource | undefined {
  const kv: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv[line.slice(0, i)] = line.slice(i + 1);
  }
  if (!kv.tag) return undefined;
  const opts: Record<string, string> = {};
  for (const [k, v] of Object.entries(kv)) if (k.startsWith('opt_')) opts[k.slice(4)] = v;
  return {
    tag: kv.tag,
    app: kv.app ?? '',
    type: kv.type ?? '',
    id: kv.id ?? '',
    state: kv.state ?? '',
    priority: Number(kv.priority ?? 1),
    opts,
  };
}

export function readNodeState(fsDir: string): NodeState {
  const db = path.join(fsDir, 'var/LifeKeeper/sim');
  const activeUnits = list(path.join(fsDir, 'run/systemd/sim-active'));
  return {
    lkRunning: activeUnits.includes('lifekeeper.service'),
    qwkInitialized: fs.existsSync(path.join(db, 'qwk_storage_initialized')),
    config: parseShellAssignments(read(path.join(fsDir, 'etc/default/LifeKeeper'))),
    resources: list(path.join(db, 'resources'))
      .map((f) => parseResource(read(path.join(db, 'resources', f))))
      .filter((r): r is LkResource => r !== undefined),
    commpaths: read(path.join(db, 'commpaths'))
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length >= 4)
      .map(([dest, laddr, raddr, prio]) => ({ dest: dest, laddr: laddr, raddr: raddr, priority: Number(prio) })),
    mounts: read(path.join(fsDir, 'run/sim/mounts'))
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length >= 5)
      .map(([source, target, fstype, options, bindFrom]) => ({
        source: source,
        target: target,
        fstype: fstype,
        options: options,
        bindFrom: bindFrom,
      })),
    downInterfaces: list(path.join(fsDir, 'run/sim/ifdown')),
    activeUnits,
  };
}

/** LifeKeeper's name for QWK_STORAGE_OBJECT_<node>: '-' and '.' become '_'. */
export function qwkObjectKey(nodeName: string): string {
  return `QWK_STORAGE_OBJECT_${nodeName.replace(/[-.]/g, '_')}`;
}
