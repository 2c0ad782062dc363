import ipaddr from 'ipaddr.js';

/** CIDR arithmetic for subnets and static IPs (IPv4), on ipaddr.js. */
export interface Cidr {
  text: string;
  first: number;
  last: number;
}

function toInt(ip: string): number {
  return ipaddr.IPv4.parse(ip)
    .toByteArray()
    .reduce((n, b) => n * 256 + b, 0);
}

function fromInt(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function parseCidr(text: string): Cidr | undefined {
  if (typeof text !== 'string' || !ipaddr.IPv4.isValidCIDR(text)) return undefined;
  const [addr, bits] = ipaddr.IPv4.parseCIDR(text);
  const size = 2 ** (32 - bits);
  const first = Math.floor(toInt(addr.toString()) / size) * size;
  return { text, first, last: first + size - 1 };
}

export function isIpv4(ip: unknown): ip is string {
  return typeof ip === 'string' && ipaddr.IPv4.isValidFourPartDecimal(ip);
}

export const contains = (outer: Cidr, inner: Cidr) => inner.first >= outer.first && inner.last <= outer.last;
export const overlaps = (a: Cidr, b: Cidr) => a.first <= b.last && b.first <= a.last;
export const ipInCidr = (ip: string, c: Cidr) => toInt(ip) >= c.first && toInt(ip) <= c.last;

/** Azure reserves the first four addresses and the last one of every subnet. */
export function isReservedInSubnet(ip: string, c: Cidr): boolean {
  const n = toInt(ip);
  return n < c.first + 4 || n === c.last;
}

/** The first address of the subnet that is neither reserved nor in `used` (dynamic allocation, like Azure). */
export function firstFreeIp(c: Cidr, used: Set<string>): string | undefined {
  for (let n = c.first + 4; n < c.last; n++) {
    const ip = fromInt(n);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}
