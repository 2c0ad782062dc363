/**
 * IPv4 / CIDR arithmetic for the spec's network rules, on top of ipaddr.js.
 * Every function takes `unknown` and answers `null` (or a problem text) for malformed input, so the cross-field
 * checks can run even when other parts of the spec failed to parse.
 */
import * as ipaddr from 'ipaddr.js';

export interface Cidr {
  /** the network address, e.g. 10.5.1.0 */
  network: ipaddr.IPv4;
  prefix: number;
  text: string;
}

/** Azure's smallest subnet is a /29 (8 addresses, 5 of them reserved). */
export const SMALLEST_SUBNET_PREFIX = 29;

/** Why `value` is not an IPv4 address in dotted-quad form, or null when it is one. */
export function ipv4Problem(value: string): string | null {
  return ipaddr.IPv4.isValidFourPartDecimal(value)
    ? null
    : `expected an IPv4 address in dotted-quad form such as 10.5.1.11, got "${value}"`;
}

/** Why `value` is not an IPv4 CIDR whose address is the network address, or null when it is one. */
export function ipv4CidrProblem(value: string): string | null {
  if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(value)) {
    return `expected an IPv4 CIDR such as 10.5.0.0/16, got "${value}"`;
  }
  const network = ipaddr.IPv4.networkAddressFromCIDR(value).toString();
  const [address, prefix] = value.split('/');
  if (network !== address) {
    return `expected the network address of the range (${network}/${prefix}), got "${value}" which has host bits set`;
  }
  return null;
}

export function parseIpv4(value: unknown): ipaddr.IPv4 | null {
  return typeof value === 'string' && ipv4Problem(value) === null ? ipaddr.IPv4.parse(value) : null;
}

export function parseIpv4Cidr(value: unknown): Cidr | null {
  if (typeof value !== 'string' || ipv4CidrProblem(value) !== null) return null;
  const [network, prefix] = ipaddr.IPv4.parseCIDR(value);
  return { network, prefix, text: value };
}

function toNumber(ip: ipaddr.IPv4): number {
  return ip.octets.reduce((n, octet) => n * 256 + octet, 0);
}

export function cidrContainsIp(cidr: Cidr, ip: ipaddr.IPv4): boolean {
  return ip.match(cidr.network, cidr.prefix);
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrContainsCidr(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && inner.network.match(outer.network, outer.prefix);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return cidrContainsCidr(a, b) || cidrContainsCidr(b, a);
}

/**
 * Azure reserves five addresses in every subnet: the network address, .1 (default gateway), .2 and .3 (Azure DNS)
 * and the broadcast address. Returns which one `ip` is, or null.
 */
export function azureReservedRole(cidr: Cidr, ip: ipaddr.IPv4): string | null {
  const offset = toNumber(ip) - toNumber(cidr.network);
  const last = 2 ** (32 - cidr.prefix) - 1;
  if (offset === 0) return 'the network address';
  if (offset === 1) return 'the default gateway (.1)';
  if (offset === 2 || offset === 3) return `reserved for Azure DNS (network + ${offset})`;
  if (offset === last) return 'the broadcast address';
  return null;
}

/** The first and last address Azure lets you assign in a subnet, for messages. */
export function assignableRange(cidr: Cidr): string {
  const first = toNumber(cidr.network) + 4;
  const last = toNumber(cidr.network) + 2 ** (32 - cidr.prefix) - 2;
  const text = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
  return `${text(first)}–${text(last)}`;
}

/** NSG source words that mean "anywhere". */
const ANYWHERE_WORDS = ['*', 'internet', 'any'];

/** Why `value` is not an IPv4/IPv6 address, a CIDR or an "anywhere" word usable as an NSG source, or null. */
export function addressOrCidrProblem(value: string): string | null {
  if (ipaddr.isValid(value) || ipaddr.isValidCIDR(value) || ANYWHERE_WORDS.includes(value.toLowerCase())) return null;
  return `expected an IP address or CIDR such as 203.0.113.7/32, got "${value}"`;
}

/** True when an NSG source prefix admits the whole internet. */
export function isInternetWide(source: string): boolean {
  const lowered = source.trim().toLowerCase();
  if (ANYWHERE_WORDS.includes(lowered) || lowered === '0.0.0.0' || lowered === '::') return true;
  if (ipaddr.isValidCIDR(lowered)) return ipaddr.parseCIDR(lowered)[1] === 0;
  return false;
}
