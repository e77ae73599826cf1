import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { callFlows } from '../helpers/call-flows.js';
import { testSchema } from '../helpers/pg-schema.js';
import { runCli } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { newEvent } from '../store-contract/contract.js';

const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);

describe('telehook migrate', () => {
  it('applies the migrations once, to PostgreSQL or to SQLite, and says when there is nothing to do', async () => {
    const { url } = testSchema('migrate command');
    const env = { TELEHOOK_DATABASE_URL: url };
    const first = await runCli(['migrate'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /PostgreSQL .*applied 0100_baseline\.sql, 0101_reconcile\.sql, 0102_people\.sql, 0103_alerts\.sql, 0104_followups\.sql, 0105_number_masking\.sql\.\n$/,
    );
    const again = await runCli(['migrate'], env);
    expect(again.stdout).toMatch(/up to date/);

    const dataDir = tempDir();
    const sqlite = await runCli(['migrate', '--data', dataDir], { TELEHOOK_DATABASE_URL: '' });
    expect(sqlite.code, sqlite.stderr).toBe(0);
    expect(sqlite.stdout).toBe(
      `SQLite ${path.join(dataDir, 'telehook.db')}: applied 0100_baseline.sql, 0101_reconcile.sql, 0102_people.sql, 0103_alerts.sql, 0104_followups.sql, 0105_number_masking.sql, calls 0100_baseline.sql, calls 0101_calls_facts_numbers.sql.\n`,
    );
  });
});

describe('telehook copy', () => {
  it('moves a SQLite installation to PostgreSQL, resumes after an interruption, verifies, and rebuilds the calls', async () => {
    const dataDir = tempDir();
    const source = createSqliteStore({ file: path.join(dataDir, 'telehook.db') });
    const flows = callFlows(T0).map(
      (_, index) => callFlows(T0, `44770000${String(index).padStart(4, '0')}`)[index]!,
    );
    const payloads = flows.flatMap((flow) => flow.payloads);
    const half = Math.floor(payloads.length / 2);
    for (const payload of payloads.slice(0, half))
      await source.appendEvent(newEvent(JSON.stringify(payload)));
    await source.quarantineRequest({
      id: 'q-copy-1',
      receivedAt: T0,
      reason: 'TELECMI_INVALID_ENCODING',
      message: 'not UTF-8',
      method: 'POST',
      path: '/webhooks/telecmi/:token',
      contentType: 'application/json',
      body: Buffer.from([0x7b, 0xff, 0x7d]),
    });
    await source.close();
    const { url } = testSchema('copy command');

    // A first run copies what is there (as if interrupted before the rest arrived)…
    const first = await runCli(['copy', '--from', dataDir, '--to', url, '--batch', '7']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`Verified: ${half} events`);

    const more = createSqliteStore({ file: path.join(dataDir, 'telehook.db') });
    for (const payload of payloads.slice(half)) await more.appendEvent(newEvent(JSON.stringify(payload)));
    await more.close();
    // …the second resumes after the last event copied, and ends with both sides equal.
    const second = await runCli(['copy', '--from', dataDir, '--to', url, '--batch', '7']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`(${half} already copied)`);
    expect(second.stderr).toMatch(
      new RegExp(
        `Copied ${payloads.length - half} new events \\(${payloads.length} in all\\) and 0 quarantined`,
      ),
    );
    expect(second.stderr).toContain(`Verified: ${payloads.length} events, sha256 `);

    const target = await createPostgresStore({ url, poolSize: 2 });
    try {
      const original = createSqliteStore({ file: path.join(dataDir, 'telehook.db') });
      const [from, to] = [
        await original.listEvents({ limit: 1000 }),
        await target.listEvents({ limit: 1000 }),
      ];
      await original.close();
      const strip = (events: typeof from.items) => events.map(({ cursor: _cursor, ...event }) => event);
      expect(strip(to.items)).toEqual(strip(from.items));
      expect((await target.listQuarantine({ limit: 10 })).items.map((item) => item.rawBase64)).toEqual([
        Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'),
      ]);
      for (const flow of flows)
        expect(await target.getCall(flow.expected['key'] as string), flow.name).toMatchObject({
          state: flow.expected['state'] ?? 'ended',
        });
      expect(await target.countEventsToProject()).toBe(0);
    } finally {
      await target.close();
    }
  });

  it('names a missing flag or source, with exit code 2', async () => {
    const missing = await runCli(['copy', '--to', 'postgres://localhost/x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--from');
    const empty = await runCli(['copy', '--from', tempDir(), '--to', 'postgres://localhost/x']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no telehook database');
  });
});
