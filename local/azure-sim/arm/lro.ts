import { ArmError } from './errors';
import type { ArmCore, Target } from './core';
import type { SimRequest, SimResponse } from './httpTypes';
import { POLL_RETRY_AFTER_S } from './latency';
import type { AsyncOperation, StartOperation } from './operations';
import type { ResourceType } from './resourceType';
import type { ResourceRecord } from './store';

/** The headers of a response that starts (or joins) a long-running operation. */
export function lroHeaders(
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

/** Retry-After (s) an RP sends while its operation runs. */
export function rpRetryAfter(type: Pick<ResourceType, 'provider' | 'pollRetryAfterS'>): number {
  if (type.pollRetryAfterS !== undefined) return type.pollRetryAfterS;
  if (type.provider === 'Microsoft.Compute') return POLL_RETRY_AFTER_S.compute;
  if (type.provider === 'Microsoft.Resources') return POLL_RETRY_AFTER_S.resources;
  return POLL_RETRY_AFTER_S.network;
}

/**
 * Retry-After (whole seconds, as Azure sends it) for a running operation: the RP's usual value scaled, but never
 * past the expected end, and at least 1 (the SDK ignores 0 and falls back to its 2 s default).
 */
export function retryAfter(core: ArmCore, op: AsyncOperation, rpSeconds: number): number {
  const scaled = Math.max(1, Math.round(rpSeconds * core.ctx.latency.timeScale));
  if (op.expectedEnd === undefined || op.expectedEnd === Infinity) return scaled;
  return Math.max(1, Math.min(scaled, Math.ceil((op.expectedEnd - Date.now()) / 1000)));
}

/**
 * Starts the LRO of a request (with the request's journal entry and any matching LRO fault); while it runs it is
 * the resource's active operation (`owner`), so conflicting requests get AnotherOperationInProgress.
 */
export function startLro(
  core: ArmCore,
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
  const op = core.ops.start({
    ...spec,
    op: t.route.op,
    subscriptionId: t.sub,
    provider: t.type.provider,
    location: spec.location ?? owner?.location ?? '',
    fault: core.faults.take(
      { method: req.method, resourceType: t.route.resourceType, name: t.route.name, op: t.route.op, lro: true },
      'lro',
    ),
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
  return { op, headers: lroHeaders(req.baseUrl, op, apiVersion, retryAfter(core, op, rpRetryAfter(t.type))) };
}

/**
 * SDK pollers cannot wait less than 1 s between polls, so a poll that arrives less than 1 s before the operation's
 * expected end (or while its end depends on running work, e.g. a script) is held until it ends, for at most ~1 s.
 * This keeps small time scales fast; clients see the same states, without idle waits.
 */
async function settle(op: AsyncOperation): Promise<void> {
  if (op.status !== 'InProgress' || op.expectedEnd === Infinity) return;
  const remaining = op.expectedEnd === undefined ? 1000 : op.expectedEnd - Date.now();
  if (remaining > 1000) return;
  await Promise.race([op.done, new Promise((r) => setTimeout(r, Math.max(0, remaining) + 50).unref())]);
}

/** The Azure-AsyncOperation (`results` false) and Location (`results` true) endpoints of an operation. */
export async function poll(core: ArmCore, req: SimRequest, id: string, results: boolean): Promise<SimResponse> {
  const op = core.ops.get(id);
  if (!op) throw new ArmError(404, 'NotFound', `The operation '${id}' was not found.`);
  await settle(op);
  const running = op.status === 'InProgress';
  const retryHeaders: Record<string, string> = running
    ? { 'Retry-After': String(retryAfter(core, op, rpRetryAfter({ provider: op.provider }))) }
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
