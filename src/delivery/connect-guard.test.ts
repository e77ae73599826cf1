import type { LookupAddress, LookupOptions } from 'node:dns';

import { describe, expect, it } from 'vitest';

import { createGuardedLookup, type ResolvedAddress } from './connect-guard.js';

/** A resolver from a table, which also counts what it was asked. */
function tableResolver(table: Record<string, readonly ResolvedAddress[]>) {
  const asked: string[] = [];
  const resolve = async (hostname: string): Promise<readonly ResolvedAddress[]> => {
    asked.push(hostname);
    const found = table[hostname];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return found;
  };
  return { resolve, asked };
}

type LookupResult = {
  error: NodeJS.ErrnoException | null;
  address: string | LookupAddress[];
  family?: number;
};

function lookupWith(
  lookup: ReturnType<typeof createGuardedLookup>,
  hostname: string,
  options: LookupOptions = {},
): Promise<LookupResult> {
  return new Promise((resolve) => {
    lookup(hostname, options, (error, address, family) => resolve({ error, address, family }));
  });
}

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const v6 = (address: string): ResolvedAddress => ({ address, family: 6 });

const TABLE = {
  'public.test': [v4('93.184.216.34'), v6('2606:2800:220:1:248:1893:25c8:1946')],
  'loopback.test': [v4('127.0.0.1')],
  'mapped.test': [v6('::ffff:7f00:1')],
  'compatible.test': [v6('::7f00:1')],
  'metadata.test': [v4('169.254.169.254')],
  'nat64-private.test': [v6('64:ff9b::a00:1')],
  'nat64-public.test': [v6('64:ff9b::808:808')],
  // One public and one private answer: Node may try either, so the name is refused.
  'mixed.test': [v4('93.184.216.34'), v6('fd00::1')],
};

describe('guarded lookup', () => {
  it.each([
    ['loopback.test', '127.0.0.1, not a public address (loopback'],
    ['mapped.test', '::ffff:7f00:1, not a public address (IPv4-mapped 127.0.0.1, loopback'],
    ['compatible.test', '::7f00:1, not a public address (IPv4-compatible 127.0.0.1, loopback'],
    ['metadata.test', '169.254.169.254, not a public address (link-local'],
    ['nat64-private.test', '64:ff9b::a00:1, not a public address (NAT64 10.0.0.1, private'],
    ['mixed.test', 'fd00::1, not a public address (unique-local'],
  ])('refuses %s, which resolves to %s', async (hostname, why) => {
    const { resolve } = tableResolver(TABLE);
    const { error } = await lookupWith(createGuardedLookup(resolve, false), hostname, { all: true });
    expect(error).toMatchObject({ code: 'BLOCKED_ADDRESS' });
    expect(error?.message.startsWith(`${hostname} resolves to ${why}`), error?.message).toBe(true);
    expect(error?.message).toContain('TELEHOOK_ALLOW_PRIVATE_ENDPOINTS=1');
  });

  it('gives every address of a name that resolves to public addresses, or the first one', async () => {
    const { resolve } = tableResolver(TABLE);
    const lookup = createGuardedLookup(resolve, false);
    expect(await lookupWith(lookup, 'public.test', { all: true })).toEqual({
      error: null,
      address: TABLE['public.test'],
      family: undefined,
    });
    expect(await lookupWith(lookup, 'public.test')).toEqual({
      error: null,
      address: '93.184.216.34',
      family: 4,
    });
    expect(await lookupWith(lookup, 'public.test', { family: 6 })).toEqual({
      error: null,
      address: '2606:2800:220:1:248:1893:25c8:1946',
      family: 6,
    });
    expect(await lookupWith(lookup, 'nat64-public.test')).toEqual({
      error: null,
      address: '64:ff9b::808:808',
      family: 6,
    });
  });

  it.each(['localhost', 'localhost.', 'sub.localhost', 'sub.localhost.'])(
    'refuses %s without resolving it',
    async (hostname) => {
      const { resolve, asked } = tableResolver({ [hostname]: [v4('93.184.216.34')] });
      const { error } = await lookupWith(createGuardedLookup(resolve, false), hostname);
      expect(error).toMatchObject({ code: 'BLOCKED_ADDRESS' });
      expect(error?.message).toContain('a localhost name');
      expect(asked).toEqual([]);
    },
  );

  it('passes on the resolver error of a name that does not resolve, and refuses an empty answer', async () => {
    const { resolve } = tableResolver({ 'empty.test': [] });
    const lookup = createGuardedLookup(resolve, false);
    expect((await lookupWith(lookup, 'missing.test')).error).toMatchObject({ code: 'ENOTFOUND' });
    expect((await lookupWith(lookup, 'empty.test')).error).toMatchObject({ code: 'ENOTFOUND' });
    expect((await lookupWith(lookup, 'loopback.test', { family: 6 })).error).toMatchObject({
      code: 'ENOTFOUND',
    });
  });

  it('gives private addresses and localhost names when private destinations are allowed', async () => {
    const { resolve } = tableResolver({ ...TABLE, 'sub.localhost': [v4('127.0.0.1')] });
    const lookup = createGuardedLookup(resolve, true);
    expect(await lookupWith(lookup, 'mapped.test')).toEqual({
      error: null,
      address: '::ffff:7f00:1',
      family: 6,
    });
    expect(await lookupWith(lookup, 'sub.localhost')).toEqual({
      error: null,
      address: '127.0.0.1',
      family: 4,
    });
  });
});
