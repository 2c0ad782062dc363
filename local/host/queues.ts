import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { QueueServiceClient, type DequeuedMessageItem, type QueueClient } from '@azure/storage-queue';
import { resolveSettingExpression } from './appSettings';
import type { QueueOptions } from './config';
import type { RegisteredFunction, TypedData } from './extension';
import type { InvokeOptions } from './invoker';
import type { HostLog } from './logging';

/** How long a fetched message stays invisible while the function runs (the extension's 10 minutes). */
const PROCESSING_VISIBILITY_SECONDS = 600;
const MIN_POLL_MS = 100;

export function encodeMessage(text: string, encoding: QueueOptions['messageEncoding']): string {
  return encoding === 'base64' ? Buffer.from(text, 'utf8').toString('base64') : text;
}

/** Decodes a message like the extension; text that is not valid base64 under base64 encoding is an error. */
export function decodeMessage(raw: string, encoding: QueueOptions['messageEncoding']): string {
  if (encoding !== 'base64') return raw;
  const compact = raw.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new Error('The input is not a valid Base-64 string');
  }
  return Buffer.from(compact, 'base64').toString('utf8');
}

/** The messages a queue output value stands for: an array is one message per element, like the host. */
export function toQueueMessages(data: TypedData): string[] {
  const one = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  if (data.string !== undefined && data.string !== null) return [data.string];
  if (data.json !== undefined && data.json !== null) {
    const value: unknown = JSON.parse(data.json);
    if (value === null || value === undefined) return [];
    return Array.isArray(value) ? value.map(one) : [one(value)];
  }
  if (data.bytes) return [Buffer.from(data.bytes).toString('utf8')];
  if (typeof data.int === 'number') return [String(data.int)];
  if (typeof data.double === 'number') return [String(data.double)];
  return [];
}

/** Creates (once) and caches queue clients per connection string and queue name. */
export class QueueClients {
  readonly #clients = new Map<string, Promise<QueueClient>>();

  get(connectionString: string, queueName: string): Promise<QueueClient> {
    const key = `${connectionString}\n${queueName}`;
    let client = this.#clients.get(key);
    if (!client) {
      const c = QueueServiceClient.fromConnectionString(connectionString).getQueueClient(queueName);
      client = c.createIfNotExists().then(() => c);
      client.catch(() => this.#clients.delete(key));
      this.#clients.set(key, client);
    }
    return client;
  }
}

/** Lets a listener wake up at once when this host enqueues to its queue (like the SDK's SharedQueueWatcher). */
export const queueWatcher = new EventEmitter();
queueWatcher.setMaxListeners(0);

export type QueueInvoke = (fn: RegisteredFunction, request: InvokeOptions) => Promise<unknown>;

function triggerMetadata(fn: RegisteredFunction, msg: DequeuedMessageItem, text: string): Record<string, TypedData> {
  const json = (v: unknown): TypedData => ({ json: JSON.stringify(v) });
  return {
    QueueTrigger: { string: text },
    DequeueCount: json(msg.dequeueCount),
    ExpirationTime: json(msg.expiresOn.toISOString()),
    Id: { string: msg.messageId },
    InsertionTime: json(msg.insertedOn.toISOString()),
    NextVisibleTime: json(msg.nextVisibleOn.toISOString()),
    PopReceipt: { string: msg.popReceipt },
    sys: json({ MethodName: fn.name, UtcNow: new Date().toISOString(), RandGuid: randomUUID() }),
  };
}

/**
 * Polls one queue for one queue-trigger function with the Storage extension's semantics: batches of batchSize,
 * a new batch once in-flight messages drop to newBatchThreshold, randomized exponential backoff up to
 * maxPollingInterval when empty, visibilityTimeout before a failed message is retried, and after maxDequeueCount
 * failed attempts the message moves to `<queue>-poison`.
 */
export class QueueListener {
  readonly queueName: string;
  readonly #inFlight = new Set<Promise<void>>();
  #stopped = false;
  #loop?: Promise<void>;
  #wake?: () => void;
  readonly #onEnqueue = () => this.#wake?.();

  constructor(
    readonly fn: RegisteredFunction,
    private readonly connectionString: string,
    private readonly clients: QueueClients,
    private readonly options: QueueOptions,
    private readonly invoke: QueueInvoke,
    private readonly log: HostLog,
    resolveSetting: (name: string) => string | undefined,
  ) {
    this.queueName = resolveSettingExpression(stringOr(fn.trigger.queueName), resolveSetting).toLowerCase();
    if (!this.queueName) throw new Error(`Function '${fn.name}' has no queueName`);
  }

  async start(): Promise<void> {
    const queue = await this.clients.get(this.connectionString, this.queueName);
    queueWatcher.on(this.queueName, this.#onEnqueue);
    this.#loop = this.#run(queue);
  }

  /** Stops polling and waits (bounded) for messages being processed to be completed or released. */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopped = true;
    queueWatcher.off(this.queueName, this.#onEnqueue);
    this.#wake?.();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([this.#loop, ...this.#inFlight]),
      new Promise((r) => {
        timer = setTimeout(r, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  async #run(queue: QueueClient): Promise<void> {
    let delay = MIN_POLL_MS;
    while (!this.#stopped) {
      if (this.#inFlight.size > this.options.newBatchThreshold) {
        await Promise.race(this.#inFlight);
        continue;
      }
      let messages: DequeuedMessageItem[] = [];
      try {
        const result = await queue.receiveMessages({
          numberOfMessages: this.options.batchSize,
          visibilityTimeout: PROCESSING_VISIBILITY_SECONDS,
        });
        messages = result.receivedMessageItems;
      } catch (err) {
        if (this.#stopped) break;
        this.log.write({
          level: 'warning',
          category: 'Host',
          message: `Polling queue '${this.queueName}' failed: ${(err as Error).message}`,
        });
      }
      if (this.#stopped) {
        // Fetched while stopping: give them back at once.
        await Promise.allSettled(messages.map((m) => queue.updateMessage(m.messageId, m.popReceipt, undefined, 0)));
        break;
      }
      for (const msg of messages) {
        const task = this.#process(queue, msg).catch((err: unknown) => {
          this.log.write({
            level: 'error',
            category: 'Host',
            message: `Queue message ${msg.messageId} of '${this.queueName}': ${(err as Error).message}`,
          });
        });
        this.#inFlight.add(task);
        void task.finally(() => this.#inFlight.delete(task));
      }
      if (messages.length > 0) {
        delay = MIN_POLL_MS;
        continue;
      }
      await this.#sleep(delay * (0.8 + Math.random() * 0.4));
      delay = Math.min(delay * 2, this.options.maxPollingIntervalMs);
    }
  }

  async #process(queue: QueueClient, msg: DequeuedMessageItem): Promise<void> {
    const { maxDequeueCount, visibilityTimeoutMs, messageEncoding } = this.options;
    if (msg.dequeueCount > maxDequeueCount) return this.#poison(queue, msg);
    let failed = false;
    // Keep the message invisible while the function runs; every update yields a new pop receipt.
    let receipt = msg.popReceipt;
    const renewal = setInterval(
      () => {
        queue.updateMessage(msg.messageId, receipt, undefined, PROCESSING_VISIBILITY_SECONDS).then(
          (r) => {
            if (r.popReceipt) receipt = r.popReceipt;
          },
          () => undefined,
        );
      },
      (PROCESSING_VISIBILITY_SECONDS * 1000) / 2,
    );
    renewal.unref();
    try {
      const text = decodeMessage(msg.messageText, messageEncoding);
      await this.invoke(this.fn, {
        triggerData: { string: text },
        triggerMetadata: triggerMetadata(this.fn, msg, text),
        reason: `New queue message detected on '${this.queueName}'.`,
      });
    } catch {
      failed = true; // the invoker logged it
    } finally {
      clearInterval(renewal);
    }
    const current = { ...msg, popReceipt: receipt };
    if (!failed) {
      await queue.deleteMessage(msg.messageId, receipt);
      return;
    }
    if (msg.dequeueCount >= maxDequeueCount) return this.#poison(queue, current);
    await queue.updateMessage(msg.messageId, receipt, undefined, Math.round(visibilityTimeoutMs / 1000));
  }

  async #poison(queue: QueueClient, msg: DequeuedMessageItem): Promise<void> {
    const poisonName = `${this.queueName}-poison`;
    const poison = await this.clients.get(this.connectionString, poisonName);
    this.log.write({
      level: 'warning',
      category: 'Host',
      message: `Message has reached MaxDequeueCount of ${this.options.maxDequeueCount}. Moving message to queue '${poisonName}'.`,
      functionName: this.fn.name,
    });
    await poison.sendMessage(msg.messageText);
    await queue.deleteMessage(msg.messageId, msg.popReceipt);
    queueWatcher.emit(poisonName);
  }
}

/** Writes queue output bindings (return value or extraOutputs) of a finished invocation. */
export async function writeQueueOutputs(
  fn: RegisteredFunction,
  outputs: Record<string, TypedData>,
  clients: QueueClients,
  connectionFor: (connection?: string) => string,
  options: QueueOptions,
  resolveSetting: (name: string) => string | undefined,
): Promise<void> {
  for (const binding of fn.bindings) {
    if (binding.direction !== 'out' || binding.type.toLowerCase() !== 'queue') continue;
    const data = outputs[binding.name];
    if (!data) continue;
    const queueName = resolveSettingExpression(stringOr(binding.queueName), resolveSetting).toLowerCase();
    const queue = await clients.get(connectionFor(binding.connection as string | undefined), queueName);
    for (const message of toQueueMessages(data))
      await queue.sendMessage(encodeMessage(message, options.messageEncoding));
    queueWatcher.emit(queueName);
  }
}

/** A binding property that should be a string (queueName); anything else counts as absent. */
function stringOr(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}
