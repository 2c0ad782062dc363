/**
 * Polls one task hub queue adaptively: again at once while messages come, backing off (×2 from 50 ms up to
 * the configured ceiling) while it is idle. Received messages are leased for `leaseSeconds`.
 */
import type { QueueClient } from '@azure/storage-queue';
import type { HostLogger } from '../extension';
import type { ReceivedMessage, TaskHubStore } from './store';

export class QueuePoller<T> {
  private stopped = false;
  private wake?: () => void;

  constructor(
    private readonly store: TaskHubStore,
    private readonly queue: QueueClient,
    private readonly o: {
      leaseSeconds: number;
      maxIntervalMs: number;
      busy: () => boolean;
      onMessage: (m: ReceivedMessage<T>) => void;
      log: HostLogger;
      label: string;
    },
  ) {}

  async run(): Promise<void> {
    let delay = 50;
    while (!this.stopped) {
      let got = 0;
      try {
        if (!this.o.busy()) {
          const messages = await this.store.receive<T>(this.queue, 32, this.o.leaseSeconds);
          got = messages.length;
          for (const m of messages) if (!this.stopped) this.o.onMessage(m);
        }
      } catch (e) {
        if (!this.stopped)
          this.o.log.warn(`Durable engine: polling the ${this.o.label} queue failed: ${(e as Error).message}`);
      }
      delay = got > 0 ? 0 : Math.min(Math.max(delay * 2, 50), this.o.maxIntervalMs);
      if (delay > 0 && !this.stopped) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }
}
