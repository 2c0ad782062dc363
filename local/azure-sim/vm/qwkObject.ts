/** The QWK storage-mode object a LifeKeeper node writes about itself (seed-digest §9). */
export interface QwkObject {
  localNode: string;
  time: Date;
  sequence: number;
  peers: { node: string; commstat: 'UP' | 'DOWN' }[];
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** POSIX `cksum` CRC (the simulator's stand-in for LifeKeeper's checksum; the stub computes it with cksum). */
export function posixCksum(data: Buffer): number {
  let crc = 0;
  const step = (b: number) => {
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]) >>> 0;
  };
  for (const b of data) step(b);
  for (let n = data.length; n > 0; n = Math.floor(n / 256)) step(n & 0xff);
  return ~crc >>> 0;
}

export function qwkTimestamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

export function formatQwkObject(o: QwkObject): string {
  const lines = [
    'signature=lifeguard_qwk_object',
    `local_node=${o.localNode}`,
    `time=${qwkTimestamp(o.time)}`,
    `sequence=${o.sequence}`,
  ];
  for (const p of o.peers) lines.push(`node=${p.node}`, `commstat=${p.commstat}`);
  const body = `${lines.join('\n')}\n`;
  return `${body}checksum=${posixCksum(Buffer.from(body))}\n`;
}

export interface ParsedQwkObject extends QwkObject {
  checksumValid: boolean;
}

export function parseQwkObject(text: string): ParsedQwkObject | undefined {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines[0] !== 'signature=lifeguard_qwk_object') return undefined;
  const kv = (k: string) => lines.find((l) => l.startsWith(`${k}=`))?.slice(k.length + 1);
  const t = kv('time') ?? '';
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(t);
  if (!m) return undefined;
  const peers: QwkObject['peers'] = [];
  lines.forEach((l, i) => {
    if (l.startsWith('node='))
      peers.push({ node: l.slice(5), commstat: lines[i + 1] === 'commstat=UP' ? 'UP' : 'DOWN' });
  });
  const checksumAt = text.lastIndexOf('checksum=');
  const checksumValid = checksumAt > 0 && String(posixCksum(Buffer.from(text.slice(0, checksumAt)))) === kv('checksum');
  return {
    localNode: kv('local_node') ?? '',
    time: new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])),
    sequence: Number(kv('sequence')),
    peers,
    checksumValid,
  };
}
