import { key } from './ids';

export interface GroupRecord {
  id: string;
  name: string;
  subscriptionId: string;
  location: string;
  tags?: Record<string, string>;
  managedBy?: string;
  provisioningState: 'Succeeded' | 'Deleting';
}

/** A top-level ARM resource as the simulator keeps it. */
export interface ResourceRecord {
  id: string;
  /** "Microsoft.Network/virtualNetworks" */
  type: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tags?: Record<string, string>;
  sku?: unknown;
  zones?: string[];
  identity?: unknown;
  plan?: unknown;
  extendedLocation?: unknown;
  /** Normalized properties as the client set them (computed back-references are added when rendering). */
  properties: Record<string, any>;
  provisioningState: string;
  etag: string;
  /** Canonical JSON of the last accepted PUT body (idempotent re-PUT detection). */
  requestBody: string;
  /** Simulator-only state, never rendered (e.g. whether a password was set, MAC addresses, power state). */
  internal: Record<string, any>;
  /** id of the in-flight LRO on this resource, if any. */
  activeOperationId?: string;
}

export interface StoreSnapshot {
  groups: GroupRecord[];
  resources: ResourceRecord[];
}

/** In-memory ARM state: resource groups and the resources in them, keyed case-insensitively by id. */
export class ResourceStore {
  private readonly groups = new Map<string, GroupRecord>();
  private readonly resources = new Map<string, ResourceRecord>();
  private readonly changeListeners = new Set<() => void>();

  /** Called after every put/delete/clear (records are also changed in place: persistence compares snapshots too). */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.changeListeners) l();
  }

  /** Every group and resource, as plain data (persistence: arm/persist.ts). */
  snapshot(): StoreSnapshot {
    return { groups: [...this.groups.values()], resources: [...this.resources.values()] };
  }

  /** Replaces the whole state with a snapshot. */
  load(snapshot: StoreSnapshot): void {
    this.groups.clear();
    this.resources.clear();
    for (const g of snapshot.groups) this.groups.set(key(g.id), g);
    for (const r of snapshot.resources) this.resources.set(key(r.id), r);
    this.changed();
  }

  getGroup(subscriptionId: string, name: string): GroupRecord | undefined {
    return this.groups.get(key(`/subscriptions/${subscriptionId}/resourceGroups/${name}`));
  }

  putGroup(group: GroupRecord): void {
    this.groups.set(key(group.id), group);
    this.changed();
  }

  deleteGroup(group: GroupRecord): void {
    this.groups.delete(key(group.id));
    this.changed();
  }

  listGroups(subscriptionId: string): GroupRecord[] {
    return [...this.groups.values()].filter((g) => g.subscriptionId.toLowerCase() === subscriptionId.toLowerCase());
  }

  get(id: string | undefined): ResourceRecord | undefined {
    return id === undefined ? undefined : this.resources.get(key(id));
  }

  put(record: ResourceRecord): void {
    this.resources.set(key(record.id), record);
    this.changed();
  }

  delete(id: string): void {
    this.resources.delete(key(id));
    this.changed();
  }

  /** Resources, optionally of one type, one subscription, one resource group. */
  list(filter: { type?: string; subscriptionId?: string; resourceGroup?: string } = {}): ResourceRecord[] {
    const eq = (a: string, b?: string) => b === undefined || a.toLowerCase() === b.toLowerCase();
    return [...this.resources.values()].filter(
      (r) =>
        eq(r.type, filter.type) &&
        eq(r.subscriptionId, filter.subscriptionId) &&
        eq(r.resourceGroup, filter.resourceGroup),
    );
  }

  clear(): void {
    this.groups.clear();
    this.resources.clear();
    this.changed();
  }
}
