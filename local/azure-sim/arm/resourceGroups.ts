import { ArmError, badRequest, resourceGroupNotFound } from './errors';
import { eq, requireGroup, type ArmCore, type Route } from './core';
import type { SimRequest, SimResponse } from './httpTypes';
import { resourceGroupId } from './ids';
import type { Operation } from './journal';
import { POLL_RETRY_AFTER_S } from './latency';
import { retryAfter } from './lro';
import { checkGroupName } from './naming';
import { normalizeLocation } from './resourceType';
import type { GroupRecord, ResourceRecord } from './store';

const GROUP_TYPE = 'Microsoft.Resources/resourceGroups';

/** Listeners told when a resource group's cascade delete removed everything (e.g. the cluster model of the group). */
export type GroupDeletedListener = (subscriptionId: string, resourceGroup: string) => void | Promise<void>;

export function renderGroup(g: GroupRecord): any {
  return {
    id: g.id,
    name: g.name,
    type: GROUP_TYPE,
    location: g.location,
    ...(g.tags ? { tags: g.tags } : {}),
    ...(g.managedBy ? { managedBy: g.managedBy } : {}),
    properties: { provisioningState: g.provisioningState },
  };
}

/** A resource as `resources.listByResourceGroup` shows it. */
export function genericResource(r: ResourceRecord): any {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    location: r.location,
    ...(r.tags ? { tags: r.tags } : {}),
    ...(r.sku ? { sku: r.sku } : {}),
    ...(r.zones ? { zones: r.zones } : {}),
    ...(r.identity ? { identity: r.identity } : {}),
    ...(r.plan ? { plan: r.plan } : {}),
    provisioningState: r.provisioningState,
  };
}

/** GET/HEAD/PUT/PATCH/DELETE of /subscriptions/{sub}/resourceGroups/{rg}. */
export function groupRoute(
  core: ArmCore,
  req: SimRequest,
  sub: string,
  rg: string,
  onDeleted: GroupDeletedListener[],
): Route {
  const id = resourceGroupId(sub, rg);
  const base = { resourceId: id, resourceType: GROUP_TYPE, name: rg };
  switch (req.method) {
    case 'GET':
      return {
        ...base,
        op: 'resourceGroups.get',
        exec: async () => ({ status: 200, body: renderGroup(requireGroup(core, sub, rg)) }),
      };
    case 'HEAD':
      return {
        ...base,
        op: 'resourceGroups.checkExistence',
        exec: async () => ({ status: core.ctx.store.getGroup(sub, rg) ? 204 : 404 }),
      };
    case 'PUT':
    case 'PATCH':
      return {
        ...base,
        op: req.method === 'PUT' ? 'resourceGroups.createOrUpdate' : 'resourceGroups.update',
        exec: async () => putGroup(core, req, sub, rg),
      };
    case 'DELETE':
      return {
        ...base,
        op: 'resourceGroups.delete',
        exec: async (entry) => deleteGroup(core, req, sub, rg, onDeleted, entry),
      };
    default:
      throw new ArmError(405, 'MethodNotAllowed', `${req.method} is not supported on resource groups.`);
  }
}

function putGroup(core: ArmCore, req: SimRequest, sub: string, rg: string): SimResponse {
  const existing = core.ctx.store.getGroup(sub, rg);
  if (existing?.provisioningState === 'Deleting') {
    throw new ArmError(
      409,
      'ResourceGroupBeingDeleted',
      `The resource group '${rg}' is in deprovisioning state and cannot perform this operation.`,
    );
  }
  const body = req.body ?? {};
  if (req.method === 'PATCH') {
    if (!existing) throw resourceGroupNotFound(rg);
    if (body.tags) existing.tags = body.tags;
    return { status: 200, body: renderGroup(existing) };
  }
  if (typeof body.location !== 'string' || !body.location) {
    throw badRequest('LocationRequired', 'The location property is required for this definition.');
  }
  checkGroupName(rg);
  if (existing && normalizeLocation(existing.location) !== normalizeLocation(body.location)) {
    throw new ArmError(
      409,
      'InvalidResourceGroupLocation',
      `Invalid resource group location '${body.location}'. The Resource group already exists in location '${existing.location}'.`,
    );
  }
  const group: GroupRecord = {
    id: existing?.id ?? resourceGroupId(sub, rg),
    name: existing?.name ?? rg,
    subscriptionId: sub,
    location: normalizeLocation(body.location),
    tags: body.tags,
    managedBy: body.managedBy,
    provisioningState: 'Succeeded',
  };
  core.ctx.store.putGroup(group);
  return { status: existing ? 200 : 201, body: renderGroup(group) };
}

function deleteGroup(
  core: ArmCore,
  req: SimRequest,
  sub: string,
  rg: string,
  onDeleted: GroupDeletedListener[],
  entry?: Operation,
): SimResponse & { lro?: boolean } {
  const group = requireGroup(core, sub, rg);
  const store = core.ctx.store;
  group.provisioningState = 'Deleting';
  const op = core.ops.start({
    op: 'resourceGroups.delete',
    resourceId: group.id,
    subscriptionId: sub,
    provider: 'Microsoft.Resources',
    location: group.location,
    delayMs: core.ctx.latency.ms('resourceGroups.delete'),
    fault: core.faults.take(
      { method: req.method, resourceType: GROUP_TYPE, name: rg, op: 'resourceGroups.delete', lro: true },
      'lro',
    ),
    journal: entry,
    work: async () => {
      const members = store.list({ subscriptionId: sub, resourceGroup: rg });
      // VMs first (they release NICs and disks), then everything else, as ARM's cascade does.
      const vms = members.filter((r) => eq(r.type, 'Microsoft.Compute/virtualMachines'));
      for (const r of [...vms, ...members.filter((x) => !vms.includes(x))]) {
        const type = core.registry.find(r.type);
        if (!store.get(r.id)) continue;
        await type?.onDeleted?.(core.ctx, r, new URLSearchParams());
        store.delete(r.id);
      }
      store.deleteGroup(group);
      for (const l of onDeleted) await l(sub, group.name);
    },
    onFailed: () => {
      group.provisioningState = 'Succeeded';
    },
  });
  const apiVersion = req.url.searchParams.get('api-version') ?? '';
  return {
    status: 202,
    lro: true,
    headers: {
      Location: `${req.baseUrl}/subscriptions/${sub}/operationresults/${op.id}?api-version=${apiVersion}`,
      'Retry-After': String(retryAfter(core, op, POLL_RETRY_AFTER_S.resources)),
    },
  };
}
