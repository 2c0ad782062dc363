/**
 * The Durable Functions extension for the local Functions host: orchestrationTrigger / activityTrigger
 * functions, the durableClient input binding and the /runtime/webhooks/durabletask HTTP API, persisted in
 * Azure Storage (Azurite). See engine.ts (dispatch), store.ts (storage design), replay.ts (protocol).
 *
 *   startHost({ appRoot, extensions: [createDurableExtension()] })
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import type { BindingMetadata, HostContext, HostExtension, TypedData } from '../extension';
import { DEFAULT_TIMER_SETTINGS } from './episode';
import { DurableEngine, type EngineSettings } from './engine';
import { durableHttpApi } from './httpApi';
import { clientBindingData, WEBHOOK_PATH } from './status';

export interface DurableExtensionOptions {
  /** Task hub name; default host.json extensions.durableTask.hubName, else 'TestHubName' (like func locally). */
  hubName?: string;
  /** Queue message lease in seconds (how soon another host takes over after a crash); default host.json
   *  durableTask.storageProvider.controlQueueVisibilityTimeout, else 30. */
  leaseSeconds?: number;
  /** Idle polling ceiling in ms; default host.json durableTask.storageProvider.maxQueuePollingInterval, else 1000. */
  maxPollingIntervalMs?: number;
  /** Defaults: host.json durableTask.maxConcurrentActivityFunctions / maxConcurrentOrchestratorFunctions, else 10 × cores. */
  maxConcurrentActivityFunctions?: number;
  maxConcurrentOrchestratorFunctions?: number;
  /** How long stop() waits for in-flight episodes/activities (ms, default 5000). */
  stopGraceMs?: number;
}

/** "hh:mm:ss" / "d.hh:mm:ss" TimeSpan → ms. */
export function timeSpanMs(value: unknown): number | undefined {
  if (typeof value === 'number') return value * 1000;
  if (typeof value !== 'string') return undefined;
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value.trim());
  if (!m) return undefined;
  return ((Number(m[1] ?? 0) * 24 + Number(m[2])) * 3600 + Number(m[3]) * 60 + Number(m[4])) * 1000;
}

function positive(n: unknown): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

export function resolveSettings(
  ctx: Pick<HostContext, 'hostJson'>,
  o: DurableExtensionOptions,
  cores: number,
): EngineSettings {
  const dt = ctx.hostJson.extensions?.durableTask ?? {};
  const provider = (dt.storageProvider ?? {}) as Record<string, unknown>;
  const leaseMs = timeSpanMs(provider.controlQueueVisibilityTimeout);
  return {
    hubName: o.hubName ?? (typeof dt.hubName === 'string' && dt.hubName ? dt.hubName : 'TestHubName'),
    leaseSeconds: o.leaseSeconds ?? (leaseMs ? Math.max(1, Math.round(leaseMs / 1000)) : 30),
    maxPollingIntervalMs: o.maxPollingIntervalMs ?? timeSpanMs(provider.maxQueuePollingInterval) ?? 1000,
    maxConcurrentActivityFunctions:
      o.maxConcurrentActivityFunctions ?? positive(dt.maxConcurrentActivityFunctions) ?? 10 * cores,
    maxConcurrentOrchestratorFunctions:
      o.maxConcurrentOrchestratorFunctions ?? positive(dt.maxConcurrentOrchestratorFunctions) ?? 10 * cores,
    timers: DEFAULT_TIMER_SETTINGS,
    stopGraceMs: o.stopGraceMs ?? 5000,
  };
}

export function createDurableExtension(options: DurableExtensionOptions = {}): HostExtension {
  let engine: DurableEngine | undefined;
  let client: string | undefined;
  return {
    name: 'DurableTask',
    triggerTypes: ['orchestrationTrigger', 'activityTrigger'],
    inputBindingTypes: ['durableClient', 'orchestrationClient'],
    async start(ctx: HostContext): Promise<void> {
      const settings = resolveSettings(ctx, options, cpus().length);
      const orchestrators = new Map(
        ctx.functions
          .filter((f) => f.trigger.type.toLowerCase() === 'orchestrationtrigger')
          .map((f) => [f.name.toLowerCase(), f.name]),
      );
      // The SDK rewrites client URLs to http://localhost:7071 unless WEBSITE_HOSTNAME names the host (as func sets it).
      process.env.WEBSITE_HOSTNAME = new URL(ctx.baseUrl).host;
      engine = new DurableEngine(ctx, settings, new Set(orchestrators.keys()));
      await engine.start();
      client = JSON.stringify(clientBindingData(ctx.baseUrl, settings.hubName, ctx.systemKey));
      ctx.addRoute(
        WEBHOOK_PATH,
        durableHttpApi({
          engine,
          baseUrl: ctx.baseUrl,
          hubName: settings.hubName,
          systemKey: ctx.systemKey,
          isOrchestrator: (name) => orchestrators.get(name.toLowerCase()),
          newInstanceId: () => randomUUID().replace(/-/g, ''),
        }),
      );
      ctx.logger.info(
        `Durable Task extension started: hub '${settings.hubName}', lease ${settings.leaseSeconds}s, ` +
          `max activities ${settings.maxConcurrentActivityFunctions}, max orchestrators ${settings.maxConcurrentOrchestratorFunctions}`,
      );
    },
    async stop(): Promise<void> {
      await engine?.stop();
      engine = undefined;
    },
    async resolveInput(binding: BindingMetadata): Promise<TypedData> {
      if (!client) throw new Error(`The Durable extension is not started (binding '${binding.name}')`);
      return { json: client };
    },
  };
}
