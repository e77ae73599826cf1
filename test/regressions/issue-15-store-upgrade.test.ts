import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';

import { nestsDeeperThan } from '../../src/store/servable.js';
import { type AppSetup, startSetup } from '../helpers/app-setups.js';
import { recordAsLegacyPostgres, rewindToBaselinePostgres } from '../helpers/legacy-schemas.js';
import { expectReadsServe, expectSnapshot, nestedJson, waitingEvent } from '../helpers/poison.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * Issue 15: data written before the fix may already hold what took the product down (an event nested 100,000
 * levels deep that the fold stopped at for good, a call whose record nothing can serialise). The upgrade, a
 * rebuild, and every read until then, repair or survive it.
 */

/** Replaces the stored record of a call with one whose `custom` is nested 10,000 levels deep, as a fold before the fix stored it. */
async function poisonCallRecord(setup: AppSetup, key: string, backend: 'sqlite' | 'postgres'): Promise<void> {
  const read = async (): Promise<string> => {
    if (backend === 'postgres') {
      const client = new pg.Client({ connectionString: setup.location });
      await client.connect();
      try {
        return (await client.query<{ record: string }>('SELECT record FROM calls WHERE key = $1', [key]))
          .rows[0]!.record;
      } finally {
        await client.end();
      }
    }
    const db = new Database(path.join(setup.location, 'telehook-calls.db'), { readonly: true });
    try {
      return db.prepare('SELECT record FROM calls WHERE key = ?').pluck().get(key) as string;
    } finally {
      db.close();
    }
  };
  const record = await read();
  const poisoned = `${record.slice(0, -1)},"custom":${nestedJson(10_000)}}`;
  if (backend === 'postgres') {
    const client = new pg.Client({ connectionString: setup.location });
    await client.connect();
    try {
      await client.query('UPDATE calls SET record = $1 WHERE key = $2', [poisoned, key]);
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(path.join(setup.location, 'telehook-calls.db'));
  try {
    db.prepare('UPDATE calls SET record = ? WHERE key = ?').run(poisoned, key);
  } finally {
    db.close();
  }
}

describe.each(['sqlite', 'postgres'] as const)(
  'issue 15: a call record nothing can serialise (%s)',
  (backend) => {
    it('is served with its custom field null, in every read and the wallboard snapshot, until a rebuild repairs it', async () => {
      const setup = await startSetup(backend, `poisoned-call-${backend}`);
      const key = randomUUID();
      expect((await setup.post(waitingEvent(key))).statusCode).toBe(200);
      expect((await setup.api(`/api/calls/${key}`)).statusCode).toBe(200);
      await poisonCallRecord(setup, key, backend);

      await expectReadsServe(setup, key);
      const call = (await setup.api(`/api/calls/${key}`)).json<{ custom: unknown }>();
      expect(call.custom).toBeNull();
      await expectSnapshot(setup, key);

      expect((await setup.api('/api/rebuild', 'POST')).statusCode).toBe(200);
      const records = (await setup.store.listCallRecords({ limit: 10 })).items;
      expect(records).toHaveLength(1);
      expect(nestsDeeperThan(JSON.parse(records[0]!) as unknown, 64)).toBe(false);
    });
  },
);

describe('issue 15: upgrading data written before the fix', () => {
  const FIXTURES = new URL('../fixtures/upgrade/', import.meta.url);

  it('folds again a SQLite data folder whose fold had stopped at an event nested 100,000 deep, and serves all of it', async () => {
    const dir = tempDir();
    for (const file of ['telehook.db', 'telehook-calls.db'])
      writeFileSync(path.join(dir, file), gunzipSync(readFileSync(new URL(`poisoned-${file}.gz`, FIXTURES))));
    // As the version before left it (see test/fixtures/upgrade/README.md): calls folded up to the deep event only.
    const before = new Database(path.join(dir, 'telehook-calls.db'), { readonly: true });
    expect(before.prepare("SELECT position FROM projection_state WHERE name = 'calls'").pluck().get()).toBe(
      5,
    );
    before.close();

    const setup = await startSetup('sqlite', 'upgrade-sqlite', dir);
    const events = await setup.api('/api/events?limit=100');
    expect(events.statusCode).toBe(200);
    const items = events.json<{ items: { callKey: string | null; warnings: string[] }[] }>().items;
    expect(items).toHaveLength(9);
    const deep = items.filter((item) =>
      item.warnings.some((warning) => /nested (deeper|more) than|no longer parses/.test(warning)),
    );
    expect(deep).toHaveLength(2);
    const after = 'after-4444-4444-8444-444444444444';
    const call = await setup.api(`/api/calls/${after}`);
    expect(call.statusCode, call.body).toBe(200);
    expect(call.json<{ timeline: unknown[] }>().timeline).toHaveLength(3);
    const calls = await setup.api('/api/calls?limit=100&from=0');
    expect(calls.statusCode).toBe(200);
    expect(calls.json<{ items: { key: string }[] }>().items.map((item) => item.key)).toEqual(
      expect.arrayContaining([
        'before-1111-4111-8111-111111111111',
        'between-5555-4555-8555-555555555555',
        after,
      ]),
    );
    expect(await setup.store.countEventsToProject()).toBe(0);
    expect(await setup.store.countFoldFailures()).toBe(0);
    for (const record of (await setup.store.listCallRecords({ limit: 100, from: 0 })).items)
      expect(nestsDeeperThan(JSON.parse(record) as unknown, 64)).toBe(false);
    const later = randomUUID();
    expect((await setup.post(waitingEvent(later))).statusCode).toBe(200);
    await expectReadsServe(setup, later);
  });

  it('folds again a PostgreSQL database whose fold had stopped at an event nested 100,000 deep, and serves all of it', async () => {
    const first = await startSetup('postgres', 'upgrade-postgres');
    const folded = randomUUID();
    expect((await first.post(waitingEvent(folded))).statusCode).toBe(200);
    expect((await first.api(`/api/calls/${folded}`)).statusCode).toBe(200);
    await first.app.projection.stop();
    const deep = waitingEvent(randomUUID(), JSON.stringify(nestedJson(100_000)));
    const queued = randomUUID();
    for (const body of [deep, waitingEvent(queued)])
      expect((await first.post(body)).statusCode).toBeLessThan(500);
    await poisonCallRecord(first, folded, 'postgres');
    await first.close();
    // Back to the schema of the version before: no fold_failures, legacy migration 0003 not applied.
    const client = new pg.Client({ connectionString: first.location });
    await client.connect();
    await client.query('DROP TABLE fold_failures');
    // Nor what came after the baseline.
    await rewindToBaselinePostgres(client);
    await recordAsLegacyPostgres(client, 2);
    await client.end();

    const setup = await startSetup('postgres', 'unused', first.location);
    expect(await setup.store.countFoldFailures()).toBe(0);
    await expectReadsServe(setup, queued);
    expect((await setup.api(`/api/calls/${folded}`)).statusCode).toBe(200);
    for (const record of (await setup.store.listCallRecords({ limit: 100 })).items)
      expect(nestsDeeperThan(JSON.parse(record) as unknown, 64)).toBe(false);
  });
});
