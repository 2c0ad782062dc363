import * as path from 'node:path';
import * as fs from 'node:fs';
import type { SimVm } from './runtime';

/** Where a VM's sandbox lives on the host. A cluster is the VMs of one subscription + resource group. */
export interface SandboxPaths {
  /** <rootDir>/<cluster>: holds one directory per VM plus the `peers` file the stubs read. */
  clusterDir: string;
  /** <clusterDir>/<vmName>: the VM's own directory. */
  vmDir: string;
  /** The VM's root file system (what `/` is inside the sandbox). */
  fsDir: string;
  /** overlayfs work directory for the /usr overlay (must be on the same file system as fsDir). */
  workDir: string;
}

export function clusterKeyOf(subscriptionId: string, resourceGroup: string): string {
  return `${subscriptionId}_${resourceGroup}`.toLowerCase().replace(/[^a-z0-9._-]/g, '_');
}

export function sandboxPathsFor(rootDir: string, vm: Pick<SimVm, 'subscriptionId' | 'resourceGroup' | 'name'>): SandboxPaths {
  const clusterDir = path.join(rootDir, clusterKeyOf(vm.subscriptionId, vm.resourceGroup));
  const vmDir = path.join(clusterDir, vm.name);
  return { clusterDir, vmDir, fsDir: path.join(vmDir, 'fs'), workDir: path.join(vmDir, 'overlay-work') };
}

/** The repository's stub directory (works from the TypeScript sources and from dist/). */
export function stubsDir(): string {
  const candidates = [
    path.join(__dirname, 'stubs'),
    path.resolve(__dirname, '../../../../local/azure-sim/vm/stubs'),
  ];
  const found = candidates.find((c) => fs.existsSync(path.join(c, 'lib.sh')));
  if (!found) throw new Error(`VM stub directory not found (looked in ${candidates.join(', ')})`);
  return found;
}

/**
 * Maps an absolute path inside a sandbox to the host path, following the sandbox's simulated mount table:
 * a path under an NFS mount point lands in the exporting VM's sandbox. Symlinks are not followed.
 */
export function hostPathOf(paths: SandboxPaths, sandboxPath: string, mounts: { target: string; bindFrom: string }[]): string {
  const norm = path.posix.normalize(sandboxPath);
  let best: { target: string; bindFrom: string } | undefined;
  for (const m of mounts) {
    if (m.bindFrom === '-' ) continue;
    if ((norm === m.target || norm.startsWith(m.target.endsWith('/') ? m.target : `${m.target}/`)) && (!best || m.target.length > best.target.length)) best = m;
  }
  if (!best) return path.join(paths.fsDir, norm);
  const rest = norm.slice(best.target.length);
  const prefix = '/.sim/cluster/';
  if (best.bindFrom.startsWith(prefix)) return path.join(paths.clusterDir, best.bindFrom.slice(prefix.length), rest);
  return path.join(paths.fsDir, best.bindFrom, rest);
}
