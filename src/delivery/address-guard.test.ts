import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { isLocalhostName, isPrivateAddress, refusalOfAddress, refusalOfHost } from './address-guard.js';

const octet = fc.integer({ min: 0, max: 255 });
/** IPv4 addresses, half of them starting like a special-purpose range, so both verdicts are common. */
const ipv4Octets = fc.tuple(
  fc.oneof(fc.constantFrom(0, 10, 100, 127, 169, 172, 192, 198, 203, 224, 240, 255), octet),
  octet,
  octet,
  octet,
);

describe('address guard', () => {
  it.each([
    // IPv4
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified ("this network")'],
    ['192.0.0.8', 'reserved for IETF protocols'],
    ['192.0.2.1', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved (or broadcast)'],
    ['8.8.8.8', null],
    ['93.184.216.34', null],
    ['172.32.0.1', null],
    ['100.128.0.1', null],
    // IPv6 ranges
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fc00::1', 'unique-local (private)'],
    ['FD12:3456::1', 'unique-local (private)'],
    ['fec0::1', 'site-local (private)'],
    ['ff02::1', 'multicast'],
    ['100::1', 'discard-only'],
    ['2001:db8::1', 'documentation'],
    ['2606:4700:4700::1111', null],
    ['2a00:1450:4001:80b::200e', null],
    // IPv4 inside IPv6: judged by the IPv4 address
    ['::ffff:127.0.0.1', 'IPv4-mapped 127.0.0.1, loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped 127.0.0.1, loopback'],
    ['::FFFF:7F00:0001', 'IPv4-mapped 127.0.0.1, loopback'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'IPv4-mapped 169.254.169.254, link-local (cloud metadata)'],
    ['::ffff:8.8.8.8', null],
    ['::127.0.0.1', 'IPv4-compatible 127.0.0.1, loopback'],
    ['::7f00:1', 'IPv4-compatible 127.0.0.1, loopback'],
    ['::10.0.0.1', 'IPv4-compatible 10.0.0.1, private'],
    ['::ffff:0:127.0.0.1', 'IPv4-translated 127.0.0.1, loopback'],
    ['::ffff:0:7f00:1', 'IPv4-translated 127.0.0.1, loopback'],
    ['::ffff:0:c0a8:101', 'IPv4-translated 192.168.1.1, private'],
    ['64:ff9b::127.0.0.1', 'NAT64 127.0.0.1, loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 169.254.169.254, link-local (cloud metadata)'],
    ['64:ff9b::8.8.8.8', null],
    ['64:ff9b:1::8.8.8.8', 'local-use NAT64'],
    ['64:ff9b:1:7f00:1::', 'local-use NAT64'],
    ['2002:7f00:1::1', '6to4 127.0.0.1, loopback'],
    ['2002:a00:1:1::1', '6to4 10.0.0.1, private'],
    ['2002:808:808::1', null],
    // RFC 4380's example: server 65.54.227.120, client 192.0.2.45 (inverted: 3fff:fdd2).
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo client 192.0.2.45, documentation'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'Teredo client 127.0.0.1, loopback'],
    ['2001:0:a00:1:8000:63bf:f7f7:f7f7', 'Teredo server 10.0.0.1, private'],
    ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', null],
    // Not an IP address
    ['not-an-ip', 'not an IP address'],
    ['[::1]', 'not an IP address'],
    ['1::2::3', 'not an IP address'],
    ['', 'not an IP address'],
  ])('judges %s: %s', (address, refusal) => {
    expect(refusalOfAddress(address)).toBe(refusal);
    expect(isPrivateAddress(address)).toBe(refusal !== null);
  });

  it.each([
    ['localhost', true],
    ['localhost.', true],
    ['LOCALHOST', true],
    ['sub.localhost', true],
    ['a.b.localhost.', true],
    ['localhost..', true],
    ['localhost.com', false],
    ['mylocalhost', false],
    ['localhostx', false],
    ['example.com', false],
  ])('%s is a localhost name: %s', (name, expected) => {
    expect(isLocalhostName(name)).toBe(expected);
  });

  it.each([
    ['[::7f00:1]', 'IPv4-compatible 127.0.0.1, loopback'],
    ['[::ffff:0:7f00:1]', 'IPv4-translated 127.0.0.1, loopback'],
    ['127.0.0.1', 'loopback'],
    ['sub.localhost', 'a localhost name'],
    ['localhost.', 'a localhost name'],
    ['[2606:4700:4700::1111]', null],
    ['8.8.8.8', null],
    // A name is judged by what it resolves to, at registration and at each connection.
    ['hooks.example.com', null],
  ])('judges the URL host %s without DNS: %s', (host, refusal) => {
    expect(refusalOfHost(host)).toBe(refusal);
  });

  it('judges an IPv4 address the same in every IPv6 form that carries it, however it is written', () => {
    const hex = (high: number, low: number): string => ((high << 8) | low).toString(16);
    fc.assert(
      fc.property(ipv4Octets, (octets) => {
        const [a, b, c, d] = octets;
        const ipv4 = octets.join('.');
        const refused = refusalOfAddress(ipv4) !== null;
        const inverted = `${hex(a ^ 0xff, b ^ 0xff)}:${hex(c ^ 0xff, d ^ 0xff)}`;
        const forms = [
          `::ffff:${ipv4}`,
          `::ffff:${hex(a, b)}:${hex(c, d)}`,
          `0:0:0:0:0:FFFF:${hex(a, b).toUpperCase()}:${hex(c, d)}`,
          `::${ipv4}`,
          `0000:0000:0000:0000:0000:0000:${ipv4}`,
          `::ffff:0:${ipv4}`,
          `::ffff:0:${hex(a, b)}:${hex(c, d)}`,
          `64:ff9b::${ipv4}`,
          `64:ff9b:0:0:0:0:${hex(a, b)}:${hex(c, d)}`,
          `2002:${hex(a, b)}:${hex(c, d)}::1`,
          `2001:0:4136:e378:8000:63bf:${inverted}`,
        ];
        for (const form of forms) expect(refusalOfAddress(form) !== null, form).toBe(refused);
      }),
      { numRuns: 500 },
    );
  });
});
