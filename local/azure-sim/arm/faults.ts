import { randomUUID } from 'node:crypto';
import { ArmError } from './errors';
import type { LatencyModel } from './latency';

/** What an injected fault does to a matching request. */
export type FaultKind =
  /** 429 TooManyRequests with Retry-After */
  | 'throttle'
  /** 429 RetryableError */
  | 'retryableError'
  /** 500 InternalServerError */
  | 'serverError'
  /** 503 ServiceUnavailable with Retry-After */
  | 'serviceUnavailable'
  /** 409 AnotherOperationInProgress */
  | 'anotherOperationInProgress'
  /** the request is accepted, its LRO ends Failed with `code` */
  | 'lroFailed'
  /** the request is accepted, its LRO stays InProgress forever */
  | 'lroNeverFinishes';

export const FAULT_KINDS: readonly FaultKind[] = [
  'throttle',
  'retryableError',
  'serverError',
  'serviceUnavailable',
  'anotherOperationInProgress',
  'lroFailed',
  'lroNeverFinishes',
];

export interface FaultSpec {
  /** HTTP method (PUT, GET, POST, DELETE…); any if absent. */
  method?: string;
  /** "Microsoft.Network/networkInterfaces" or just "networkInterfaces"; any if absent. */
  resourceType?: string;
  /** Resource name (the last id segment of the target); any if absent. */
  name?: string;
  /** Operation name as journaled, e.g. "virtualMachines.createOrUpdate"; any if absent. */
  op?: string;
  kind: FaultKind;
  /** How many matching requests it affects (default 1). */
  times?: number;
  /** Error code (lroFailed; overrides the default code of the other kinds). */
  code?: string;
  message?: string;
  /** Retry-After for throttle / serviceUnavailable (default 1 s of Azure time, scaled). */
  retryAfterSeconds?: number;
}

export interface Fault extends FaultSpec {
  id: string;
  remaining: number;
  hits: number;
}

export interface FaultTarget {
  method: string;
  resourceType?: string;
  name?: string;
  op: string;
  /** Whether the request starts a long-running operation (only then lro* faults apply). */
  lro: boolean;
}

const LRO_KINDS: FaultKind[] = ['lroFailed', 'lroNeverFinishes'];

const eq = (a: string | undefined, b: string | undefined) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

function typeMatches(spec: string, actual: string | undefined): boolean {
  if (!actual) return false;
  return eq(spec, actual) || eq(spec, actual.split('/').pop());
}

/** Faults to inject, matched against requests by method / resource type / name / operation, N times each. */
export class FaultInjector {
  private faults: Fault[] = [];

  add(spec: FaultSpec): Fault {
    if (!FAULT_KINDS.includes(spec.kind)) throw new Error(`unknown fault kind '${String(spec.kind)}'`);
    const fault: Fault = { ...spec, id: randomUUID(), remaining: spec.times ?? 1, hits: 0 };
    this.faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }

  /** Finds the first matching fault with uses left and consumes one use. */
  take(target: FaultTarget, phase: 'request' | 'lro'): Fault | undefined {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (phase === 'lro') === LRO_KINDS.includes(f.kind) &&
        (phase === 'request' || target.lro) &&
        (!f.method || eq(f.method, target.method)) &&
        (!f.resourceType || typeMatches(f.resourceType, target.resourceType)) &&
        (!f.name || eq(f.name, target.name)) &&
        (!f.op || eq(f.op, target.op)),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    fault.hits += 1;
    return { ...fault };
  }
}

/** The ARM error a request-phase fault answers with (Retry-After scaled by the control-plane time scale). */
export function faultError(fault: Fault, latency: LatencyModel): ArmError {
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
