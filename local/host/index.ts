/**
 * The local Azure Functions host: loads an unchanged @azure/functions v4 app the way the Node worker does and runs
 * its HTTP, timer and storage-queue triggers; extensions (the Durable engine) plug in through ./extension.
 *
 *   const host = await startHost({ appRoot, extensions: [createDurableExtension()] });
 *   await fetch(`${host.baseUrl}/api/hello`, { headers: { 'x-functions-key': host.functionKey } });
 *   await host.stop();
 */
import path from 'node:path';
import { loadEntryPoints, forgetAppModules, provideCoreModule, resolveEntryPoints } from './appLoader';
import { AppSettings } from './appSettings';
import { functionTimeoutMs, queueOptions, readHostJson, readLocalSettings, routePrefix } from './config';
import { CoreApi, readOnly } from './coreApi';
import type {
  HostContext,
  HostExtension,
  InvokeRequest,
  InvokeResult,
  RegisteredFunction,
  RouteHandler,
  TypedData,
} from './extension';
import { HttpFrontDoor, type AuthLevel } from './http/server';
import { Invoker, toRegisteredFunction } from './invoker';
import { generateKey } from './keys';
import { HostLog, type LogLevel, type LogRecord, type LogSink } from './logging';
import { QueueClients, QueueListener, writeQueueOutputs } from './queues';
import { BlobScheduleStatusStore, toHostId } from './timerStatusStore';
import { EventLoopMonitor, formatEventLoopStats, type EventLoopStats } from '../eventLoopStats';
import { TimerRunner } from './timers';

export type { LogRecord, LogSink } from './logging';
export * from './extension';

/** Setting holding the function key that `authLevel: 'function'` routes require (npm start creates it). */
export const FUNCTION_KEY_SETTING = 'QWK_LOCAL_FUNCTION_KEY';
/** Optional setting holding the master key (admin routes); generated per host otherwise. */
export const MASTER_KEY_SETTING = 'QWK_LOCAL_MASTER_KEY';

export interface HostOptions {
  /** Folder with package.json, host.json and local.settings.json. */
  appRoot: string;
  /** Entry point (file or glob, relative to appRoot) instead of package.json "main". */
  entry?: string;
  /** TCP port on 127.0.0.1; default 7071, 0 = any free port. */
  port?: number;
  /** App settings merged over local.settings.json Values and process.env (tests). */
  settings?: Record<string, string>;
  extensions?: HostExtension[];
  /** Receives every log line (then nothing is printed unless `console` is true). */
  logSink?: LogSink;
  /** Print log lines (default: only when no logSink is given and not under vitest). */
  console?: boolean;
  /** Lowest log level kept (default 'information'). */
  logLevel?: LogLevel;
  /** Function key; default: setting QWK_LOCAL_FUNCTION_KEY, else a random key. */
  functionKey?: string;
  /** Master key; default: setting QWK_LOCAL_MASTER_KEY, else a random key. */
  masterKey?: string;
  /** HTTP request body limit in bytes (default 100 MB, like Azure). */
  maxRequestBodyBytes?: number;
  /** Bound for graceful stop: in-flight work gets this long (default 10 s). */
  stopTimeoutMs?: number;
  /** Host id (timer status blobs); default derived from the app folder name. */
  hostId?: string;
}

export interface RunningHost {
  /** e.g. http://127.0.0.1:7071 */
  baseUrl: string;
  port: number;
  functionKey: string;
  masterKey: string;
  /** Key of extension routes (e.g. the Durable webhooks); the master key is accepted there too. */
  systemKey: string;
  functions: readonly RegisteredFunction[];
  /** The most recent log lines (bounded). */
  logs: readonly LogRecord[];
  /** Runs one function through the full pipeline (what the admin API does). */
  invoke(functionName: string, request: InvokeRequest): Promise<InvokeResult>;
  /** This process's event-loop delay since start or the last reset (also GET /admin/host/event-loop). */
  eventLoop(): EventLoopStats;
  stop(): Promise<void>;
}

const HOST_VERSION = '4.1040.0-local';

/** Trigger types the core drives itself. */
const CORE_TRIGGERS = new Set(['httptrigger', 'timertrigger', 'queuetrigger']);

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const started = Date.now();
  const appRoot = path.resolve(options.appRoot);
  const extensions = options.extensions ?? [];
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const hostJson = readHostJson(appRoot);
  const settings = new AppSettings(readLocalSettings(appRoot), options.settings);
  const functionKey = options.functionKey ?? settings.get(FUNCTION_KEY_SETTING) ?? generateKey();
  const masterKey = options.masterKey ?? settings.get(MASTER_KEY_SETTING) ?? generateKey();
  const systemKey = generateKey();
  const log = new HostLog({
    sink: options.logSink,
    // Quiet by default when a sink captures the lines or when running under vitest.
    console: options.console ?? (!options.logSink && !process.env.VITEST),
    minLevel: options.logLevel,
    secrets: [...settings.secretValues(), functionKey, masterKey, systemKey],
  });
  const hostLog = log.logger('Host');
  for (const name of settings.shadowed)
    hostLog.warn(`Skipping '${name}' from local settings as it's already defined in current environment variables.`);

  const core = new CoreApi(log, HOST_VERSION);
  const withdrawCore = provideCoreModule(core.createModule());
  const cleanups: (() => void)[] = [() => withdrawCore(), () => forgetAppModules(appRoot), () => settings.restore()];
  const cleanup = () => {
    for (const fn of cleanups.splice(0)) {
      try {
        fn();
      } catch {
        // best effort
      }
    }
  };

  try {
    hostLog.info(`Starting host (app ${appRoot})`);
    forgetAppModules(appRoot);
    const files = await resolveEntryPoints(appRoot, options.entry);
    for (const file of files) hostLog.debug(`Loading entry point file "${path.relative(appRoot, file)}"`);
    await loadEntryPoints(appRoot, files);
    core.closeRegistration();
    await core.executeHooks(
      'appStart',
      readOnly(
        { functionAppDirectory: appRoot },
        {
          hookData: () => core.appLevelOnlyHookData,
          appHookData: () => core.appHookData,
        },
      ),
    );

    const allFunctions = [...core.functions.values()].map(toRegisteredFunction);
    const byName = new Map(allFunctions.map((f) => [f.name.toLowerCase(), f]));
    // AzureWebJobs.<name>.Disabled=true: no trigger fires (the admin API can still run it), like the host.
    const functions = allFunctions.filter((f) => !isDisabled(f.name, settings));
    for (const f of allFunctions) if (!functions.includes(f)) hostLog.info(`Function '${f.name}' is disabled.`);
    const hostId = options.hostId ?? settings.get('AzureFunctionsWebHost__hostid') ?? toHostId(path.basename(appRoot));
    const qOptions = queueOptions(hostJson);
    const queueClients = new QueueClients();
    const storage = (connection?: string) => settings.storageConnectionString(connection);
    const resolveSetting = (name: string) => settings.get(name);

    const extensionFor = (type: string, kind: 'triggerTypes' | 'inputBindingTypes') =>
      extensions.find((e) => e[kind].some((t) => t.toLowerCase() === type.toLowerCase()));

    const invoker = new Invoker({
      core,
      log,
      appRoot,
      scriptFiles: files,
      timeoutMs: functionTimeoutMs(hostJson),
      resolveInput: async (binding, fn, invocationId) => {
        const ext = extensionFor(binding.type, 'inputBindingTypes');
        if (!ext?.resolveInput)
          throw new Error(`No extension provides input binding type '${binding.type}' (function '${fn.name}')`);
        return ext.resolveInput(binding, fn, invocationId);
      },
      writeOutputs: (fn, outputs) => writeQueueOutputs(fn, outputs, queueClients, storage, qOptions, resolveSetting),
    });
    const invokeByName = (name: string, request: InvokeRequest) => {
      const fn = byName.get(name.toLowerCase());
      if (!fn) return Promise.reject(new Error(`Function '${name}' does not exist`));
      return invoker.invoke(fn, request);
    };

    for (const fn of functions) {
      const type = fn.trigger.type.toLowerCase();
      if (!CORE_TRIGGERS.has(type) && !extensionFor(type, 'triggerTypes')) {
        hostLog.warn(`Function '${fn.name}': no listener for trigger type '${fn.trigger.type}'; it will not run.`);
      }
      for (const b of fn.bindings) {
        if (b.direction === 'in' && b !== fn.trigger && !extensionFor(b.type, 'inputBindingTypes')) {
          hostLog.warn(`Function '${fn.name}': input binding type '${b.type}' is not supported by the local host.`);
        }
        if (b.direction === 'out' && !['http', 'queue'].includes(b.type.toLowerCase()) && b.name !== '$return') {
          hostLog.warn(`Function '${fn.name}': output binding type '${b.type}' is not supported by the local host.`);
        }
      }
    }

    const door = new HttpFrontDoor({
      functions,
      routePrefix: routePrefix(hostJson),
      keys: { functionKeys: [functionKey], masterKey, systemKey },
      invoker,
      log,
      maxBodyBytes: options.maxRequestBodyBytes,
    });
    door.addRoute('/admin/functions', adminInvokeRoute(byName, invoker), 'admin');
    // Local only (no Azure counterpart): the event-loop delay of this process, for the tests and the operator.
    const eventLoop = new EventLoopMonitor();
    cleanups.push(() => eventLoop.stop());
    door.addRoute('/admin/host/event-loop', eventLoopRoute(eventLoop), 'admin');
    door.addRoute(
      '/admin/host/status',
      async (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: hostId, state: stopping ? 'Stopping' : 'Running', version: HOST_VERSION }));
      },
      'admin',
    );
    const port = await door.listen(options.port ?? 7071);
    const baseUrl = `http://127.0.0.1:${port}`;
    let stopping = false;
    let stopPromise: Promise<void> | undefined;

    const timers: TimerRunner[] = [];
    const listeners: QueueListener[] = [];
    const startedExtensions: HostExtension[] = [];

    const stop = (): Promise<void> =>
      (stopPromise ??= (async () => {
        stopping = true;
        hostLog.info('Stopping host');
        const httpClosed = door.close(stopTimeoutMs);
        for (const t of timers) t.stop();
        await Promise.all(listeners.map((l) => l.stop(stopTimeoutMs)));
        await Promise.all(
          startedExtensions.map((e) =>
            e
              .stop()
              .catch((err: unknown) =>
                hostLog.error(`Extension '${e.name}' failed to stop: ${(err as Error).message}`),
              ),
          ),
        );
        if (!(await invoker.drain(stopTimeoutMs)))
          hostLog.warn(`${invoker.inFlightCount} invocation(s) still running at shutdown`);
        await httpClosed;
        try {
          await core.executeHooks(
            'appTerminate',
            readOnly(
              {},
              {
                hookData: () => core.appLevelOnlyHookData,
                appHookData: () => core.appHookData,
              },
            ),
          );
        } catch (err) {
          hostLog.error(`appTerminate hook failed: ${(err as Error).message}`);
        }
        hostLog.info(formatEventLoopStats(eventLoop.stats()));
        hostLog.info('Host stopped');
        cleanup();
      })());

    try {
      for (const ext of extensions) {
        const ctx: HostContext = {
          settings: settings.values,
          hostJson,
          functions,
          baseUrl,
          systemKey,
          logger: log.logger(ext.name),
          storageConnectionString: storage,
          invoke: invokeByName,
          addRoute: (prefix: string, handler: RouteHandler, authLevel?: AuthLevel) =>
            door.addRoute(prefix, handler, authLevel),
          get stopping() {
            return stopping;
          },
        };
        await ext.start(ctx);
        startedExtensions.push(ext);
      }

      const timezone = settings.get('WEBSITE_TIME_ZONE');
      let statusStore: BlobScheduleStatusStore | undefined;
      const invokeFn = (fn: RegisteredFunction, req: InvokeRequest) => invoker.invoke(fn, req);
      for (const fn of functions) {
        const type = fn.trigger.type.toLowerCase();
        if (type === 'timertrigger') {
          if (!statusStore && settings.get('AzureWebJobsStorage'))
            statusStore = new BlobScheduleStatusStore(storage(), hostId);
          timers.push(new TimerRunner(fn, invokeFn, log, statusStore, resolveSetting, timezone));
        } else if (type === 'queuetrigger') {
          const connection = storage(fn.trigger.connection as string | undefined);
          listeners.push(new QueueListener(fn, connection, queueClients, qOptions, invokeFn, log, resolveSetting));
        }
      }
      await Promise.all(listeners.map((l) => l.start()));
      await Promise.all(timers.map((t) => t.start()));
    } catch (err) {
      await stop();
      throw err;
    }

    hostLog.info(`Functions:`);
    for (const line of door.describeRoutes(baseUrl)) hostLog.info(`  ${line}`);
    for (const t of timers) hostLog.info(`  ${t.fn.name}: timerTrigger, ${t.describe()}`);
    for (const l of listeners) hostLog.info(`  ${l.fn.name}: queueTrigger on '${l.queueName}'`);
    for (const fn of functions) {
      if (!CORE_TRIGGERS.has(fn.trigger.type.toLowerCase())) hostLog.info(`  ${fn.name}: ${fn.trigger.type}`);
    }
    door.open();
    hostLog.info(`Host started on ${baseUrl} (${Date.now() - started}ms)`);

    return {
      baseUrl,
      port,
      functionKey,
      masterKey,
      systemKey,
      functions,
      logs: log.records,
      invoke: invokeByName,
      eventLoop: () => eventLoop.stats(),
      stop,
    };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/**
 * GET /admin/host/event-loop (master key): the event-loop delay since the host started or the last DELETE, which
 * starts a new measurement and answers the one it ended. A route of this local host only.
 */
function eventLoopRoute(monitor: EventLoopMonitor): RouteHandler {
  return (req, res, _body, url) => {
    if (url.pathname !== '/admin/host/event-loop') res.writeHead(404).end();
    else if (req.method !== 'GET' && req.method !== 'DELETE') res.writeHead(405, { allow: 'GET, DELETE' }).end();
    else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.method === 'GET' ? monitor.stats() : monitor.reset()));
    }
    return Promise.resolve();
  };
}

/**
 * POST /admin/functions/{name} with the master key and body {"input": "..."} runs a non-HTTP function now, like the
 * host's admin API (202 Accepted; the invocation runs in the background).
 */
function adminInvokeRoute(byName: Map<string, RegisteredFunction>, invoker: Invoker): RouteHandler {
  return async (req, res, body, url) => {
    const name = decodeURIComponent(url.pathname.split('/')[3] ?? '');
    const fn = byName.get(name.toLowerCase());
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    if (!fn || fn.trigger.type.toLowerCase() === 'httptrigger') {
      res.writeHead(404).end();
      return;
    }
    let input = '';
    try {
      const given = body.length ? (JSON.parse(body.toString('utf8')) as { input?: unknown }).input : undefined;
      input = given === undefined || given === null ? '' : typeof given === 'string' ? given : JSON.stringify(given);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const triggerData: TypedData =
      fn.trigger.type.toLowerCase() === 'timertrigger'
        ? { json: JSON.stringify({ Schedule: { AdjustForDST: true }, ScheduleStatus: null, IsPastDue: false }) }
        : { string: input };
    invoker
      .invoke(fn, { triggerData, reason: 'This function was programmatically called via the host APIs.' })
      .catch(() => undefined);
    res.writeHead(202).end();
  };
}

function isDisabled(name: string, settings: AppSettings): boolean {
  const value = settings.get(`AzureWebJobs.${name}.Disabled`) ?? settings.get(`AzureWebJobs__${name}__Disabled`);
  return value?.toLowerCase() === 'true' || value === '1';
}
