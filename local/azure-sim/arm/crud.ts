import { randomUUID } from 'node:crypto';
import { anotherOperationInProgress, badRequest } from './errors';
import { activeOperation, getRecord, idFor, requireGroup, requireParent, type ArmCore, type Target } from './core';
import type { SimRequest, SimResponse } from './httpTypes';
import type { LatencyKey } from './latency';
import { lroHeaders, retryAfter, rpRetryAfter, startLro } from './lro';
import { checkResourceName } from './naming';
import { canonicalJson, type ResourceType } from './resourceType';
import type { ResourceRecord } from './store';

type Served = SimResponse & { lro?: boolean };

/** PUT (create or replace): idempotent re-PUT, AnotherOperationInProgress, sync or LRO commit. */
export async function put(core: ArmCore, req: SimRequest, t: Target, latencyOverride?: LatencyKey): Promise<Served> {
  const { ctx } = core;
  const { sub, rg, type, name, route } = t;
  const group = requireGroup(core, sub, rg);
  requireParent(core, t);
  const id = idFor({ ...t, rg: group.name });
  const existing = ctx.store.get(id);
  const body = req.body ?? {};
  const canonical = canonicalJson(body);
  const apiVersion = req.url.searchParams.get('api-version') ?? '';
  if (existing) {
    const active = activeOperation(core, existing);
    if (active) {
      if (canonical === existing.requestBody && active.op === route.op) {
        return {
          status: 201,
          body: type.render(ctx, existing),
          headers: lroHeaders(req.baseUrl, active, apiVersion, retryAfter(core, active, rpRetryAfter(type))),
        };
      }
      throw anotherOperationInProgress(existing.id, active.id);
    }
    if (existing.provisioningState === 'Succeeded' && canonical === existing.requestBody) {
      return { status: 200, body: type.render(ctx, existing) };
    }
  }
  if (!existing) checkResourceName(type, name);
  const prepared = type.prepare(ctx, { id, name, body, existing, group });
  const rec: ResourceRecord = existing ?? {
    id,
    type: type.type,
    name,
    subscriptionId: sub,
    resourceGroup: group.name,
    location: prepared.location,
    properties: {},
    provisioningState: type.creatingState,
    etag: '',
    requestBody: canonical,
    internal: {},
  };
  rec.tags = prepared.tags;
  rec.sku = prepared.sku;
  rec.zones = prepared.zones;
  rec.identity = prepared.identity;
  rec.plan = prepared.plan;
  rec.extendedLocation = prepared.extendedLocation;
  rec.properties = prepared.properties;
  rec.internal = { ...rec.internal, ...(prepared.internal ?? {}) };
  rec.requestBody = canonical;
  rec.etag = `W/"${randomUUID()}"`;
  const created = !existing;
  if (type.syncPut) {
    rec.provisioningState = 'Succeeded';
    ctx.store.put(rec);
    await type.onCommitted?.(ctx, rec, created);
    // Compute RP answers a synchronous create (availability sets) with 200, not 201.
    return { status: created ? (type.syncCreatedStatus ?? 200) : 200, body: type.render(ctx, rec) };
  }
  rec.provisioningState = created ? type.creatingState : 'Updating';
  ctx.store.put(rec);
  const latency = latencyOverride ?? (created ? type.createLatency : (type.updateLatency ?? type.createLatency));
  const { headers } = startLro(core, req, t, rec, {
    resourceId: route.resourceId,
    delayMs: ctx.latency.ms(latency),
    work: async () => {
      await type.onCommitted?.(ctx, rec, created);
      rec.provisioningState = 'Succeeded';
    },
    onFailed: () => {
      rec.provisioningState = 'Failed';
    },
  });
  return { status: created ? 201 : 200, lro: true, body: type.render(ctx, rec), headers };
}

/** DELETE: 204 when absent, else an LRO that runs the type's onDeleted and removes the record. */
export function remove(core: ArmCore, req: SimRequest, t: Target): Served {
  const { ctx } = core;
  const { sub, rg, type, route } = t;
  requireGroup(core, sub, rg);
  const rec = ctx.store.get(idFor(t));
  if (!rec) return { status: 204 };
  const apiVersion = req.url.searchParams.get('api-version') ?? '';
  const active = activeOperation(core, rec);
  if (active) {
    if (active.op === route.op)
      return {
        status: 202,
        headers: lroHeaders(req.baseUrl, active, apiVersion, retryAfter(core, active, rpRetryAfter(type))),
      };
    throw anotherOperationInProgress(rec.id, active.id);
  }
  type.checkDelete?.(ctx, rec);
  const previousState = rec.provisioningState;
  rec.provisioningState = 'Deleting';
  const query = req.url.searchParams;
  const { headers } = startLro(core, req, t, rec, {
    resourceId: rec.id,
    delayMs: ctx.latency.ms(type.deleteLatency),
    work: async () => {
      await type.onDeleted?.(ctx, rec, query);
      ctx.store.delete(rec.id);
    },
    onFailed: () => {
      rec.provisioningState = previousState === 'Succeeded' ? 'Failed' : previousState;
    },
  });
  return { status: 202, lro: true, headers };
}

/** POST action (restart, runCommand…): a synchronous answer or an LRO. */
export async function action(core: ArmCore, req: SimRequest, t: Target, actionName: string): Promise<Served> {
  const { ctx } = core;
  const { type } = t;
  const rec = getRecord(core, t);
  const active = activeOperation(core, rec);
  if (active) throw anotherOperationInProgress(rec.id, active.id);
  const outcome = await type.actions![actionName].run(ctx, rec, req.body ?? {});
  if (outcome.kind === 'sync') return { status: outcome.status, body: outcome.body };
  const previousState = rec.provisioningState;
  const tracksState = outcome.transitionalState !== undefined;
  if (tracksState) rec.provisioningState = outcome.transitionalState!;
  const restore = () => {
    if (tracksState) rec.provisioningState = previousState;
  };
  const { headers } = startLro(core, req, t, tracksState ? rec : undefined, {
    resourceId: rec.id,
    location: rec.location,
    delayMs: ctx.latency.ms(outcome.latency),
    tailMs: outcome.tailLatency ? ctx.latency.ms(outcome.tailLatency) : undefined,
    workMode: outcome.workMode,
    work: async () => {
      const result = await outcome.work();
      restore();
      return result;
    },
    onFailed: restore,
  });
  return { status: 202, lro: true, headers };
}

/** PATCH with `{tags}` (updateTags): the only PATCH the simulator supports; answered synchronously like the Network RP. */
export function patchTags(core: ArmCore, req: SimRequest, rec: ResourceRecord, type: ResourceType): SimResponse {
  const { tags, ...other } = req.body ?? {};
  if (Object.keys(other).length)
    throw badRequest(
      'InvalidRequestFormat',
      'The simulator supports PATCH of tags only; use PUT to change other properties.',
    );
  const active = activeOperation(core, rec);
  if (active) throw anotherOperationInProgress(rec.id, active.id);
  rec.tags = tags ?? undefined;
  rec.etag = `W/"${randomUUID()}"`;
  return { status: 200, body: type.render(core.ctx, rec) };
}
