import type { Database, Statement } from 'better-sqlite3';

import type { WriteOp, WriteResult } from '../../appends.js';
import type { AppendResult, NewEvent } from '../../store.js';
import { storedDedupeKey } from '../dedupe-key.js';

/**
 * Prepares the statements of a batch write and returns the function the group commit runs inside one
 * transaction. A duplicate (same dedupe key, in this batch or an earlier one) answers with the first id.
 */
export function prepareWrites(db: Database): (ops: WriteOp[]) => WriteResult[] {
  const insertEvent: Statement = db.prepare(`
    INSERT INTO events (id, received_at, dedupe_key, method, content_type, kind, product, status, call_key, occurred_at, raw, source, rest_source)
    VALUES (@id, @receivedAt, @dedupeKey, @method, @contentType, @kind, @product, @status, @callKey, @occurredAt, @raw, @source, @restSource)
    ON CONFLICT (dedupe_key) DO NOTHING`);
  const findDuplicate = db.prepare('SELECT id FROM events WHERE dedupe_key = ?').pluck();
  const insertQuarantine = db.prepare(`
    INSERT INTO quarantine (id, received_at, reason, message, method, path, content_type, raw)
    VALUES (@id, @receivedAt, @reason, @message, @method, @path, @contentType, @raw)`);

  const appendEvent = ({
    event,
    body,
    dedupeKey,
    method,
    contentType,
    source,
    restSource,
  }: NewEvent): AppendResult & { seq: number } => {
    const key = storedDedupeKey(dedupeKey, event);
    const info = insertEvent.run({
      id: event.id,
      receivedAt: event.receivedAt,
      dedupeKey: key,
      method,
      contentType,
      kind: event.kind,
      product: event.product,
      status: event.status,
      callKey: event.callKey,
      occurredAt: event.occurredAt,
      raw: Buffer.from(body.buffer, body.byteOffset, body.byteLength),
      source: source ?? 'webhook',
      restSource: restSource == null ? null : JSON.stringify(restSource),
    });
    if (info.changes === 1) return { id: event.id, duplicate: false, seq: Number(info.lastInsertRowid) };
    return { id: findDuplicate.get(key) as string, duplicate: true, seq: 0 };
  };

  const run = db.transaction((ops: WriteOp[]): WriteResult[] =>
    ops.map((op) => {
      if (op.type === 'event') return appendEvent(op.input);
      const { body, ...rest } = op.input;
      insertQuarantine.run({ ...rest, raw: Buffer.from(body.buffer, body.byteOffset, body.byteLength) });
      return null;
    }),
  );
  // IMMEDIATE takes the write lock up front, so a busy database fails the batch before any work is done.
  return (ops) => run.immediate(ops);
}
