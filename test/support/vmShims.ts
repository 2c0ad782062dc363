/**
 * Test overrides of commands inside the simulator's VMs (fault injection): files written into a VM's sandbox
 * (e.g. usr/local/sbin/sshd, which comes before the stub in PATH) when the runtime creates the VM, and removed to
 * let the stub answer again.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function installShims(sandboxRoot: string, shims: Record<string, string>): void {
  for (const [path, text] of Object.entries(shims)) {
    mkdirSync(join(sandboxRoot, path, '..'), { recursive: true });
    writeFileSync(join(sandboxRoot, path), text, { mode: 0o755 });
  }
}

export function removeShims(sandboxRoot: string, shims: Record<string, string>): void {
  for (const path of Object.keys(shims)) rmSync(join(sandboxRoot, path), { force: true });
}

/** Installs `shimsFor(vmId)` into every VM the runtime creates from now on. */
export function shimNewVms(
  runtime: { vmCreated(vm: { id: string }): Promise<void>; sandboxPath(vmId: string): string },
  shimsFor: (vmId: string) => Record<string, string>,
): void {
  const created = runtime.vmCreated.bind(runtime);
  runtime.vmCreated = async (vm) => {
    await created(vm);
    installShims(runtime.sandboxPath(vm.id), shimsFor(vm.id));
  };
}
