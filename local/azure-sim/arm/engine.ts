import { badRequest } from './errors';
import type { ArmCore, Route } from './core';
import type { FaultInjector } from './faults';
import type { SimRequest, SimResponse } from './httpTypes';
import type { Journal } from './journal';
import type { OperationManager } from './operations';
import type { ResourceTypeRegistry } from './registry';
import type { GroupDeletedListener } from './resourceGroups';
import type { ArmContext } from './resourceType';
import { route } from './routing';
import { errorResponse, serveJournaled } from './serve';

export type { Route } from './core';
export { errorResponse, serveJournaled, type ServeDeps } from './serve';
export { renderGroup } from './resourceGroups';

/**
 * The ARM REST surface. Its parts: routing.ts (URL → route), resourceGroups.ts, crud.ts (PUT/GET/PATCH/DELETE and
 * actions over registered resource types), lro.ts (long-running operations and their status endpoints), serve.ts +
 * faults.ts (journal, injected faults, error bodies), naming.ts (name rules), registry.ts (the resource types).
 */
export class ArmEngine {
  private readonly core: ArmCore;
  private readonly groupDeleted: GroupDeletedListener[] = [];

  constructor(
    ctx: ArmContext,
    ops: OperationManager,
    journal: Journal,
    faults: FaultInjector,
    readonly registry: ResourceTypeRegistry,
  ) {
    this.core = { ctx, ops, journal, faults, registry };
  }

  /** Runs `listener` after a resource group's cascade delete removed it and everything in it. */
  onGroupDeleted(listener: GroupDeletedListener): void {
    this.groupDeleted.push(listener);
  }

  async handle(req: SimRequest): Promise<SimResponse> {
    let r: Route;
    try {
      if (!req.url.searchParams.get('api-version')) {
        throw badRequest(
          'MissingApiVersionParameter',
          'The api-version query parameter (?api-version=) is required for all requests.',
        );
      }
      r = route(this.core, req, this.groupDeleted);
    } catch (err) {
      return errorResponse(err);
    }
    if (r.poll) return r.exec().catch(errorResponse);
    return serveJournaled({ ...this.core, latency: this.core.ctx.latency }, req, r);
  }
}
