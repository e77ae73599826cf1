import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config.js';
import { hashPassword } from '../../src/people/index.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * Behind a reverse proxy (deploy/nginx.conf), every request comes from the proxy's address: without
 * TELEHOOK_TRUST_PROXY, one person's failed sign-ins lock out everyone, and the session cookie is never Secure.
 */

const PASSWORD = 'correct horse battery';
const passwordHash = hashPassword(PASSWORD);

async function appWithUser(trustProxy?: string): Promise<TestApp> {
  const t = await createTestApp({ overrides: { trustProxy }, startDeliveryWorker: false });
  await t.store.addUser({
    name: 'vera',
    role: 'viewer',
    passwordHash: await passwordHash,
    createdAt: 1,
    updatedAt: 1,
  });
  return t;
}

/** A sign-in as the proxy on this machine forwards it. */
const signInThroughProxy = (t: TestApp, name: string, password: string, client: string, proto = 'http') =>
  t.app.inject({
    method: 'POST',
    url: '/api/session',
    payload: { name, password },
    remoteAddress: '127.0.0.1',
    headers: { 'x-forwarded-for': client, 'x-forwarded-proto': proto },
  });

/** Failed sign-ins from one client, each for another name, until its address is held back. */
async function guessFrom(t: TestApp, client: string): Promise<void> {
  for (let n = 0; n < 20; n += 1)
    expect((await signInThroughProxy(t, `guess${n}`, 'wrong', client)).statusCode).toBe(401);
  expect((await signInThroughProxy(t, 'vera', PASSWORD, client)).statusCode).toBe(429);
}

describe('TELEHOOK_TRUST_PROXY', () => {
  it('counts failed sign-ins per client behind a trusted proxy, and marks the cookie Secure over its HTTPS', async () => {
    const t = await appWithUser('loopback');
    await guessFrom(t, '203.0.113.7');
    const other = await signInThroughProxy(t, 'vera', PASSWORD, '198.51.100.9', 'https');
    expect(other.statusCode).toBe(200);
    expect(String(other.headers['set-cookie'])).toMatch(/; Secure/);
  });

  it('believes no forwarded header by default: the proxy is the client', async () => {
    const t = await appWithUser();
    await guessFrom(t, '203.0.113.7');
    expect((await signInThroughProxy(t, 'vera', PASSWORD, '198.51.100.9')).statusCode).toBe(429);
  });

  it('takes addresses, CIDR ranges and named ranges, and names the setting when a value is none of them', () => {
    const read = (value: string) => loadConfig({ env: { TELEHOOK_TRUST_PROXY: value } }).trustProxy;
    expect(read('')).toBeNull();
    expect(read('127.0.0.1, 10.0.0.0/8,::1,loopback')).toBe('127.0.0.1,10.0.0.0/8,::1,loopback');
    for (const bad of ['true', '10.0.0.0/33', 'proxy.example.com', '::1/129'])
      expect(() => read(bad), bad).toThrow(/TELEHOOK_TRUST_PROXY/);
  });
});
