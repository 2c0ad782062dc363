import type { PowerAction, RunCommandInput, RunCommandOutput, SimVm, VmRuntime } from './vm/runtime';

/**
 * A VM runtime with no sandboxes: VMs run or stop as the ARM layer says, Run Command answers with empty output,
 * no backend answers a probe. Used when the simulator starts without a real runtime (ARM-only tests).
 */
export class NoopVmRuntime implements VmRuntime {
  private readonly states = new Map<string, 'running' | 'stopped' | 'deallocated'>();

  async vmCreated(vm: SimVm): Promise<void> {
    if (!this.states.has(vm.id.toLowerCase())) this.states.set(vm.id.toLowerCase(), 'running');
  }

  async vmDeleted(vmId: string): Promise<void> {
    this.states.delete(vmId.toLowerCase());
  }

  async powerAction(vmId: string, action: PowerAction): Promise<void> {
    const next = action === 'powerOff' ? 'stopped' : action === 'deallocate' ? 'deallocated' : 'running';
    this.states.set(vmId.toLowerCase(), next);
  }

  powerState(vmId: string): 'running' | 'stopped' | 'deallocated' | 'unknown' {
    return this.states.get(vmId.toLowerCase()) ?? 'unknown';
  }

  async runCommand(_vmId: string, _input: RunCommandInput): Promise<RunCommandOutput> {
    return { message: 'Enable succeeded: \n[stdout]\n\n[stderr]\n', exitCode: 0, durationMs: 0 };
  }

  probeAnswered(_ip: string, _port: number, _at: Date): boolean {
    return false;
  }

  async close(): Promise<void> {
    this.states.clear();
  }
}
