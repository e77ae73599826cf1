import path from 'node:path';

import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

import { dedupeTimeOf, storedDedupeKey } from '../../src/store/sqlite/dedupe-key.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { loadFixtures } from '../helpers/fixtures.js';
import { applyLegacySqlite, legacyMigrations } from '../helpers/legacy-schemas.js';
import { tempDir } from '../helpers/temp-dir.js';
import { newEvent } from './contract.js';

const fixtures = loadFixtures();

describe('SQLite dedupe key (the payload time before the SHA-256)', () => {
  it("takes the payload's own time, never the time it arrived, so a resend gets the same key", () => {
    for (const fixture of fixtures) {
      const first = newEvent(fixture.bytes);
      const resend = newEvent(fixture.bytes); // another id and another receivedAt
      expect(first.event.receivedAt).not.toBe(resend.event.receivedAt);
      expect(storedDedupeKey(first.dedupeKey, first.event)).toEqual(
        storedDedupeKey(resend.dedupeKey, resend.event),
      );
    }
  });

  it("puts events in the index in the order of their payloads' times: `time`, else the end, else the start", () => {
    const withTime = fixtures.filter((fixture) => typeof fixture.payload['time'] === 'number');
    expect(withTime.length).toBeGreaterThan(40);
    const keys = withTime.map((fixture) => {
      const input = newEvent(fixture.bytes);
      const key = storedDedupeKey(input.dedupeKey, input.event);
      expect(Number(key.readBigUInt64BE(0))).toBe(fixture.payload['time']);
      expect(key.subarray(8).toString('hex')).toBe(input.dedupeKey);
      return { time: fixture.payload['time'] as number, key };
    });
    const byKey = [...keys].sort((a, b) => Buffer.compare(a.key, b.key)).map(({ time }) => time);
    expect(byKey).toEqual([...byKey].sort((a, b) => a - b));

    const cdr = fixtures.find((fixture) => fixture.name === 'piopiy-incoming-cdr-answered')!.payload;
    const { time: _time, ...withoutTime } = cdr;
    const { end_time: _end, ...startOnly } = withoutTime;
    expect(dedupeTimeOf(newEvent(JSON.stringify(withoutTime)).event)).toBe(Number(cdr['end_time']) * 1000);
    expect(dedupeTimeOf(newEvent(JSON.stringify(startOnly)).event)).toBe(Number(cdr['start_time']) * 1000);
    const request = fixtures.find((fixture) => fixture.name === 'chub-http-flow-request')!;
    expect(dedupeTimeOf(newEvent(request.bytes).event)).toBe(0);
  });

  it('rewrites the keys of events stored before the upgrade, so that their resends are still recognised', async () => {
    const file = path.join(tempDir(), 'telehook.db');
    // A database as the previous version left it: legacy schema up to 0008, keys without the time.
    const legacy = new Database(file);
    applyLegacySqlite(legacy, legacyMigrations('sqlite-events', 8));
    const stored = fixtures.slice(0, 12).map((fixture) => newEvent(fixture.bytes));
    const insert =
      legacy.prepare(`INSERT INTO events (id, received_at, dedupe_key, method, content_type, kind,
      product, status, call_key, occurred_at, raw) VALUES (?, ?, ?, 'POST', 'application/json', ?, ?, ?, ?, ?, ?)`);
    for (const { event, dedupeKey, body } of stored) {
      insert.run(
        event.id,
        event.receivedAt,
        Buffer.from(dedupeKey, 'hex'),
        event.kind,
        event.product,
        event.status,
        event.callKey,
        event.occurredAt,
        body,
      );
    }
    legacy.close();

    const store = createSqliteStore({ file });
    try {
      for (const [n, fixture] of fixtures.slice(0, 12).entries()) {
        expect(await store.appendEvent(newEvent(fixture.bytes))).toEqual({
          id: stored[n]!.event.id,
          duplicate: true,
        });
      }
      const fresh = newEvent(fixtures[12]!.bytes);
      expect(await store.appendEvent(fresh)).toEqual({ id: fresh.event.id, duplicate: false });
    } finally {
      await store.close();
    }
  });
});
