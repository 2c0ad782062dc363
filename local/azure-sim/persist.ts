import { promises as fsp } from 'node:fs';
import path from 'node:path';

/** What a state file holds: the format version and the saved state. */
interface Envelope<T> {
  version: 1;
  savedAt: string;
  state: T;
}

export interface StateFileOptions {
  /** Delay between a change and its write (several changes in that time are written once). Default 50 ms. */
  debounceMs?: number;
  /**
   * Records are also changed in place (an LRO's provisioningState), which no listener sees: every this many ms the
   * snapshot is serialized and written if it differs from the last write. Default 500 ms.
   */
  checkEveryMs?: number;
  /** File mode (the Key Vault file holds secret values: 0600). */
  mode?: number;
  log?: (line: string) => void;
}

/**
 * One JSON state file of the simulator (`<stateDir>/<name>.json`), written off the request path: a change schedules a
 * debounced write; the write serializes the snapshot, skips it when unchanged, writes a temporary file and renames
 * it over the old one (atomic on POSIX), so a crash leaves either the previous or the new complete file. Writes never
 * overlap. Serializing is synchronous but small (tens of resources); the file I/O is asynchronous.
 */
export class JsonStateFile<T> {
  private last: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly interval: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly tmpPrefix: string;

  constructor(
    readonly file: string,
    private readonly snapshot: () => T,
    private readonly options: StateFileOptions = {},
  ) {
    this.tmpPrefix = `${path.basename(file)}.tmp-`;
    this.interval = setInterval(() => this.schedule(0), options.checkEveryMs ?? 500);
    this.interval.unref();
  }

  /**
   * Reads the file: undefined when absent. Leftover temporary files (a crash in the middle of a write) are removed;
   * the file itself is always complete. A file that cannot be parsed is set aside as `<file>.corrupt-<time>` and
   * undefined returned (the simulator then starts empty), with a log line.
   */
  async load(): Promise<T | undefined> {
    const dir = path.dirname(this.file);
    const names = await fsp.readdir(dir).catch(() => [] as string[]);
    for (const n of names)
      if (n.startsWith(this.tmpPrefix)) await fsp.rm(path.join(dir, n), { force: true }).catch(() => undefined);
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      const env = JSON.parse(text) as Envelope<T>;
      if (env?.version !== 1 || env.state === undefined) throw new Error(`unknown format version ${env?.version}`);
      this.last = text;
      return env.state;
    } catch (e) {
      const aside = `${this.file}.corrupt-${Date.now()}`;
      await fsp.rename(this.file, aside);
      this.options.log?.(
        `state file ${this.file} unreadable (${(e as Error).message}): moved to ${aside}, starting empty`,
      );
      return undefined;
    }
  }

  /** Schedules a write (debounced). */
  schedule(delayMs = this.options.debounceMs ?? 50): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch((e: unknown) =>
        this.options.log?.(`state file ${this.file} not written: ${(e as Error).message}`),
      );
    }, delayMs);
    this.timer.unref();
  }

  /** Writes the snapshot now if it changed since the last write (after any write under way). */
  flush(): Promise<void> {
    const next = this.writing.then(() => this.write());
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async write(): Promise<void> {
    const body: Envelope<T> = { version: 1, savedAt: '', state: this.snapshot() };
    const state = JSON.stringify(body.state);
    if (this.last !== undefined && this.lastState() === state) return;
    body.savedAt = new Date().toISOString();
    const text = `{"version":1,"savedAt":${JSON.stringify(body.savedAt)},"state":${state}}\n`;
    const tmp = path.join(path.dirname(this.file), `${this.tmpPrefix}${process.pid}`);
    await fsp.mkdir(path.dirname(this.file), { recursive: true });
    await fsp.writeFile(tmp, text, { mode: this.options.mode ?? 0o644 });
    await fsp.rename(tmp, this.file);
    this.last = text;
  }

  /** The state part of the last file written (the envelope's `state` serialized as written). */
  private lastState(): string | undefined {
    const i = this.last?.indexOf(',"state":');
    return this.last === undefined || i === undefined || i < 0 ? undefined : this.last.slice(i + 9, -2);
  }

  /** Writes what is pending and stops the timers. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.interval);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    this.closed = true;
  }
}
