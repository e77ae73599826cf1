import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';

import { hashPassword } from '../../src/people/index.js';
import { SETUPS, startSetup, TOKENS } from '../helpers/app-setups.js';

const PASSWORD = 'correct horse battery';

const codeOf = (response: LightMyRequestResponse): string | undefined =>
  response.json<{ error?: { code: string } }>().error?.code;

describe.each(SETUPS)('users API (%s)', (setup) => {
  it('lets an admin add, list, change and remove people, and no one else', async () => {
    const { app, store } = await startSetup(setup, expect.getState().currentTestName!);
    const passwordHash = await hashPassword(PASSWORD);
    for (const [name, role] of [
      ['ada', 'admin'],
      ['sam', 'supervisor'],
    ] as const)
      await store.addUser({ name, role, passwordHash, createdAt: 1, updatedAt: 1 });
    const signIn = async (name: string, password = PASSWORD): Promise<string> => {
      const response = await app.inject({ method: 'POST', url: '/api/session', payload: { name, password } });
      expect(response.statusCode, `${name} signs in`).toBe(200);
      return String(response.headers['set-cookie']).split(';')[0]!;
    };
    const as = (cookie: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      app.inject({ method, url, headers: { cookie }, ...(payload ? { payload } : {}) });
    const admin = await signIn('ada');
    const supervisor = await signIn('sam');

    // A supervisor may neither read nor change the people.
    for (const [method, url, payload] of [
      ['GET', '/api/users', undefined],
      ['POST', '/api/users', { name: 'eve', role: 'admin', password: PASSWORD }],
      ['PATCH', '/api/users/sam', { role: 'admin' }],
      ['DELETE', '/api/users/ada', undefined],
    ] as const) {
      const refused = await as(supervisor, method, url, payload);
      expect(refused.statusCode, `${method} ${url}`).toBe(403);
      expect(codeOf(refused)).toBe('FORBIDDEN');
    }
    expect((await store.getUser('sam'))?.role).toBe('supervisor');
    expect(await store.getUser('eve')).toBeNull();

    const added = await as(admin, 'POST', '/api/users', { name: 'vera', role: 'viewer', password: PASSWORD });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toEqual({
      user: { name: 'vera', role: 'viewer', createdAt: expect.any(Number), updatedAt: expect.any(Number) },
    });
    expect(added.body).not.toContain('scrypt');
    const again = await as(admin, 'POST', '/api/users', { name: 'vera', role: 'admin', password: PASSWORD });
    expect([again.statusCode, codeOf(again)]).toEqual([409, 'USER_EXISTS']);
    const badName = await as(admin, 'POST', '/api/users', {
      name: 'bad name',
      role: 'viewer',
      password: PASSWORD,
    });
    expect([badName.statusCode, codeOf(badName)]).toEqual([400, 'USER_INVALID']);
    expect(badName.json<{ error: { message: string } }>().error.message).toMatch(/^name: /);
    const shortPassword = await as(admin, 'POST', '/api/users', {
      name: 'val',
      role: 'viewer',
      password: 'short',
    });
    expect([shortPassword.statusCode, codeOf(shortPassword)]).toEqual([400, 'USER_INVALID']);
    expect(shortPassword.json<{ error: { message: string } }>().error.message).toMatch(/^password: /);
    const badRole = await as(admin, 'POST', '/api/users', { name: 'val', role: 'boss', password: PASSWORD });
    expect(badRole.statusCode).toBe(400);

    const list = await as(admin, 'GET', '/api/users');
    expect(list.statusCode).toBe(200);
    expect(
      list.json<{ items: { name: string; role: string }[] }>().items.map((u) => [u.name, u.role]),
    ).toEqual([
      ['ada', 'admin'],
      ['sam', 'supervisor'],
      ['vera', 'viewer'],
    ]);

    // The new person signs in; a new role reaches their live session at once; a new password ends it.
    const vera = await signIn('vera');
    expect((await as(vera, 'GET', '/api/endpoints')).statusCode).toBe(403);
    const promoted = await as(admin, 'PATCH', '/api/users/vera', { role: 'admin' });
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json()).toMatchObject({ user: { name: 'vera', role: 'admin' } });
    expect((await as(vera, 'GET', '/api/endpoints')).statusCode).toBe(200);
    expect((await as(admin, 'PATCH', '/api/users/vera', { password: 'a brand new one' })).statusCode).toBe(
      200,
    );
    expect(codeOf(await as(vera, 'GET', '/api/stats'))).toBe('SESSION_ENDED');
    await signIn('vera', 'a brand new one');
    const empty = await as(admin, 'PATCH', '/api/users/vera', {});
    expect(empty.statusCode).toBe(400);
    const missing = await as(admin, 'PATCH', '/api/users/nobody', { role: 'viewer' });
    expect([missing.statusCode, codeOf(missing)]).toEqual([404, 'USER_NOT_FOUND']);

    // Removing ends the sessions; nobody may remove or demote the only admin left.
    expect((await as(admin, 'DELETE', '/api/users/vera')).statusCode).toBe(204);
    expect(await store.getUser('vera')).toBeNull();
    expect(codeOf(await as(admin, 'DELETE', '/api/users/vera'))).toBe('USER_NOT_FOUND');
    const demote = await as(admin, 'PATCH', '/api/users/ada', { role: 'supervisor' });
    expect([demote.statusCode, codeOf(demote)]).toEqual([409, 'USER_LAST_ADMIN']);
    const removeSelf = await as(admin, 'DELETE', '/api/users/ada');
    expect([removeSelf.statusCode, codeOf(removeSelf)]).toEqual([409, 'USER_LAST_ADMIN']);
    expect((await store.getUser('ada'))?.role).toBe('admin');

    // Scripts manage people with the API token.
    const byToken = await app.inject({
      method: 'PATCH',
      url: '/api/users/sam',
      headers: { authorization: `Bearer ${TOKENS.apiToken}` },
      payload: { role: 'admin' },
    });
    expect(byToken.statusCode).toBe(200);
    expect((await as(admin, 'PATCH', '/api/users/ada', { role: 'viewer' })).statusCode).toBe(200);
    expect((await store.getUser('ada'))?.role).toBe('viewer');
  });
});
