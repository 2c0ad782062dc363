import { parseResourceId } from '../arm/ids';
import { T } from '../arm/networkRefs';
import type { ResourceStore } from '../arm/store';
import type { VmRuntime } from '../vm/runtime';

/** Resource Health availability states of a VM (Microsoft.ResourceHealth/availabilityStatuses). */
export type VmAvailability = 'Available' | 'Unavailable' | 'Degraded' | 'Unknown';

export interface VmHealthEvent {
  vmId: string;
  subscriptionId: string;
  resourceGroup: string;
  vmName: string;
  state: VmAvailability;
  previousState: VmAvailability;
  /** UserInitiated (a stop/restart through ARM) or PlatformInitiated / Unknown. */
  cause: 'UserInitiated' | 'PlatformInitiated' | 'Unknown';
  /** A summary as Resource Health words it. */
  reason: string;
  at: Date;
}

/**
 * The health of every VM over time, as Resource Health and the VM availability metric see it: Available while the
 * VM runs and its guest answers; Unavailable while it is stopped, deallocated, starting or stopping (user
 * initiated), or while its guest is hung (ARM still says running; no guest agent heartbeat). Changes are noticed by
 * polling (every second of real time) and told to listeners.
 */
export class VmHealthTracker {
  private readonly history = new Map<string, VmHealthEvent[]>();
  private readonly listeners = new Set<(e: VmHealthEvent) => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: ResourceStore,
    private readonly runtime: () => VmRuntime,
    private readonly pollMs = 1000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.poll(), this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  clear(): void {
    this.history.clear();
  }

  on(listener: (e: VmHealthEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-reads every VM now (also done every second). */
  poll(now = new Date()): void {
    const seen = new Set<string>();
    for (const vm of this.store.list({ type: T.vm })) {
      if (vm.provisioningState === 'Creating') continue;
      const id = vm.id.toLowerCase();
      seen.add(id);
      const { state, cause, reason } = this.assess(vm.id);
      this.record(vm.id, vm.name, state, cause, reason, now);
    }
    for (const id of [...this.history.keys()]) if (!seen.has(id)) this.history.delete(id);
  }

  /** The VM's state at `at` (Unknown before the first observation). */
  stateAt(vmId: string, at: number): VmAvailability {
    const list = this.history.get(vmId.toLowerCase()) ?? [];
    let state: VmAvailability = 'Unknown';
    for (const e of list) {
      if (e.at.getTime() > at) break;
      state = e.state;
    }
    return state;
  }

  historyOf(vmId: string): VmHealthEvent[] {
    return [...(this.history.get(vmId.toLowerCase()) ?? [])];
  }

  current(vmId: string): VmHealthEvent | undefined {
    return this.history.get(vmId.toLowerCase())?.at(-1);
  }

  private assess(vmId: string): Pick<VmHealthEvent, 'state' | 'cause' | 'reason'> {
    const rt = this.runtime();
    const power = rt.powerState(vmId);
    if (power === 'running' || power === 'unknown') {
      if (rt.guestResponsive && power === 'running' && !rt.guestResponsive(vmId)) {
        return {
          state: 'Unavailable',
          cause: 'Unknown',
          reason: 'The virtual machine is not responding (no guest heartbeat).',
        };
      }
      return {
        state: 'Available',
        cause: 'Unknown',
        reason: 'There are no known problems affecting this virtual machine.',
      };
    }
    const reason =
      power === 'deallocated'
        ? 'This virtual machine is stopped and deallocated.'
        : power === 'starting'
          ? 'This virtual machine is starting as requested by an authorized user or process.'
          : 'This virtual machine is stopping or stopped as requested by an authorized user or process.';
    return { state: 'Unavailable', cause: 'UserInitiated', reason };
  }

  private record(
    vmId: string,
    vmName: string,
    state: VmAvailability,
    cause: VmHealthEvent['cause'],
    reason: string,
    at: Date,
  ): void {
    const id = vmId.toLowerCase();
    const list = this.history.get(id) ?? [];
    const last = list.at(-1);
    if (last?.state === state) return;
    const p = parseResourceId(vmId)!;
    const e: VmHealthEvent = {
      vmId,
      subscriptionId: p.subscriptionId,
      resourceGroup: p.resourceGroup,
      vmName,
      state,
      previousState: last?.state ?? 'Unknown',
      cause,
      reason,
      at,
    };
    list.push(e);
    if (list.length > 1000) list.splice(0, list.length - 1000);
    this.history.set(id, list);
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        /* a listener's failure is its own */
      }
    }
  }
}
