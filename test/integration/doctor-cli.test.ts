import path from 'node:path';

import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';

import { checkClock } from '../../src/cli/doctor/store-checks.js';
import { createFakeTelecmi, FAKE_SECRET } from '../../src/fake-telecmi/index.js';
import { runCli, startServer, within } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { createTestApp } from '../helpers/test-app.js';

const telecmiEnv = (origin: string, secret = FAKE_SECRET) => ({
  TELEHOOK_TELECMI_APPID: '2222223',
  TELEHOOK_TELECMI_SECRET: secret,
  TELEHOOK_TELECMI_API_URL: origin,
  TELEHOOK_DATABASE_URL: '',
});

/** The doctor's lines by check name: [status, detail]. */
function linesOf(stdout: string): Map<string, [string, string]> {
  const results = JSON.parse(stdout) as { name: string; status: string; detail: string }[];
  return new Map(results.map((result) => [result.name, [result.status, result.detail]]));
}

async function until(what: string, condition: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 400; tries++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`waited in vain for ${what}`);
}

describe('telehook doctor (real processes, the fake TeleCMI)', () => {
  it('checks a running installation line by line, and exits 1 on a refused TeleCMI secret or a newer schema', async () => {
    const fake = createFakeTelecmi();
    const origin = await fake.listen(0);
    onTestFinished(() => fake.close());
    const dir = tempDir();
    const server = await startServer(dir, [], { TELEHOOK_ALLOW_PRIVATE_ENDPOINTS: '1' });
    const api = (route: string, init: RequestInit = {}) =>
      fetch(`${server.url}${route}`, {
        ...init,
        headers: { authorization: `Bearer ${server.apiToken}`, 'content-type': 'application/json' },
      });
    // An endpoint nobody listens on: its first attempt fails at once.
    const created = (await (
      await api('/api/endpoints', {
        method: 'POST',
        body: JSON.stringify({ url: 'http://127.0.0.1:1/hooks', receives: 'events' }),
      })
    ).json()) as { id: string };
    const event = {
      type: 'event',
      direction: 'inbound',
      conversation_uuid: '5202a928-07c3-4d32-a1a4-d304c9275971',
      cmiuuid: '5202a928-07c3-4d32-a1a4-d304c9275971',
      from: '440000000000',
      app_id: 2222223,
      time: Date.now(),
      to: '440000000001',
      status: 'waiting',
    };
    expect((await fetch(server.ingestUrl, { method: 'POST', body: JSON.stringify(event) })).status).toBe(200);
    await until('the endpoint to fail', async () => {
      const endpoint = (await (await api(`/api/endpoints/${created.id}`)).json()) as {
        failingSince: unknown;
      };
      return endpoint.failingSince !== null;
    });

    const checked = await runCli(
      ['doctor', '--data', dir, '--public-url', server.url, '--json'],
      telecmiEnv(origin),
    );
    expect(checked.code).toBe(0);
    const lines = linesOf(checked.stdout);
    expect([...lines.keys()]).toEqual([
      'settings',
      'data directory',
      'tokens',
      'database',
      'clock',
      `endpoint ${created.id}`,
      'public URL',
      'backfill',
    ]);
    expect(lines.get('settings')?.[0]).toBe('ok');
    expect(lines.get('data directory')).toEqual(['ok', expect.stringMatching(/free of .*, writable$/)]);
    expect(lines.get('tokens')).toEqual(['ok', expect.stringContaining('(mode 600)')]);
    expect(lines.get('database')).toEqual(['ok', expect.stringContaining('schema up to date')]);
    expect(lines.get('clock')).toEqual([
      'ok',
      expect.stringContaining('1 live of 1 webhook events from the last day'),
    ]);
    expect(lines.get(`endpoint ${created.id}`)).toEqual([
      'warn',
      expect.stringMatching(/^http:\/\/127\.0\.0\.1:1\/hooks: failing for .* without a success/),
    ]);
    expect(lines.get('public URL')).toEqual(['warn', expect.stringContaining('over http')]);
    expect(lines.get('backfill')).toEqual(['ok', expect.stringContaining('the credentials were accepted')]);

    const text = await runCli(['doctor', '--data', dir], telecmiEnv(origin, 'not-the-secret'));
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^fail +backfill +chub app 2222223 at .*: TELECMI_AUTH_FAILED/m);
    expect(text.stdout).toMatch(/^skip +public URL +not checked/m);
    expect(text.stdout).not.toContain('not-the-secret');

    const nowhere = await runCli(['doctor', '--data', dir, '--public-url', 'http://127.0.0.1:1', '--json']);
    expect(linesOf(nowhere.stdout).get('public URL')).toEqual([
      'fail',
      expect.stringContaining('does not answer'),
    ]);
    expect(nowhere.code).toBe(1);

    server.child.kill('SIGTERM');
    expect((await within(server.exited, 20_000, 'the shutdown', server)).code).toBe(0);
    const db = new Database(path.join(dir, 'telehook.db'));
    db.prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 0)",
    ).run();
    db.close();
    const newer = await runCli(['doctor', '--data', dir, '--json']);
    expect(newer.code).toBe(1);
    expect(linesOf(newer.stdout).get('database')).toEqual([
      'fail',
      expect.stringContaining('newer telehook'),
    ]);
  });

  it('names a bad setting as a failed check', async () => {
    const result = await runCli(['doctor', '--data', tempDir()], { TELEHOOK_PORT: 'eighty' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^fail +settings +Invalid setting TELEHOOK_PORT/m);
  });

  it("reads the clock from live events, not from replayed payloads that carry yesterday's TeleCMI times", async () => {
    const { app, store, ingestPath } = await createTestApp({ startDeliveryWorker: false });
    const post = async (uuid: string, time: number) => {
      const payload = { type: 'event', direction: 'inbound', conversation_uuid: uuid, cmiuuid: uuid };
      const body = {
        ...payload,
        from: '440000000000',
        to: '440000000001',
        app_id: 2222223,
        status: 'waiting',
        time,
      };
      expect((await app.inject({ method: 'POST', url: ingestPath, payload: body })).statusCode).toBe(200);
    };
    const now = Date.now();
    // A replay of yesterday's calls (`telehook replay` or `send`): received now, TeleCMI times spread over the day.
    for (let i = 0; i < 8; i++)
      await post(`00000000-0000-4000-8000-00000000000${i}`, now - 86_000_000 + i * 3_600_000);
    for (let i = 0; i < 3; i++) await post(`00000000-0000-4000-8000-00000000001${i}`, Date.now() - 2000);
    const result = await checkClock(store, Date.now());
    expect(result).toEqual({
      name: 'clock',
      status: 'ok',
      detail: expect.stringContaining('(3 live of 11 webhook'),
    });

    for (let i = 0; i < 8; i++)
      await post(`00000000-0000-4000-8000-00000000002${i}`, now - 40_000_000 + i * 3_600_000);
    expect((await checkClock(store, Date.now())).status).toBe('skip');
  });
});
