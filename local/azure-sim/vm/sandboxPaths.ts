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

export function sandboxPathsFor(
  rootDir: string,
  vm: Pick<SimVm, 'subscriptionId' | 'resourceGroup' | 'name'>,
): SandboxPaths {
  const clusterDir = path.join(rootDir, clusterKeyOf(vm.subscriptionId, vm.resourceGroup));
  const vmDir = path.join(clusterDir, vm.name);
  return { clusterDir, vmDir, fsDir: path.join(vmDir, 'fs'), workDir: path.join(vmDir, 'overlay-work') };
}

/** The repository's stub directory (works from the TypeScript sources and from dist/). */
export function stubsDir(): string {
  const candidates = [path.join(__dirname, 'stubs'), path.resolve(__dirname, '../../../../local/azure-sim/vm/stubs')];
  const found = candidates.find((c) => fs.existsSync(path.join(c, 'lib.sh')));
  if (!found) throw new Error(`VM stub directory not found (looked in ${candidates.join(', ')})`);
  return found;
}
