/** Starts Azurite + the local host with the Durable extension on the durable fixture app, with small helpers. */
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../local/azurite';
import { startHost, type LogRecord, type RunningHost } from '../../local/host';
import { createDurableExtension, type DurableExtensionOptions } from '../../local/host/durable';

export const durableAppRoot = path.resolve(__dirname, '../fixtures/durable-app');

export interface FixtureState {
  activityCalls: Record<string, number>;
  flakyFailures: Record<string, number>;
  flip: boolean;
}

export function fixtureState(): FixtureState {
  return ((globalThis as unknown as { __durableFixtureState?: FixtureState }).__durableFixtureState ??= {
    activityCalls: {},
    flakyFailures: {},
    flip: false,
  });
}

export interface Status {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: Array<Record<string, unknown>>;
}

export interface Management {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  purgeHistoryDeleteUri: string;
  suspendPostUri: string;
  resumePostUri: string;
}

export class DurableTestHost {
  readonly logs: LogRecord[] = [];
  constructor(readonly host: RunningHost) {}

  static async start(azurite: RunningAzurite, options: DurableExtensionOptions = {}): Promise<DurableTestHost> {
    const logs: LogRecord[] = [];
    const host = await startHost({
      appRoot: durableAppRoot,
      port: 0,
      settings: { AzureWebJobsStorage: azurite.connectionString },
      extensions: [createDurableExtension(options)],
      logSink: (r) => logs.push(r),
    });
    const t = new DurableTestHost(host);
    t.logs.push(...logs);
    return t;
  }

  /** Starts an orchestration through the app's HTTP starter (DurableClient.startNew + createCheckStatusResponse). */
  async start(name: string, input?: unknown, instanceId?: string): Promise<Management> {
    const res = await fetch(
      `${this.host.baseUrl}/api/start/${name}${instanceId ? `/${encodeURIComponent(instanceId)}` : ''}`,
      {
        method: 'POST',
        body: input === undefined ? '' : JSON.stringify(input),
      },
    );
    if (res.status !== 202) throw new Error(`start ${name}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as Management;
  }

  /** Runs a DurableClient operation inside the app (the client input binding and the package's own client). */
  async client(op: string, args: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${this.host.baseUrl}/api/client/${op}`, { method: 'POST', body: JSON.stringify(args) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async status(m: Management | string, query = ''): Promise<Status> {
    const url = typeof m === 'string' ? m : m.statusQueryGetUri;
    const res = await fetch(`${url}${query}`);
    if (res.status >= 300 && res.status !== 500 && res.status !== 202) throw new Error(`status: HTTP ${res.status}`);
    return (await res.json()) as Status;
  }

  async waitFor(
    m: Management,
    until: (s: Status) => boolean = (s) => ['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus),
    timeoutMs = 60_000,
  ): Promise<Status> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.status(m, '&showHistory=true&showHistoryOutput=true');
      if (until(s)) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${m.id}: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  stop(): Promise<void> {
    return this.host.stop();
  }
}

/** Registers beforeAll/afterAll that start Azurite and a host for the enclosing describe; returns a getter. */
export function useDurableHost(options: DurableExtensionOptions = {}): () => DurableTestHost {
  let azurite: RunningAzurite | undefined;
  let host: DurableTestHost | undefined;
  beforeAll(async () => {
    azurite = await startAzurite();
    host = await DurableTestHost.start(azurite, options);
  });
  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });
  return () => {
    if (!host) throw new Error('durable test host not started');
    return host;
  };
}
