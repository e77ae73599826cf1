import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';

import { createCallFold } from '../src/calls/index.js';
import { dedupeKeyOf } from '../src/receiver/index.js';
import type { NewEvent, Store } from '../src/store/index.js';
import { CALLS_MIGRATIONS_DIR, loadMigrations } from '../src/store/sqlite/migrate.js';
import { callsFileOf, createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { normalise, parse } from '../src/telecmi/index.js';
import { callFlows } from '../test/helpers/call-flows.js';

const TIME_FIELDS_MS = ['time'];
const TIME_FIELDS_S = ['start_time', 'answer_time', 'end_time'];
/** TeleCMI ids in the templates: UUIDs, and 43-character base62 request / PIOPIY conversation ids. */
const IDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[A-Za-z0-9]{43}\b/g;

/** Flow templates: each realistic flow once, to be copied with fresh ids, caller and time. */
function templates(t0: number) {
  return callFlows(t0).map((flow) => ({ name: flow.name, text: JSON.stringify(flow.payloads) }));
}

/** One call's payloads from a template: fresh ids, a caller, and times shifted to start at `start`. */
function instantiate(
  template: { text: string },
  t0: number,
  start: number,
  caller: string,
): Record<string, unknown>[] {
  const ids = new Map<string, string>();
  const text = template.text.replace(IDS, (id) => {
    let fresh = ids.get(id);
    if (!fresh) {
      fresh = id.length === 43 ? (randomUUID() + randomUUID()).replace(/-/g, '').slice(0, 43) : randomUUID();
      ids.set(id, fresh);
    }
    return fresh;
  });
  const shift = start - t0;
  return (JSON.parse(text) as Record<string, unknown>[]).map((payload) => {
    for (const field of TIME_FIELDS_MS)
      if (typeof payload[field] === 'number') payload[field] = payload[field] + shift;
    for (const field of TIME_FIELDS_S)
      if (typeof payload[field] === 'number') payload[field] = payload[field] + Math.round(shift / 1000);
    if (typeof payload['from'] === 'string' && payload['direction'] !== 'outbound') payload['from'] = caller;
    return payload;
  });
}

/** What the receiver makes of a TeleCMI body received at `receivedAt`, ready for Store.appendEvent. */
export function newEventOf(body: Buffer, receivedAt: number): NewEvent {
  const parsed = parse(body);
  if (!parsed.ok) throw parsed.error;
  const event = normalise(parsed.value, { id: randomUUID(), receivedAt });
  const dedupeKey = dedupeKeyOf(parsed.value.payload);
  return { event, body, dedupeKey, method: 'POST', contentType: 'application/json' };
}

/**
 * The bodies of realistic calls (every flow of test/helpers/call-flows.ts in turn, each with fresh ids and caller)
 * starting at random times over `days` days ending at `end`, a call's events one after another: about `events`
 * of them (the last call is whole).
 */
export function* realisticBodies(options: { events: number; days: number; end: number }): Generator<Buffer> {
  const t0 = Date.UTC(2026, 0, 1);
  const list = templates(t0);
  const span = options.days * 86_400_000;
  let events = 0;
  for (let calls = 0; events < options.events; calls += 1) {
    const template = list[calls % list.length]!;
    const start = options.end - span + Math.floor(Math.random() * span);
    const caller = `44${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
    for (const payload of instantiate(template, t0, Math.floor(start / 1000) * 1000, caller)) {
      events += 1;
      yield Buffer.from(JSON.stringify(payload));
    }
  }
}

/**
 * Fills a store with about `events` events of realistic calls spread over `days` days ending at `end`, then
 * folds them into calls. Returns the number of events.
 */
export async function fillStore(
  store: Store,
  options: { events: number; days: number; end: number; log?: (line: string) => void },
) {
  const log = options.log ?? (() => undefined);
  let events = 0;
  let received = options.end - options.days * 86_400_000;
  const started = Date.now();
  let batch: Promise<unknown>[] = [];
  for (const body of realisticBodies(options)) {
    received += 1;
    batch.push(store.appendEvent(newEventOf(body, received)));
    events += 1;
    if (batch.length >= 1000) {
      await Promise.all(batch);
      batch = [];
    }
    if (events % 100_000 === 0)
      log(`  stored ${events} events (${Math.round(events / ((Date.now() - started) / 1000))}/s)`);
  }
  await Promise.all(batch);
  const rules = createCallFold({ staleAfterMs: 2 * 3600_000 });
  const folding = Date.now();
  let folded = 0;
  for (;;) {
    const events = await store.listEventsToProject(2000);
    if (events.length === 0) break;
    await store.projectCalls({ events, now: options.end }, rules);
    folded += events.length;
    if (folded % 100_000 < 2000)
      log(`  folded ${folded} events into calls (${Math.round(folded / ((Date.now() - folding) / 1000))}/s)`);
  }
  return { events };
}

/**
 * The schema of this version's files, as `<events>-<calls>` (the newest migration of each): part of the names of
 * the databases cached in bench/.cache, so that a schema change builds new ones instead of measuring migrations.
 */
export function schemaVersion(): string {
  return [loadMigrations(), loadMigrations(CALLS_MIGRATIONS_DIR)]
    .map((set) => Math.max(...set.migrations.map((migration) => migration.version)))
    .join('-');
}

/**
 * A telehook data directory holding about `events` events of realistic calls (30 days up to now, folded), for
 * benchmarks that should not start from an empty database. Built once per size and schema in bench/.cache and
 * reused: a schema change (a new migration) builds a new one.
 */
export async function prefilledDataDir(
  events: number,
  log: (line: string) => void = console.log,
): Promise<string> {
  const dir = path.resolve('bench/.cache', `prefill-${events}-schema-${schemaVersion()}`);
  if (existsSync(path.join(dir, 'done'))) return dir;
  log(`Filling ${dir} with ${events} events (once; later runs reuse it)…`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const store = createSqliteStore({ file: path.join(dir, 'telehook.db') });
  await fillStore(store, { events, days: 30, end: Date.now(), log });
  await store.close();
  writeFileSync(path.join(dir, 'done'), new Date().toISOString());
  return dir;
}

/**
 * Grows a filled SQLite store to about `calls` calls without folding millions more events: the ended calls of its
 * `days` days are copied into the `days` before, and before those, as often as needed (a new key and id, times moved
 * by whole periods, the record's key and start time rewritten), with their agent legs. The copies have no events
 * and no links (a copy is not found by its TeleCMI ids): they are rows for the list and metric queries to read.
 */
export function copyCallsBack(file: string, options: { calls: number; days: number }): number {
  const db = new Database(callsFileOf(file));
  try {
    const original = db.prepare('SELECT count(*) AS n, max(id) AS top FROM calls').get() as {
      n: number;
      top: number;
    };
    const ended = db.prepare("SELECT count(*) FROM calls WHERE state = 'ended'").pluck().get() as number;
    const span = options.days * 86_400_000;
    const copyCalls =
      db.prepare(`INSERT INTO calls (id, key, started_at, direction, state, outcome, from_number,
        to_number, virtual_number, team, answered_by, placed_by, waited_sec, talk_sec, last_event_at, leg_only, record)
      SELECT id + @shift, key || '~' || @copy, started_at - @back, direction, state, outcome, from_number, to_number,
        virtual_number, team, answered_by, placed_by, waited_sec, talk_sec, last_event_at - @back, leg_only,
        json_set(record, '$.key', key || '~' || @copy, '$.startedAt', started_at - @back)
      FROM calls WHERE id <= @top AND state = 'ended'`);
    const copyAgents = db.prepare(`INSERT INTO call_agents (call_id, position, agent, team, rang_at, answered,
        missed_by_agent, talk_sec)
      SELECT a.call_id + @shift, a.position, a.agent, a.team, a.rang_at - @back, a.answered, a.missed_by_agent,
        a.talk_sec
      FROM call_agents a JOIN calls c ON c.id = a.call_id WHERE c.id <= @top AND c.state = 'ended'`);
    let total = original.n;
    for (let copy = 1; total + ended <= options.calls + ended / 2; copy += 1) {
      const parameters = { copy, shift: copy * original.top, back: copy * span, top: original.top };
      db.transaction(() => {
        copyCalls.run(parameters);
        copyAgents.run(parameters);
      })();
      total += ended;
    }
    db.pragma('optimize');
    return total;
  } finally {
    db.close();
  }
}
