import { Readable, Writable } from 'node:stream';

import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';

import { runUsers } from '../../src/cli/commands/users.js';
import { hashPassword } from '../../src/people/index.js';
import type { Role, Store } from '../../src/store/index.js';
import { type AppSetup, SETUPS, startSetup, TOKENS } from '../helpers/app-setups.js';
import { testSchema } from '../helpers/pg-schema.js';
import { runCli } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const PASSWORD = 'correct horse battery';

// scrypt is slow on purpose: hashed once for every user of these tests.
const passwordHash = hashPassword(PASSWORD);

async function addUser(store: Store, name: string, role: Role): Promise<void> {
  await store.addUser({ name, role, passwordHash: await passwordHash, createdAt: 1, updatedAt: 1 });
}

type Inject = AppSetup['app']['inject'];

async function signIn(inject: Inject, name: string, password = PASSWORD, ip = '10.0.0.1') {
  const response = await inject({
    method: 'POST',
    url: '/api/session',
    payload: { name, password },
    remoteAddress: ip,
  });
  const cookie = String(response.headers['set-cookie'] ?? '').split(';')[0] ?? '';
  return { response, cookie };
}

const codeOf = (response: LightMyRequestResponse): string | undefined =>
  response.json<{ error?: { code: string } }>().error?.code;

describe.each(SETUPS)('people and sign-in (%s)', (setup) => {
  it('signs in with a session cookie that reaches what the role allows, and signing out ends it', async () => {
    const { app, store } = await startSetup(setup, expect.getState().currentTestName!);
    await addUser(store, 'vera', 'viewer');
    await addUser(store, 'sam', 'supervisor');
    await addUser(store, 'ada', 'admin');

    const wrong = await signIn(app.inject.bind(app), 'vera', 'not the password');
    expect(wrong.response.statusCode).toBe(401);
    expect(codeOf(wrong.response)).toBe('SIGN_IN_FAILED');
    const unknown = await signIn(app.inject.bind(app), 'nobody');
    expect(unknown.response.statusCode).toBe(401);
    expect(unknown.response.json()).toEqual(wrong.response.json());

    const viewer = await signIn(app.inject.bind(app), 'vera');
    expect(viewer.response.statusCode).toBe(200);
    expect(viewer.response.json()).toMatchObject({ ok: true, user: { name: 'vera', role: 'viewer' } });
    const setCookie = String(viewer.response.headers['set-cookie']);
    expect(setCookie).toMatch(
      /^telehook_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/,
    );
    // Over plain HTTP: a Secure cookie would never be sent back.
    expect(setCookie).not.toMatch(/Secure/);

    const as = (cookie: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
      app.inject({ method, url, headers: { cookie }, ...(payload ? { payload } : {}) });
    expect((await as(viewer.cookie, 'GET', '/api/session')).json()).toMatchObject({ user: { name: 'vera' } });
    expect((await as(viewer.cookie, 'GET', '/api/stats')).statusCode).toBe(200);
    expect((await as(viewer.cookie, 'GET', '/api/missed')).statusCode).toBe(200);
    // Endpoints carry their signing secrets: only admins read or change them.
    const viewerEndpoints = await as(viewer.cookie, 'GET', '/api/endpoints');
    expect(viewerEndpoints.statusCode).toBe(403);
    expect(codeOf(viewerEndpoints)).toBe('FORBIDDEN');
    const supervisor = await signIn(app.inject.bind(app), 'sam');
    expect((await as(supervisor.cookie, 'GET', '/api/endpoints')).statusCode).toBe(403);
    expect(
      (await as(supervisor.cookie, 'POST', '/api/endpoints', { url: 'https://example.com/x' })).statusCode,
    ).toBe(403);
    const admin = await signIn(app.inject.bind(app), 'ada');
    expect((await as(admin.cookie, 'GET', '/api/endpoints')).statusCode).toBe(200);
    const added = await as(admin.cookie, 'POST', '/api/endpoints', {
      url: 'https://example.com/hooks',
      receives: 'calls',
    });
    expect(added.statusCode).toBe(201);

    // A write that a browser says comes from another site is refused even with a good cookie.
    const crossSite = await app.inject({
      method: 'DELETE',
      url: `/api/endpoints/${added.json<{ id: string }>().id}`,
      headers: { cookie: admin.cookie, 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.statusCode).toBe(403);

    const out = await as(viewer.cookie, 'DELETE', '/api/session');
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^telehook_session=; .*Max-Age=0/);
    const after = await as(viewer.cookie, 'GET', '/api/stats');
    expect(after.statusCode).toBe(401);
    expect(codeOf(after)).toBe('SESSION_ENDED');
    // The others' sessions live on.
    expect((await as(admin.cookie, 'GET', '/api/stats')).statusCode).toBe(200);
    // And a changed password ends them.
    await store.setUserPassword('ada', await hashPassword('another password'), 2);
    expect(codeOf(await as(admin.cookie, 'GET', '/api/stats'))).toBe('SESSION_ENDED');
  });

  it('keeps the API token and the viewer token working as before, and sends a signed-out visitor to /login', async () => {
    const { app, store } = await startSetup(setup, expect.getState().currentTestName!);
    await addUser(store, 'vera', 'viewer');
    const get = (url: string, headers: Record<string, string> = {}) =>
      app.inject({ method: 'GET', url, headers });

    expect((await get('/api/endpoints', { authorization: `Bearer ${TOKENS.apiToken}` })).statusCode).toBe(
      200,
    );
    expect((await get('/api/stats', { authorization: `Bearer ${TOKENS.viewerToken}` })).statusCode).toBe(200);
    expect((await get('/api/endpoints', { authorization: `Bearer ${TOKENS.viewerToken}` })).statusCode).toBe(
      403,
    );
    expect(codeOf(await get('/api/stats'))).toBe('API_TOKEN_INVALID');
    expect((await get(`/?token=${TOKENS.viewerToken}`)).statusCode).toBe(200);
    expect((await get(`/calls/abc?token=${TOKENS.apiToken}`)).statusCode).toBe(200);

    for (const [url, location] of [
      ['/', '/login'],
      ['/?token=wrong', '/login?next=%2F%3Ftoken%3Dwrong'],
      ['/calls/abc', '/login?next=%2Fcalls%2Fabc'],
      ['/calls', '/login?next=%2Fcalls'],
      ['/followups', '/login?next=%2Ffollowups'],
      ['/users', '/login?next=%2Fusers'],
    ] as const) {
      const page = await get(url);
      expect(page.statusCode, url).toBe(303);
      expect(page.headers.location, url).toBe(location);
    }
    const login = await get('/login');
    expect(login.statusCode).toBe(200);
    expect(login.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(login.body).toContain('<form id="login"');
    expect((await get('/dashboard/login.js')).statusCode).toBe(200);

    const { cookie } = await signIn(app.inject.bind(app), 'vera');
    expect((await get('/', { cookie })).statusCode).toBe(200);
    expect((await get('/calls/abc', { cookie })).statusCode).toBe(200);
  });

  it('answers 429 SIGN_IN_RATE_LIMITED after five failures for a name, even to the right password', async () => {
    const { app, store } = await startSetup(setup, expect.getState().currentTestName!);
    await addUser(store, 'vera', 'viewer');
    await addUser(store, 'sam', 'supervisor');
    const inject = app.inject.bind(app);
    for (let n = 0; n < 5; n += 1)
      expect((await signIn(inject, 'vera', `guess ${n}`, `10.0.1.${n}`)).response.statusCode).toBe(401);
    const limited = await signIn(inject, 'vera', PASSWORD, '10.0.2.1');
    expect(limited.response.statusCode).toBe(429);
    expect(codeOf(limited.response)).toBe('SIGN_IN_RATE_LIMITED');
    expect(Number(limited.response.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.cookie).toBe('');
    // Another name is not held back by them.
    expect((await signIn(inject, 'sam', PASSWORD, '10.0.1.0')).response.statusCode).toBe(200);
  });

  it('manages users from the command line: add, list, passwd, remove', async () => {
    const flags =
      setup === 'postgres'
        ? { databaseUrl: testSchema(expect.getState().currentTestName!).url }
        : { data: tempDir() };
    const run = async (action: string, name: string | undefined, extra: object = {}, input = '') => {
      let stdout = '';
      const io = {
        stdin: Readable.from([input]),
        stdout: new Writable({ write: (chunk, _encoding, done) => ((stdout += String(chunk)), done()) }),
        stderr: new Writable({ write: (_chunk, _encoding, done) => done() }),
      };
      await runUsers(action, name, { ...flags, ...extra }, io);
      return stdout;
    };
    expect(await run('add', 'asha', { role: 'supervisor', passwordStdin: true }, `${PASSWORD}\n`)).toBe(
      'Added asha (supervisor): they sign in at /login.\n',
    );
    await expect(run('add', 'asha', { role: 'admin', passwordStdin: true }, `${PASSWORD}\n`)).rejects.toThrow(
      /exists already/,
    );
    await expect(run('add', 'ravi', { role: 'admin', passwordStdin: true }, 'short\n')).rejects.toThrow(
      /at least 8 characters/,
    );
    await expect(run('add', 'ravi', { role: 'boss', passwordStdin: true }, `${PASSWORD}\n`)).rejects.toThrow(
      /--role viewer\|supervisor\|admin/,
    );
    await expect(
      run('add', 'bad name', { role: 'admin', passwordStdin: true }, `${PASSWORD}\n`),
    ).rejects.toThrow(/letters, digits/);
    expect(JSON.parse(await run('list', undefined, { json: true }))).toMatchObject({
      name: 'asha',
      role: 'supervisor',
    });
    expect(await run('passwd', 'asha', { passwordStdin: true }, 'a new password\n')).toMatch(
      /Changed asha's password/,
    );
    expect(await run('remove', 'asha')).toBe('Removed asha; their sessions have ended.\n');
    await expect(run('remove', 'asha')).rejects.toThrow(/no user "asha"/);
    expect(await run('list', undefined)).toMatch(/^No users yet/);
  });
});

describe('telehook users', () => {
  it('refuses, as misuse, to ask for a password without a terminal', async () => {
    const result = await runCli(['users', 'add', 'asha', '--role', 'admin', '--data', tempDir()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'telehook: no terminal to ask for the password on: pipe it with --password-stdin.\n',
    );
  });
});
