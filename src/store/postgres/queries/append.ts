import type { Pool } from 'pg';

import type { WriteOp, WriteResult } from '../../appends.js';
import { servableEvent } from '../../servable.js';
import type { NewEvent, NewQuarantinedRequest } from '../../store.js';

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
// What a column cannot hold must not fail the batch: a time beyond bigint is null (the row keeps the exact bytes),
// and a NUL character, which PostgreSQL text refuses, is U+FFFD (the fold reads the same from servableEvent).
const whole = (value: number | null): number | null => {
  const rounded = value === null ? null : Math.round(value);
  return rounded !== null && Number.isSafeInteger(rounded) ? rounded : null;
};
const text = (value: string | null): string | null => value?.replaceAll('\u0000', '\uFFFD') ?? null;

// One statement for a whole batch: the rows go in as arrays (unnest keeps their order, so sequence numbers follow
// submission order), each new event is queued for the projection, and resends are skipped by their dedupe key.
// A single statement commits on its own: one round trip and one WAL flush for the batch.
const INSERT_EVENTS = `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[], $4::text[], $5::text[], $6::text[], $7::text[],
      $8::text[], $9::text[], $10::bigint[], $11::bytea[], $12::text[], $13::text[]) WITH ORDINALITY
      AS t(id, received_at, dedupe_key, method, content_type, kind, product, status, call_key, occurred_at, raw,
        source, rest_source, ord)
  ), inserted AS (
    INSERT INTO events (id, received_at, dedupe_key, method, content_type, kind, product, status, call_key, occurred_at, raw, source, rest_source)
    SELECT id, received_at, dedupe_key, method, content_type, kind, product, status, call_key, occurred_at, raw,
      source, rest_source
    FROM input ORDER BY ord
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING seq, id
  ), queued AS (
    INSERT INTO projection_queue (seq) SELECT seq FROM inserted
  )
  SELECT id, seq FROM inserted`;

const INSERT_QUARANTINE = `
  INSERT INTO quarantine (id, received_at, reason, message, method, path, content_type, raw)
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bytea[])
  ON CONFLICT (id) DO NOTHING`;

/**
 * Writes a batch of the group commit. A duplicate (same dedupe key, in this batch, an earlier one, or another
 * process's concurrent one) answers with the first id: ON CONFLICT waits for a concurrent insert of the same key
 * to commit, and the read that follows sees it.
 */
export async function writeBatch(pool: Pool, ops: WriteOp[]): Promise<WriteResult[]> {
  const events: NewEvent[] = [];
  const firstOfKey = new Map<string, number>();
  const quarantined: NewQuarantinedRequest[] = [];
  for (const op of ops) {
    if (op.type === 'quarantine') quarantined.push(op.input);
    else if (!firstOfKey.has(op.input.dedupeKey)) {
      firstOfKey.set(op.input.dedupeKey, events.length);
      events.push(op.input);
    }
  }
  const inserted = new Map<string, number>();
  if (events.length > 0) {
    const servable = events.map((input) => servableEvent(input.event));
    const { rows } = await pool.query<{ id: string; seq: number }>(INSERT_EVENTS, [
      events.map((input) => input.event.id),
      events.map((input) => input.event.receivedAt),
      events.map((input) => Buffer.from(input.dedupeKey, 'hex')),
      events.map((input) => text(input.method)),
      events.map((input) => text(input.contentType)),
      servable.map((event) => event.kind),
      servable.map((event) => event.product),
      servable.map((event) => event.status),
      servable.map((event) => event.callKey),
      servable.map((event) => whole(event.occurredAt)),
      events.map((input) => toBuffer(input.body)),
      events.map((input) => input.source ?? 'webhook'),
      events.map((input) => (input.restSource == null ? null : text(JSON.stringify(input.restSource)))),
    ]);
    for (const row of rows) inserted.set(row.id, row.seq);
  }
  const missing = events.filter((input) => !inserted.has(input.event.id));
  const earlier = new Map<string, string>();
  if (missing.length > 0) {
    const { rows } = await pool.query<{ id: string; key: Buffer }>(
      'SELECT id, dedupe_key AS key FROM events WHERE dedupe_key = ANY($1::bytea[])',
      [missing.map((input) => Buffer.from(input.dedupeKey, 'hex'))],
    );
    for (const row of rows) earlier.set(row.key.toString('hex'), row.id);
  }
  if (quarantined.length > 0) {
    await pool.query(INSERT_QUARANTINE, [
      quarantined.map((input) => input.id),
      quarantined.map((input) => input.receivedAt),
      quarantined.map((input) => text(input.reason)),
      quarantined.map((input) => text(input.message)),
      quarantined.map((input) => text(input.method)),
      quarantined.map((input) => text(input.path)),
      quarantined.map((input) => text(input.contentType)),
      quarantined.map((input) => toBuffer(input.body)),
    ]);
  }
  const seen = new Set<string>();
  return ops.map((op) => {
    if (op.type === 'quarantine') return null;
    const { event, dedupeKey } = op.input;
    const seq = inserted.get(event.id);
    if (seq !== undefined && !seen.has(dedupeKey)) {
      seen.add(dedupeKey);
      return { id: event.id, duplicate: false, seq };
    }
    const first = events[firstOfKey.get(dedupeKey)!]!.event.id;
    const id = inserted.has(first) ? first : earlier.get(dedupeKey);
    if (id === undefined) throw new Error(`event ${event.id} was neither stored nor found as a duplicate`);
    return { id, duplicate: true, seq: 0 };
  });
}
