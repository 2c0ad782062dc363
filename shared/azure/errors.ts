/**
 * What an error thrown by an Azure SDK client (RestError: `statusCode`, `code`) or by the durable-functions client
 * means, read from its fields — never from its message. Pure.
 */

/** The HTTP status of a response error (RestError.statusCode), or undefined for transport errors. */
export function statusCodeOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The service's (or the transport's) error code: ARM's `code`, Node's ECONNRESET, ...; undefined when absent. */
export function errorCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && code !== '' ? code : undefined;
}

/** 404: the resource, secret, entity or row does not exist. */
export const isNotFound = (error: unknown): boolean => statusCodeOf(error) === 404;

/** 409: a conflicting request (an entity that exists; a VM busy with another operation). */
export const isConflict = (error: unknown): boolean => statusCodeOf(error) === 409;

/** 412: an ETag condition did not hold (someone else changed the row). */
export const isPreconditionFailed = (error: unknown): boolean => statusCodeOf(error) === 412;

/** The message of a thrown value (a faulted task's result, a caught error). */
export const errorMessage = (value: unknown): string => (value instanceof Error ? value.message : String(value));

/**
 * The durable-functions client's 404 for an unknown instance. The library (v3, DurableClient.getStatus) throws a
 * plain Error whose only distinguishing feature is this fixed text, so it is recognised here and nowhere else.
 */
const DURABLE_NOT_FOUND = 'DurableClient error: Durable Functions extension replied with HTTP 404 response.';

export const isDurableInstanceNotFound = (error: unknown): boolean =>
  error instanceof Error && error.message.startsWith(DURABLE_NOT_FOUND);
