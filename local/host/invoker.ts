import { randomUUID } from 'node:crypto';
import type { CoreApi, FunctionRegistration, LogScope } from './coreApi';
import { readOnly } from './coreApi';
import { formatTimeSpan } from './config';
import type { BindingMetadata, InvokeRequest, InvokeResult, RegisteredFunction, TypedData } from './extension';
import { InvocationError } from './extension';
import type { HostLog } from './logging';
import type {
  CoreInvocationContext,
  RpcInvocationResponse,
  RpcParameterBinding,
  RpcRetryContext,
  RpcTypedData,
} from './rpcTypes';
import { OUT_OF_PROC_DATA_LABEL } from './durable/episode';

/** Resolves an input binding the caller did not supply (e.g. durableClient through its extension). */
export type InputResolver = (
  binding: BindingMetadata,
  fn: RegisteredFunction,
  invocationId: string,
) => Promise<TypedData>;
/** Writes host-managed output bindings (e.g. queue) after a successful invocation; a failure fails the invocation. */
export type OutputWriter = (
  fn: RegisteredFunction,
  outputs: Record<string, TypedData>,
  invocationId: string,
) => Promise<void>;

export interface InvokerOptions {
  core: CoreApi;
  log: HostLog;
  appRoot: string;
  scriptFiles: string[];
  timeoutMs?: number;
  resolveInput: InputResolver;
  writeOutputs: OutputWriter;
}

export interface InvokeOptions extends InvokeRequest {
  /** Why the function runs, as the host logs it (e.g. "Timer fired at ..."). */
  reason?: string;
  retryContext?: RpcRetryContext;
}

const RETURN_BINDING = '$return';

export function isTriggerType(type: string): boolean {
  return type.toLowerCase().endsWith('trigger');
}

/** The app's registrations as the extension contract describes them. */
export function toRegisteredFunction(reg: FunctionRegistration): RegisteredFunction {
  const bindings: BindingMetadata[] = Object.entries(reg.metadata.bindings).map(([name, b]) => ({
    ...(b as Record<string, unknown>),
    name,
    type: String(b.type),
    direction: b.direction ?? 'in',
  }));
  const trigger = bindings.find((b) => isTriggerType(b.type));
  if (!trigger) throw new Error(`Function "${reg.metadata.name}" has no trigger binding`);
  return { name: reg.metadata.name, trigger, bindings, retryOptions: reg.metadata.retryOptions };
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err && typeof err === 'object' && 'message' in err) return String(err.message);
  return String(err);
}

class TimeoutError extends Error {}

/**
 * An orchestrator's failure as durable-functions reports it: `<error>\n\n$OutOfProcData$:<state json>` (the state
 * is for the Durable extension, often tens of KB). For the log: the error on one line and the state's size.
 */
export function splitOrchestrationFailure(message: string): string | undefined {
  const at = message.indexOf(OUT_OF_PROC_DATA_LABEL);
  if (at < 0) return undefined;
  const error = message
    .slice(0, at)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  const stateBytes =
    Buffer.byteLength(message) - Buffer.byteLength(message.slice(0, at + OUT_OF_PROC_DATA_LABEL.length));
  return `${error} (orchestrator state: ${stateBytes} bytes, not logged)`;
}

/**
 * Runs invocations through the app's programming model exactly like the Node worker's InvocationHandler:
 * getInvocationModel → getArguments → preInvocation hooks → invokeFunction → postInvocation hooks → getResponse,
 * with the host's function timeout and one "Executed" log line per invocation.
 */
export class Invoker {
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #o: InvokerOptions;

  constructor(options: InvokerOptions) {
    this.#o = options;
  }

  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  /** Waits until running invocations finish or `timeoutMs` passes; resolves true if all finished. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.#inFlight.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.#inFlight]),
        new Promise((r) => {
          timer = setTimeout(r, left);
        }),
      ]);
      clearTimeout(timer);
    }
    return true;
  }

  registration(name: string): FunctionRegistration | undefined {
    return this.#o.core.functions.get(name.toLowerCase());
  }

  /** Runs one invocation; it counts as in flight (for drain) until its outputs are written. */
  invoke(fn: RegisteredFunction, request: InvokeOptions): Promise<InvokeResult> {
    return this.#track(this.#invoke(fn, request));
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    const untrack = () => this.#inFlight.delete(promise);
    promise.then(untrack, untrack);
    return promise;
  }

  async #invoke(fn: RegisteredFunction, request: InvokeOptions): Promise<InvokeResult> {
    const reg = this.registration(fn.name);
    if (!reg) throw new Error(`Function "${fn.name}" is not registered`);
    const invocationId = request.invocationId ?? randomUUID();
    const started = Date.now();
    const scope: LogScope = { functionName: fn.name, invocationId };
    const { log, timeoutMs } = this.#o;
    log.write({
      level: 'debug',
      category: 'Function',
      message: `Executing 'Functions.${fn.name}' (Reason='${request.reason ?? 'This function was programmatically called via the host APIs.'}', Id=${invocationId})`,
      functionName: fn.name,
      invocationId,
    });

    // Tracked on its own too: after a timeout the user's code may still be running.
    const run = this.#track(this.#pipeline(fn, reg, invocationId, request, scope));

    let timer: NodeJS.Timeout | undefined;
    try {
      const response = await (timeoutMs === undefined
        ? run
        : Promise.race([
            run,
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new TimeoutError()), timeoutMs);
            }),
          ]));
      const result = this.#toResult(fn, invocationId, response, Date.now() - started);
      await this.#o.writeOutputs(fn, result.outputs, invocationId);
      this.#logOutcome(fn.name, invocationId, 'Succeeded', result.durationMs);
      return result;
    } catch (err) {
      const durationMs = Date.now() - started;
      const message =
        err instanceof TimeoutError
          ? `Timeout value of ${formatTimeSpan(timeoutMs ?? 0)} was exceeded by function: Functions.${fn.name}`
          : errorMessage(err);
      const orchestration = splitOrchestrationFailure(message);
      log.write({
        level: 'error',
        category: 'Function',
        message: orchestration
          ? // the orchestrator's own failure (it decided to fail): one line, without the replay state it carries
            `Exception while executing function: Functions.${fn.name}. ${orchestration}`
          : `Exception while executing function: Functions.${fn.name}. ${message}` +
            (err instanceof Error && err.stack && !(err instanceof TimeoutError) ? `\n${err.stack}` : ''),
        functionName: fn.name,
        invocationId,
      });
      this.#logOutcome(fn.name, invocationId, 'Failed', durationMs);
      throw new InvocationError(message, fn.name, invocationId, err instanceof Error ? err.stack : undefined);
    } finally {
      clearTimeout(timer);
    }
  }

  #logOutcome(name: string, invocationId: string, outcome: 'Succeeded' | 'Failed', durationMs: number): void {
    this.#o.log.write({
      level: outcome === 'Succeeded' ? 'information' : 'error',
      category: 'Function',
      message: `Executed 'Functions.${name}' (${outcome}, Id=${invocationId}, Duration=${durationMs}ms)`,
      functionName: name,
      invocationId,
    });
  }

  async #inputData(
    fn: RegisteredFunction,
    invocationId: string,
    request: InvokeRequest,
  ): Promise<RpcParameterBinding[]> {
    const inputData: RpcParameterBinding[] = [{ name: fn.trigger.name, data: request.triggerData as RpcTypedData }];
    for (const binding of fn.bindings) {
      if (binding === fn.trigger || binding.direction !== 'in') continue;
      const data = request.inputs?.[binding.name] ?? (await this.#o.resolveInput(binding, fn, invocationId));
      inputData.push({ name: binding.name, data: data as RpcTypedData });
    }
    return inputData;
  }

  async #pipeline(
    fn: RegisteredFunction,
    reg: FunctionRegistration,
    invocationId: string,
    request: InvokeOptions,
    scope: LogScope,
  ): Promise<RpcInvocationResponse> {
    const { core, appRoot, scriptFiles } = this.#o;
    const model = core.programmingModel;
    if (!model) throw new Error('No programming model was registered by the app');

    const coreCtx: CoreInvocationContext = {
      invocationId,
      request: {
        invocationId,
        functionId: fn.name,
        inputData: await this.#inputData(fn, invocationId, request),
        triggerMetadata: (request.triggerMetadata ?? {}) as Record<string, RpcTypedData>,
        traceContext: {
          traceParent: `00-${randomUUID().replace(/-/g, '')}-${randomUUID().replace(/-/g, '').slice(0, 16)}-00`,
          traceState: '',
          attributes: {},
        },
        retryContext: request.retryContext,
      },
      metadata: {
        name: fn.name,
        functionId: reg.metadata.functionId ?? fn.name,
        directory: appRoot,
        scriptFile: scriptFiles[0] ?? '',
        bindings: reg.metadata.bindings,
        retryOptions: reg.metadata.retryOptions,
      },
      log: (level, category, message) => core.emit(level, category, message, scope),
    };
    core.emit('debug', 'system', `Worker received FunctionInvocationRequest with invocationId ${invocationId}`, scope);

    const invocationModel = await model.getInvocationModel(coreCtx);
    const hookData: Record<string, unknown> = {};
    const { context, inputs: initialInputs } = await invocationModel.getArguments();
    scope.hookData = hookData;
    scope.invocationContext = context;

    const common = {
      hookData: () => hookData,
      appHookData: () => core.appHookData,
      invocationContext: () => context,
    };
    const pre = readOnly({ functionCallback: reg.callback, inputs: initialInputs }, common);
    coreCtx.state = 'preInvocationHooks';
    try {
      await core.executeHooks('preInvocation', pre, scope);
    } finally {
      coreCtx.state = undefined;
    }
    const inputs = pre.inputs;
    const callback = pre.functionCallback;

    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it (result/error are assigned later)
    const post = readOnly({ inputs, result: null, error: null } as Record<string, unknown>, common);
    coreCtx.state = 'invocation';
    try {
      post.result = await invocationModel.invokeFunction(context, inputs, callback);
    } catch (err) {
      post.error = err;
    } finally {
      coreCtx.state = undefined;
    }

    coreCtx.state = 'postInvocationHooks';
    try {
      await core.executeHooks('postInvocation', post, scope);
    } finally {
      coreCtx.state = undefined;
    }
    if (post.error !== null && post.error !== undefined)
      throw post.error instanceof Error ? post.error : new Error(`function failed: ${JSON.stringify(post.error)}`);
    return invocationModel.getResponse(context, post.result);
  }

  #toResult(
    fn: RegisteredFunction,
    invocationId: string,
    response: RpcInvocationResponse,
    durationMs: number,
  ): InvokeResult {
    const outputs: Record<string, TypedData> = {};
    for (const out of response.outputData ?? []) {
      if (out.name && out.data) outputs[out.name] = out.data;
    }
    const returnValue = response.returnValue ?? undefined;
    if (returnValue && fn.bindings.some((b) => b.name === RETURN_BINDING && b.direction === 'out')) {
      outputs[RETURN_BINDING] = returnValue;
    }
    return { invocationId, returnValue: returnValue, outputs, durationMs };
  }
}
