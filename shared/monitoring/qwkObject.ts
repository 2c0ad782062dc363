/**
 * A tolerant parser of the QWK storage-mode object a LifeKeeper node writes about itself (seed-digest §9):
 *
 *     signature=lifeguard_qwk_object
 *     local_node=Clstr-nodeA
 *     time=XXXXXXXXXXXXXX
 *     sequence=52
 *     node=Clstr-nodeB
 *     commstat=UP
 *     checksum=XXXXXXXXXXXXXX
 *
 * Required: the signature line, `local_node` and an integer `sequence`. Each `node=` starts a peer; the `commstat=`
 * that follows it belongs to that peer. The `time=` format and the `checksum` algorithm are not documented, so both
 * are kept as raw text and never interpreted. Unknown keys are kept (in order); lines without `=` are kept too.
 */

export const QWK_SIGNATURE = 'lifeguard_qwk_object';

export interface QwkPeerStatus {
  /** The peer's name as the object reports it (`node=`). */
  node: string;
  /** `commstat=` as written (UP, DOWN, or anything else); undefined when the object has none for this peer. */
  commstat?: string;
}

export interface QwkObjectData {
  localNode: string;
  sequence: number;
  /** `time=` as written (format undocumented). */
  time?: string;
  /** `checksum=` as written (algorithm undocumented). */
  checksum?: string;
  peers: QwkPeerStatus[];
  /** Keys this parser does not know, in order, with their raw values. */
  extra: { key: string; value: string }[];
  /** Lines that are not key=value. */
  otherLines: string[];
}

export type QwkParseResult = { ok: true; object: QwkObjectData } | { ok: false; error: string };

export function parseQwkObjectText(text: string): QwkParseResult {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (lines.length === 0) return { ok: false, error: 'empty object' };
  let signature: string | undefined;
  let localNode: string | undefined;
  let sequenceText: string | undefined;
  let time: string | undefined;
  let checksum: string | undefined;
  const peers: QwkPeerStatus[] = [];
  const extra: QwkObjectData['extra'] = [];
  const otherLines: string[] = [];
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (eq <= 0) {
      otherLines.push(line);
      continue;
    }
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    switch (key) {
      case 'signature':
        signature ??= value;
        break;
      case 'local_node':
        localNode ??= value;
        break;
      case 'sequence':
        sequenceText ??= value;
        break;
      case 'time':
        time ??= value;
        break;
      case 'checksum':
        checksum = value;
        break;
      case 'node':
        peers.push({ node: value });
        break;
      case 'commstat': {
        const last = peers[peers.length - 1];
        if (last && last.commstat === undefined) last.commstat = value;
        else extra.push({ key, value });
        break;
      }
      default:
        extra.push({ key, value });
    }
  }
  if (signature !== QWK_SIGNATURE)
    return {
      ok: false,
      error:
        signature === undefined
          ? `no signature=${QWK_SIGNATURE} line`
          : `signature is "${signature.slice(0, 60)}", expected ${QWK_SIGNATURE}`,
    };
  if (!localNode) return { ok: false, error: 'no local_node' };
  if (sequenceText === undefined) return { ok: false, error: 'no sequence' };
  if (!/^\d{1,15}$/.test(sequenceText))
    return { ok: false, error: `sequence "${sequenceText.slice(0, 30)}" is not a non-negative integer` };
  if (peers.some((p) => p.node.length === 0)) return { ok: false, error: 'a node= line has no name' };
  return {
    ok: true,
    object: {
      localNode,
      sequence: Number(sequenceText),
      ...(time !== undefined ? { time } : {}),
      ...(checksum !== undefined ? { checksum } : {}),
      peers,
      extra,
      otherLines,
    },
  };
}
