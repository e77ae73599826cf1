import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Addresses an endpoint may not resolve to unless private endpoints are allowed (a guard against server-side
 * request forgery): loopback, private, carrier-grade NAT, link-local (cloud metadata), multicast, reserved.
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  BLOCKED.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  BLOCKED.addSubnet(network, prefix, 'ipv6');

/** Whether an IP address is loopback, private, link-local or otherwise not a public destination. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1]!, 'ipv4');
  return BLOCKED.check(address, 'ipv6');
}

/** The error a blocked destination fails with; its code is recorded as the attempt's error. */
export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
  readonly code = 'BLOCKED_ADDRESS';
}

/**
 * A `lookup` for outgoing connections that resolves as usual and refuses private addresses: checked at connect
 * time, on the addresses actually used, so a DNS answer that changes after the endpoint was saved (DNS
 * rebinding) is caught too.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const blocked = addresses.find((entry) => isPrivateAddress(entry.address));
    if (blocked || addresses.length === 0) {
      return callback(
        new BlockedAddressError(
          `${hostname} resolves to ${blocked?.address ?? 'nothing'}, a private address (TELEHOOK_ALLOW_PRIVATE_ENDPOINTS=1 allows it)`,
        ),
        '',
        0,
      );
    }
    if (options.all) return callback(null, addresses, 0);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
};
