import { simVmOf } from './compute/virtualMachines';
import type { ArmCore } from './core';
import type { ResourceRecord, StoreSnapshot } from './store';

const VM_TYPE = 'Microsoft.Compute/virtualMachines';
const TERMINAL = new Set(['Succeeded', 'Failed', 'Canceled']);

/** What recover() did (logged at start). */
export interface RecoveryReport {
  groups: number;
  resources: number;
  /** Operations under way at the crash that were resumed (PUTs completed, DELETEs finished). */
  resumed: string[];
  /** Resource group deletions under way at the crash (reported as failed: the group stays). */
  groupDeletesAbandoned: string[];
  /** VMs whose sandboxes were re-adopted. */
  vmsAdopted: number;
}

/**
 * Loads a persisted ARM state after a restart and brings it where Azure's resource providers would: they keep their
 * asynchronous operations durably and finish them after a restart of their own, so
 * - a resource whose `provisioningState` is not terminal (Creating/Updating/… from a PUT or an action) has its
 *   operation resumed: the type's commit runs again (for a VM: its sandbox is adopted and booted) and the state
 *   becomes Succeeded, or Failed if the commit fails. A re-PUT with the same body meanwhile joins that operation
 *   (201 + its Azure-AsyncOperation), as a re-PUT during any LRO does. The old operation URLs are gone (404):
 *   their pollers died with the process that held them.
 * - a resource in `Deleting` has its delete finished.
 * - a resource group in `Deleting` is put back to Succeeded with whatever it still holds: the cascade is not
 *   resumed, the caller's DELETE is reported as not done and a new DELETE finishes it.
 * Every other VM gets its sandbox re-adopted (the files persist under the runtime's root) and is booted, then
 * powered off or deallocated again if that was its state.
 */
export function recover(core: ArmCore, snapshot: StoreSnapshot, log: (line: string) => void): RecoveryReport {
  const { ctx } = core;
  const report: RecoveryReport = {
    groups: snapshot.groups.length,
    resources: snapshot.resources.length,
    resumed: [],
    groupDeletesAbandoned: [],
    vmsAdopted: 0,
  };
  for (const g of snapshot.groups) {
    if (g.provisioningState !== 'Deleting') continue;
    g.provisioningState = 'Succeeded';
    report.groupDeletesAbandoned.push(g.id);
  }
  for (const r of snapshot.resources) {
    // the operations of the previous process are gone; transient markers of its work too
    r.activeOperationId = undefined;
    delete r.internal.runCommandBusy;
    delete r.internal.powerTransition;
  }
  ctx.store.load(snapshot);

  const background = (what: string, work: () => Promise<void>) =>
    void work().catch((e: unknown) => log(`recovery: ${what}: ${(e as Error).message}`));

  for (const r of ctx.store.list()) {
    const type = core.registry.find(r.type);
    if (!type || TERMINAL.has(r.provisioningState)) continue;
    report.resumed.push(`${r.provisioningState} ${r.id}`);
    if (r.provisioningState === 'Deleting') {
      resume(core, r, `${type.short}.delete`, async () => {
        await type.onDeleted?.(ctx, r, new URLSearchParams());
        ctx.store.delete(r.id);
      });
    } else {
      const created = r.provisioningState === type.creatingState;
      resume(core, r, `${type.short}.createOrUpdate`, async () => {
        await type.onCommitted?.(ctx, r, created);
        r.provisioningState = 'Succeeded';
      });
    }
  }
  for (const vm of ctx.store.list({ type: VM_TYPE })) {
    if (vm.provisioningState !== 'Succeeded' || vm.activeOperationId) continue;
    report.vmsAdopted++;
    background(`VM ${vm.name}`, async () => {
      await ctx.runtime.vmCreated(simVmOf(ctx, vm));
      const power = vm.internal.powerState as string | undefined;
      if (power === 'stopped') await ctx.runtime.powerAction(vm.id, 'powerOff');
      if (power === 'deallocated') await ctx.runtime.powerAction(vm.id, 'deallocate');
    });
  }
  return report;
}

function resume(core: ArmCore, rec: ResourceRecord, op: string, work: () => Promise<void>): void {
  const parsed = rec.id.split('/');
  const provider = parsed[parsed.findIndex((p) => p.toLowerCase() === 'providers') + 1] ?? '';
  const started = core.ops.start({
    op,
    resourceId: rec.id,
    subscriptionId: rec.subscriptionId,
    provider,
    location: rec.location,
    delayMs: 0,
    work: async () => {
      await work();
      rec.activeOperationId = undefined;
    },
    onFailed: () => {
      rec.provisioningState = 'Failed';
      rec.activeOperationId = undefined;
    },
  });
  rec.activeOperationId = started.id;
}
