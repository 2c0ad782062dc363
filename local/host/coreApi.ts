import type { HostLog, LogLevel } from './logging';
import { toLogLevel } from './logging';
import type {
  CoreFunctionMetadata,
  FunctionCallback,
  HookCallback,
  ProgrammingModel,
  RpcLogCategory,
  RpcLogLevel,
} from './rpcTypes';

/** Disposable of @azure/functions-core. */
export class Disposable {
  #callOnDispose?: () => unknown;

  static from(...likes: { dispose: () => unknown }[]): Disposable {
    return new Disposable(() => {
      for (const like of likes) like.dispose();
    });
  }

  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }

  dispose(): unknown {
    const fn = this.#callOnDispose;
    this.#callOnDispose = undefined;
    return fn?.();
  }
}

export type HookName = 'preInvocation' | 'postInvocation' | 'appStart' | 'appTerminate' | 'log';
const HOOK_NAMES: readonly HookName[] = ['preInvocation', 'postInvocation', 'appStart', 'appTerminate', 'log'];

export interface FunctionRegistration {
  metadata: CoreFunctionMetadata;
  callback: FunctionCallback;
}

/** Data attached to one log line (the invocation it belongs to, for log hooks and the invocation line). */
export interface LogScope {
  functionName?: string;
  invocationId?: string;
  hookData?: Record<string, unknown>;
  invocationContext?: unknown;
}

class ReadOnlyError extends TypeError {
  constructor(name: string) {
    super(`Cannot assign to read only property '${name}'`);
    this.name = 'ReadOnlyError';
  }
}

/** Defines getters for hook-context properties that the worker makes read-only (assigning throws). */
export function readOnly<T extends object>(target: T, props: Record<string, () => unknown>): T {
  for (const [name, get] of Object.entries(props)) {
    Object.defineProperty(target, name, {
      enumerable: true,
      get,
      set() {
        throw new ReadOnlyError(name);
      },
    });
  }
  return target;
}

/**
 * The state behind the `@azure/functions-core` module of one host: function registrations, hooks and the programming
 * model, as the Node worker keeps them (AppContext / WorkerChannel of Azure/azure-functions-nodejs-worker).
 */
export class CoreApi {
  readonly functions = new Map<string, FunctionRegistration>();
  readonly hooks: Record<HookName, HookCallback[]> = {
    preInvocation: [],
    postInvocation: [],
    appStart: [],
    appTerminate: [],
    log: [],
  };
  /** Shared by all hooks (HookContext.appHookData). */
  readonly appHookData: Record<string, unknown> = {};
  /** hookData of appStart/appTerminate hooks. */
  readonly appLevelOnlyHookData: Record<string, unknown> = {};
  programmingModel?: ProgrammingModel;
  #registrationOpen = true;

  constructor(
    private readonly log: HostLog,
    readonly hostVersion: string,
  ) {}

  /** After app startup, registerFunction is refused, like the worker does. */
  closeRegistration(): void {
    this.#registrationOpen = false;
  }

  registerFunction(metadata: CoreFunctionMetadata, callback: FunctionCallback): Disposable {
    if (!this.#registrationOpen) throw new Error('A function can only be registered during app startup.');
    if (!metadata || typeof metadata.name !== 'string' || !metadata.name)
      throw new Error('Function metadata is missing a name.');
    if (typeof callback !== 'function') throw new Error(`Function "${metadata.name}" has no handler.`);
    const key = metadata.name.toLowerCase();
    if (this.functions.has(key))
      throw new Error(`A function with the name "${metadata.name}" has already been registered.`);
    this.functions.set(key, { metadata, callback });
    return new Disposable(() => {
      if (!this.#registrationOpen) throw new Error('A function can only be disposed during app startup.');
      this.functions.delete(key);
    });
  }

  registerHook(hookName: string, callback: HookCallback): Disposable {
    if (!HOOK_NAMES.includes(hookName as HookName)) {
      const err = new RangeError(`Unrecognized hook "${hookName}"`) as RangeError & {
        isAzureFunctionsSystemError?: boolean;
      };
      err.isAzureFunctionsSystemError = true;
      throw err;
    }
    if (typeof callback !== 'function') throw new TypeError(`The ${hookName} hook callback must be a function.`);
    const list = this.hooks[hookName as HookName];
    list.push(callback);
    return new Disposable(() => {
      const i = list.indexOf(callback);
      if (i >= 0) list.splice(i, 1);
    });
  }

  async executeHooks(
    hookName: Exclude<HookName, 'log'>,
    context: Record<string, unknown>,
    scope?: LogScope,
  ): Promise<void> {
    const callbacks = [...this.hooks[hookName]];
    if (callbacks.length === 0) return;
    this.emit('debug', 'system', `Executing ${callbacks.length} "${hookName}" hooks`, scope);
    for (const callback of callbacks) await callback(context);
    this.emit('debug', 'system', `Executed "${hookName}" hooks`, scope);
  }

  /**
   * Writes one log line through the log hooks (they may change level and message of user logs only, and cannot
   * suppress system logs), like WorkerContext.log.
   */
  emit(level: RpcLogLevel, category: RpcLogCategory, message: string, scope: LogScope = {}): void {
    let finalLevel: string = level;
    let finalMessage = message;
    if (this.hooks.log.length > 0) {
      const ctx = readOnly(
        { level, message },
        {
          hookData: () => scope.hookData ?? {},
          appHookData: () => this.appHookData,
          invocationContext: () => scope.invocationContext,
          category: () => category,
        },
      );
      try {
        for (const hook of this.hooks.log) hook(ctx);
        if (category === 'user') {
          finalLevel = String(ctx.level);
          finalMessage = String(ctx.message);
        }
      } catch {
        // user hooks cannot prevent logs
      }
    }
    const lvl: LogLevel | undefined = toLogLevel(finalLevel);
    if (!lvl) return;
    this.log.write({
      level: lvl,
      category: 'Function',
      message: finalMessage,
      functionName: scope.functionName,
      invocationId: scope.invocationId,
      source: category === 'user' ? 'user' : 'system',
    });
  }

  /** The object `require('@azure/functions-core')` returns inside the app. */
  createModule(): Record<string, unknown> {
    const api = {
      version: '3.12.0-local',
      hostVersion: this.hostVersion,
      registerFunction: (metadata: CoreFunctionMetadata, callback: FunctionCallback) =>
        this.registerFunction(metadata, callback),
      registerHook: (hookName: string, callback: HookCallback) => this.registerHook(hookName, callback),
      setProgrammingModel: (model: ProgrammingModel) => {
        if (this.programmingModel) {
          this.emit(
            'information',
            'system',
            `Setting Node.js programming model to "${model.name}" version "${model.version}"`,
          );
        }
        this.programmingModel = model;
      },
      getProgrammingModel: () => this.programmingModel,
      log: (level: RpcLogLevel, category: RpcLogCategory, message: string) => this.emit(level, category, message),
      Disposable,
    };
    return api;
  }
}
