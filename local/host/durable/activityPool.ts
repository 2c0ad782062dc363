/**
 * Runs activity invocations from work-batch messages with at most `max` at a time
 * (host.json durableTask.maxConcurrentActivityFunctions) and reports each outcome as a history event.
 */
import type { HostContext } from '../extension';
import { events, type HistoryEvent } from './history';
import type { HeldMessage } from './leases';
import { activityFailedEvent, typedDataToJson, type ActivityItem, type WorkBatchMessage } from './messages';

export type ActivityResultHandler = (source: HeldMessage<WorkBatchMessage>, event: HistoryEvent) => void;

export class ActivityPool {
  private readonly backlog: Array<{ held: HeldMessage<WorkBatchMessage>; item: ActivityItem }> = [];
  private running = 0;
  private stopped = false;

  constructor(
    private readonly max: number,
    private readonly invoke: HostContext['invoke'],
    private readonly onResult: ActivityResultHandler,
    private readonly track: <T>(p: Promise<T>) => Promise<T>,
  ) {}

  /** Queued activities not yet started. */
  get queued(): number {
    return this.backlog.length;
  }

  enqueue(held: HeldMessage<WorkBatchMessage>): void {
    if (this.stopped) return;
    held.pending = held.body.items.length;
    for (const item of held.body.items) this.backlog.push({ held, item });
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    this.backlog.length = 0;
  }

  private pump(): void {
    while (!this.stopped && this.running < this.max && this.backlog.length > 0) {
      const { held, item } = this.backlog.shift()!;
      this.running++;
      void this.track(
        this.run(held, item).finally(() => {
          this.running--;
          this.pump();
        }),
      );
    }
  }

  private async run(held: HeldMessage<WorkBatchMessage>, item: ActivityItem): Promise<void> {
    let event: HistoryEvent;
    try {
      const result = await this.invoke(item.name, { triggerData: { json: item.input ?? 'null' } });
      event = events.taskCompleted(new Date(), item.id, typedDataToJson(result.returnValue));
    } catch (err) {
      event = activityFailedEvent(new Date(), item, err as Error);
    }
    if (!this.stopped) this.onResult(held, event);
  }
}
