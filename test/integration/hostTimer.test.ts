import { BlobServiceClient } from '@azure/storage-blob';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../local/azurite';
import { startHost, type LogRecord } from '../../local/host';

const appRoot = path.resolve(__dirname, '../fixtures/host-app');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface TimerState {
  timer: {
    runs: number;
    running: number;
    maxConcurrent: number;
    pastDue: boolean[];
    statuses: { last: string; next: string; lastUpdated: string }[];
  };
  monitored: { runs: number; pastDue: boolean[] };
}

describe('local host: timer triggers', () => {
  let azurite: RunningAzurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it('runs on startup, fires on a six-field schedule and never overlaps a slow run', async () => {
    const lines: LogRecord[] = [];
    const host = await startHost({
      appRoot,
      port: 0,
      hostId: 'timer-overlap',
      logSink: (r) => lines.push(r),
      settings: {
        AzureWebJobsStorage: azurite.connectionString,
        ENABLE_TIMERS: '1',
        SLOW_TIMER_SCHEDULE: '*/1 * * * * *',
        SLOW_TIMER_MS: '1200',
      },
    });
    try {
      const started = Date.now();
      const read = async () => (await (await fetch(`${host.baseUrl}/fx/state`)).json()) as TimerState;
      // runOnStartup, then the next whole second after each 1.2 s run: poll until two runs have finished.
      let state = await read();
      while (state.timer.runs < 2 || state.timer.statuses.length < 2) {
        if (Date.now() - started > 60_000) throw new Error(`timer did not run twice: ${JSON.stringify(state.timer)}`);
        await sleep(100);
        state = await read();
      }
      const elapsed = Date.now() - started;
      // Runs never overlap: in `elapsed` ms at most one run per 1.2 s can have started.
      expect(state.timer.runs).toBeLessThanOrEqual(Math.floor(elapsed / 1200) + 1);
      expect(state.timer.maxConcurrent).toBe(1);
      expect(state.timer.pastDue.every((p) => p === false)).toBe(true);
      const status = state.timer.statuses[1];
      expect(Date.parse(status.next)).toBeGreaterThan(Date.parse(status.last));
      expect(Date.parse(status.lastUpdated)).not.toBeNaN();
      const executed = lines.filter((l) => l.message.startsWith("Executed 'Functions.slowTimer' (Succeeded"));
      expect(executed.length).toBeGreaterThanOrEqual(state.timer.runs - 1);
    } finally {
      await host.stop();
    }
    // Graceful stop waited for the running invocation.
    expect(lines.some((l) => /still running at shutdown/.test(l.message))).toBe(false);
  });

  it('runs a missed occurrence recorded by the schedule monitor at startup with isPastDue', async () => {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      'azure-webjobs-hosts',
    );
    await container.createIfNotExists();
    const past = new Date(Date.now() - 3 * 3600_000);
    const status = JSON.stringify({
      Last: new Date(past.getTime() - 3600_000).toISOString(),
      Next: past.toISOString(),
      LastUpdated: past.toISOString(),
    });
    const blob = container.getBlockBlobClient('timers/timer-monitor/Host.Functions.monitoredTimer/status');
    await blob.upload(status, status.length);

    const host = await startHost({
      appRoot,
      port: 0,
      hostId: 'timer-monitor',
      logSink: () => undefined,
      settings: {
        AzureWebJobsStorage: azurite.connectionString,
        ENABLE_TIMERS: '1',
        SLOW_TIMER_SCHEDULE: '0 0 0 1 1 *',
        SLOW_TIMER_MS: '10',
      },
    });
    try {
      let state: TimerState | undefined;
      for (let i = 0; i < 40; i++) {
        state = (await (await fetch(`${host.baseUrl}/fx/state`)).json()) as TimerState;
        if (state.monitored.runs > 0) break;
        await sleep(50);
      }
      expect(state?.monitored).toEqual({ runs: 1, pastDue: [true] });
      // The status now points to the next hourly occurrence.
      let saved: { Next: string } | undefined;
      for (let i = 0; i < 40 && !saved; i++) {
        const text = (await blob.downloadToBuffer()).toString();
        const parsed = JSON.parse(text) as { Next: string };
        if (Date.parse(parsed.Next) > Date.now()) saved = parsed;
        else await sleep(50);
      }
      expect(new Date(saved!.Next).getUTCMinutes()).toBe(0);
    } finally {
      await host.stop();
    }
  });
});
