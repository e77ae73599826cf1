import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { StoreError } from '../../src/errors.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { canMount, diskFaults, fillDisk, mountTmpfs } from '../helpers/disk-faults.js';
import { testSchema } from '../helpers/pg-schema.js';
import { waitingEvent } from '../helpers/poison.js';
import { runCli, startServer } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { createTestApp } from '../helpers/test-app.js';

/**
 * Issue 15: a full or read-only disk. Nothing is acknowledged that is not durable, the answer says what is wrong,
 * telehook recovers by itself once the disk is usable again, and a start on a full disk explains itself.
 */

/** A padded event of a new call: fills the disk faster. */
const bulky = (key: string): string => waitingEvent(key, JSON.stringify('x'.repeat(4000)));

describe.each(['filesystem', 'driver'] as const)('issue 15: a full disk (%s)', (kind) => {
  it('answers 503 STORE_UNAVAILABLE saying the disk is full, acknowledges only what it stored, and recovers without a restart', async () => {
    // 'filesystem' is a real tmpfs where this machine lets the tests mount one, else the fault at the driver seam.
    const faults = diskFaults({ preferDriver: kind === 'driver' });
    const t = await createTestApp({ dir: faults.dir, store: { driver: faults.driver } });
    const post = (key: string) => t.app.inject({ method: 'POST', url: t.ingestPath, payload: bulky(key) });
    const acknowledged: string[] = [];
    for (let n = 0; n < 3; n += 1) {
      const answer = await post(randomUUID());
      expect(answer.statusCode).toBe(200);
      acknowledged.push(answer.json<{ id: string }>().id);
    }

    faults.fill();
    let refused = null;
    for (let n = 0; n < 5000 && refused === null; n += 1) {
      const answer = await post(randomUUID());
      if (answer.statusCode === 200) acknowledged.push(answer.json<{ id: string }>().id);
      else refused = answer;
    }
    expect(refused?.statusCode).toBe(503);
    expect(refused?.json()).toEqual({
      ok: false,
      error: { code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/disk is full.*without a restart/) },
    });
    // Still full: still refused, and still readable.
    expect((await post(randomUUID())).statusCode).toBe(503);
    if (faults.kind === 'filesystem') expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(503);
    expect((await t.app.inject({ url: '/api/events?limit=1', headers: t.auth })).statusCode).toBe(200);

    faults.free();
    expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const after = randomUUID();
    const answer = await post(after);
    expect(answer.statusCode, answer.body).toBe(200);
    acknowledged.push(answer.json<{ id: string }>().id);
    // The calls fold caught up too, without a restart.
    await t.app.projection.settled(10_000);
    expect((await t.app.inject({ url: `/api/calls/${after}`, headers: t.auth })).statusCode).toBe(200);
    expect(await t.store.countEventsToProject()).toBe(0);

    // Everything acknowledged is durable: after a restart, every one is there.
    await t.app.close();
    await t.store.close();
    const reopened = createSqliteStore({ file: t.file });
    try {
      for (const id of acknowledged) expect(await reopened.getEvent(id), id).not.toBeNull();
      expect(await reopened.countEvents()).toBe(acknowledged.length);
    } finally {
      await reopened.close();
    }
  });
});

describe('issue 15: a read-only database', () => {
  it('answers 503 saying the database is read-only, and recovers when it is writable again', async () => {
    const faults = diskFaults({ preferDriver: true });
    const t = await createTestApp({ dir: faults.dir, store: { driver: faults.driver } });
    const post = () =>
      t.app.inject({ method: 'POST', url: t.ingestPath, payload: waitingEvent(randomUUID()) });
    expect((await post()).statusCode).toBe(200);
    faults.readOnly!();
    const refused = await post();
    expect(refused.statusCode).toBe(503);
    expect(refused.json<{ error: { message: string } }>().error.message).toMatch(
      /read-only.*SQLITE_READONLY/,
    );
    expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(503);
    faults.writable!();
    expect((await post()).statusCode).toBe(200);
    expect(await t.store.countEvents()).toBe(2);
  });
});

describe.runIf(canMount())('issue 15: starting on a disk that is full or read-only', () => {
  it('says what is wrong, where, and how to recover, exits 1 without a stack, and replays the log once space is back', async () => {
    const dir = mountTmpfs(16);
    const server = await startServer(dir);
    const ids: string[] = [];
    for (let n = 0; n < 20; n += 1) {
      const response = await fetch(server.ingestUrl, { method: 'POST', body: waitingEvent(randomUUID()) });
      expect(response.status).toBe(200);
      ids.push(((await response.json()) as { id: string }).id);
    }
    // Killed on a full disk, as after the episode: its write-ahead log holds the events, its index is gone.
    server.child.kill('SIGKILL');
    await server.exited;
    for (const file of readdirSync(dir)) if (file.endsWith('-shm')) rmSync(path.join(dir, file));
    const filler = fillDisk(dir);

    const full = await runCli(['serve', '--data', dir, '--port', '0', '--host', '127.0.0.1']);
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(
      /^telehook: Cannot open the SQLite database .*telehook\.db: the disk is full/,
    );
    expect(full.stderr).toContain(`free space in ${dir}`);
    expect(full.stderr).not.toMatch(/^\s+at /m);

    rmSync(filler);
    execFileSync('mount', ['-o', 'remount,ro', dir]);
    const readOnly = await runCli(['serve', '--data', dir, '--port', '0', '--host', '127.0.0.1']);
    execFileSync('mount', ['-o', 'remount,rw', dir]);
    expect(readOnly.code).toBe(1);
    expect(readOnly.stderr).toMatch(/read-only/);
    expect(readOnly.stderr).not.toMatch(/^\s+at /m);

    const again = await startServer(dir);
    const events = await fetch(`${again.url}/api/events?limit=100`, {
      headers: { authorization: `Bearer ${again.apiToken}` },
    });
    expect(((await events.json()) as { items: { id: string }[] }).items.map((item) => item.id)).toEqual(ids);
  });
});

describe('issue 15: only database errors are store errors', () => {
  it("keeps a bug a bug: an error that is not the database's is not turned into a 503 StoreError", async () => {
    const sqlite = createSqliteStore({ file: path.join(tempDir(), 'telehook.db') });
    const postgres = await createPostgresStore({ url: testSchema('store-error-kind').url, poolSize: 2 });
    try {
      const bug = new TypeError('a bug');
      const sqliteError = await sqlite
        .getEvent(Symbol('not an id') as never)
        .catch((error: unknown) => error);
      expect(sqliteError).toBeInstanceOf(TypeError);
      expect(sqliteError).not.toBeInstanceOf(StoreError);
      const thrower = {
        toPostgres: () => {
          throw bug;
        },
      };
      expect(await postgres.getEvent(thrower as never).catch((error: unknown) => error)).toBe(bug);
    } finally {
      await sqlite.close();
      await postgres.close();
    }
  });

  it('says PostgreSQL cannot be reached, and exits 1 without a stack', async () => {
    const result = await runCli([
      'serve',
      '--data',
      tempDir(),
      '--port',
      '0',
      '--database-url',
      'postgres://telehook@127.0.0.1:1/telehook',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^telehook: PostgreSQL is unavailable \(ECONNREFUSED/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
