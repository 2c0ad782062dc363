import { badRequest } from './errors';
import type { LatencyModel } from './latency';
import type { ResourceType } from './resourceType';

/**
 * The resource types the ARM engine serves, by full type name ("Microsoft.Network/loadBalancers", case-insensitive).
 * This is the extension point for a new resource provider: build a {@link ResourceType} (validation in `prepare`,
 * the GET body in `render`, hooks, actions, nested types) and register it — see ../README.md "Adding a resource
 * type". Nested types (e.g. a VM's runCommands) are reached through their parent's `nested` and need no entry, but
 * registering them is harmless (it serves the subscription-wide list).
 */
export class ResourceTypeRegistry {
  private readonly types = new Map<string, ResourceType>();

  constructor(private readonly latency?: LatencyModel) {}

  /** Registers types (and their `latencies`); a type registered twice is an error. */
  register(...types: ResourceType[]): this {
    for (const t of types) {
      const k = t.type.toLowerCase();
      if (this.types.has(k)) throw new Error(`resource type ${t.type} is registered twice`);
      this.types.set(k, t);
      for (const [name, ms] of Object.entries(t.latencies ?? {})) this.latency?.define(name, ms);
    }
    return this;
  }

  /** The type of a stored record (by its full type name), if registered. */
  find(fullType: string): ResourceType | undefined {
    return this.types.get(fullType.toLowerCase());
  }

  /** The type a URL names (`providers/{ns}/{type}`): 400 InvalidResourceType when unknown, as ARM answers. */
  require(ns: string, type: string): ResourceType {
    const t = this.find(`${ns}/${type}`);
    if (!t)
      throw badRequest(
        'InvalidResourceType',
        `The resource type '${type}' could not be found in the namespace '${ns}' for api version in this simulator.`,
      );
    return t;
  }

  list(): ResourceType[] {
    return [...this.types.values()];
  }
}
