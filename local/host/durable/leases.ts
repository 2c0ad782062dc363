/**
 * Queue messages this worker owns. A message stays invisible to other workers while it is held (its
 * visibility is renewed before it runs out); it is deleted once its effect is durable, or released
 * (made visible again) when the worker stops without finishing it.
 */
import type { QueueClient } from '@azure/storage-queue';
import type { QueueHandle, TaskHubStore } from './store';

export class HeldMessage<T> {
  handle?: QueueHandle;
  /** Resolves once the message exists in the queue (sent by us or received). */
  readonly ready: Promise<void>;
  visibleUntil: number;
  finished = false;
  lost = false;
  /** Items of this message not yet made durable elsewhere (a work batch carries several activities). */
  pending = 1;

  constructor(
    readonly queue: QueueClient,
    readonly body: T,
    handle: QueueHandle | Promise<QueueHandle>,
    visibleUntil: number,
  ) {
    this.visibleUntil = visibleUntil;
    if (handle instanceof Promise) {
      this.ready = handle.then((h) => {
        this.handle = h;
      });
    } else {
      this.handle = handle;
      this.ready = Promise.resolve();
    }
  }
}

export class LeaseKeeper {
  private readonly held = new Map<string | HeldMessage<unknown>, HeldMessage<unknown>>();
  private timer?: NodeJS.Timeout;
  private renewing = false;

  constructor(
    private readonly store: TaskHubStore,
    private readonly leaseSeconds: number,
    private readonly onError: (message: string) => void,
  ) {}

  start(): void {
    const every = Math.max(100, Math.min(1000, (this.leaseSeconds * 1000) / 4));
    this.timer = setInterval(() => void this.renew(), every);
    this.timer.unref();
  }

  /** Registers a message; returns false if a message with that id is already held (received twice). */
  hold(m: HeldMessage<unknown>): boolean {
    const key = m.handle?.messageId;
    if (key) {
      const existing = this.held.get(key);
      if (existing) {
        existing.handle = m.handle;
        existing.visibleUntil = m.visibleUntil;
        return false;
      }
      this.held.set(key, m);
    } else {
      this.held.set(m, m);
      void m.ready.then(
        () => {
          this.held.delete(m);
          if (!m.finished && m.handle) this.held.set(m.handle.messageId, m);
        },
        () => this.held.delete(m),
      );
    }
    return true;
  }

  /** Deletes the message once it exists (its effect is durable). */
  async complete(m: HeldMessage<unknown>): Promise<void> {
    m.finished = true;
    try {
      await m.ready;
    } catch {
      return;
    }
    if (m.handle) {
      this.held.delete(m.handle.messageId);
      await this.store.remove(m.queue, m.handle);
    }
    this.held.delete(m);
  }

  /** Stops tracking without deleting (the message will reappear when its visibility runs out). */
  forget(m: HeldMessage<unknown>): void {
    m.finished = true;
    if (m.handle) this.held.delete(m.handle.messageId);
    this.held.delete(m);
  }

  private async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      const now = Date.now();
      const due = [...this.held.values()].filter(
        (m) => !m.finished && m.handle && m.visibleUntil - now < (this.leaseSeconds * 1000) / 2,
      );
      for (let i = 0; i < due.length; i += 50) {
        await Promise.all(
          due.slice(i, i + 50).map(async (m) => {
            const receipt = await this.store.setVisibility(m.queue, m.handle!, this.leaseSeconds).catch((e: Error) => {
              this.onError(`lease renewal failed: ${e.message}`);
              return null;
            });
            if (receipt === null) return;
            if (receipt === undefined) {
              m.lost = true;
              this.forget(m);
              return;
            }
            m.handle = { messageId: m.handle!.messageId, popReceipt: receipt };
            m.visibleUntil = Date.now() + this.leaseSeconds * 1000;
          }),
        );
      }
    } finally {
      this.renewing = false;
    }
  }

  /** Makes every unfinished message visible again at once (graceful stop). */
  async releaseAll(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const all = [...this.held.values()].filter((m) => !m.finished && m.handle);
    this.held.clear();
    for (let i = 0; i < all.length; i += 50) {
      await Promise.all(
        all.slice(i, i + 50).map((m) => this.store.setVisibility(m.queue, m.handle!, 0).catch(() => undefined)),
      );
    }
  }

  get size(): number {
    return this.held.size;
  }
}
