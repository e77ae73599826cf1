import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { backfillDedupeKey } from '../../src/backfill/reconciler.js';
import { hashPassword, verifyPassword } from '../../src/people/password.js';
import type { Store } from '../../src/store/index.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { normalise, parseRestRow, type RestRowSource } from '../../src/telecmi/index.js';
import { callFlows } from '../helpers/call-flows.js';
import { startHttpSink } from '../helpers/http-sink.js';
import { testSchema } from '../helpers/pg-schema.js';
import { runCli, startServer, within } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { newEvent } from '../store-contract/contract.js';
import { endpointRecord } from '../store-contract/delivery-contract.js';

const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);

describe('telehook migrate', () => {
  it('applies the migrations once, to PostgreSQL or to SQLite, and says when there is nothing to do', async () => {
    const { url } = testSchema('migrate command');
    const env = { TELEHOOK_DATABASE_URL: url };
    const first = await runCli(['migrate'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /PostgreSQL .*applied 0100_baseline\.sql, 0101_reconcile\.sql, 0102_people\.sql, 0103_alerts\.sql, 0104_followups\.sql, 0105_number_masking\.sql, 0106_calls_backfilled\.sql\.\n$/,
    );
    const again = await runCli(['migrate'], env);
    expect(again.stdout).toMatch(/up to date/);

    const dataDir = tempDir();
    const sqlite = await runCli(['migrate', '--data', dataDir], { TELEHOOK_DATABASE_URL: '' });
    expect(sqlite.code, sqlite.stderr).toBe(0);
    expect(sqlite.stdout).toBe(
      `SQLite ${path.join(dataDir, 'telehook.db')}: applied 0100_baseline.sql, 0101_reconcile.sql, 0102_people.sql, 0103_alerts.sql, 0104_followups.sql, 0105_number_masking.sql, calls 0100_baseline.sql, calls 0101_calls_facts_numbers.sql, calls 0102_calls_backfilled.sql.\n`,
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

  it('carries people, endpoints with their deliveries, alerts, follow-up actions and reconcile runs; the target forwards each pending event once', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'telehook.db');
    const sink = await startHttpSink();
    const source = createSqliteStore({ file });
    const payloads = callFlows(T0)
      .slice(0, 3)
      .flatMap((flow) => flow.payloads);
    // Events and a delivery that retention deleted: the source's seqs start later than the target's will.
    for (const payload of callFlows(T0)[3]!.payloads) {
      const aged = newEvent(JSON.stringify(payload));
      await source.appendEvent({ ...aged, event: { ...aged.event, receivedAt: 1000 } });
    }
    for (const payload of payloads) await source.appendEvent(newEvent(JSON.stringify(payload)));
    expect(await source.pruneData('events', 2000, 100)).toBeGreaterThan(0);
    // A row of TeleCMI's call history (backfill): kept with how it is read and the backfill's own dedupe key.
    const restRow = JSON.stringify(
      (
        JSON.parse(
          readFileSync(new URL('../fixtures/telecmi/rest/chub-answered.json', import.meta.url), 'utf8'),
        ) as { cdr: unknown[] }
      ).cdr[0],
    );
    const restSource: RestRowSource = { product: 'chub', list: 'answered', appId: '1111113' };
    const parsed = parseRestRow(restRow, restSource);
    if (!parsed.ok) throw parsed.error;
    /** The history's row as a backfill run appends it. */
    const backfilled = (id: string, receivedAt: number) => ({
      event: normalise(parsed.value, { id, receivedAt }),
      body: Buffer.from(restRow),
      dedupeKey: backfillDedupeKey(restRow, restSource),
      method: 'POST',
      contentType: 'application/json',
      source: 'backfill' as const,
      restSource,
    });
    await source.appendEvent(backfilled('ev_backfilled', T0 + 60_000));
    const events = (await source.listEvents({ limit: 100 })).items;

    await source.addUser({
      name: 'asha',
      role: 'admin',
      passwordHash: await hashPassword('correct horse battery'),
      createdAt: T0,
      updatedAt: T0,
    });
    await source.startSession({ tokenHash: 'a'.repeat(64), name: 'asha', createdAt: T0, expiresAt: T0 + 1 });
    const endpoint = endpointRecord({ url: sink.url, receives: 'events', description: 'CRM' });
    await source.createEndpoint(endpoint);
    // The scheduler had forwarded the first two events (one delivered, one pending) and stopped there.
    const delivery = (index: number) => ({
      id: `msg_copy${index}`,
      endpointId: endpoint.id,
      idempotencyKey: `event:${events[index]!.id}`,
      orderKey: `order-${index}`,
      type: 'call.event',
      payload: JSON.stringify({ event: events[index]!.id }),
      createdAt: T0,
    });
    const deliverNext = async (id: string) => {
      const [claimed] = await source.claimDeliveries({
        workerId: 'w1',
        now: T0,
        leaseMs: 30_000,
        limit: 1,
        maxPerEndpoint: 1,
      });
      expect(claimed?.id).toBe(id);
      await source.recordAttempt({
        deliveryId: id,
        workerId: 'w1',
        attempt: { at: T0 + 1, statusCode: 200, latencyMs: 12, response: 'ok', error: null },
        outcome: { status: 'delivered' },
      });
    };
    await source.enqueueDeliveries([
      { ...delivery(0), id: 'msg_old', idempotencyKey: 'event:old', createdAt: T0 - 86_400_000 },
    ]);
    await deliverNext('msg_old');
    expect(await source.pruneData('deliveries', T0 - 1, 100)).toBe(1);
    await source.enqueueDeliveries([delivery(0), delivery(1)], {
      name: 'events',
      position: events[1]!.cursor,
    });
    await deliverNext('msg_copy0');
    await source.saveAlertRule({ name: 'waiting', settings: '{"threshold":3}', updatedAt: T0 });
    await source.fireAlert(
      {
        id: 'al_1',
        rule: 'waiting',
        firedAt: T0,
        summary: '4 calls waiting (threshold 3)',
        details: { waiting: 4 },
      },
      [],
    );
    await source.resolveAlert({ id: 'al_1', resolvedAt: T0 + 60_000, details: { waiting: 0 } }, []);
    await source.recordFollowupAction({
      number: '919100000000',
      action: 'handled',
      note: 'rang back from a mobile',
      by: 'asha',
      at: T0 + 1000,
    });
    const { run: reconcileRun } = await source.startReconcileRun(
      { id: 'rr_1', from: T0 - 86_400_000, to: T0, startedAt: T0 },
      { now: T0, leaseMs: 60_000 },
    );
    await source.updateReconcileRun(reconcileRun.id, {
      now: T0 + 5000,
      status: 'succeeded',
      finishedAt: T0 + 5000,
      rowsFetched: 1,
      eventsAdded: 1,
      callsAdded: 0,
    });
    // The masking of old numbers had gone up to the first delivery.
    const [firstDelivery] = (await source.readInstallationRows('deliveries', { after: null, limit: 1 })).rows;
    await source.writeInstallationRows('number_masking', [
      { data: 'deliveries', position: String(firstDelivery!['seq']) },
    ]);
    await source.close();

    const { url } = testSchema('copy whole installation');
    const first = await runCli(['copy', '--from', dataDir, '--to', url]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(
      'Verified: the same number of rows on both sides: quarantine 0, users 1, endpoints 1, alert_rules 1, alerts 1, ' +
        'reconcile_runs 1, followup_actions 1, deliveries 2, delivery_attempts 1, delivery_cursors 1',
    );
    expect(first.stderr).toContain('Not copied: sessions');

    // Something new on the source; a second run copies it alone.
    const later = createSqliteStore({ file });
    await later.recordFollowupAction({
      number: '919100000001',
      action: 'handled',
      note: 'wrong number',
      by: 'asha',
      at: T0 + 2000,
    });
    await later.close();
    const second = await runCli(['copy', '--from', dataDir, '--to', url]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('followup_actions 2, deliveries 2');

    const original = createSqliteStore({ file });
    const target = await createPostgresStore({ url, poolSize: 2 });
    try {
      const same = async <T>(read: (store: Store) => Promise<T>) =>
        expect(await read(target)).toEqual(await read(original));
      await same((store) => store.getUser('asha'));
      expect(
        await verifyPassword('correct horse battery', (await target.getUser('asha'))!.passwordHash),
      ).toBe(true);
      expect(await target.findSession('a'.repeat(64), T0)).toBeNull();
      await same((store) => store.listEndpoints());
      await same((store) => store.listDeliveries({ limit: 10 }).then((page) => page.items));
      await same((store) => store.listAlertRules());
      await same((store) => store.listAlerts({ limit: 10 }));
      await same((store) => store.listFollowupActions({ from: 0 }));
      await same((store) => store.listReconcileRuns({ limit: 10 }));
      const strip = (page: { items: { cursor: string }[] }) =>
        page.items.map(({ cursor: _c, ...event }) => event);
      await same((store) => store.listEvents({ limit: 100, source: 'backfill' }).then(strip));
      const cursor = (await target.getEvent(events[1]!.id))!.cursor;
      expect(cursor).not.toBe(events[1]!.cursor);
      expect(await target.getDeliveryCursor('events')).toBe(cursor);
      const [copied] = await target.findInstallationRows('deliveries', 'id', ['msg_copy0']);
      const masking = await target.findInstallationRows('number_masking', 'data', ['deliveries']);
      expect(masking[0]?.['position']).toBe(String(copied!['seq']));
      expect(masking[0]?.['position']).not.toBe(String(firstDelivery!['seq']));
      // The backfill's row is recognised on the target: appending it again is a duplicate.
      const again = await target.appendEvent(backfilled('ev_again', T0));
      expect(again).toEqual({ id: 'ev_backfilled', duplicate: true });
    } finally {
      await original.close();
      await target.close();
    }

    // A server on the target: asha signs in with her password; the pending delivery and the events the source
    // had not scheduled go out once each, the delivered one never again.
    const server = await startServer(tempDir(), [], {
      TELEHOOK_DATABASE_URL: url,
      TELEHOOK_ALLOW_PRIVATE_ENDPOINTS: '1',
    });
    const signIn = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'asha', password: 'correct horse battery' }),
    });
    expect(signIn.status).toBe(200);
    const expected = events.length - 1;
    await within(
      (async () => {
        while (sink.requests.length < expected) await new Promise((resolve) => setTimeout(resolve, 50));
      })(),
      30_000,
      'the deliveries',
      server,
    );
    const ids = sink.requests.map((request) => request.headers['webhook-id']);
    expect(ids).toContain('msg_copy1');
    expect(ids).not.toContain('msg_copy0');
    expect(new Set(ids).size).toBe(expected);
    server.child.kill('SIGTERM');
    await server.exited;
    // Stopped: nothing more was sent than one request per delivery.
    expect(sink.requests).toHaveLength(expected);
  });

  it('copies the other way too, PostgreSQL to SQLite, with the same rows', async () => {
    const { url } = testSchema('copy postgres to sqlite');
    const source = await createPostgresStore({ url, poolSize: 2 });
    for (const payload of callFlows(T0)[0]!.payloads)
      await source.appendEvent(newEvent(JSON.stringify(payload)));
    await source.addUser({
      name: 'vera',
      role: 'viewer',
      passwordHash: 'scrypt$x',
      createdAt: T0,
      updatedAt: T0,
    });
    await source.createEndpoint(
      endpointRecord({ id: 'ep_pg', enabled: false, disabledReason: 'answered 410' }),
    );
    await source.recordFollowupAction({ number: '1', action: 'handled', note: 'n', by: 'vera', at: T0 });
    await source.close();
    const dataDir = tempDir();
    const copied = await runCli(['copy', '--from', url, '--to', dataDir]);
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stderr).toContain('users 1, endpoints 1');

    const [from, to] = [
      await createPostgresStore({ url, poolSize: 1 }),
      createSqliteStore({ file: path.join(dataDir, 'telehook.db') }),
    ];
    try {
      for (const read of [
        (store: Store) => store.listUsers(),
        (store: Store) => store.listEndpoints(),
        (store: Store) => store.listFollowupActions({ from: 0 }),
        (store: Store) => store.listEvents({ limit: 100 }),
      ])
        expect(await read(to)).toEqual(await read(from));
    } finally {
      await from.close();
      await to.close();
    }
  });

  it('refuses a target that holds another installation, before writing anything', async () => {
    const dataDir = tempDir();
    const source = createSqliteStore({ file: path.join(dataDir, 'telehook.db') });
    await source.addUser({ name: 'asha', role: 'admin', passwordHash: 'x', createdAt: T0, updatedAt: T0 });
    await source.close();
    const { url } = testSchema('copy refuses another installation');
    const other = await createPostgresStore({ url, poolSize: 1 });
    await other.addUser({ name: 'bob', role: 'admin', passwordHash: 'y', createdAt: T0, updatedAt: T0 });
    await other.close();
    const refused = await runCli(['copy', '--from', dataDir, '--to', url]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      '--to holds users of another installation (1 rows, 1 of them not in --from)',
    );
    const after = await createPostgresStore({ url, poolSize: 1 });
    expect((await after.listUsers()).map((user) => user.name)).toEqual(['bob']);
    await after.close();
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
