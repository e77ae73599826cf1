import { randomUUID } from 'node:crypto';

import pg from 'pg';
import sql, { raw } from 'sql-template-tag';

import { foldInThisThread } from '../../calls/index.js';
import { StoreError } from '../../errors.js';
import { closedStoreError, createAppends } from '../appends.js';
import { createCallsWrites } from '../sql/calls-writes.js';
import { LOCK_PROJECTION, postgresDialect } from '../sql/dialect.js';
import { recordFoldFailure } from '../sql/fold-failures.js';
import { postgresExecutor, type Program, run, runAsync } from '../sql/program.js';
import { createSqlStore } from '../sql/sql-store.js';
import type { CallProjection, FoldedBatch, Store } from '../store.js';
import { EVENT_COLUMNS, type EventRow, toEvent } from '../stored-event.js';
import { toStoreError } from './driver-errors.js';
import { createFoldListener } from './fold-listener.js';
import { migrate } from './migrate.js';
import { writeBatch } from './queries/append.js';
import { foldCalls } from './queries/calls-write.js';
import { claimDeliveries } from './queries/delivery.js';

/** Whether the event is still to fold, taken off the queue under the projection's lock. */
function* isQueued(seq: number): Program<boolean> {
  yield* run(raw(LOCK_PROJECTION));
  return (yield* run(sql`DELETE FROM projection_queue WHERE seq = ${seq}`)) > 0;
}

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/db`; `?options=-c%20search_path%3Dname` picks the schema. */
  readonly url: string;
  /** Connections this process keeps open. @defaultValue 10 */
  readonly poolSize?: number;
  /** The most writes in one statement. @defaultValue 512 */
  readonly maxBatch?: number;
  /** Apply pending migrations when opening. @defaultValue true */
  readonly migrate?: boolean;
}

/** bigint (20) and numeric (1700) as JS numbers: every one we store is an epoch ms, a count or a sequence number. */
const parseNumber = (text: string): number => Number(text);
const TYPES = {
  getTypeParser: (oid: number, format?: 'text' | 'binary'): unknown =>
    oid === 20 || oid === 1700 ? parseNumber : (pg.types.getTypeParser(oid, format) as unknown),
};

/** Folds older than this are pruned from live_changes: listeners read them within milliseconds. */
const LIVE_CHANGES_KEPT_MS = 10 * 60_000;

/** The connection settings of a URL, with our type parsers. */
export function connectionConfig(url: string): pg.ClientConfig {
  return { connectionString: url, types: TYPES, application_name: 'telehook' };
}

/**
 * The PostgreSQL store, for several telehook processes on one database: group commit (a batch of appends is one
 * statement and one commit), folding serialised across processes, and every fold announced with NOTIFY so that
 * each process's live stream shows it.
 *
 * @example
 * const store = await createPostgresStore({ url: 'postgres://telehook@db/telehook' });
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const config = connectionConfig(options.url);
  const pool = new pg.Pool({ ...config, max: options.poolSize ?? 10 });
  // An idle connection that fails (a restarted server) is dropped from the pool; the next query reconnects.
  pool.on('error', () => undefined);
  let schema: string;
  let latestFold: number;
  try {
    if (options.migrate !== false) await migrate(pool);
    schema = (await pool.query<{ schema: string }>('SELECT current_schema() AS schema')).rows[0]!.schema;
    latestFold = (await pool.query<{ id: number }>('SELECT coalesce(max(id), 0) AS id FROM live_changes'))
      .rows[0]!.id;
  } catch (error) {
    await pool.end();
    throw toStoreError(error);
  }
  const channel = `telehook:${schema}`.slice(0, 63);
  const origin = `${process.pid}-${randomUUID().slice(0, 8)}`;

  const listener = createFoldListener({
    client: () => new pg.Client(config),
    channel,
    origin,
    afterId: latestFold,
    read: async (afterId) => {
      const { rows } = await pool.query<{
        id: number;
        origin: string;
        events: number[];
        changed: string[];
        removed: string[];
        position: number | null;
      }>('SELECT * FROM live_changes WHERE id > $1 ORDER BY id', [afterId]);
      const folds: FoldedBatch[] = [];
      for (const row of rows) {
        if (row.origin === origin) continue;
        folds.push({
          events: await queries.eventsBySeq(row.events),
          changed: await queries.callsByKey(row.changed),
          removed: row.removed,
          position: row.position === null ? null : String(row.position),
        });
      }
      return { lastId: rows.at(-1)?.id ?? afterId, folds };
    },
    onError: () => undefined,
  });

  // A fold that fails after reading the maskings needs nothing forgotten: the next lists its events again.
  const callsWrites = createCallsWrites(postgresDialect, { singleWriter: false });
  let folds = 0;
  let closed = false;
  const appends = createAppends(
    async (ops) => {
      try {
        return await writeBatch(pool, ops);
      } catch (error) {
        throw toStoreError(error);
      }
    },
    () => closed,
    options.maxBatch,
  );
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (closed) throw closedStoreError();
    try {
      return await fn();
    } catch (error) {
      throw toStoreError(error);
    }
  };
  const inTransaction = async <T>(run: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await run(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };

  const queries = createSqlStore({
    dialect: postgresDialect,
    read: (program) => guard(() => runAsync(postgresExecutor(pool), program)),
    write: <T>(_data: 'config' | 'queue' | 'calls', program: Program<T>) =>
      guard(() => inTransaction((client) => runAsync(postgresExecutor(client), program))),
  });

  let projection: CallProjection | null = null;
  const store: Store = {
    ...queries,
    backend: 'postgres',
    // Sequence numbers are taken before commit, by several processes: a later commit may hold an earlier one.
    commitsInCursorOrder: false,
    createProjection: (setup) => {
      if (projection) throw new TypeError('This store has its projection already: create it once.');
      // Several processes share the database: fold what a killed process left unfolded.
      return (projection = foldInThisThread(store, setup, { pollEveryMs: 1000 }));
    },
    appendEvent: appends.appendEvent,
    quarantineRequest: appends.quarantineRequest,
    listEventsToProject: (limit) =>
      guard(async () => {
        const { rows } = await pool.query<EventRow>(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE seq IN (SELECT seq FROM projection_queue ORDER BY seq LIMIT $1)
           ORDER BY seq`,
          [limit],
        );
        return rows.map(toEvent);
      }),
    countEventsToProject: () =>
      guard(
        async () =>
          (await pool.query<{ n: number }>('SELECT count(*) AS n FROM projection_queue')).rows[0]!.n,
      ),
    getOldestEventToProjectAt: () =>
      guard(async () => {
        const { rows } = await pool.query<{ received_at: number }>(
          `SELECT received_at FROM events WHERE seq = (SELECT min(seq) FROM projection_queue)`,
        );
        return rows[0]?.received_at ?? null;
      }),
    // Dequeued under the projection's lock, so that a process folding that event meanwhile wins (it is folded).
    recordFoldFailure: (event, reason, at) =>
      guard(() =>
        inTransaction((client) =>
          runAsync(postgresExecutor(client), recordFoldFailure(postgresDialect, event, reason, at, isQueued)),
        ),
      ),
    projectCalls: (batch, fold) =>
      guard(() =>
        inTransaction(async (client) => {
          const outcome = await foldCalls(client, batch, fold, callsWrites);
          const { changed, removed, folded } = outcome;
          if (folded.length > 0 || changed.length > 0 || removed.length > 0) {
            folds += 1;
            if (folds % 100 === 0)
              await client.query('DELETE FROM live_changes WHERE created_at < $1', [
                Date.now() - LIVE_CHANGES_KEPT_MS,
              ]);
            // Delivered to the listeners when this transaction commits; folds commit in lock order, so ids
            // are in commit order.
            await client.query(
              `WITH change AS (
                 INSERT INTO live_changes (origin, created_at, events, changed, removed, position)
                 VALUES ($1, $2, $3, $4, $5, (SELECT position FROM projection_state WHERE name = 'calls'))
                 RETURNING id)
               SELECT pg_notify($6, change.id || ':' || $1) FROM change`,
              [
                origin,
                Date.now(),
                folded.map((event) => Number(event.cursor)),
                changed.map((call) => call.key),
                removed,
                channel,
              ],
            );
          }
          return folded.length === batch.events.length ? { changed, removed } : { changed, removed, folded };
        }),
      ),
    resetCalls: () =>
      guard(() =>
        inTransaction(async (client) => {
          await client.query(LOCK_PROJECTION);
          await client.query('TRUNCATE calls, call_links, call_agents, projection_state, fold_failures');
          await client.query(
            'INSERT INTO projection_queue (seq) SELECT seq FROM events ON CONFLICT DO NOTHING',
          );
        }),
      ),
    watchFolds: (fold) => listener.subscribe(fold),
    claimDeliveries: (request) => guard(() => claimDeliveries(pool, request)),
    checkWritable: () =>
      guard(async () => {
        const { rows } = await pool.query<{ recovery: boolean; readonly: string }>(
          "SELECT pg_is_in_recovery() AS recovery, current_setting('transaction_read_only') AS readonly",
        );
        if (rows[0]!.recovery || rows[0]!.readonly === 'on')
          throw new StoreError('The PostgreSQL server is read-only (a standby?).', { retryable: true });
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      await projection?.stop();
      await appends.drain();
      await listener.stop();
      await pool.end();
    },
  };
  return store;
}
