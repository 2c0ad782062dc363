/**
 * Cluster health and incidents in Azure Tables, transitions on a storage queue.
 *
 * - `clusterhealth` (TABLES.clusterHealth): one row per cluster (partition = subscription, row = resource group,
 *   lower-case). It holds the health (diagnosis + hysteresis), the latest revision of every incident and an
 *   **outbox** of transitions and timeline entries not yet delivered. It is the commit point: an evaluation reads
 *   it, computes, and writes it back only if its ETag is unchanged. The loser of a race re-reads and recomputes,
 *   so every transition is committed once.
 * - `incidents` (TABLES.incidents): per cluster (partition `<sub>~<rg>`), one row per incident key (its latest
 *   revision) and one row per transition (row key `transition~<kind>~<node>~<revision>`), created from the outbox
 *   with a fixed key: written once, however often the delivery is retried.
 * - `clustertimeline` (TABLES.clusterTimeline): state and active-node changes, newest first.
 * - `clusterhistory` (TABLES.clusterHistory): what the health reports need besides (historyRecord.ts): per-minute
 *   probe counts (written after the commit, best effort: a lost write leaves a minute without data), probe
 *   changes, QWK and relay gaps and maintenance windows (through the outbox, like the timeline).
 * - queue `qwk-incident-transitions` (QUEUES.incidentTransitions): each transition as base64 JSON (the Functions
 *   host's default `messageEncoding`), at least once, carrying its id for the consumer to deduplicate.
 *
 * Delivery of one transition: create its row with `pendingPublish: true` → put it on the queue → mark the row
 * published → remove it from the outbox. A crash anywhere leaves it in the outbox, and the next evaluation (or
 * `deliver`) republishes what is still pending once it is older than the grace period.
 */
import { isConflict, isNotFound, isPreconditionFailed } from '../azure/errors';
import type { TableClient, TableEntity } from '@azure/data-tables';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { tableClient, tableCreator, targetKeys } from '../azure/tables';
import { QUEUES, TABLES } from '../names';
import type { Evidence, Incident, IncidentTransition } from './contracts';
import type { ClusterHealth, TimelineEntry } from './diagnosis';
import type { ClusterMemory, EvaluationOutcome } from './evaluation';
import { historyRowKey, type HistoryAccumulator, type HistoryRow } from './historyRecord';

export interface OutboxItem {
  transition: IncidentTransition;
  /** When it was committed (the evaluation's time). */
  since: string;
}

export interface Outbox {
  transitions: OutboxItem[];
  timeline: TimelineEntry[];
  /** History rows other than minutes (historyRecord.ts): rare, delivered like the timeline. */
  history?: HistoryRow[];
}

export interface StoredCluster extends ClusterMemory {
  outbox: Outbox;
}

/** The evaluation the store runs on what it read (evaluation.ts' evaluateCluster), re-run when the write lost a race. */
export type Evaluate = (memory: ClusterMemory) => EvaluationOutcome | Promise<EvaluationOutcome>;

export interface CommitResult {
  health: ClusterHealth;
  transitions: IncidentTransition[];
  timeline: TimelineEntry[];
  /** Writes that lost a race before this one won. */
  conflicts: number;
  /** The outbox as written (earlier undelivered items included). */
  outbox: Outbox;
  /** Finished minutes of probe history, written after the commit (best effort). */
  minutes: HistoryRow[];
}

export interface StoreNames {
  health: string;
  incidents: string;
  timeline: string;
  queue: string;
  /** The reports' history rows; default TABLES.clusterHistory. */
  history?: string;
}

export const DEFAULT_STORE_NAMES: StoreNames = {
  health: TABLES.clusterHealth,
  incidents: TABLES.incidents,
  timeline: TABLES.clusterTimeline,
  queue: QUEUES.incidentTransitions,
  history: TABLES.clusterHistory,
};

/** Outbox items younger than this are left to the evaluation that committed them. */
export const REDELIVER_AFTER_MS = 60_000;
const MAX_ATTEMPTS = 10;
/** Upper bound of the random pause after the n-th lost race on a health row: n × this, in ms. */
const CONFLICT_JITTER_MS = 20;
/** Table string properties hold at most 64 KiB (32 Ki UTF-16 characters): JSON is split over columns. */
const CHUNK = 30_000;

type Row = Record<string, unknown> & { partitionKey: string; rowKey: string; etag?: string };

export class IncidentStore {
  private readonly ensureTables: () => Promise<void>;
  private queueReady?: Promise<void>;

  constructor(
    private readonly health: TableClient,
    private readonly incidents: TableClient,
    private readonly timeline: TableClient,
    private readonly queue: QueueClient,
    /** The reports' history (TABLES.clusterHistory); without it nothing of the history is written or read. */
    private readonly history?: TableClient,
  ) {
    const creators = [health, incidents, timeline, ...(history ? [history] : [])].map((t) => tableCreator(t));
    this.ensureTables = async () => {
      await Promise.all(creators.map((c) => c()));
    };
  }

  static fromConnectionString(connectionString: string, names: StoreNames = DEFAULT_STORE_NAMES): IncidentStore {
    return new IncidentStore(
      tableClient(connectionString, names.health),
      tableClient(connectionString, names.incidents),
      tableClient(connectionString, names.timeline),
      QueueServiceClient.fromConnectionString(connectionString).getQueueClient(names.queue),
      tableClient(connectionString, names.history ?? TABLES.clusterHistory),
    );
  }

  private ensureQueue(): Promise<void> {
    return (this.queueReady ??= this.queue.createIfNotExists().then(
      () => undefined,
      (err: unknown) => {
        this.queueReady = undefined;
        throw err;
      },
    ));
  }

  /** The cluster's stored health, incidents and outbox (undefined before its first evaluation). */
  async read(subscriptionId: string, resourceGroup: string): Promise<(StoredCluster & { etag: string }) | undefined> {
    await this.ensureTables();
    const k = targetKeys(subscriptionId, resourceGroup);
    try {
      const row = await this.health.getEntity<Row>(k.partitionKey, k.rowKey);
      return { ...fromHealthRow(row), etag: row.etag };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Every cluster's health row (for GET /api/clusters). */
  async listHealth(): Promise<StoredCluster[]> {
    await this.ensureTables();
    const out: StoredCluster[] = [];
    for await (const row of this.health.listEntities<Row>()) out.push(fromHealthRow(row));
    return out;
  }

  /**
   * Runs `evaluate` on the stored memory and writes the result with the read's ETag; on a lost race it re-reads
   * and re-runs it. The new transitions and timeline entries are appended to the outbox in the same write.
   */
  async commit(subscriptionId: string, resourceGroup: string, now: string, evaluate: Evaluate): Promise<CommitResult> {
    await this.ensureTables();
    const k = targetKeys(subscriptionId, resourceGroup);
    for (let conflicts = 0; conflicts < MAX_ATTEMPTS; conflicts++) {
      const stored = await this.read(subscriptionId, resourceGroup);
      const outcome = await evaluate({
        health: stored?.health,
        incidents: stored?.incidents ?? [],
        ...(stored?.history ? { history: stored.history } : {}),
      });
      const rows = this.history ? (outcome.historyRows ?? []) : [];
      const rare = rows.filter((r) => r.kind !== 'minute');
      const history = [...(stored?.outbox.history ?? []), ...rare];
      const outbox: Outbox = {
        transitions: [
          ...(stored?.outbox.transitions ?? []),
          ...outcome.transitions.map((t) => ({ transition: t, since: now })),
        ],
        timeline: [...(stored?.outbox.timeline ?? []), ...outcome.timeline],
        ...(history.length ? { history } : {}),
      };
      const row = toHealthRow(k, {
        health: outcome.health,
        incidents: outcome.incidents,
        outbox,
        ...(this.history && outcome.history ? { history: outcome.history } : {}),
      });
      try {
        if (stored) await this.health.updateEntity(row, 'Replace', { etag: stored.etag });
        else await this.health.createEntity(row);
        return {
          health: outcome.health,
          transitions: outcome.transitions,
          timeline: outcome.timeline,
          conflicts,
          outbox,
          minutes: rows.filter((r) => r.kind === 'minute'),
        };
      } catch (err) {
        if (!isConflict(err) && !isPreconditionFailed(err)) throw err;
        // Another evaluation won: recompute, after a short random pause so that racing evaluations spread out (each
        // round has one winner; without the pause the same losers meet again at once).
        await new Promise((r) => setTimeout(r, Math.random() * CONFLICT_JITTER_MS * (conflicts + 1)));
      }
    }
    throw new Error(`cluster ${subscriptionId}/${resourceGroup}: too much contention on its health row`);
  }

  /**
   * Delivers outbox items: the ones named by `ids` (an evaluation's own), and every item committed before
   * `olderThan` (what a crashed or failed delivery left behind). Timeline entries are written with every call.
   * Returns the ids of the transitions put on the queue.
   */
  async deliver(
    subscriptionId: string,
    resourceGroup: string,
    select: { ids?: readonly string[]; olderThan?: string },
  ): Promise<string[]> {
    const stored = await this.read(subscriptionId, resourceGroup);
    if (!stored) return [];
    const ids = new Set(select.ids ?? []);
    const due = stored.outbox.transitions.filter(
      (i) => ids.has(i.transition.id) || (select.olderThan !== undefined && i.since < select.olderThan),
    );
    const partition = clusterPartition(subscriptionId, resourceGroup);
    const published: string[] = [];
    const done = new Set<string>();
    const errors: unknown[] = [];
    for (const item of due) {
      const t = item.transition;
      try {
        if (await this.deliverTransition(partition, t)) published.push(t.id);
        done.add(t.id);
      } catch (err) {
        errors.push(err); // stays in the outbox; the others still go
      }
    }
    const timelineDone: TimelineEntry[] = [];
    for (const entry of stored.outbox.timeline) {
      try {
        await this.timeline.upsertEntity(
          { partitionKey: partition, rowKey: timelineRowKey(entry), ...entry },
          'Replace',
        );
        timelineDone.push(entry);
      } catch (err) {
        errors.push(err);
      }
    }
    const historyDone: HistoryRow[] = [];
    for (const row of stored.outbox.history ?? []) {
      try {
        await this.writeHistory(partition, row);
        historyDone.push(row);
      } catch (err) {
        errors.push(err);
      }
    }
    if (done.size || timelineDone.length || historyDone.length)
      await this.clearOutbox(subscriptionId, resourceGroup, done, timelineDone, historyDone);
    if (errors.length === 1) throw errors[0];
    if (errors.length)
      throw new AggregateError(
        errors,
        `${errors.length} outbox items of ${subscriptionId}/${resourceGroup} were not delivered`,
      );
    return published;
  }

  /** An evaluation end to end: commit, deliver its own transitions, redeliver what older ones left pending. */
  async evaluate(
    subscriptionId: string,
    resourceGroup: string,
    now: string,
    evaluate: Evaluate,
  ): Promise<CommitResult & { published: string[] }> {
    const result = await this.commit(subscriptionId, resourceGroup, now, evaluate);
    if (result.minutes.length) {
      const partition = clusterPartition(subscriptionId, resourceGroup);
      // Best effort: a minute whose write fails shows as a minute without probe data.
      await Promise.all(result.minutes.map((m) => this.writeHistory(partition, m).catch(() => undefined)));
    }
    const olderThan = new Date(Date.parse(now) - REDELIVER_AFTER_MS).toISOString();
    const due =
      result.transitions.length > 0 ||
      result.outbox.timeline.length > 0 ||
      (result.outbox.history?.length ?? 0) > 0 ||
      result.outbox.transitions.some((i) => i.since < olderThan);
    // Nothing to deliver (the usual sweep): one read and one write per cluster.
    if (!due) return { ...result, published: [] };
    const published = await this.deliver(subscriptionId, resourceGroup, {
      ids: result.transitions.map((t) => t.id),
      olderThan,
    });
    return { ...result, published };
  }

  /** The cluster's incidents (latest revision of each key). */
  async listIncidents(subscriptionId: string, resourceGroup: string): Promise<Incident[]> {
    await this.ensureTables();
    const out: Incident[] = [];
    for await (const row of this.incidents.listEntities<Row>({
      queryOptions: { filter: `PartitionKey eq '${clusterPartition(subscriptionId, resourceGroup)}'` },
    })) {
      if (row.rowKey.startsWith('incident~')) out.push(readJson(row, 'incident') as Incident);
    }
    return out;
  }

  /** The cluster's transition rows, with their publish state. */
  async listTransitions(
    subscriptionId: string,
    resourceGroup: string,
  ): Promise<{ transition: IncidentTransition; pendingPublish: boolean; publishedAt?: string }[]> {
    await this.ensureTables();
    const out: { transition: IncidentTransition; pendingPublish: boolean; publishedAt?: string }[] = [];
    for await (const row of this.incidents.listEntities<Row>({
      queryOptions: { filter: `PartitionKey eq '${clusterPartition(subscriptionId, resourceGroup)}'` },
    })) {
      if (!row.rowKey.startsWith('transition~')) continue;
      out.push({
        transition: readJson(row, 'transition') as IncidentTransition,
        pendingPublish: row.pendingPublish === true,
        ...(typeof row.publishedAt === 'string' ? { publishedAt: row.publishedAt } : {}),
      });
    }
    return out;
  }

  /** The cluster's last `limit` state changes, newest first. */
  async listTimeline(subscriptionId: string, resourceGroup: string, limit = 50): Promise<TimelineEntry[]> {
    await this.ensureTables();
    const out: TimelineEntry[] = [];
    for await (const row of this.timeline.listEntities<TableEntity<TimelineEntry>>({
      queryOptions: { filter: `PartitionKey eq '${clusterPartition(subscriptionId, resourceGroup)}'` },
    })) {
      const {
        partitionKey: _p,
        rowKey: _r,
        etag: _e,
        timestamp: _t,
        ...entry
      } = row as TableEntity<TimelineEntry> & {
        etag?: string;
        timestamp?: string;
      };
      out.push(entry);
      if (out.length >= limit) break;
    }
    return out;
  }

  private async writeHistory(partition: string, row: HistoryRow): Promise<void> {
    if (!this.history) return;
    await this.history.upsertEntity(
      { partitionKey: partition, rowKey: historyRowKey(row), kind: row.kind, ...writeJson('row', row) },
      'Replace',
    );
  }

  /**
   * The cluster's history rows (historyRecord.ts) for a report of [from, to): minutes and probe changes in it (probe
   * changes from `lookbackMs` before it, for a failover's RTO), and every gap and maintenance window that began
   * before its end. Empty without a history table.
   */
  async listHistory(
    subscriptionId: string,
    resourceGroup: string,
    from: string,
    to: string,
    lookbackMs = 15 * 60_000,
  ): Promise<HistoryRow[]> {
    if (!this.history) return [];
    await this.ensureTables();
    const pk = clusterPartition(subscriptionId, resourceGroup).replace(/'/g, "''");
    const before = new Date(Date.parse(from) - lookbackMs).toISOString();
    const ranges: Array<[string, string]> = [
      [`m~${from}`, `m~${to}`],
      [`p~${before}`, `p~${to}`],
      ['q~', `q~${to}`],
      ['r~', `r~${to}`],
      ['w~', `w~${to}`],
    ];
    const out: HistoryRow[] = [];
    for (const [lo, hi] of ranges) {
      const filter = `PartitionKey eq '${pk}' and RowKey ge '${lo}' and RowKey lt '${hi}'`;
      for await (const row of this.history.listEntities<Row>({ queryOptions: { filter } })) {
        out.push(readJson(row, 'row') as HistoryRow);
      }
    }
    return out;
  }

  /**
   * The cluster's timeline entries at or before `to`, newest first, back to the last entry of each kind before
   * `from` (so the state and active node at `from` are known).
   */
  async listTimelineUntil(
    subscriptionId: string,
    resourceGroup: string,
    from: string,
    to: string,
  ): Promise<TimelineEntry[]> {
    await this.ensureTables();
    const pk = clusterPartition(subscriptionId, resourceGroup).replace(/'/g, "''");
    const newest = String(9_999_999_999_999 - Date.parse(to)).padStart(13, '0');
    const filter = `PartitionKey eq '${pk}' and RowKey ge '${newest}'`;
    const out: TimelineEntry[] = [];
    const before = new Set<string>();
    for await (const row of this.timeline.listEntities<Row>({ queryOptions: { filter } })) {
      const entry: TimelineEntry = {
        at: String(row.at),
        kind: row.kind === 'activeNode' ? 'activeNode' : 'state',
        ...(typeof row.from === 'string' ? { from: row.from } : {}),
        to: String(row.to),
        maintenance: row.maintenance === true,
        text: typeof row.text === 'string' ? row.text : '',
      };
      out.push(entry);
      if (entry.at < from) before.add(entry.kind);
      if (before.size === 2) break;
    }
    return out;
  }

  /** Transition row (once), incident row (never older), queue message; true when a message was sent. */
  private async deliverTransition(partition: string, t: IncidentTransition): Promise<boolean> {
    const rowKey = `transition~${keyPart(t.incident.kind)}~${keyPart(t.incident.node ?? '')}~${String(t.incident.revision).padStart(8, '0')}`;
    let row: Row | undefined;
    try {
      await this.incidents.createEntity({
        partitionKey: partition,
        rowKey,
        id: t.id,
        kind: t.kind,
        at: t.at,
        pendingPublish: true,
        ...writeJson('transition', t),
      });
    } catch (err) {
      if (!isConflict(err)) throw err;
      row = await this.incidents.getEntity<Row>(partition, rowKey);
    }
    await this.saveIncident(partition, t.incident);
    let sent = false;
    if (!row || row.pendingPublish === true) {
      await this.ensureQueue();
      await this.queue.sendMessage(transitionMessage(t));
      sent = true;
      await this.incidents.updateEntity(
        { partitionKey: partition, rowKey, pendingPublish: false, publishedAt: new Date().toISOString() },
        'Merge',
      );
    }
    return sent;
  }

  private async saveIncident(partition: string, incident: Incident): Promise<void> {
    const rowKey = `incident~${keyPart(incident.kind)}~${keyPart(incident.node ?? '')}`;
    const entity = {
      partitionKey: partition,
      rowKey,
      status: incident.status,
      severity: incident.severity,
      revision: incident.revision,
      ...writeJson('incident', incident),
    };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      let current: Row | undefined;
      try {
        current = await this.incidents.getEntity<Row>(partition, rowKey);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (current && Number(current.revision) >= incident.revision) return;
      try {
        if (current) await this.incidents.updateEntity(entity, 'Replace', { etag: current.etag });
        else await this.incidents.createEntity(entity);
        return;
      } catch (err) {
        if (isConflict(err) || isPreconditionFailed(err)) continue;
        throw err;
      }
    }
    throw new Error(`incident ${incident.key}: too much contention on its row`);
  }

  private async clearOutbox(
    subscriptionId: string,
    resourceGroup: string,
    ids: Set<string>,
    timeline: TimelineEntry[],
    history: HistoryRow[] = [],
  ): Promise<void> {
    const k = targetKeys(subscriptionId, resourceGroup);
    const written = new Set(timeline.map((e) => JSON.stringify(e)));
    const historyWritten = new Set(history.map((r) => JSON.stringify(r)));
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const stored = await this.read(subscriptionId, resourceGroup);
      if (!stored) return;
      const outbox: Outbox = {
        transitions: stored.outbox.transitions.filter((i) => !ids.has(i.transition.id)),
        timeline: stored.outbox.timeline.filter((e) => !written.has(JSON.stringify(e))),
      };
      const historyLeft = (stored.outbox.history ?? []).filter((r) => !historyWritten.has(JSON.stringify(r)));
      if (historyLeft.length) outbox.history = historyLeft;
      try {
        await this.health.updateEntity(toHealthRow(k, { ...stored, outbox }), 'Replace', { etag: stored.etag });
        return;
      } catch (err) {
        if (isPreconditionFailed(err)) continue;
        throw err;
      }
    }
    throw new Error(`cluster ${subscriptionId}/${resourceGroup}: too much contention clearing its outbox`);
  }
}

/** A queue message holds 64 KiB; base64 makes 4 characters of 3 bytes. */
export const MAX_MESSAGE_JSON_BYTES = 48 * 1024;

/**
 * The queue message of a transition: its JSON in base64, as the Functions host decodes queue messages by default
 * (host.json `messageEncoding`). Should evidence make it too large, the evidence is cut (kept whole in the table).
 */
export function transitionMessage(t: IncidentTransition): string {
  const encode = (x: IncidentTransition) => Buffer.from(JSON.stringify(x), 'utf8');
  let json = encode(t);
  for (const [items, chars] of [
    [5, 500],
    [2, 200],
    [0, 0],
  ] as const) {
    if (json.length <= MAX_MESSAGE_JSON_BYTES) break;
    const cut = (es: Evidence[]) => es.slice(0, items).map((e) => ({ ...e, text: e.text.slice(0, chars) }));
    json = encode({
      ...t,
      incident: {
        ...t.incident,
        firstEvidence: cut(t.incident.firstEvidence),
        lastEvidence: cut(t.incident.lastEvidence),
      },
    });
  }
  return json.toString('base64');
}

/** Partition of a cluster's incidents and timeline: `<subscription>~<resource group>`, lower-case. */
export function clusterPartition(subscriptionId: string, resourceGroup: string): string {
  return `${keyPart(subscriptionId.toLowerCase())}~${keyPart(resourceGroup.toLowerCase())}`;
}

/** Table keys may not hold / \ # ? or control characters. */
function keyPart(s: string): string {
  return encodeURIComponent(s).replace(/~/g, '%7E');
}

/** Newest first: the row key starts with the inverted time; one evaluation changes each kind at most once. */
function timelineRowKey(e: TimelineEntry): string {
  const inverted = String(9_999_999_999_999 - Date.parse(e.at)).padStart(13, '0');
  return `${inverted}~${e.kind}~${keyPart(e.to)}`;
}

function writeJson(name: string, value: unknown): Record<string, string> {
  const text = JSON.stringify(value);
  const out: Record<string, string> = { [`${name}Chunks`]: '0' };
  let n = 0;
  for (let i = 0; i < text.length || n === 0; i += CHUNK, n++) out[`${name}${n}`] = text.slice(i, i + CHUNK);
  out[`${name}Chunks`] = String(n);
  return out;
}

function readJson(row: Row, name: string): unknown {
  const n = Number(row[`${name}Chunks`]);
  let text = '';
  for (let i = 0; i < n; i++) {
    const part = row[`${name}${i}`];
    text += typeof part === 'string' ? part : '';
  }
  return JSON.parse(text);
}

function toHealthRow(k: { partitionKey: string; rowKey: string }, s: StoredCluster): Row {
  const h = s.health!;
  return {
    ...k,
    subscriptionId: h.subscriptionId,
    resourceGroup: h.resourceGroup,
    state: h.state,
    since: h.since,
    ...(h.activeNode !== undefined ? { activeNode: h.activeNode } : {}),
    lastEvaluatedAt: h.lastEvaluatedAt,
    openIncidents: s.incidents.filter((i) => i.status === 'open').length,
    pendingTransitions: s.outbox.transitions.length,
    ...writeJson('health', h),
    ...writeJson('incidents', s.incidents),
    ...writeJson('outbox', s.outbox),
    ...(s.history ? writeJson('history', s.history) : {}),
  };
}

function fromHealthRow(row: Row): StoredCluster {
  return {
    health: readJson(row, 'health') as ClusterHealth,
    incidents: readJson(row, 'incidents') as Incident[],
    outbox: readJson(row, 'outbox') as Outbox,
    ...(row.historyChunks !== undefined ? { history: readJson(row, 'history') as HistoryAccumulator } : {}),
  };
}
