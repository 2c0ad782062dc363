import { randomUUID } from 'node:crypto';
import { ArmError, anotherOperationInProgress, badRequest, resourceGroupNotFound, resourceNotFound } from './errors';
import type { Fault, FaultInjector, FaultTarget } from './faults';
import type { SimRequest, SimResponse } from './httpTypes';
import { resourceGroupId, resourceId } from './ids';
import { POLL_RETRY_AFTER_S, type LatencyKey, type LatencyModel } from './latency';
import type { Journal, Operation } from './journal';
import type { AsyncOperation, OperationManager, StartOperation } from './operations';
import { canonicalJson, normalizeLocation, type ArmContext, type ResourceType } from './resourceType';
import type { GroupRecord, ResourceRecord, ResourceStore } from './store';

/** The resource a request targets, with its route and journal entry. */
interface Target {
  sub: string;
  rg: string;
  type: ResourceType;
  name: string;
  /** For a nested resource type (e.g. a VM's runCommands): the parent's id. */
  parentId?: string;
  entry?: Operation;
  route: Omit<Route, 'exec'>;
}

export interface Route {
  op: string;
  resourceId: string;
  resourceType?: string;
  name?: string;
  /** Operation-status polls are neither journaled nor faulted. */
  poll?: boolean;
  exec(entry?: Operation): Promise<SimResponse & { lro?: boolean }>;
}

const eq = (a: string | undefined, b: string) => (a ?? '').toLowerCase() === b.toLowerCase();

/** The headers of a response that starts (or joins) a long-running operation. */
function lroHeaders(
  baseUrl: string,
  op: AsyncOperation,
  apiVersion: string,
  retryAfter: number,
): Record<string, string> {
  const prefix = `${baseUrl}/subscriptions/${op.subscriptionId}/providers/${op.provider}/locations/${op.location}`;
  return {
    'Azure-AsyncOperation': `${prefix}/operations/${op.id}?api-version=${apiVersion}`,
    Location: `${prefix}/operationResults/${op.id}?api-version=${apiVersion}`,
    ...(retryAfter > 0 ? { 'Retry-After': String(retryAfter) } : {}),
  };
}

/** The ARM REST surface: routing, resource groups, generic PUT/GET/DELETE/list over resource types, LROs. */
export class ArmEngine {
  private readonly types = new Map<string, ResourceType>();

  constructor(
    private readonly ctx: ArmContext,
    private readonly ops: OperationManager,
    private readonly journal: Journal,
    private readonly faults: FaultInjector,
    types: ResourceType[],
  ) {
    for (const t of types) this.types.set(t.type.toLowerCase(), t);
  }

  private get store(): ResourceStore {
    return this.ctx.store;
  }

  private get latency(): LatencyModel {
    return this.ctx.latency;
  }

  async handle(req: SimRequest): Promise<SimResponse> {
    let route: Route;
    try {
      if (!req.url.searchParams.get('api-version')) {
        throw badRequest(
          'MissingApiVersionParameter',
          'The api-version query parameter (?api-version=) is required for all requests.',
        );
      }
      route = this.route(req);
    } catch (err) {
      return errorResponse(err);
    }
    if (route.poll) return route.exec().catch(errorResponse);
    return serveJournaled({ journal: this.journal, faults: this.faults, latency: this.latency }, req, route);
  }

  private target(req: SimRequest, route: Route, lro: boolean): FaultTarget {
    return { method: req.method, resourceType: route.resourceType, name: route.name, op: route.op, lro };
  }

  // ---------------------------------------------------------------- routing

  private route(req: SimRequest): Route {
    const s = req.segments;
    const m = req.method;
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
        exec: () => this.poll(req, rest[5], results),
      };
    }
    if (eq(rest[0], 'operationresults') && rest.length === 2 && m === 'GET') {
      return {
        op: 'operations.get',
        resourceId: req.url.pathname,
        poll: true,
        exec: () => this.poll(req, rest[1], true),
      };
    }
    if (eq(rest[0], 'resourcegroups')) {
      if (rest.length === 1 && m === 'GET') {
        return {
          op: 'resourceGroups.list',
          resourceId: `${base}/resourceGroups`,
          exec: async () => ({ status: 200, body: { value: this.store.listGroups(sub).map(renderGroup) } }),
        };
      }
      const rg = rest[1];
      if (rest.length === 2) return this.groupRoute(req, sub, rg);
      if (rest.length === 3 && eq(rest[2], 'resources') && m === 'GET') {
        return {
          op: 'resources.listByResourceGroup',
          resourceId: `${resourceGroupId(sub, rg)}/resources`,
          exec: async () => {
            this.requireGroup(sub, rg);
            return {
              status: 200,
              body: { value: this.store.list({ subscriptionId: sub, resourceGroup: rg }).map(genericResource) },
            };
          },
        };
      }
      if (eq(rest[2], 'providers') && rest.length >= 5) {
        const type = this.typeOf(rest[3], rest[4]);
        if (rest.length === 5 && m === 'GET') {
          return {
            op: `${type.short}.list`,
            resourceId: `${resourceGroupId(sub, rg)}/providers/${type.type}`,
            resourceType: type.type,
            exec: async () => {
              this.requireGroup(sub, rg);
              return {
                status: 200,
                body: {
                  value: this.store
                    .list({ type: type.type, subscriptionId: sub, resourceGroup: rg })
                    .map((r) => type.render(this.ctx, r)),
                },
              };
            },
          };
        }
        return this.resourceRoute(req, sub, rg, type, rest.slice(5));
      }
    }
    if (eq(rest[0], 'providers') && rest.length === 3 && m === 'GET') {
      const type = this.typeOf(rest[1], rest[2]);
      return {
        op: `${type.short}.listAll`,
        resourceId: `${base}/providers/${type.type}`,
        resourceType: type.type,
        exec: async () => ({
          status: 200,
          body: {
            value: this.store.list({ type: type.type, subscriptionId: sub }).map((r) => type.render(this.ctx, r)),
          },
        }),
      };
    }
    throw new ArmError(404, 'NotFound', `No route for ${req.method} ${req.url.pathname}`);
  }

  private typeOf(ns: string, type: string): ResourceType {
    const t = this.types.get(`${ns}/${type}`.toLowerCase());
    if (!t)
      throw badRequest(
        'InvalidResourceType',
        `The resource type '${type}' could not be found in the namespace '${ns}' for api version in this simulator.`,
      );
    return t;
  }

  private requireGroup(sub: string, rg: string): GroupRecord {
    const g = this.store.getGroup(sub, rg);
    if (!g || g.provisioningState === 'Deleting') throw resourceGroupNotFound(rg);
    return g;
  }

  // ---------------------------------------------------------------- resource groups

  private groupRoute(req: SimRequest, sub: string, rg: string): Route {
    const id = resourceGroupId(sub, rg);
    const base = { resourceId: id, resourceType: 'Microsoft.Resources/resourceGroups', name: rg };
    switch (req.method) {
      case 'GET':
        return {
          ...base,
          op: 'resourceGroups.get',
          exec: async () => ({ status: 200, body: renderGroup(this.requireGroup(sub, rg)) }),
        };
      case 'HEAD':
        return {
          ...base,
          op: 'resourceGroups.checkExistence',
          exec: async () => ({ status: this.store.getGroup(sub, rg) ? 204 : 404 }),
        };
      case 'PUT':
      case 'PATCH':
        return {
          ...base,
          op: req.method === 'PUT' ? 'resourceGroups.createOrUpdate' : 'resourceGroups.update',
          exec: () => this.putGroup(req, sub, rg),
        };
      case 'DELETE':
        return { ...base, op: 'resourceGroups.delete', exec: (entry) => this.deleteGroup(req, sub, rg, entry) };
      default:
        throw new ArmError(405, 'MethodNotAllowed', `${req.method} is not supported on resource groups.`);
    }
  }

  private async putGroup(req: SimRequest, sub: string, rg: string): Promise<SimResponse> {
    const existing = this.store.getGroup(sub, rg);
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
    if (!/^[-\w._()]{1,90}$/.test(rg) || rg.endsWith('.')) {
      throw badRequest(
        'InvalidResourceGroup',
        `The provided resource group name '${rg}' has these invalid characters: ...`,
      );
    }
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
    this.store.putGroup(group);
    return { status: existing ? 200 : 201, body: renderGroup(group) };
  }

  private async deleteGroup(
    req: SimRequest,
    sub: string,
    rg: string,
    entry?: Operation,
  ): Promise<SimResponse & { lro?: boolean }> {
    const group = this.requireGroup(sub, rg);
    group.provisioningState = 'Deleting';
    const route = {
      op: 'resourceGroups.delete',
      resourceId: group.id,
      resourceType: 'Microsoft.Resources/resourceGroups',
      name: rg,
    };
    const op = this.ops.start({
      op: route.op,
      resourceId: group.id,
      subscriptionId: sub,
      provider: 'Microsoft.Resources',
      location: group.location,
      delayMs: this.latency.ms('resourceGroups.delete'),
      fault: this.faults.take(this.target(req, route as Route, true), 'lro'),
      journal: entry,
      work: async () => {
        const members = this.store.list({ subscriptionId: sub, resourceGroup: rg });
        // VMs first (they release NICs and disks), then everything else, as ARM's cascade does.
        const vms = members.filter((r) => eq(r.type, 'Microsoft.Compute/virtualMachines'));
        for (const r of [...vms, ...members.filter((x) => !vms.includes(x))]) {
          const type = this.types.get(r.type.toLowerCase());
          if (!this.store.get(r.id)) continue;
          await type?.onDeleted?.(this.ctx, r, new URLSearchParams());
          this.store.delete(r.id);
        }
        this.store.deleteGroup(group);
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
        'Retry-After': String(this.retryAfter(op, POLL_RETRY_AFTER_S.resources)),
      },
    };
  }

  // ---------------------------------------------------------------- resources

  private resourceRoute(req: SimRequest, sub: string, rg: string, type: ResourceType, tail: string[]): Route {
    const [name, sub1, sub2] = tail;
    const nested = sub1 ? type.nested?.[sub1.toLowerCase()] : undefined;
    if (nested) return this.nestedRoute(req, sub, rg, nested, resourceId(sub, rg, type.type, name), tail.slice(2));
    const id = resourceId(sub, rg, type.type, name);
    const base = { resourceId: id, resourceType: type.type, name };
    const m = req.method;
    if (tail.length === 1) {
      if (m === 'GET')
        return {
          ...base,
          op: `${type.short}.get`,
          exec: async () => ({
            status: 200,
            body: type.render(this.ctx, this.getRecord({ sub, rg, type, name }), req.url.searchParams),
          }),
        };
      if (m === 'PUT') {
        const r = { ...base, op: `${type.short}.createOrUpdate` };
        return { ...r, exec: (entry) => this.put(req, { sub, rg, type, name, entry, route: r }) };
      }
      if (m === 'PATCH') {
        return {
          ...base,
          op: `${type.short}.updateTags`,
          exec: async () => this.patchTags(req, this.getRecord({ sub, rg, type, name }), type),
        };
      }
      if (m === 'DELETE') {
        const r = { ...base, op: `${type.short}.delete` };
        return { ...r, exec: (entry) => this.delete(req, { sub, rg, type, name, entry, route: r }) };
      }
    }
    if (tail.length === 2) {
      const action = type.actions?.[sub1.toLowerCase()];
      if (m === 'POST' && action) {
        const op = `${type.short}.${action.name}`;
        return {
          ...base,
          op,
          exec: (entry) => this.action(req, { sub, rg, type, name, entry, route: { ...base, op } }, sub1.toLowerCase()),
        };
      }
      const view = type.views?.[sub1.toLowerCase()];
      if (m === 'GET' && view)
        return {
          ...base,
          op: `${type.short}.${sub1}`,
          exec: async () => ({ status: 200, body: view(this.ctx, this.getRecord({ sub, rg, type, name })) }),
        };
      const child = type.children?.[sub1.toLowerCase()];
      if (m === 'GET' && child) {
        return {
          ...base,
          resourceId: `${id}/${sub1}`,
          op: `${child.opName}.list`,
          exec: async () => ({
            status: 200,
            body: { value: child.list(this.ctx, this.getRecord({ sub, rg, type, name })) },
          }),
        };
      }
    }
    if (tail.length === 3 && type.children?.[sub1.toLowerCase()]) {
      const child = type.children[sub1.toLowerCase()];
      const childId = `${id}/${sub1}/${sub2}`;
      const cbase = { resourceId: childId, resourceType: `${type.type}/${sub1}`, name: sub2 };
      const findChild = () => {
        const parent = this.getRecord({ sub, rg, type, name });
        const item = child.list(this.ctx, parent).find((c) => eq(c.name, sub2));
        if (!item) throw resourceNotFound(`${type.type}/${name}/${sub1}`, sub2, rg);
        return { parent, item };
      };
      if (m === 'GET')
        return { ...cbase, op: `${child.opName}.get`, exec: async () => ({ status: 200, body: findChild().item }) };
      if (m === 'PUT' && child.withChild) {
        return {
          ...cbase,
          op: `${child.opName}.createOrUpdate`,
          exec: async (entry) => {
            const parent = this.getRecord({ sub, rg, type, name });
            const existed = child.list(this.ctx, parent).some((c) => eq(c.name, sub2));
            const parentBody = child.withChild!(JSON.parse(parent.requestBody), sub2, req.body ?? {});
            const res = await this.put(
              { ...req, body: parentBody },
              { sub, rg, type, name, entry, route: { ...cbase, op: `${child.opName}.createOrUpdate` } },
              child.putLatency,
            );
            const item = child.list(this.ctx, this.getRecord({ sub, rg, type, name })).find((c) => eq(c.name, sub2));
            return { ...res, status: existed ? 200 : 201, body: item };
          },
        };
      }
      if (m === 'DELETE' && child.withoutChild) {
        return {
          ...cbase,
          op: `${child.opName}.delete`,
          exec: async (entry) => {
            const parent = this.store.get(id);
            if (!parent || !child.list(this.ctx, parent).some((c) => eq(c.name, sub2))) return { status: 204 };
            child.checkDelete?.(this.ctx, parent, sub2);
            const parentBody = child.withoutChild!(JSON.parse(parent.requestBody), sub2);
            const res = await this.put(
              { ...req, body: parentBody },
              { sub, rg, type, name, entry, route: { ...cbase, op: `${child.opName}.delete` } },
              child.deleteLatency,
            );
            return { ...res, status: 202, body: undefined };
          },
        };
      }
    }
    throw new ArmError(404, 'NotFound', `No route for ${req.method} ${req.url.pathname}`);
  }

  /** Routes of a resource type nested under a parent resource (GET list, GET/PUT/DELETE one). */
  private nestedRoute(
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
          this.requireParent({ rg, parentId });
          const value = this.store
            .list({ type: type.type })
            .filter((r) => r.id.toLowerCase().startsWith(`${collection.toLowerCase()}/`));
          return { status: 200, body: { value: value.map((r) => type.render(this.ctx, r, req.url.searchParams)) } };
        },
      };
    }
    const name = tail[0];
    if (tail.length !== 1 || !name)
      throw new ArmError(404, 'NotFound', `No route for ${req.method} ${req.url.pathname}`);
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
        exec: async () => ({ status: 200, body: type.render(this.ctx, this.getRecord(t('')), req.url.searchParams) }),
      };
    if (m === 'PUT')
      return {
        ...base,
        op: `${type.short}.createOrUpdate`,
        exec: (entry) => this.put(req, t(`${type.short}.createOrUpdate`, entry)),
      };
    if (m === 'DELETE')
      return {
        ...base,
        op: `${type.short}.delete`,
        exec: (entry) => this.delete(req, t(`${type.short}.delete`, entry)),
      };
    throw new ArmError(405, 'MethodNotAllowed', `${req.method} is not supported on ${req.url.pathname}.`);
  }

  /** PATCH with `{tags}` (updateTags): the only PATCH the simulator supports; answered synchronously like the Network RP. */
  private async patchTags(req: SimRequest, rec: ResourceRecord, type: ResourceType): Promise<SimResponse> {
    const { tags, ...other } = req.body ?? {};
    if (Object.keys(other).length)
      throw badRequest(
        'InvalidRequestFormat',
        'The simulator supports PATCH of tags only; use PUT to change other properties.',
      );
    const active = this.activeOperation(rec);
    if (active) throw anotherOperationInProgress(rec.id, active.id);
    rec.tags = tags ?? undefined;
    rec.etag = `W/"${randomUUID()}"`;
    return { status: 200, body: type.render(this.ctx, rec) };
  }

  private requireParent(t: Pick<Target, 'rg' | 'parentId'>): void {
    if (t.parentId && !this.store.get(t.parentId)) {
      throw resourceNotFound(t.parentId.split('/').slice(-3, -1).join('/'), t.parentId.split('/').pop()!, t.rg);
    }
  }

  private idFor(t: Pick<Target, 'sub' | 'rg' | 'type' | 'name' | 'parentId'>): string {
    return t.parentId ? `${t.parentId}/${t.type.segment}/${t.name}` : resourceId(t.sub, t.rg, t.type.type, t.name);
  }

  /** The record a request targets: 404 ResourceGroupNotFound / ResourceNotFound (also for a missing parent). */
  private getRecord(t: Pick<Target, 'sub' | 'rg' | 'type' | 'name' | 'parentId'>): ResourceRecord {
    this.requireGroup(t.sub, t.rg);
    this.requireParent(t);
    const rec = this.store.get(this.idFor(t));
    if (!rec) throw resourceNotFound(t.type.type, t.name, t.rg);
    return rec;
  }

  private activeOperation(rec: ResourceRecord): AsyncOperation | undefined {
    const op = rec.activeOperationId ? this.ops.get(rec.activeOperationId) : undefined;
    return op?.status === 'InProgress' ? op : undefined;
  }

  private async put(
    req: SimRequest,
    t: Target,
    latencyOverride?: LatencyKey,
  ): Promise<SimResponse & { lro?: boolean }> {
    const { sub, rg, type, name, route } = t;
    const group = this.requireGroup(sub, rg);
    this.requireParent(t);
    const id = this.idFor({ ...t, rg: group.name });
    const existing = this.store.get(id);
    const body = req.body ?? {};
    const canonical = canonicalJson(body);
    const apiVersion = req.url.searchParams.get('api-version') ?? '';
    if (existing) {
      const active = this.activeOperation(existing);
      if (active) {
        if (canonical === existing.requestBody && active.op === route.op) {
          return {
            status: 201,
            body: type.render(this.ctx, existing),
            headers: lroHeaders(req.baseUrl, active, apiVersion, this.retryAfter(active, this.rpRetryAfter(type))),
          };
        }
        throw anotherOperationInProgress(existing.id, active.id);
      }
      if (existing.provisioningState === 'Succeeded' && canonical === existing.requestBody) {
        return { status: 200, body: type.render(this.ctx, existing) };
      }
    }
    if (!existing) checkResourceName(type, name);
    const prepared = type.prepare(this.ctx, { id, name, body, existing, group });
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
    rec.properties = prepared.properties;
    rec.internal = { ...rec.internal, ...(prepared.internal ?? {}) };
    rec.requestBody = canonical;
    rec.etag = `W/"${randomUUID()}"`;
    const created = !existing;
    if (type.syncPut) {
      rec.provisioningState = 'Succeeded';
      this.store.put(rec);
      await type.onCommitted?.(this.ctx, rec, created);
      // Compute RP answers a synchronous create (availability sets) with 200, not 201.
      return { status: 200, body: type.render(this.ctx, rec) };
    }
    rec.provisioningState = created ? type.creatingState : 'Updating';
    this.store.put(rec);
    const latency = latencyOverride ?? (created ? type.createLatency : (type.updateLatency ?? type.createLatency));
    const { headers } = this.startLro(req, t, rec, {
      resourceId: route.resourceId,
      delayMs: this.latency.ms(latency),
      work: async () => {
        await type.onCommitted?.(this.ctx, rec, created);
        rec.provisioningState = 'Succeeded';
      },
      onFailed: () => {
        rec.provisioningState = 'Failed';
      },
    });
    return { status: created ? 201 : 200, lro: true, body: type.render(this.ctx, rec), headers };
  }

  private async delete(req: SimRequest, t: Target): Promise<SimResponse & { lro?: boolean }> {
    const { sub, rg, type, route } = t;
    this.requireGroup(sub, rg);
    const rec = this.store.get(this.idFor(t));
    if (!rec) return { status: 204 };
    const apiVersion = req.url.searchParams.get('api-version') ?? '';
    const active = this.activeOperation(rec);
    if (active) {
      if (active.op === route.op)
        return {
          status: 202,
          headers: lroHeaders(req.baseUrl, active, apiVersion, this.retryAfter(active, this.rpRetryAfter(type))),
        };
      throw anotherOperationInProgress(rec.id, active.id);
    }
    type.checkDelete?.(this.ctx, rec);
    const previousState = rec.provisioningState;
    rec.provisioningState = 'Deleting';
    const query = req.url.searchParams;
    const { headers } = this.startLro(req, t, rec, {
      resourceId: rec.id,
      delayMs: this.latency.ms(type.deleteLatency),
      work: async () => {
        await type.onDeleted?.(this.ctx, rec, query);
        this.store.delete(rec.id);
      },
      onFailed: () => {
        rec.provisioningState = previousState === 'Succeeded' ? 'Failed' : previousState;
      },
    });
    return { status: 202, lro: true, headers };
  }

  private async action(req: SimRequest, t: Target, action: string): Promise<SimResponse & { lro?: boolean }> {
    const { sub, rg, type, name } = t;
    const rec = this.getRecord({ sub, rg, type, name });
    const active = this.activeOperation(rec);
    if (active) throw anotherOperationInProgress(rec.id, active.id);
    const outcome = await type.actions![action].run(this.ctx, rec, req.body ?? {});
    if (outcome.kind === 'sync') return { status: outcome.status, body: outcome.body };
    const previousState = rec.provisioningState;
    const tracksState = outcome.transitionalState !== undefined;
    if (tracksState) rec.provisioningState = outcome.transitionalState!;
    const restore = () => {
      if (tracksState) rec.provisioningState = previousState;
    };
    const { headers } = this.startLro(req, t, tracksState ? rec : undefined, {
      resourceId: rec.id,
      location: rec.location,
      delayMs: this.latency.ms(outcome.latency),
      tailMs: outcome.tailLatency ? this.latency.ms(outcome.tailLatency) : undefined,
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

  /**
   * Starts the LRO of a request (with the request's journal entry and any matching LRO fault); while it runs it is
   * the resource's active operation (`owner`), so conflicting requests get AnotherOperationInProgress.
   */
  private startLro(
    req: SimRequest,
    t: Target,
    owner: ResourceRecord | undefined,
    spec: Pick<StartOperation, 'resourceId' | 'delayMs' | 'work' | 'workMode' | 'tailMs'> & {
      location?: string;
      onFailed: () => void;
    },
  ): { op: AsyncOperation; headers: Record<string, string> } {
    const release = () => {
      if (owner) owner.activeOperationId = undefined;
    };
    const op = this.ops.start({
      ...spec,
      op: t.route.op,
      subscriptionId: t.sub,
      provider: t.type.provider,
      location: spec.location ?? owner?.location ?? '',
      fault: this.faults.take(this.target(req, t.route as Route, true), 'lro'),
      journal: t.entry,
      work: async () => {
        const result = await spec.work?.();
        release();
        return result;
      },
      onFailed: () => {
        spec.onFailed();
        release();
      },
    });
    if (owner) owner.activeOperationId = op.id;
    const apiVersion = req.url.searchParams.get('api-version') ?? '';
    return { op, headers: lroHeaders(req.baseUrl, op, apiVersion, this.retryAfter(op, this.rpRetryAfter(t.type))) };
  }

  // ---------------------------------------------------------------- polling

  private rpRetryAfter(type: ResourceType): number {
    return type.provider === 'Microsoft.Compute' ? POLL_RETRY_AFTER_S.compute : POLL_RETRY_AFTER_S.network;
  }

  /**
   * Retry-After (whole seconds, as Azure sends it) for a running operation: the RP's usual value scaled, but never
   * past the expected end, and at least 1 (the SDK ignores 0 and falls back to its 2 s default).
   */
  private retryAfter(op: AsyncOperation, rpSeconds: number): number {
    const scaled = Math.max(1, Math.round(rpSeconds * this.latency.timeScale));
    if (op.expectedEnd === undefined || op.expectedEnd === Infinity) return scaled;
    return Math.max(1, Math.min(scaled, Math.ceil((op.expectedEnd - Date.now()) / 1000)));
  }

  /**
   * SDK pollers cannot wait less than 1 s between polls, so a poll that arrives less than 1 s before the operation's
   * expected end (or while its end depends on running work, e.g. a script) is held until it ends, for at most ~1 s.
   * This keeps small time scales fast; clients see the same states, without idle waits.
   */
  private async settle(op: AsyncOperation): Promise<void> {
    if (op.status !== 'InProgress' || op.expectedEnd === Infinity) return;
    const remaining = op.expectedEnd === undefined ? 1000 : op.expectedEnd - Date.now();
    if (remaining > 1000) return;
    await Promise.race([op.done, new Promise((r) => setTimeout(r, Math.max(0, remaining) + 50).unref())]);
  }

  private async poll(req: SimRequest, id: string, results: boolean): Promise<SimResponse> {
    const op = this.ops.get(id);
    if (!op) throw new ArmError(404, 'NotFound', `The operation '${id}' was not found.`);
    await this.settle(op);
    const rpSeconds =
      op.provider === 'Microsoft.Compute'
        ? POLL_RETRY_AFTER_S.compute
        : op.provider === 'Microsoft.Resources'
          ? POLL_RETRY_AFTER_S.resources
          : POLL_RETRY_AFTER_S.network;
    const running = op.status === 'InProgress';
    const retryHeaders: Record<string, string> = running
      ? { 'Retry-After': String(this.retryAfter(op, rpSeconds)) }
      : {};
    if (!results) {
      return {
        status: 200,
        headers: retryHeaders,
        body: {
          name: op.id,
          status: op.status,
          startTime: op.startTime.toISOString(),
          ...(op.endTime ? { endTime: op.endTime.toISOString() } : {}),
          ...(op.error ? { error: op.error } : {}),
          ...(op.result !== undefined && op.status === 'Succeeded' ? { properties: { output: op.result } } : {}),
        },
      };
    }
    if (running)
      return {
        status: 202,
        headers: { ...retryHeaders, Location: `${req.baseUrl}${req.url.pathname}${req.url.search}` },
      };
    if (op.status === 'Failed') {
      return {
        status: op.error?.code === 'Conflict' || op.error?.code === 'OperationNotAllowed' ? 409 : 500,
        body: { error: op.error },
      };
    }
    if (op.status === 'Canceled')
      return { status: 500, body: { error: { code: 'OperationCanceled', message: 'The operation was canceled.' } } };
    return { status: 200, body: op.result };
  }
}

export function errorResponse(err: unknown): SimResponse {
  if (err instanceof ArmError) return { status: err.status, body: err.body(), headers: err.headers };
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, body: { error: { code: 'InternalServerError', message, details: [] } } };
}

export function renderGroup(g: GroupRecord): any {
  return {
    id: g.id,
    name: g.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: g.location,
    ...(g.tags ? { tags: g.tags } : {}),
    ...(g.managedBy ? { managedBy: g.managedBy } : {}),
    properties: { provisioningState: g.provisioningState },
  };
}

/** A resource as `resources.listByResourceGroup` shows it. */
function genericResource(r: ResourceRecord): any {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    location: r.location,
    ...(r.tags ? { tags: r.tags } : {}),
    ...(r.sku ? { sku: r.sku } : {}),
    provisioningState: r.provisioningState,
  };
}

export interface ServeDeps {
  journal: Journal;
  faults: FaultInjector;
  latency: LatencyModel;
}

/** Journals a request, applies a matching request-phase fault, runs it, and maps errors to ARM error bodies. */
export async function serveJournaled(deps: ServeDeps, req: SimRequest, route: Route): Promise<SimResponse> {
  const entry = deps.journal.begin(route.op, req.method, route.resourceId);
  const fault = deps.faults.take(
    { method: req.method, resourceType: route.resourceType, name: route.name, op: route.op, lro: false },
    'request',
  );
  let response: SimResponse & { lro?: boolean };
  try {
    if (fault) throw faultError(fault, deps.latency);
    response = await route.exec(entry);
  } catch (err) {
    response = errorResponse(err);
  }
  entry.httpStatus = response.status;
  if (!response.lro) {
    const code = response.status >= 400 ? (response.body as any)?.error?.code : undefined;
    deps.journal.finish(entry, response.status < 400 ? 'Succeeded' : 'Failed', code);
  }
  delete response.lro;
  return response;
}

function faultError(fault: Fault, latency: LatencyModel): ArmError {
  const retryAfterS = fault.retryAfterSeconds ?? 1;
  const scaledMs = Math.round(latency.scale(retryAfterS * 1000));
  const retryHeaders = {
    'Retry-After': String(Math.max(0, Math.ceil(scaledMs / 1000))),
    // Honoured before Retry-After by the SDK's throttling policy: lets a scaled-down Retry-After be sub-second.
    'retry-after-ms': String(scaledMs),
  };
  switch (fault.kind) {
    case 'throttle':
      return new ArmError(
        429,
        fault.code ?? 'TooManyRequests',
        fault.message ?? 'The request is being throttled (injected fault).',
        undefined,
        [],
        retryHeaders,
      );
    case 'retryableError':
      return new ArmError(
        429,
        fault.code ?? 'RetryableError',
        fault.message ?? 'A retryable error occurred (injected fault).',
        undefined,
        [],
        retryHeaders,
      );
    case 'serverError':
      return new ArmError(
        500,
        fault.code ?? 'InternalServerError',
        fault.message ?? 'An internal server error occurred (injected fault).',
      );
    case 'serviceUnavailable':
      return new ArmError(
        503,
        fault.code ?? 'ServiceUnavailable',
        fault.message ?? 'The service is unavailable (injected fault).',
        undefined,
        [],
        retryHeaders,
      );
    default:
      return new ArmError(
        409,
        fault.code ?? 'AnotherOperationInProgress',
        fault.message ?? 'Another operation on this or dependent resource is in progress (injected fault).',
      );
  }
}

/** ARM's name rules for the resource types we model (1–80 word characters, '.', '-', '_'; VMs up to 64). */
function checkResourceName(type: ResourceType, name: string): void {
  const max = type.provider === 'Microsoft.Compute' ? 64 : 80;
  if (name.length > max || !/^\w[\w.-]*$/.test(name) || !/[\w]$/.test(name)) {
    throw badRequest(
      type.provider === 'Microsoft.Compute' ? 'InvalidParameter' : 'InvalidResourceName',
      `Resource name ${name} is invalid. The name can be up to ${max} characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'.`,
    );
  }
}
