import { createHash } from 'node:crypto';
import type { SimClocks } from '../clocks';
import type { VmRuntime } from '../vm/runtime';
import type { LatencyKey, LatencyModel } from './latency';
import type { GroupRecord, ResourceRecord, ResourceStore } from './store';

export interface ArmContext {
  store: ResourceStore;
  runtime: VmRuntime;
  latency: LatencyModel;
  /** The control-plane and cluster clocks. */
  clocks: SimClocks;
  /** Metric series and VM health (monitor/signals.ts), for resource types that evaluate them (alert rules). */
  signals?: import('../monitor/signals').SimSignals;
}

export interface PutInput {
  id: string;
  name: string;
  body: any;
  existing?: ResourceRecord;
  group: GroupRecord;
}

/** A validated, normalized PUT body. */
export interface Prepared {
  location: string;
  tags?: Record<string, string>;
  sku?: unknown;
  zones?: string[];
  identity?: unknown;
  plan?: unknown;
  extendedLocation?: unknown;
  properties: Record<string, any>;
  internal?: Record<string, any>;
}

/** A long-running action (POST) or the synchronous answer to it. */
export type ActionOutcome =
  | { kind: 'sync'; status: number; body?: unknown }
  | {
      kind: 'lro';
      latency: LatencyKey;
      work: () => Promise<unknown>;
      workMode?: 'after' | 'concurrent';
      tailLatency?: LatencyKey;
      /** provisioningState while it runs (e.g. 'Updating' for restart); unchanged if absent. */
      transitionalState?: string;
    };

export interface ChildType {
  /** Items of this child type in the parent's rendered JSON. */
  list(ctx: ArmContext, parent: ResourceRecord): any[];
  /** Parent PUT body with the child created/replaced (child PUT), or without it (child DELETE). */
  withChild?(parentBody: any, name: string, childBody: any): any;
  withoutChild?(parentBody: any, name: string): any;
  checkDelete?(ctx: ArmContext, parent: ResourceRecord, name: string): void;
  putLatency?: LatencyKey;
  deleteLatency?: LatencyKey;
  /** Operation-name prefix, e.g. 'subnets'. */
  opName: string;
  /** POST actions on one child by lower-cased name (e.g. a load-balancing rule's `health`). */
  actions?: Record<
    string,
    {
      name: string;
      run: (
        ctx: ArmContext,
        parent: ResourceRecord,
        childName: string,
        body: any,
      ) => ActionOutcome | Promise<ActionOutcome>;
    }
  >;
}

export interface ResourceType {
  /** "Microsoft.Network/virtualNetworks" */
  type: string;
  /** "virtualNetworks" (journal op prefix) */
  short: string;
  /** Resource provider namespace ("Microsoft.Network"); names LRO status URLs. */
  provider: string;
  /** provisioningState of a resource being created: Network RP says Updating, Compute RP Creating. */
  creatingState: 'Updating' | 'Creating';
  /** PUT answered synchronously (availability sets); otherwise an LRO. */
  syncPut?: boolean;
  /** Status of a synchronous PUT that created the resource (default 200, as the Compute RP answers). */
  syncCreatedStatus?: 200 | 201;
  /** Default latencies (Azure ms) of operation types this type introduces, e.g. {'actionGroups.createOrUpdate': 1000}. */
  latencies?: Record<string, number>;
  /** Retry-After (s) the RP sends while one of its operations runs (default: Compute 30, others 10). */
  pollRetryAfterS?: number;
  /** Name rule (throws ArmError); default: ARM's common rule (see naming.ts). */
  checkName?(name: string): void;
  createLatency: LatencyKey;
  updateLatency?: LatencyKey;
  deleteLatency: LatencyKey;
  /** Validates and normalizes a PUT body; throws ArmError. Must not change the store. */
  prepare(ctx: ArmContext, input: PutInput): Prepared;
  /** The resource as ARM returns it. */
  render(ctx: ArmContext, rec: ResourceRecord, query?: URLSearchParams): any;
  /** Throws ArmError when the resource cannot be deleted (in use). */
  checkDelete?(ctx: ArmContext, rec: ResourceRecord): void;
  /** Runs when a PUT's LRO completes (before provisioningState becomes Succeeded). */
  onCommitted?(ctx: ArmContext, rec: ResourceRecord, created: boolean): Promise<void>;
  /** Runs when a DELETE's LRO completes (before the record is removed). */
  onDeleted?(ctx: ArmContext, rec: ResourceRecord, query: URLSearchParams): Promise<void>;
  children?: Record<string, ChildType>;
  /** POST actions by lower-cased name. */
  actions?: Record<
    string,
    { name: string; run: (ctx: ArmContext, rec: ResourceRecord, body: any) => ActionOutcome | Promise<ActionOutcome> }
  >;
  /** Resource types nested under this one, by lower-cased collection segment (e.g. runcommands). */
  nested?: Record<string, ResourceType>;
  /** For a nested type: its collection segment in ids (e.g. 'runCommands'). */
  segment?: string;
  /** GET sub-views by lower-cased name (e.g. instanceview). */
  views?: Record<string, (ctx: ArmContext, rec: ResourceRecord) => unknown>;
}

/** The common ARM envelope of a top-level resource (every top-level property the PUT set that ARM returns). */
export function envelope(rec: ResourceRecord, properties: Record<string, any>, withEtag = true): any {
  return {
    id: rec.id,
    name: rec.name,
    type: rec.type,
    location: rec.location,
    ...(rec.tags ? { tags: rec.tags } : {}),
    ...(rec.sku ? { sku: rec.sku } : {}),
    ...(rec.zones ? { zones: rec.zones } : {}),
    ...(rec.identity ? { identity: rec.identity } : {}),
    ...(rec.plan ? { plan: rec.plan } : {}),
    ...(rec.extendedLocation ? { extendedLocation: rec.extendedLocation } : {}),
    ...(withEtag ? { etag: rec.etag } : {}),
    properties: { ...properties, provisioningState: rec.provisioningState },
  };
}

/** A Network RP sub-resource ({name, id, etag, type, properties}) of a parent resource. */
export function subResource(
  parent: ResourceRecord,
  childType: string,
  item: { name: string; properties?: any },
  extra: Record<string, any> = {},
): any {
  return {
    name: item.name,
    id: `${parent.id}/${childType}/${item.name}`,
    etag: parent.etag,
    type: `${parent.type}/${childType}`,
    properties: {
      ...(item.properties ?? {}),
      ...extra,
      provisioningState: parent.provisioningState === 'Deleting' ? 'Deleting' : parent.provisioningState,
    },
  };
}

export const ref = (id: string) => ({ id });

/** Location of a new resource: the body's, else the resource group's (Network RP accepts bodies without one). */
export function locationOf(input: PutInput): string {
  const loc =
    typeof input.body?.location === 'string' && input.body.location ? input.body.location : input.group.location;
  return normalizeLocation(loc);
}

export function normalizeLocation(loc: string): string {
  return loc.replace(/\s+/g, '').toLowerCase();
}

const SECRET_KEYS = new Set(['adminpassword', 'runaspassword', 'protectedsettings']);

/**
 * Stable JSON (sorted keys) for idempotency comparisons. Secret properties (adminPassword…) are replaced by a hash,
 * so the simulator never keeps them while a re-PUT with the same secret still compares equal.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (k, v) => {
    if (SECRET_KEYS.has(k.toLowerCase()) && typeof v === 'string')
      return `sha256:${createHash('sha256').update(v).digest('hex')}`;
    return v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v;
  });
}
