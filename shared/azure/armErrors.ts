/**
 * Classifies errors from the Azure SDK into transient (retry with backoff, honouring Retry-After) and fatal
 * (fail fast with ARM's code and an actionable message). Pure: takes the thrown value, returns a plain object
 * that can travel through orchestration history.
 */
import { errorCodeOf, statusCodeOf } from './errors';

export interface ArmFailure {
  transient: boolean;
  /** ARM error code (e.g. PrivateIPAddressInUse), or a transport code (ECONNRESET), or 'Unknown'. */
  code: string;
  /** HTTP status when there was a response. */
  statusCode?: number;
  /** ARM's own message (trimmed), plus what to do about it. */
  message: string;
  /** From Retry-After on 429/503, in ms. */
  retryAfterMs?: number;
}

const TRANSIENT_CODES = new Set([
  'AnotherOperationInProgress',
  'RetryableError',
  'TooManyRequests',
  'InternalServerError',
  'ServiceUnavailable',
  'GatewayTimeout',
  'OperationPreempted',
  'ReferencedResourceNotProvisioned',
  'Canceled',
]);

const TRANSPORT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'REQUEST_SEND_ERROR',
  'UND_ERR_SOCKET',
]);

/** What a user should do about the fatal errors we know. */
const ADVICE: Record<string, string> = {
  PrivateIPAddressInUse:
    'Another resource already holds that static IP in the subnet: choose a free address in the cluster spec, or free it.',
  PrivateIPAddressNotInSubnet:
    'The static IP is outside its subnet: fix the IP or the subnet prefix in the cluster spec.',
  SkuNotAvailable:
    'That VM size is not offered in this region (or zone) for the subscription: choose another vm.size or location.',
  QuotaExceeded:
    'The subscription has no quota left for this request: ask for a quota increase or choose a smaller vm.size.',
  OperationNotAllowed:
    'Azure refused the operation (often a quota): read the message, then raise the quota or change the spec.',
  AuthorizationFailed:
    "The app's identity lacks a role on the target: grant it Contributor (or the needed roles) on the subscription or resource group.",
  RequestDisallowedByPolicy:
    'An Azure Policy assignment denies this resource: change the spec to comply, or ask for a policy exemption.',
  ResourceGroupNotFound:
    'The resource group does not exist: the deployment creates it first, so check the subscription and permissions.',
  InvalidResourceReference:
    'A resource refers to another that does not exist: re-run the deployment; if it persists, report it.',
  SubscriptionNotFound:
    'The subscription id is wrong or not visible to the app identity: check subscriptionId in the spec.',
  InvalidSubscriptionId: 'The subscription id is not a GUID: check subscriptionId in the spec.',
};

interface ErrorLike {
  message?: string;
  response?: { headers?: { get?(name: string): string | undefined } };
}

export function classifyArmError(error: unknown): ArmFailure {
  const err = (error ?? {}) as ErrorLike;
  const rawMessage = typeof err.message === 'string' ? err.message : String(error);
  // A failed long-running operation: @azure/core-lro throws a plain Error whose message is the only place that
  // holds ARM's code ("The long-running operation has failed. <code>. <message>"); no field carries it.
  const lro = /^The long-running operation has failed\.\s*([A-Za-z][\w.]*)\.\s*([\s\S]*)$/.exec(rawMessage);
  const [, lroCode, lroMessage] = lro ?? [];
  if (lroCode !== undefined)
    return withAdvice({ transient: TRANSIENT_CODES.has(lroCode), code: lroCode, message: (lroMessage ?? '').trim() });

  const statusCode = statusCodeOf(error);
  const code = errorCodeOf(error) ?? (statusCode ? `Http${statusCode}` : 'Unknown');
  const retryAfterMs = parseRetryAfter(err.response?.headers?.get?.('retry-after'));
  const message = firstLine(rawMessage);

  if (statusCode === undefined) {
    return {
      transient: TRANSPORT_CODES.has(code),
      code,
      message,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  const transient = statusCode === 429 || statusCode >= 500 || TRANSIENT_CODES.has(code);
  return withAdvice({ transient, code, statusCode, message, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
}

function withAdvice(f: ArmFailure): ArmFailure {
  const advice = !f.transient ? ADVICE[f.code] : undefined;
  return advice ? { ...f, message: `${f.message} — ${advice}` } : f;
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function firstLine(message: string): string {
  const line = message.split('\n').find((l) => l.trim()) ?? message;
  return line.length > 500 ? `${line.slice(0, 497)}...` : line;
}

/**
 * Delay before attempt `attempt` (1-based count of failures so far): exponential from `baseMs`, capped, at least
 * what Azure asked for with Retry-After. Deterministic (no jitter) so orchestrators can use it.
 */
export function retryDelayMs(
  attempt: number,
  failure: Pick<ArmFailure, 'retryAfterMs'>,
  baseMs = 2_000,
  capMs = 60_000,
): number {
  const backoff = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(backoff, failure.retryAfterMs ?? 0);
}

/**
 * After `attempts` attempts of a step ended with `failure`: the wait before the next attempt, or — fatal, or
 * transient with the attempts used up — the failure to report (saying how often it was tried).
 */
export function retryOrGiveUp(
  failure: ArmFailure,
  attempts: number,
  policy: { baseMs: number; capMs: number; maxAttempts: number },
): { retryInMs: number } | { giveUp: ArmFailure } {
  if (failure.transient && attempts < policy.maxAttempts)
    return { retryInMs: retryDelayMs(attempts, failure, policy.baseMs, policy.capMs) };
  return {
    giveUp: failure.transient
      ? { ...failure, message: `${failure.message} (still failing after ${attempts} attempts)` }
      : failure,
  };
}
