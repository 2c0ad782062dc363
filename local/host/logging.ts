import type { HostLogger } from './extension';
import type { RpcLogLevel } from './rpcTypes';

export type LogLevel = Exclude<RpcLogLevel, 'none'>;

/** One log line of the host: host lifecycle, invocation outcome, or a user's context.log. */
export interface LogRecord {
  time: string;
  level: LogLevel;
  /** 'Host' (lifecycle), 'Function' (invocation lines and user logs), or an extension's name. */
  category: string;
  message: string;
  functionName?: string;
  invocationId?: string;
  /** 'user' for context.log output, 'system' otherwise. */
  source: 'user' | 'system';
}

export type LogSink = (record: LogRecord) => void;

const LEVEL_RANK: Record<LogLevel, number> = { trace: 0, debug: 1, information: 2, warning: 3, error: 4, critical: 5 };
const MAX_KEPT = 5000;
const REDACTED = '***';

export interface HostLogOptions {
  sink?: LogSink;
  /** Print to stdout/stderr (default: only when no sink is given). */
  console?: boolean;
  /** Lowest level kept (default 'information'). */
  minLevel?: LogLevel;
  /** Values that must never appear in a log line (app settings); each occurrence is replaced by ***. */
  secrets?: Iterable<string>;
}

/**
 * The host's log: keeps the last records in memory, forwards them to an optional sink and (optionally) the console.
 * Every message passes through redaction of app-setting values before it is stored or printed.
 */
export class HostLog {
  readonly records: LogRecord[] = [];
  readonly #sink?: LogSink;
  readonly #console: boolean;
  readonly #minRank: number;
  readonly #secrets: string[];

  constructor(options: HostLogOptions = {}) {
    this.#sink = options.sink;
    this.#console = options.console ?? !options.sink;
    this.#minRank = LEVEL_RANK[options.minLevel ?? 'information'];
    // Longest first so that a secret containing another one is replaced whole.
    this.#secrets = [...new Set(options.secrets ?? [])].sort((a, b) => b.length - a.length);
  }

  redact(message: string): string {
    let out = message;
    for (const secret of this.#secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }

  write(entry: Omit<LogRecord, 'time' | 'source'> & { source?: LogRecord['source'] }): void {
    if (LEVEL_RANK[entry.level] < this.#minRank) return;
    const record: LogRecord = {
      time: new Date().toISOString(),
      source: 'system',
      ...entry,
      message: this.redact(entry.message),
    };
    this.records.push(record);
    if (this.records.length > MAX_KEPT) this.records.splice(0, this.records.length - MAX_KEPT);
    if (this.#sink) {
      try {
        this.#sink(record);
      } catch {
        // a failing sink must not break the host
      }
    }
    if (this.#console) {
      const line = `[${record.time}] ${record.message}`;
      if (LEVEL_RANK[record.level] >= LEVEL_RANK.warning) process.stderr.write(line + '\n');
      else process.stdout.write(line + '\n');
    }
  }

  /** A HostLogger (extension contract) writing under one category. */
  logger(category: string): HostLogger {
    const at = (level: LogLevel) => (message: string) => this.write({ level, category, message });
    return { info: at('information'), warn: at('warning'), error: at('error'), debug: at('debug') };
  }
}

/** Maps the level names of context.log / the core API to a LogLevel ('none' → undefined: dropped). */
export function toLogLevel(level: string): LogLevel | undefined {
  if (level === 'none') return undefined;
  return level in LEVEL_RANK ? (level as LogLevel) : 'information';
}
