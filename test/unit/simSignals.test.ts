import { describe, expect, it } from 'vitest';
import { ResourceStore } from '../../local/azure-sim/arm/store';
import { SimClocks } from '../../local/azure-sim/clocks';
import { NoopVmRuntime } from '../../local/azure-sim/noopRuntime';
import { ProbeView, phaseOf } from '../../local/azure-sim/monitor/probeView';
import { VmHealthTracker, type VmHealthEvent } from '../../local/azure-sim/monitor/vmHealth';

const CLUSTER = { subscriptionId: 's', resourceGroup: 'rg' };
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A backend that answers the probe only between `from` and `to`. */
class WindowRuntime extends NoopVmRuntime {
  constructor(
    private readonly from: number,
    private readonly to: number,
  ) {
    super();
  }
  override probeAnswered(_ip: string, _port: number, at: Date): boolean {
    return at.getTime() >= this.from && at.getTime() < this.to;
  }
}

describe("the load balancer's view of a backend (ProbeView)", () => {
  const clocks = new SimClocks(1, 1);
  const probe = (threshold: number) => ({ port: 12345, intervalS: 5, threshold });
  const phase = phaseOf('s/rg/10.0.0.4') * 5000;
  /** The first probe instant at or after t. */
  const nextProbe = (t: number) => Math.ceil((t - phase) / 5000) * 5000 + phase;

  it('with probeThreshold 1, follows the last probe: a change shows within one interval', () => {
    const start = T0 + 60_000;
    const view = new ProbeView(clocks, () => new WindowRuntime(start, Infinity));
    const b = { ip: '10.0.0.4' };
    expect(view.up(CLUSTER, b, probe(1), start - 1)).toBe(false);
    expect(view.up(CLUSTER, b, probe(1), nextProbe(start) - 1)).toBe(false);
    expect(view.up(CLUSTER, b, probe(1), nextProbe(start))).toBe(true);
    expect(nextProbe(start) - start).toBeLessThan(5000);
  });

  it('with probeThreshold 3, needs three agreeing probes to flip', () => {
    const start = T0;
    const stop = T0 + 120_000;
    const view = new ProbeView(clocks, () => new WindowRuntime(start, stop));
    const b = { ip: '10.0.0.4' };
    const first = nextProbe(start);
    expect(view.up(CLUSTER, b, probe(3), first + 5000)).toBe(false);
    expect(view.up(CLUSTER, b, probe(3), first + 10_000)).toBe(true);
    const down = nextProbe(stop);
    expect(view.up(CLUSTER, b, probe(3), down + 5000)).toBe(true);
    expect(view.up(CLUSTER, b, probe(3), down + 10_000)).toBe(false);
  });

  it('probes on the cluster clock: at cluster scale 0.01 the interval is 50 ms', () => {
    const fast = new SimClocks(1, 0.01);
    const start = T0;
    const view = new ProbeView(fast, () => new WindowRuntime(start, Infinity));
    const ph = phaseOf('s/rg/10.0.0.4') * 50;
    const next = Math.ceil((start - ph) / 50) * 50 + ph;
    expect(view.up(CLUSTER, { ip: '10.0.0.4' }, probe(1), next - 1)).toBe(false);
    expect(view.up(CLUSTER, { ip: '10.0.0.4' }, probe(1), next)).toBe(true);
  });
});

describe('VM health (Resource Health and the VM availability metric)', () => {
  const vmId = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1';
  const store = new ResourceStore();
  store.put({
    id: vmId,
    type: 'Microsoft.Compute/virtualMachines',
    name: 'vm1',
    subscriptionId: 's',
    resourceGroup: 'rg',
    location: 'japaneast',
    properties: {},
    provisioningState: 'Succeeded',
    etag: '',
    requestBody: '{}',
    internal: {},
  });

  class Rt extends NoopVmRuntime {
    power: 'running' | 'stopped' | 'deallocated' = 'running';
    responsive = true;
    override powerState(): 'running' | 'stopped' | 'deallocated' {
      return this.power;
    }
    guestResponsive(): boolean {
      return this.responsive;
    }
  }

  it.each([
    ['running', true, 'Available', 'Unknown'],
    ['running', false, 'Unavailable', 'Unknown'],
    ['stopped', true, 'Unavailable', 'UserInitiated'],
    ['deallocated', true, 'Unavailable', 'UserInitiated'],
  ] as const)('power %s, guest answering %s → %s (%s)', (power, responsive, state, cause) => {
    const rt = new Rt();
    const t = new VmHealthTracker(store, () => rt);
    rt.power = power;
    rt.responsive = responsive;
    t.poll(new Date(T0));
    expect(t.current(vmId)).toMatchObject({ state, cause, vmName: 'vm1', resourceGroup: 'rg' });
  });

  it('tells listeners each change once, with the previous state, and answers for past instants', () => {
    const rt = new Rt();
    const t = new VmHealthTracker(store, () => rt);
    const seen: VmHealthEvent[] = [];
    const off = t.on((e) => seen.push(e));
    t.poll(new Date(T0));
    t.poll(new Date(T0 + 1000));
    rt.responsive = false;
    t.poll(new Date(T0 + 2000));
    t.poll(new Date(T0 + 3000));
    rt.responsive = true;
    t.poll(new Date(T0 + 4000));
    off();
    rt.power = 'stopped';
    t.poll(new Date(T0 + 5000));
    expect(seen.map((e) => [e.previousState, e.state])).toEqual([
      ['Unknown', 'Available'],
      ['Available', 'Unavailable'],
      ['Unavailable', 'Available'],
    ]);
    expect(t.stateAt(vmId, T0 - 1)).toBe('Unknown');
    expect(t.stateAt(vmId, T0 + 2500)).toBe('Unavailable');
    expect(t.stateAt(vmId, T0 + 4500)).toBe('Available');
    expect(t.stateAt(vmId, T0 + 6000)).toBe('Unavailable');
    expect(t.historyOf(vmId)).toHaveLength(4);
  });
});
