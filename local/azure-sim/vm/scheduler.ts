/** One timer for all periodic work of the VM runtime (QWK writers, model refresh); unref'd, stoppable. */
export class Scheduler {
  private readonly tasks = new Map<
    string,
    { intervalMs: number; due: number; fn: () => void | Promise<void>; running: boolean }
  >();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  every(key: string, intervalMs: number, fn: () => void | Promise<void>, firstDelayMs = intervalMs): void {
    const existing = this.tasks.get(key);
    if (existing && existing.intervalMs === intervalMs) {
      existing.fn = fn;
      return;
    }
    this.tasks.set(key, { intervalMs, due: Date.now() + firstDelayMs, fn, running: false });
    this.arm();
  }

  cancel(key: string): void {
    this.tasks.delete(key);
    this.arm();
  }

  has(key: string): boolean {
    return this.tasks.has(key);
  }

  keys(): string[] {
    return [...this.tasks.keys()];
  }

  close(): void {
    this.closed = true;
    this.tasks.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed || this.tasks.size === 0) return;
    const next = Math.min(...[...this.tasks.values()].map((t) => t.due));
    this.timer = setTimeout(() => this.fire(), Math.max(0, next - Date.now()));
    this.timer.unref();
  }

  private fire(): void {
    const now = Date.now();
    for (const [key, t] of this.tasks) {
      if (t.due > now) continue;
      t.due = now + t.intervalMs;
      if (t.running) continue;
      t.running = true;
      Promise.resolve()
        .then(() => t.fn())
        .catch(() => undefined)
        .finally(() => {
          const cur = this.tasks.get(key);
          if (cur) cur.running = false;
        });
    }
    this.arm();
  }
}
