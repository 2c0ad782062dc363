/**
 * Task hub persistence on Azure Storage (Azurite locally).
 * - Table `<hub>Instances`: one partition per instance. Row `instance` holds the status projection
 *   (name, runtime status, execution id, input/output/custom status, times, parent link, episode count);
 *   rows `h.<executionId>.<episode>` hold the history events appended by each episode (JSON array).
 *   An episode is committed as one entity-group transaction: insert its history row + replace the instance
 *   row under If-Match, so two workers can never both commit the same episode.
 * - Queues `<hub>-control` (orchestration messages: start, completions, timers, events, terminate…) and
 *   `<hub>-workitems` (activity invocations). Message visibility is the lease: a worker keeps a message
 *   invisible while it owns it and deletes it only once its effect is durable.
 * - Blob container `<hub>-largemessages` for payloads above the queue/table size limits.
 */
import { randomUUID } from 'node:crypto';
import { TableClient, odata, type TableEntityResult, type TransactionAction } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import type { HistoryEvent } from './history';
import type { RuntimeStatus } from './episode';

const INSTANCE_ROW = 'instance';
/** Strings above this size go to a blob (table string properties hold 32K UTF-16 chars; queue messages 64KB). */
const INLINE_LIMIT = 30_000;

export interface InstanceRecord {
  instanceId: string;
  name: string;
  status: RuntimeStatus;
  executionId: string;
  input: string | null;
  output: string | null;
  customStatus: string | null;
  createdTime: string;
  lastUpdatedTime: string;
  /** Number of history rows of the current execution. */
  episodes: number;
  parentInstanceId?: string;
  parentExecutionId?: string;
  parentTaskId?: number;
}

export interface StoredInstance {
  record: InstanceRecord;
  etag: string;
}

export class ConflictError extends Error {}

export interface InstanceQuery {
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  runtimeStatus?: string[];
  instanceIdPrefix?: string;
}

export interface QueueHandle {
  messageId: string;
  popReceipt: string;
}

export interface ReceivedMessage<T> extends QueueHandle {
  body: T;
  dequeueCount: number;
  nextVisibleOn: number;
}

function statusOf(e: unknown): number | undefined {
  return (e as { statusCode?: number }).statusCode;
}

export class TaskHubStore {
  readonly table: TableClient;
  readonly control: QueueClient;
  readonly workItems: QueueClient;
  private readonly blobs: ContainerClient;

  constructor(
    connectionString: string,
    readonly hubName: string,
  ) {
    const lower = hubName.toLowerCase();
    this.table = TableClient.fromConnectionString(connectionString, `${hubName}Instances`, {
      allowInsecureConnection: true,
    });
    this.control = new QueueClient(connectionString, `${lower}-control`);
    this.workItems = new QueueClient(connectionString, `${lower}-workitems`);
    this.blobs = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(`${lower}-largemessages`);
  }

  async init(): Promise<void> {
    await Promise.all([
      this.table.createTable().catch((e) => {
        if (statusOf(e) !== 409) throw e;
      }),
      this.control.createIfNotExists(),
      this.workItems.createIfNotExists(),
      this.blobs.createIfNotExists(),
    ]);
  }

  // ---- large values -------------------------------------------------------------------------------

  private async offload(text: string): Promise<string> {
    const name = `${randomUUID()}.json`;
    await this.blobs.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
    return name;
  }

  private async download(name: string): Promise<string> {
    return (await this.blobs.getBlockBlobClient(name).downloadToBuffer()).toString('utf8');
  }

  private async packValue(
    entity: Record<string, unknown>,
    key: string,
    value: string | null | undefined,
  ): Promise<void> {
    if (value === undefined || value === null) return;
    if (value.length > INLINE_LIMIT) entity[`${key}Blob`] = await this.offload(value);
    else entity[key] = value;
  }

  private async unpackValue(entity: Record<string, unknown>, key: string): Promise<string | null> {
    const blob = entity[`${key}Blob`];
    if (typeof blob === 'string') return this.download(blob);
    const v = entity[key];
    return typeof v === 'string' ? v : null;
  }

  // ---- instances ----------------------------------------------------------------------------------

  private async toEntity(
    r: InstanceRecord,
  ): Promise<Record<string, unknown> & { partitionKey: string; rowKey: string }> {
    const e: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
      partitionKey: r.instanceId,
      rowKey: INSTANCE_ROW,
      name: r.name,
      status: r.status,
      executionId: r.executionId,
      createdTime: r.createdTime,
      lastUpdatedTime: r.lastUpdatedTime,
      episodes: r.episodes,
    };
    if (r.parentInstanceId) {
      e.parentInstanceId = r.parentInstanceId;
      e.parentExecutionId = r.parentExecutionId;
      e.parentTaskId = r.parentTaskId;
    }
    await Promise.all([
      this.packValue(e, 'input', r.input),
      this.packValue(e, 'output', r.output),
      this.packValue(e, 'customStatus', r.customStatus),
    ]);
    return e;
  }

  private async fromEntity(e: TableEntityResult<Record<string, unknown>>): Promise<StoredInstance> {
    const [input, output, customStatus] = await Promise.all([
      this.unpackValue(e, 'input'),
      this.unpackValue(e, 'output'),
      this.unpackValue(e, 'customStatus'),
    ]);
    const record: InstanceRecord = {
      instanceId: e.partitionKey as string,
      name: e.name as string,
      status: e.status as RuntimeStatus,
      executionId: e.executionId as string,
      input,
      output,
      customStatus,
      createdTime: e.createdTime as string,
      lastUpdatedTime: e.lastUpdatedTime as string,
      episodes: Number(e.episodes ?? 0),
    };
    if (typeof e.parentInstanceId === 'string') {
      record.parentInstanceId = e.parentInstanceId;
      record.parentExecutionId = e.parentExecutionId as string;
      record.parentTaskId = Number(e.parentTaskId);
    }
    return { record, etag: e.etag };
  }

  async getInstance(instanceId: string): Promise<StoredInstance | undefined> {
    try {
      return await this.fromEntity(await this.table.getEntity<Record<string, unknown>>(instanceId, INSTANCE_ROW));
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  /** Creates the instance row, or replaces it when `etag` is given (a finished instance started again). */
  async putInstance(record: InstanceRecord, etag?: string): Promise<string> {
    const entity = await this.toEntity(record);
    try {
      const res = etag
        ? await this.table.updateEntity(entity, 'Replace', { etag })
        : await this.table.createEntity(entity);
      return res.etag ?? '';
    } catch (e) {
      if (statusOf(e) === 409 || statusOf(e) === 412)
        throw new ConflictError(`instance ${record.instanceId} changed concurrently`);
      throw e;
    }
  }

  async listInstances(
    query: InstanceQuery,
    top: number,
    continuationToken?: string,
  ): Promise<{ items: InstanceRecord[]; continuationToken?: string }> {
    const filters = [odata`RowKey eq ${INSTANCE_ROW}`];
    if (query.createdTimeFrom) filters.push(odata`createdTime ge ${query.createdTimeFrom.toISOString()}`);
    if (query.createdTimeTo) filters.push(odata`createdTime le ${query.createdTimeTo.toISOString()}`);
    if (query.instanceIdPrefix) {
      filters.push(odata`PartitionKey ge ${query.instanceIdPrefix}`);
      filters.push(odata`PartitionKey lt ${query.instanceIdPrefix + '\uffff'}`);
    }
    if (query.runtimeStatus && query.runtimeStatus.length > 0) {
      filters.push('(' + query.runtimeStatus.map((s) => odata`status eq ${s}`).join(' or ') + ')');
    }
    const pages = this.table
      .listEntities<Record<string, unknown>>({ queryOptions: { filter: filters.join(' and ') } })
      .byPage({ maxPageSize: top, continuationToken });
    const page = await pages.next();
    if (page.done || !page.value) return { items: [] };
    const items = await Promise.all(page.value.map((e) => this.fromEntity(e)));
    return { items: items.map((i) => i.record), continuationToken: page.value.continuationToken };
  }

  /** Deletes every row of the instance (status + all executions' history). */
  async purgeInstance(instanceId: string): Promise<boolean> {
    const rows = this.table.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${instanceId}`, select: ['RowKey'] },
    });
    const keys: string[] = [];
    for await (const r of rows) keys.push(r.rowKey as string);
    if (keys.length === 0) return false;
    for (let i = 0; i < keys.length; i += 100) {
      await this.table.submitTransaction(
        keys.slice(i, i + 100).map((rowKey): TransactionAction => ['delete', { partitionKey: instanceId, rowKey }]),
      );
    }
    return true;
  }

  /** Deletes the history rows of executions other than `keepExecutionId` (after continueAsNew / restart). */
  async deleteOtherExecutions(instanceId: string, keepExecutionId: string): Promise<void> {
    const rows = this.table.listEntities({
      queryOptions: {
        filter: odata`PartitionKey eq ${instanceId} and RowKey ge 'h.' and RowKey lt 'h/'`,
        select: ['RowKey'],
      },
    });
    const stale: string[] = [];
    for await (const r of rows)
      if (!(r.rowKey as string).startsWith(`h.${keepExecutionId}.`)) stale.push(r.rowKey as string);
    for (let i = 0; i < stale.length; i += 100) {
      await this.table.submitTransaction(
        stale.slice(i, i + 100).map((rowKey): TransactionAction => ['delete', { partitionKey: instanceId, rowKey }]),
      );
    }
  }

  // ---- history ------------------------------------------------------------------------------------

  private historyKey(executionId: string, episode: number): string {
    return `h.${executionId}.${String(episode).padStart(6, '0')}`;
  }

  async readHistory(instanceId: string, executionId: string): Promise<HistoryEvent[]> {
    const prefix = `h.${executionId}.`;
    const rows = this.table.listEntities<Record<string, unknown>>({
      queryOptions: {
        filter: odata`PartitionKey eq ${instanceId} and RowKey ge ${prefix} and RowKey lt ${`h.${executionId}/`}`,
      },
    });
    const chunks: Array<{ key: string; events: HistoryEvent[] }> = [];
    for await (const r of rows) {
      const text = await this.unpackValue(r, 'events');
      chunks.push({ key: r.rowKey as string, events: text ? (JSON.parse(text) as HistoryEvent[]) : [] });
    }
    chunks.sort((a, b) => (a.key < b.key ? -1 : 1));
    return chunks.flatMap((c) => c.events);
  }

  /**
   * Commits one episode atomically: the history row for episode `record.episodes - 1` and the instance row
   * (If-Match `etag`). Returns the new etag; throws ConflictError if another worker got there first.
   */
  async commitEpisode(record: InstanceRecord, etag: string, appended: HistoryEvent[]): Promise<string> {
    return this.commitEpisodeAt(record, etag, appended, {
      executionId: record.executionId,
      episode: record.episodes - 1,
    });
  }

  /** Same, with the history row's execution/episode given explicitly (continueAsNew switches execution). */
  async commitEpisodeAt(
    record: InstanceRecord,
    etag: string,
    appended: HistoryEvent[],
    chunk: { executionId: string; episode: number },
  ): Promise<string> {
    const history: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
      partitionKey: record.instanceId,
      rowKey: this.historyKey(chunk.executionId, chunk.episode),
    };
    await this.packValue(history, 'events', JSON.stringify(appended));
    const instance = await this.toEntity(record);
    try {
      const res = await this.table.submitTransaction([
        ['create', history],
        ['update', instance, 'Replace', { etag }],
      ]);
      // Sub-responses come in action order; the update's carries the new ETag (Azurite omits its row key).
      return res.subResponses[1]?.etag ?? (await this.getInstance(record.instanceId))?.etag ?? '';
    } catch (e) {
      const code = statusOf(e);
      if (code === 409 || code === 412 || code === 404)
        throw new ConflictError(`instance ${record.instanceId} changed concurrently`);
      throw e;
    }
  }

  // ---- queues -------------------------------------------------------------------------------------

  private async encode(body: unknown): Promise<string> {
    const text = JSON.stringify(body);
    return text.length > INLINE_LIMIT ? JSON.stringify({ $blob: await this.offload(text) }) : text;
  }

  async decode<T>(text: string): Promise<T> {
    const parsed = JSON.parse(text) as { $blob?: string };
    if (parsed && typeof parsed.$blob === 'string') return JSON.parse(await this.download(parsed.$blob)) as T;
    return parsed as T;
  }

  /** Sends a message that stays invisible for `invisibleSeconds` (the sender's lease, or a timer's delay). */
  async send(queue: QueueClient, body: unknown, invisibleSeconds: number): Promise<QueueHandle> {
    const res = await queue.sendMessage(await this.encode(body), {
      visibilityTimeout: Math.max(0, Math.ceil(invisibleSeconds)),
      messageTimeToLive: -1,
    });
    return { messageId: res.messageId, popReceipt: res.popReceipt };
  }

  async receive<T>(queue: QueueClient, max: number, leaseSeconds: number): Promise<ReceivedMessage<T>[]> {
    const res = await queue.receiveMessages({ numberOfMessages: max, visibilityTimeout: leaseSeconds });
    const out: ReceivedMessage<T>[] = [];
    for (const m of res.receivedMessageItems) {
      try {
        out.push({
          messageId: m.messageId,
          popReceipt: m.popReceipt,
          dequeueCount: m.dequeueCount,
          nextVisibleOn: m.nextVisibleOn.getTime(),
          body: await this.decode<T>(m.messageText),
        });
      } catch {
        await queue.deleteMessage(m.messageId, m.popReceipt).catch(() => undefined);
      }
    }
    return out;
  }

  /** Extends (or, with 0, releases) the lease; returns the new pop receipt, undefined if the message is gone. */
  async setVisibility(queue: QueueClient, handle: QueueHandle, seconds: number): Promise<string | undefined> {
    try {
      const res = await queue.updateMessage(
        handle.messageId,
        handle.popReceipt,
        undefined,
        Math.max(0, Math.ceil(seconds)),
      );
      return res.popReceipt;
    } catch (e) {
      if (statusOf(e) === 404 || statusOf(e) === 400) return undefined;
      throw e;
    }
  }

  async remove(queue: QueueClient, handle: QueueHandle): Promise<void> {
    try {
      await queue.deleteMessage(handle.messageId, handle.popReceipt);
    } catch (e) {
      if (statusOf(e) !== 404 && statusOf(e) !== 400) throw e;
    }
  }
}
