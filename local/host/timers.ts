import { Cron } from 'croner';
import { resolveSettingExpression } from './appSettings';
import { parseTimeSpan } from './config';
import type { RegisteredFunction } from './extension';
import type { InvokeOptions } from './invoker';
import type { HostLog } from './logging';

/** When a timer function runs next: a six-field NCRONTAB expression or a TimeSpan interval ("00:05:00"). */
export interface TimerSchedule {
  next(after: Date): Date | undefined;
  describe(): string;
}

/** Six-field NCRONTAB ({second} {minute} {hour} {day} {month} {day-of-week}); day fields combine with AND like NCrontab. */
export function parseSchedule(expression: string, timezone?: string): TimerSchedule {
  const trimmed = expression.trim();
  if (/^(\d+\.)?\d{1,2}:\d{1,2}:\d{1,2}$/.test(trimmed)) {
    const ms = parseTimeSpan(trimmed)!;
    if (ms <= 0) throw new Error(`Timer interval "${expression}" must be positive`);
    return { next: (after) => new Date(after.getTime() + ms), describe: () => `every ${trimmed}` };
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 6) {
    throw new Error(
      `Invalid NCRONTAB schedule "${expression}": expected 6 fields ({second} {minute} {hour} {day} {month} {day-of-week})`,
    );
  }
  const cron = new Cron(trimmed, { paused: true, mode: '6-part', domAndDow: true, timezone: timezone ?? 'Etc/UTC' });
  return {
    next: (after) => cron.nextRun(after) ?? undefined,
    describe: () => `cron "${trimmed}"${timezone ? ` (${timezone})` : ' (UTC)'}`,
  };
}

/** Schedule status the host keeps per timer function (the "monitor"), persisted so that missed runs are detected. */
export interface ScheduleStatus {
  Last: string;
  Next: string;
  LastUpdated: string;
}

export interface ScheduleStatusStore {
  read(functionName: string): Promise<ScheduleStatus | undefined>;
  write(functionName: string, status: ScheduleStatus): Promise<void>;
}

interface RetryOptions {
  maxRetryCount?: number;
  retryStrategy?: 'fixedDelay' | 'exponentialBackoff';
  delayInterval?: { seconds?: number; nanos?: number };
  minimumInterval?: { seconds?: number; nanos?: number };
  maximumInterval?: { seconds?: number; nanos?: number };
}

const durationMs = (d?: { seconds?: number; nanos?: number }) =>
  d ? Number(d.seconds ?? 0) * 1000 + Math.round((d.nanos ?? 0) / 1e6) : 0;

/** Delay before retry number `attempt` (1-based) under the function's retry policy. */
export function retryDelayMs(options: RetryOptions, attempt: number): number {
  if (options.retryStrategy === 'exponentialBackoff') {
    const min = durationMs(options.minimumInterval);
    const max = durationMs(options.maximumInterval) || Number.MAX_SAFE_INTEGER;
    return Math.min(min * 2 ** (attempt - 1), max);
  }
  return durationMs(options.delayInterval);
}

export type TimerInvoke = (fn: RegisteredFunction, request: InvokeOptions) => Promise<unknown>;

const MAX_TIMEOUT = 2 ** 31 - 1;

/**
 * Fires one timer function on its schedule. A run starts only after the previous one finished: occurrences that
 * fall inside a run are skipped (the WebJobs TimerListener computes the next occurrence after each run).
 */
export class TimerRunner {
  readonly #schedule: TimerSchedule;
  #timer?: NodeJS.Timeout;
  #stopped = false;
  #running = false;
  #last?: Date;
  #monitored = false;

  constructor(
    readonly fn: RegisteredFunction,
    private readonly invoke: TimerInvoke,
    private readonly log: HostLog,
    private readonly store: ScheduleStatusStore | undefined,
    resolveSetting: (name: string) => string | undefined,
    timezone?: string,
  ) {
    const trigger = fn.trigger as { schedule?: string };
    this.#schedule = parseSchedule(resolveSettingExpression(String(trigger.schedule ?? ''), resolveSetting), timezone);
  }

  get running(): boolean {
    return this.#running;
  }

  describe(): string {
    return this.#schedule.describe();
  }

  async start(): Promise<void> {
    const trigger = this.fn.trigger as { runOnStartup?: boolean; useMonitor?: boolean };
    const now = new Date();
    // The monitor is on by default only for schedules that recur at most once a minute (like the host).
    const n1 = this.#schedule.next(now);
    const n2 = n1 && this.#schedule.next(n1);
    this.#monitored =
      trigger.useMonitor ?? (n1 !== undefined && n2 !== undefined && n2.getTime() - n1.getTime() >= 60_000);
    const status = this.#monitored ? await this.#readStatus() : undefined;
    if (status) this.#last = new Date(status.Last);
    const pastDue = status !== undefined && new Date(status.Next).getTime() < now.getTime();
    if (pastDue || trigger.runOnStartup) {
      const scheduled = pastDue ? new Date(status.Next) : now;
      this.log.write({
        level: 'information',
        category: 'Host',
        message: `Function '${this.fn.name}' ${pastDue ? `is past due (missed ${status.Next})` : 'runs on startup'}`,
      });
      setImmediate(() => void this.#fire(scheduled, pastDue));
      return;
    }
    this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #arm(): void {
    if (this.#stopped) return;
    const next = this.#schedule.next(new Date());
    if (!next) return;
    const wait = () => {
      const left = next.getTime() - Date.now();
      if (left > 0) {
        this.#timer = setTimeout(wait, Math.min(left, MAX_TIMEOUT));
        return;
      }
      void this.#fire(next, false);
    };
    wait();
  }

  async #fire(scheduled: Date, isPastDue: boolean): Promise<void> {
    if (this.#stopped || this.#running) return;
    this.#running = true;
    try {
      const next = this.#schedule.next(new Date(Math.max(Date.now(), scheduled.getTime())));
      const status: ScheduleStatus = {
        Last: (this.#last ?? scheduled).toISOString(),
        Next: (next ?? scheduled).toISOString(),
        LastUpdated: new Date().toISOString(),
      };
      const timerData = { Schedule: { AdjustForDST: true }, ScheduleStatus: status, IsPastDue: isPastDue };
      await this.#invokeWithRetries(timerData, scheduled);
      this.#last = scheduled;
      if (next && this.#monitored)
        await this.#writeStatus({
          Last: scheduled.toISOString(),
          Next: next.toISOString(),
          LastUpdated: new Date().toISOString(),
        });
    } finally {
      this.#running = false;
      this.#arm();
    }
  }

  async #invokeWithRetries(timerData: object, scheduled: Date): Promise<void> {
    const retry = (this.fn.retryOptions ?? undefined) as RetryOptions | undefined; // eslint-disable-line @typescript-eslint/no-unnecessary-type-assertion
    const maxRetryCount = retry?.maxRetryCount ?? 0;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.invoke(this.fn, {
          triggerData: { json: JSON.stringify(timerData) },
          reason: `Timer fired at ${scheduled.toISOString()}`,
          retryContext: retry ? { retryCount: attempt, maxRetryCount } : undefined,
        });
        return;
      } catch {
        // the invoker logged the failure
        const canRetry = retry && (maxRetryCount === -1 || attempt < maxRetryCount) && !this.#stopped;
        if (!canRetry) return;
        await new Promise((r) => setTimeout(r, retryDelayMs(retry, attempt + 1)));
      }
    }
  }

  async #readStatus(): Promise<ScheduleStatus | undefined> {
    try {
      return await this.store?.read(this.fn.name);
    } catch (err) {
      this.log.write({
        level: 'warning',
        category: 'Host',
        message: `Timer status of '${this.fn.name}' unreadable: ${(err as Error).message}`,
      });
      return undefined;
    }
  }

  async #writeStatus(status: ScheduleStatus): Promise<void> {
    try {
      await this.store?.write(this.fn.name, status);
    } catch (err) {
      this.log.write({
        level: 'warning',
        category: 'Host',
        message: `Timer status of '${this.fn.name}' not saved: ${(err as Error).message}`,
      });
    }
  }
}
