/**
 * Latency model: how long (in real-Azure milliseconds, before the time scale) each operation type takes until its
 * long-running operation reaches a terminal state. Sources and reasoning for each default: ../LATENCY.md.
 */
export const DEFAULT_LATENCY_MS = {
  'resourceGroups.createOrUpdate': 1_000,
  'resourceGroups.delete': 30_000,
  'virtualNetworks.createOrUpdate': 5_000,
  'virtualNetworks.delete': 10_000,
  'subnets.createOrUpdate': 3_000,
  'subnets.delete': 3_000,
  'networkSecurityGroups.createOrUpdate': 3_000,
  'networkSecurityGroups.delete': 3_000,
  'publicIPAddresses.createOrUpdate': 3_000,
  'publicIPAddresses.delete': 3_000,
  'natGateways.createOrUpdate': 10_000,
  'natGateways.delete': 10_000,
  'loadBalancers.createOrUpdate': 10_000,
  'loadBalancers.delete': 10_000,
  /** The rule health API (an LRO): a few seconds. */
  'loadBalancingRules.health': 3_000,
  'networkInterfaces.createOrUpdate': 3_000,
  'networkInterfaces.delete': 5_000,
  'availabilitySets.createOrUpdate': 1_000,
  'availabilitySets.delete': 1_000,
  'virtualMachines.createOrUpdate': 90_000,
  'virtualMachines.update': 30_000,
  'virtualMachines.delete': 60_000,
  'virtualMachines.restart': 30_000,
  'virtualMachines.start': 40_000,
  'virtualMachines.powerOff': 20_000,
  'virtualMachines.deallocate': 60_000,
  'disks.delete': 5_000,
  /** Run Command: the extension's start-up, in parallel with the script (total ≥ this + overhead = 20 s). */
  'virtualMachines.runCommand': 17_000,
  /** ARM/extension overhead added after the script finished (status upload and propagation). */
  'virtualMachines.runCommand.overhead': 3_000,
} as const;

export type BuiltinLatencyKey = keyof typeof DEFAULT_LATENCY_MS;
/** A built-in operation type, or one a registered resource type defined (`ResourceType.latencies`). */
export type LatencyKey = BuiltinLatencyKey | (string & {});

/** Retry-After (seconds) that the RPs send while an operation is in progress. */
export const POLL_RETRY_AFTER_S = { network: 10, compute: 30, resources: 15 } as const;

export class LatencyModel {
  private readonly defined = new Map<string, number>();
  private readonly scaleOf: () => number;

  /** `timeScale`: a fixed factor, or a function returning the current control-plane factor (SimClocks). */
  constructor(
    timeScale: number | (() => number),
    private readonly overrides: Partial<Record<LatencyKey, number>> = {},
  ) {
    this.scaleOf = typeof timeScale === 'number' ? () => timeScale : timeScale;
  }

  /** The current control-plane time scale. */
  get timeScale(): number {
    return this.scaleOf();
  }

  /** Defines the default (Azure ms) of an operation type that is not built in (see ResourceTypeRegistry). */
  define(key: string, azureMs: number): void {
    if (key in DEFAULT_LATENCY_MS) throw new Error(`latency ${key} is built in`);
    this.defined.set(key, azureMs);
  }

  /** Azure milliseconds (before scaling) of an operation type. */
  azureMs(key: LatencyKey): number {
    const ms = this.overrides[key] ?? (DEFAULT_LATENCY_MS as Record<string, number>)[key] ?? this.defined.get(key);
    if (ms === undefined) throw new Error(`unknown latency key ${key}`);
    return ms;
  }

  /** Scaled duration in real milliseconds. */
  ms(key: LatencyKey): number {
    return this.azureMs(key) * this.timeScale;
  }

  /** Overrides one operation's latency (Azure ms before scaling); undefined restores the default. */
  set(key: LatencyKey, azureMs: number | undefined): void {
    if (azureMs === undefined) delete this.overrides[key];
    else this.overrides[key] = azureMs;
  }

  scale(realAzureMs: number): number {
    return realAzureMs * this.timeScale;
  }
}
