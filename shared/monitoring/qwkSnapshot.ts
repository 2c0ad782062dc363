/**
 * A relay snapshot (pure): the body the QWK relay posts, its validation, and what the app keeps per cluster — the
 * latest snapshot and, per node, its last sequence, when that sequence last advanced by the witness's clock,
 * its comm paths' status and the peers (`node=`) as the object reports them. Evaluating it is Monitoring 3/5.
 */
import { z } from 'zod';
import { parseQwkObjectText, type QwkObjectData } from './qwkObject';

/** A snapshot body above this size is refused (413). */
export const RELAY_MAX_BODY_BYTES = 64 * 1024;

const isoTime = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && Number.isFinite(Date.parse(s)), {
  message: 'expected an ISO 8601 time',
});

const bodySchema = z.object({
  v: z.literal(1),
  subscriptionId: z.string().min(1).max(64),
  resourceGroup: z.string().min(1).max(90),
  witness: z.string().max(255).optional(),
  witnessTime: isoTime,
  counter: z.number().int().nonnegative(),
  objects: z
    .array(
      z.object({
        name: z.string().regex(/^[A-Za-z0-9_]{1,128}$/, 'expected an object file name (letters, digits, _)'),
        mtime: isoTime,
        text: z.string().max(RELAY_MAX_BODY_BYTES),
      }),
    )
    .max(64),
});

export type RelaySnapshotBody = z.infer<typeof bodySchema>;

export interface ParsedSnapshotObject {
  name: string;
  mtime: string;
  text: string;
  parsed: QwkObjectData;
}

export interface ParsedSnapshot {
  witness?: string;
  witnessTime: string;
  counter: number;
  objects: ParsedSnapshotObject[];
}

export type SnapshotParseResult =
  { ok: true; snapshot: ParsedSnapshot } | { ok: false; status: 400 | 422; message: string };

/**
 * The body as the relay sent it: JSON of the documented shape, for the cluster of the route, with the counter of
 * the signed header, and every object parsing as a QWK object (422 naming the first that does not).
 */
export function parseSnapshotBody(
  raw: Buffer,
  route: { subscriptionId: string; resourceGroup: string },
  headerCounter: number,
): SnapshotParseResult {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, status: 400, message: 'the body is not JSON' };
  }
  const r = bodySchema.safeParse(json);
  if (!r.success) {
    const [i] = r.error.issues;
    // zod reports at least one issue on failure; the fallback only keeps the type honest.
    const message = i ? `body.${i.path.join('.') || '(root)'}: ${i.message}` : 'the body is invalid';
    return { ok: false, status: 400, message };
  }
  const b = r.data;
  if (
    b.subscriptionId.toLowerCase() !== route.subscriptionId.toLowerCase() ||
    b.resourceGroup.toLowerCase() !== route.resourceGroup.toLowerCase()
  )
    return { ok: false, status: 400, message: "the body's subscriptionId/resourceGroup differ from the route's" };
  if (b.counter !== headerCounter)
    return { ok: false, status: 400, message: "the body's counter differs from x-qwk-counter" };
  if (new Set(b.objects.map((o) => o.name)).size !== b.objects.length)
    return { ok: false, status: 400, message: 'an object name appears twice' };
  const objects: ParsedSnapshotObject[] = [];
  for (const o of b.objects) {
    const p = parseQwkObjectText(o.text);
    if (!p.ok) return { ok: false, status: 422, message: `object ${o.name}: ${p.error}` };
    objects.push({ ...o, parsed: p.object });
  }
  return {
    ok: true,
    snapshot: {
      ...(b.witness !== undefined ? { witness: b.witness } : {}),
      witnessTime: b.witnessTime,
      counter: b.counter,
      objects,
    },
  };
}

/** What the app keeps per node (keyed by the object's local_node). */
export interface NodeQwkState {
  /** local_node as the object reports it. */
  node: string;
  /** The object's file name in the share. */
  object: string;
  sequence: number;
  /** The object's mtime (witness clock) when its sequence was last seen to change. */
  lastAdvancedAt: string;
  /** The snapshot's witnessTime when that change was first seen. */
  advanceSeenAt: string;
  /** The object's mtime in the latest snapshot. */
  mtime: string;
  /** Peers with their commstat, as in the latest object. */
  peers: { node: string; commstat?: string }[];
  /** `time=` as written (undocumented format), for people. */
  time?: string;
}

/** The per-cluster record: the latest snapshot and the per-node state. */
export interface QwkSnapshotRecord {
  subscriptionId: string;
  resourceGroup: string;
  counter: number;
  witness?: string;
  witnessTime: string;
  /** App clock. */
  receivedAt: string;
  /** Source address of the latest accepted POST. */
  source?: string;
  objects: { name: string; mtime: string; text: string }[];
  nodes: NodeQwkState[];
}

/** The record after accepting `s` on top of `previous` (pure). */
export function nextSnapshotRecord(
  previous: QwkSnapshotRecord | undefined,
  s: ParsedSnapshot,
  o: { subscriptionId: string; resourceGroup: string; receivedAt: string; source?: string },
): QwkSnapshotRecord {
  const before = new Map((previous?.nodes ?? []).map((n) => [n.node, n]));
  const nodes: NodeQwkState[] = s.objects.map((obj) => {
    const prev = before.get(obj.parsed.localNode);
    const advanced = !prev || prev.sequence !== obj.parsed.sequence;
    return {
      node: obj.parsed.localNode,
      object: obj.name,
      sequence: obj.parsed.sequence,
      lastAdvancedAt: advanced ? obj.mtime : prev.lastAdvancedAt,
      advanceSeenAt: advanced ? s.witnessTime : prev.advanceSeenAt,
      mtime: obj.mtime,
      peers: obj.parsed.peers.map((p) => ({
        node: p.node,
        ...(p.commstat !== undefined ? { commstat: p.commstat } : {}),
      })),
      ...(obj.parsed.time !== undefined ? { time: obj.parsed.time } : {}),
    };
  });
  // a node whose object vanished from the share keeps its last state (its staleness is for the evaluation to judge)
  for (const prev of before.values()) if (!nodes.some((n) => n.node === prev.node)) nodes.push(prev);
  return {
    subscriptionId: o.subscriptionId,
    resourceGroup: o.resourceGroup,
    counter: s.counter,
    ...(s.witness !== undefined ? { witness: s.witness } : {}),
    witnessTime: s.witnessTime,
    receivedAt: o.receivedAt,
    ...(o.source ? { source: o.source } : {}),
    objects: s.objects.map(({ name, mtime, text }) => ({ name, mtime, text })),
    nodes,
  };
}
