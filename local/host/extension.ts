/**
 * The contract between the local Functions host core (local/host/*) and the extensions that plug into it
 * (the Durable engine in local/host/durable/). The host core owns registration, HTTP, timers, queues, logging
 * and the invocation pipeline; an extension owns the binding types it declares.
 *
 * Typed data follows the Functions RPC protocol (RpcTypedData of @azure/functions-core): exactly one of
 * string/json/bytes/http/... is set. `json` holds a JSON *string*.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface TypedData {
  string?: string;
  json?: string;
  bytes?: Uint8Array;
  int?: number;
  double?: number;
  http?: unknown;
}

/** One binding as the app registered it (the entries of the `bindings` record passed to registerFunction). */
export interface BindingMetadata {
  name: string;
  type: string;
  direction: 'in' | 'out' | 'inout';
  [setting: string]: unknown;
}

export interface RegisteredFunction {
  name: string;
  /** Trigger binding (the one whose type ends in 'Trigger'). */
  trigger: BindingMetadata;
  bindings: BindingMetadata[];
  retryOptions?: unknown;
}

export interface InvokeRequest {
  /** Data of the trigger binding. */
  triggerData: TypedData;
  /** Trigger metadata as the host would send it (e.g. dequeueCount, instanceId). */
  triggerMetadata?: Record<string, TypedData>;
  /** Explicit values for other input bindings; missing ones are resolved by their extension. */
  inputs?: Record<string, TypedData>;
  /** Optional id (the host generates one otherwise). */
  invocationId?: string;
}

export interface InvokeResult {
  invocationId: string;
  returnValue?: TypedData;
  outputs: Record<string, TypedData>;
  durationMs: number;
}

/** Error thrown by HostContext.invoke when the function failed (the user's error message, never app settings). */
export class InvocationError extends Error {
  constructor(
    message: string,
    readonly functionName: string,
    readonly invocationId: string,
    readonly userStack?: string,
  ) {
    super(message);
    this.name = 'InvocationError';
  }
}

export type RouteAuthLevel = 'anonymous' | 'function' | 'system' | 'admin';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer, url: URL) => Promise<void>;

export interface HostLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export interface HostJson {
  version?: string;
  functionTimeout?: string;
  extensions?: {
    http?: { routePrefix?: string };
    queues?: {
      batchSize?: number;
      newBatchThreshold?: number;
      maxPollingInterval?: string;
      visibilityTimeout?: string;
      maxDequeueCount?: number;
      messageEncoding?: 'base64' | 'none';
    };
    durableTask?: {
      hubName?: string;
      maxConcurrentActivityFunctions?: number;
      maxConcurrentOrchestratorFunctions?: number;
      [k: string]: unknown;
    };
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export interface HostContext {
  /** App settings (local.settings.json Values merged with process.env). Never log the values. */
  settings: Readonly<Record<string, string | undefined>>;
  hostJson: HostJson;
  functions: readonly RegisteredFunction[];
  /** e.g. http://127.0.0.1:7071 (no trailing slash). */
  baseUrl: string;
  /** A master/system key that the host accepts on authLevel admin/system routes. */
  systemKey: string;
  logger: HostLogger;
  /** Connection string for a connection setting name (default AzureWebJobsStorage). */
  storageConnectionString(connection?: string): string;
  /** Runs one invocation through the full pipeline (hooks, logging, timeout). Throws InvocationError on failure. */
  invoke(functionName: string, request: InvokeRequest): Promise<InvokeResult>;
  /**
   * Serves an extension's HTTP API (e.g. /runtime/webhooks/durabletask) on the host's port. Prefix match (the
   * longest registered prefix wins). The host checks the key before calling the handler: with the default
   * authLevel 'system' a request must carry `systemKey` (or the master key) as `code` query parameter or
   * `x-functions-key` header, else 401 — so URLs handed to clients should include `code=<systemKey>`.
   * The body is read in full (subject to the host's body limit) and passed as `body`.
   */
  addRoute(pathPrefix: string, handler: RouteHandler, authLevel?: RouteAuthLevel): void;
  /** True once stop() has begun. */
  readonly stopping: boolean;
}

export interface HostExtension {
  name: string;
  /** Trigger binding types this extension drives, e.g. ['orchestrationTrigger', 'activityTrigger']. */
  triggerTypes: string[];
  /** Input binding types this extension resolves, e.g. ['durableClient']. */
  inputBindingTypes: string[];
  start(ctx: HostContext): Promise<void>;
  /** Stop taking new work, let in-flight work finish or be safely abandoned, release resources. */
  stop(): Promise<void>;
  resolveInput?(binding: BindingMetadata, fn: RegisteredFunction, invocationId: string): Promise<TypedData>;
}
