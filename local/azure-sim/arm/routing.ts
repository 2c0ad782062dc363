import { ArmError, anotherOperationInProgress, resourceNotFound } from './errors';
import {
  activeOperation,
  eq,
  getRecord,
  requireGroup,
  requireParent,
  type ArmCore,
  type Route,
  type Target,
} from './core';
import { action, patchTags, put, remove } from './crud';
import type { SimRequest } from './httpTypes';
import { resourceGroupId, resourceId } from './ids';
import type { Operation } from './journal';
import { poll, startLro } from './lro';
import { genericResource, groupRoute, renderGroup, type GroupDeletedListener } from './resourceGroups';
import type { ResourceType } from './resourceType';

const noRoute = (req: SimRequest) => new ArmError(404, 'NotFound', `No route for ${req.method} ${req.url.pathname}`);

/** Maps an ARM request (`/subscriptions/...`) to the route that serves it; throws ArmError when none. */
export function route(core: ArmCore, req: SimRequest, onGroupDeleted: GroupDeletedListener[]): Route {
  const s = req.segments;
  const m = req.method;
  const { store } = core.ctx;
  if (!eq(s[0], 'subscriptions') || !s[1]) throw new ArmError(404, 'NotFound', `No route for ${req.url.pathname}`);
  const sub = s[1];
  const rest = s.slice(2);
  const base = `/subscriptions/${sub}`;
  // operation status endpoints
  if (eq(rest[0], 'providers') && eq(rest[2], 'locations') && rest.length === 6 && m === 'GET') {
    const results = eq(rest[4], 'operationResults');
    return {
      op: 'operations.get',
      resourceId: req.url.pathname,
      poll: true,
      exec: () => poll(core, req, rest[5], results),
    };
  }
  if (eq(rest[0], 'operationresults') && rest.length === 2 && m === 'GET') {
    return {
      op: 'operations.get',
      resourceId: req.url.pathname,
      poll: true,
      exec: () => poll(core, req, rest[1], true),
    };
  }
  if (eq(rest[0], 'resourcegroups')) {
    if (rest.length === 1 && m === 'GET') {
      return {
        op: 'resourceGroups.list',
        resourceId: `${base}/resourceGroups`,
        exec: async () => ({ status: 200, body: { value: store.listGroups(sub).map(renderGroup) } }),
      };
    }
    const rg = rest[1];
    if (rest.length === 2) return groupRoute(core, req, sub, rg, onGroupDeleted);
    if (rest.length === 3 && eq(rest[2], 'resources') && m === 'GET') {
      return {
        op: 'resources.listByResourceGroup',
        resourceId: `${resourceGroupId(sub, rg)}/resources`,
        exec: async () => {
          requireGroup(core, sub, rg);
          return {
            status: 200,
            body: { value: store.list({ subscriptionId: sub, resourceGroup: rg }).map(genericResource) },
          };
        },
      };
    }
    if (eq(rest[2], 'providers') && rest.length >= 5) {
      const type = core.registry.require(rest[3], rest[4]);
      if (rest.length === 5 && m === 'GET') {
        return {
          op: `${type.short}.list`,
          resourceId: `${resourceGroupId(sub, rg)}/providers/${type.type}`,
          resourceType: type.type,
          exec: async () => {
            requireGroup(core, sub, rg);
            const value = store
              .list({ type: type.type, subscriptionId: sub, resourceGroup: rg })
              .map((r) => type.render(core.ctx, r));
            return { status: 200, body: { value } };
          },
        };
      }
      return resourceRoute(core, req, sub, rg, type, rest.slice(5));
    }
  }
  if (eq(rest[0], 'providers') && rest.length === 3 && m === 'GET') {
    const type = core.registry.require(rest[1], rest[2]);
    return {
      op: `${type.short}.listAll`,
      resourceId: `${base}/providers/${type.type}`,
      resourceType: type.type,
      exec: async () => ({
        status: 200,
        body: { value: store.list({ type: type.type, subscriptionId: sub }).map((r) => type.render(core.ctx, r)) },
      }),
    };
  }
  throw noRoute(req);
}

/** Routes under one resource: GET/PUT/PATCH/DELETE, POST actions, GET views, child (sub-resource) routes. */
function resourceRoute(
  core: ArmCore,
  req: SimRequest,
  sub: string,
  rg: string,
  type: ResourceType,
  tail: string[],
): Route {
  const { ctx } = core;
  const [name, sub1, sub2, sub3] = tail;
  const nested = sub1 ? type.nested?.[sub1.toLowerCase()] : undefined;
  if (nested) return nestedRoute(core, req, sub, rg, nested, resourceId(sub, rg, type.type, name), tail.slice(2));
  const id = resourceId(sub, rg, type.type, name);
  const base = { resourceId: id, resourceType: type.type, name };
  const ref = { sub, rg, type, name };
  const m = req.method;
  if (tail.length === 1) {
    if (m === 'GET')
      return {
        ...base,
        op: `${type.short}.get`,
        exec: async () => ({ status: 200, body: type.render(ctx, getRecord(core, ref), req.url.searchParams) }),
      };
    if (m === 'PUT') {
      const r = { ...base, op: `${type.short}.createOrUpdate` };
      return { ...r, exec: (entry) => put(core, req, { ...ref, entry, route: r }) };
    }
    if (m === 'PATCH') {
      return {
        ...base,
        op: `${type.short}.updateTags`,
        exec: async () => patchTags(core, req, getRecord(core, ref), type),
      };
    }
    if (m === 'DELETE') {
      const r = { ...base, op: `${type.short}.delete` };
      return { ...r, exec: async (entry) => remove(core, req, { ...ref, entry, route: r }) };
    }
  }
  if (tail.length === 2) {
    const act = type.actions?.[sub1.toLowerCase()];
    if (m === 'POST' && act) {
      const op = `${type.short}.${act.name}`;
      return {
        ...base,
        op,
        exec: (entry) => action(core, req, { ...ref, entry, route: { ...base, op } }, sub1.toLowerCase()),
      };
    }
    const view = type.views?.[sub1.toLowerCase()];
    if (m === 'GET' && view)
      return {
        ...base,
        op: `${type.short}.${sub1}`,
        exec: async () => ({ status: 200, body: view(ctx, getRecord(core, ref)) }),
      };
    const child = type.children?.[sub1.toLowerCase()];
    if (m === 'GET' && child) {
      return {
        ...base,
        resourceId: `${id}/${sub1}`,
        op: `${child.opName}.list`,
        exec: async () => ({ status: 200, body: { value: child.list(ctx, getRecord(core, ref)) } }),
      };
    }
  }
  const child = sub1 ? type.children?.[sub1.toLowerCase()] : undefined;
  if ((tail.length === 3 || tail.length === 4) && child) {
    const childId = `${id}/${sub1}/${sub2}`;
    const cbase = { resourceId: childId, resourceType: `${type.type}/${sub1}`, name: sub2 };
    const findChild = () => {
      const parent = getRecord(core, ref);
      const item = child.list(ctx, parent).find((c) => eq(c.name, sub2));
      if (!item) throw resourceNotFound(`${type.type}/${name}/${sub1}`, sub2, rg);
      return { parent, item };
    };
    const childAction = tail.length === 4 ? child.actions?.[sub3.toLowerCase()] : undefined;
    if (m === 'POST' && childAction) {
      const op = `${child.opName}.${childAction.name}`;
      return {
        ...cbase,
        op,
        exec: async (entry) => {
          const { parent } = findChild();
          const active = activeOperation(core, parent);
          if (active) throw anotherOperationInProgress(parent.id, active.id);
          const outcome = await childAction.run(ctx, parent, sub2, req.body ?? {});
          if (outcome.kind === 'sync') return { status: outcome.status, body: outcome.body };
          const t: Target = { ...ref, entry, route: { ...cbase, op } };
          const { headers } = startLro(core, req, t, undefined, {
            resourceId: childId,
            location: parent.location,
            delayMs: ctx.latency.ms(outcome.latency),
            workMode: outcome.workMode,
            tailMs: outcome.tailLatency ? ctx.latency.ms(outcome.tailLatency) : undefined,
            work: outcome.work,
            onFailed: () => undefined,
          });
          return { status: 202, lro: true, headers };
        },
      };
    }
    if (tail.length === 3 && m === 'GET')
      return { ...cbase, op: `${child.opName}.get`, exec: async () => ({ status: 200, body: findChild().item }) };
    if (tail.length === 3 && m === 'PUT' && child.withChild) {
      const op = `${child.opName}.createOrUpdate`;
      return {
        ...cbase,
        op,
        exec: async (entry) => {
          const parent = getRecord(core, ref);
          const existed = child.list(ctx, parent).some((c) => eq(c.name, sub2));
          const parentBody = child.withChild!(JSON.parse(parent.requestBody), sub2, req.body ?? {});
          const res = await put(
            core,
            { ...req, body: parentBody },
            { ...ref, entry, route: { ...cbase, op } },
            child.putLatency,
          );
          const item = child.list(ctx, getRecord(core, ref)).find((c) => eq(c.name, sub2));
          return { ...res, status: existed ? 200 : 201, body: item };
        },
      };
    }
    if (tail.length === 3 && m === 'DELETE' && child.withoutChild) {
      const op = `${child.opName}.delete`;
      return {
        ...cbase,
        op,
        exec: async (entry) => {
          const parent = ctx.store.get(id);
          if (!parent || !child.list(ctx, parent).some((c) => eq(c.name, sub2))) return { status: 204 };
          child.checkDelete?.(ctx, parent, sub2);
          const parentBody = child.withoutChild!(JSON.parse(parent.requestBody), sub2);
          const res = await put(
            core,
            { ...req, body: parentBody },
            { ...ref, entry, route: { ...cbase, op } },
            child.deleteLatency,
          );
          return { ...res, status: 202, body: undefined };
        },
      };
    }
  }
  throw noRoute(req);
}

/** Routes of a resource type nested under a parent resource (GET list, GET/PUT/DELETE one). */
function nestedRoute(
  core: ArmCore,
  req: SimRequest,
  sub: string,
  rg: string,
  type: ResourceType,
  parentId: string,
  tail: string[],
): Route {
  const m = req.method;
  const collection = `${parentId}/${type.segment}`;
  if (tail.length === 0 && m === 'GET') {
    return {
      op: `${type.short}.list`,
      resourceId: collection,
      resourceType: type.type,
      exec: async () => {
        requireParent(core, { rg, parentId });
        const value = core.ctx.store
          .list({ type: type.type })
          .filter((r) => r.id.toLowerCase().startsWith(`${collection.toLowerCase()}/`));
        return { status: 200, body: { value: value.map((r) => type.render(core.ctx, r, req.url.searchParams)) } };
      },
    };
  }
  const name = tail[0];
  if (tail.length !== 1 || !name) throw noRoute(req);
  const base = { resourceId: `${collection}/${name}`, resourceType: type.type, name };
  const t = (op: string, entry?: Operation): Target => ({
    sub,
    rg,
    type,
    name,
    parentId,
    entry,
    route: { ...base, op },
  });
  if (m === 'GET')
    return {
      ...base,
      op: `${type.short}.get`,
      exec: async () => ({ status: 200, body: type.render(core.ctx, getRecord(core, t('')), req.url.searchParams) }),
    };
  if (m === 'PUT')
    return {
      ...base,
      op: `${type.short}.createOrUpdate`,
      exec: (entry) => put(core, req, t(`${type.short}.createOrUpdate`, entry)),
    };
  if (m === 'DELETE')
    return {
      ...base,
      op: `${type.short}.delete`,
      exec: async (entry) => remove(core, req, t(`${type.short}.delete`, entry)),
    };
  throw new ArmError(405, 'MethodNotAllowed', `${req.method} is not supported on ${req.url.pathname}.`);
}
