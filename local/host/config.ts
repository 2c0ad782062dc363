import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import type { HostJson } from './extension';

/** Parses a .NET TimeSpan as host.json writes it ("hh:mm:ss", "d.hh:mm:ss", "hh:mm:ss.fff") into milliseconds. */
export function parseTimeSpan(value: string | number | undefined): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return value;
  const m = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/.exec(value.trim());
  if (!m) throw new Error(`Invalid TimeSpan "${value}" (expected [d.]hh:mm:ss[.fffffff])`);
  const [, neg, days, h, min, s, frac] = m;
  const ms =
    ((Number(days ?? 0) * 24 + Number(h)) * 3600 + Number(min) * 60 + Number(s)) * 1000 +
    (frac ? Math.round(Number(`0.${frac}`) * 1000) : 0);
  return neg ? -ms : ms;
}

/** Formats milliseconds the way the host prints a TimeSpan (hh:mm:ss[.fff]). */
export function formatTimeSpan(ms: number): string {
  const totalSeconds = Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const base = `${pad(Math.floor(totalSeconds / 3600))}:${pad(Math.floor(totalSeconds / 60) % 60)}:${pad(totalSeconds % 60)}`;
  return ms % 1000 ? `${base}.${String(ms % 1000).padStart(3, '0')}` : base;
}

function readJson(file: string): unknown {
  // host.json and local.settings.json may carry a BOM and are plain JSON otherwise.
  return JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
}

export function readHostJson(appRoot: string): HostJson {
  const file = path.join(appRoot, 'host.json');
  if (!existsSync(file)) return { version: '2.0' };
  const json = readJson(file);
  if (!json || typeof json !== 'object') throw new Error('host.json must contain a JSON object');
  return json as HostJson;
}

export interface QueueOptions {
  batchSize: number;
  newBatchThreshold: number;
  maxPollingIntervalMs: number;
  visibilityTimeoutMs: number;
  maxDequeueCount: number;
  messageEncoding: 'base64' | 'none';
}

/**
 * Queue settings of host.json (extensions.queues) with the defaults of the Storage extension v5:
 * batchSize 16, newBatchThreshold N*batchSize/2 (N = CPUs), visibilityTimeout 0, maxDequeueCount 5, base64 encoding.
 * maxPollingInterval defaults to 2 s, the extension's value for local development (1 min in Azure).
 */
export function queueOptions(hostJson: HostJson): QueueOptions {
  const q = hostJson.extensions?.queues ?? {};
  const batchSize = Math.min(Math.max(q.batchSize ?? 16, 1), 32);
  return {
    batchSize,
    newBatchThreshold: q.newBatchThreshold ?? Math.floor((cpus().length * batchSize) / 2),
    maxPollingIntervalMs: Math.max(parseTimeSpan(q.maxPollingInterval) ?? 2000, 100),
    visibilityTimeoutMs: parseTimeSpan(q.visibilityTimeout) ?? 0,
    maxDequeueCount: q.maxDequeueCount ?? 5,
    messageEncoding: q.messageEncoding ?? 'base64',
  };
}

export function routePrefix(hostJson: HostJson): string {
  const prefix = hostJson.extensions?.http?.routePrefix;
  return (prefix ?? 'api').replace(/^\/+|\/+$/g, '');
}

/** functionTimeout in ms; undefined = unbounded ("-1"). Default 30 min (the Premium/Dedicated default). */
export function functionTimeoutMs(hostJson: HostJson): number | undefined {
  const raw = hostJson.functionTimeout;
  if (raw === '-1') return undefined;
  const ms = parseTimeSpan(raw);
  if (ms === undefined) return 30 * 60_000;
  return ms < 0 ? undefined : ms;
}

export interface LocalSettings {
  values: Record<string, string>;
  connectionStrings: Record<string, string>;
}

export function readLocalSettings(appRoot: string): LocalSettings {
  const file = path.join(appRoot, 'local.settings.json');
  if (!existsSync(file)) return { values: {}, connectionStrings: {} };
  const json = readJson(file) as { Values?: Record<string, unknown>; ConnectionStrings?: Record<string, unknown> };
  const strings = (rec: Record<string, unknown> | undefined) =>
    Object.fromEntries(Object.entries(rec ?? {}).map(([k, v]) => [k, settingValue(v)]));
  return { values: strings(json.Values), connectionStrings: strings(json.ConnectionStrings) };
}

/** A local.settings.json value as the environment holds it: strings as they are, numbers and booleans printed. */
function settingValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
