import { resourceGroupNotFound, resourceNotFound } from './errors';
import type { FaultInjector } from './faults';
import type { SimResponse } from './httpTypes';
import { resourceId } from './ids';
import type { Journal, Operation } from './journal';
import type { AsyncOperation, OperationManager } from './operations';
import type { ResourceTypeRegistry } from './registry';
import type { ArmContext, ResourceType } from './resourceType';
import type { GroupRecord, ResourceRecord } from './store';

/** What the engine's parts share: the ARM context (store, runtime, latency), LROs, journal, faults, types. */
export interface ArmCore {
  ctx: ArmContext;
  ops: OperationManager;
  journal: Journal;
  faults: FaultInjector;
  registry: ResourceTypeRegistry;
}

/** One routed request: its journal name, target, and the function that serves it. */
export interface Route {
  op: string;
  resourceId: string;
  resourceType?: string;
  name?: string;
  /** Operation-status polls are neither journaled nor faulted. */
  poll?: boolean;
  exec(entry?: Operation): Promise<SimResponse & { lro?: boolean }>;
}

/** The resource a request targets, with its route and journal entry. */
export interface Target {
  sub: string;
  rg: string;
  type: ResourceType;
  name: string;
  /** For a nested resource type (e.g. a VM's runCommands): the parent's id. */
  parentId?: string;
  entry?: Operation;
  route: Omit<Route, 'exec'>;
}

export type TargetRef = Pick<Target, 'sub' | 'rg' | 'type' | 'name' | 'parentId'>;

export const eq = (a: string | undefined, b: string) => (a ?? '').toLowerCase() === b.toLowerCase();

export function requireGroup(core: ArmCore, sub: string, rg: string): GroupRecord {
  const g = core.ctx.store.getGroup(sub, rg);
  if (!g || g.provisioningState === 'Deleting') throw resourceGroupNotFound(rg);
  return g;
}

export function requireParent(core: ArmCore, t: Pick<Target, 'rg' | 'parentId'>): void {
  if (t.parentId && !core.ctx.store.get(t.parentId)) {
    throw resourceNotFound(t.parentId.split('/').slice(-3, -1).join('/'), t.parentId.split('/').pop()!, t.rg);
  }
}

export function idFor(t: TargetRef): string {
  return t.parentId ? `${t.parentId}/${t.type.segment}/${t.name}` : resourceId(t.sub, t.rg, t.type.type, t.name);
}

/** The record a request targets: 404 ResourceGroupNotFound / ResourceNotFound (also for a missing parent). */
export function getRecord(core: ArmCore, t: TargetRef): ResourceRecord {
  requireGroup(core, t.sub, t.rg);
  requireParent(core, t);
  const rec = core.ctx.store.get(idFor(t));
  if (!rec) throw resourceNotFound(t.type.type, t.name, t.rg);
  return rec;
}

export function activeOperation(core: ArmCore, rec: ResourceRecord): AsyncOperation | undefined {
  const op = rec.activeOperationId ? core.ops.get(rec.activeOperationId) : undefined;
  return op?.status === 'InProgress' ? op : undefined;
}
