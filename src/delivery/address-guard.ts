import { BlockList, isIP } from 'node:net';

/*
 * Which destinations an endpoint may not reach unless private endpoints are allowed: a guard against server-side
 * request forgery (an endpoint URL that makes telehook post to itself, to a service on its network or to a cloud
 * metadata address). The tables follow the IANA special-purpose address registries: every range that is not
 * globally reachable is refused. An IPv6 address that carries an IPv4 address inside it is judged by that IPv4
 * address, so `[::ffff:127.0.0.1]`, `[::127.0.0.1]` or `[64:ff9b::10.0.0.1]` are loopback and private like the
 * IPv4 address they carry.
 */

type Range = readonly [network: string, prefix: number, why: string];

const IPV4_RANGES: readonly Range[] = [
  ['0.0.0.0', 8, 'unspecified ("this network")'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved for IETF protocols'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved (or broadcast)'],
];

const IPV6_RANGES: readonly Range[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  // Local-use NAT64 (RFC 8215): a translator inside the operator's own network, where the IPv4 address may sit at
  // any of RFC 6052's positions, so it cannot be told apart from a private one.
  ['64:ff9b:1::', 48, 'local-use NAT64'],
  ['100::', 64, 'discard-only'],
  ['2001:2::', 48, 'benchmarking'],
  ['2001:db8::', 32, 'documentation'],
  ['3fff::', 20, 'documentation'],
  ['5f00::', 16, 'segment routing'],
  ['fc00::', 7, 'unique-local (private)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (private)'],
  ['ff00::', 8, 'multicast'],
];

/** IPv6 forms that carry an IPv4 address: where its 4 bytes start, and whether they are inverted (Teredo). */
const EMBEDDINGS: readonly (readonly [
  network: string,
  prefix: number,
  form: string,
  at: number,
  inverted?: true,
])[] = [
  ['::', 96, 'IPv4-compatible', 12],
  ['::ffff:0:0', 96, 'IPv4-mapped', 12],
  ['::ffff:0:0:0', 96, 'IPv4-translated', 12],
  ['64:ff9b::', 96, 'NAT64', 12],
  ['2002::', 16, '6to4', 2],
  // Teredo carries two: its server's address, then the client's, inverted. Both are judged.
  ['2001::', 32, 'Teredo server', 4],
  ['2001::', 32, 'Teredo client', 12, true],
];

const blockListOf = (ranges: readonly (readonly [string, number, ...unknown[]])[], type: 'ipv4' | 'ipv6') => {
  const list = new BlockList();
  for (const [network, prefix] of ranges) list.addSubnet(network, prefix, type);
  return list;
};
// One list per table answers the common case (a public address) in one check; the rows then say why.
const ANY_IPV4 = blockListOf(IPV4_RANGES, 'ipv4');
const ANY_IPV6 = blockListOf([...IPV6_RANGES, ...EMBEDDINGS], 'ipv6');
const IPV4 = IPV4_RANGES.map((range) => ({ list: blockListOf([range], 'ipv4'), why: range[2] }));
const IPV6 = IPV6_RANGES.map((range) => ({ list: blockListOf([range], 'ipv6'), why: range[2] }));
const EMBEDDED = EMBEDDINGS.map((embedding) => ({
  list: blockListOf([embedding], 'ipv6'),
  form: embedding[2],
  at: embedding[3],
  inverted: embedding[4] === true,
}));

/**
 * Why an IP address may not be an endpoint's destination (`"loopback"`, `"IPv4-mapped 127.0.0.1, loopback"`),
 * or null for a public address. Anything that is not an IP address is refused.
 */
export function refusalOfAddress(address: string): string | null {
  const family = isIP(address);
  if (family === 4) {
    if (!ANY_IPV4.check(address, 'ipv4')) return null;
    return IPV4.find((range) => range.list.check(address, 'ipv4'))?.why ?? null;
  }
  if (family !== 6) return 'not an IP address';
  const parsed = parseIpv6(address);
  if (!parsed) return 'not an IP address';
  const { canonical, bytes } = parsed;
  if (!ANY_IPV6.check(canonical, 'ipv6')) return null;
  const range = IPV6.find((candidate) => candidate.list.check(canonical, 'ipv6'));
  if (range) return range.why;
  for (const embedding of EMBEDDED) {
    if (!embedding.list.check(canonical, 'ipv6')) continue;
    const ipv4 = Array.from(bytes.subarray(embedding.at, embedding.at + 4), (byte) =>
      embedding.inverted ? byte ^ 0xff : byte,
    ).join('.');
    const why = refusalOfAddress(ipv4);
    if (why !== null) return `${embedding.form} ${ipv4}, ${why}`;
  }
  return null;
}

/** Whether an IP address is loopback, private, link-local or otherwise not a public destination. */
export function isPrivateAddress(address: string): boolean {
  return refusalOfAddress(address) !== null;
}

/**
 * `localhost` and every name under it, with or without the final dot: RFC 6761 has them resolve to loopback
 * whatever DNS says, so they are refused before any lookup.
 */
export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.+$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * Why a URL's host may not be an endpoint's destination, judged without DNS: an IP address by its range, a
 * localhost name by its name. Null for a public address, and for any other name (judged when it resolves).
 */
export function refusalOfHost(hostname: string): string | null {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return refusalOfAddress(host);
  return isLocalhostName(host) ? 'a localhost name' : null;
}

/** The error a refused destination fails with at connect time; its code is recorded with the attempt. */
export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
  readonly code = 'BLOCKED_ADDRESS';
}

/**
 * An IPv6 address in canonical form (no zone, no dotted tail: what BlockList reads) and its 16 bytes, or null.
 * WHATWG's URL parser reads every written form (`::`, a dotted IPv4 tail, upper case) and gives the address back
 * in lower-case hex groups, which are then read group by group.
 */
function parseIpv6(address: string): { canonical: string; bytes: Uint8Array } | null {
  let canonical: string;
  try {
    // A zone (`fe80::1%eth0`) says where to send, not which address: the URL parser has no place for it.
    canonical = new URL(`http://[${address.replace(/%.*$/, '')}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  const [head = '', tail] = canonical.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = [...headGroups, ...(tail === undefined ? [] : zeros), ...tailGroups];
  if (groups.length !== 8) return null;
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    const value = Number.parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  return { canonical, bytes };
}
