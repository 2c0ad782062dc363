import { ArmError } from './errors';
import type { Route } from './core';
import { faultError, type FaultInjector } from './faults';
import type { SimRequest, SimResponse } from './httpTypes';
import type { Journal } from './journal';
import type { LatencyModel } from './latency';

export interface ServeDeps {
  journal: Journal;
  faults: FaultInjector;
  latency: LatencyModel;
}

export function errorResponse(err: unknown): SimResponse {
  if (err instanceof ArmError) return { status: err.status, body: err.body(), headers: err.headers };
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, body: { error: { code: 'InternalServerError', message, details: [] } } };
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
