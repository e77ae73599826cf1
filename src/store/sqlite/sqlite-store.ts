import sql, { raw } from 'sql-template-tag';

import { foldInThisThread } from '../../calls/projection.js';
import { closedStoreError, createAppends, type WriteOp, type WriteResult } from '../appends.js';
import { servableEvent } from '../servable.js';
import { sqliteDialect } from '../sql/dialect.js';
import { recordFoldFailure } from '../sql/fold-failures.js';
import { all, one, type Program, runSync, sqliteExecutor } from '../sql/program.js';
import { createSqlStore } from '../sql/sql-store.js';
import { startOnFirstNeed } from '../start-on-first-need.js';
import type { CallProjection, Store, StoredEvent } from '../store.js';
import { EVENT_COLUMNS, type EventRow, toEvent } from '../stored-event.js';
import { openConnections, type SqliteDriver } from './connections.js';
import { diskFullError, toStoreError } from './driver-errors.js';
import { type FoldThread, startFoldThread } from './fold-thread/client.js';
import { prepareWrites } from './queries/append.js';
import { prepareCallWrites } from './queries/calls-write.js';
import { prepareClaim } from './queries/delivery.js';

export interface SqliteStoreOptions {
  /** The database file; its directory is created when missing. */
  readonly file: string;
  /** How long a write waits for a lock held by another connection before failing. @defaultValue 5000 */
  readonly busyTimeoutMs?: number;
  /** The most writes in one transaction. @defaultValue 512 */
  readonly maxBatch?: number;
  /** The driver: better-sqlite3's Database, or a subclass (tests inject disk faults at this seam). */
  readonly driver?: SqliteDriver;
  /**
   * Fold the calls in a thread of their own (./fold-thread), as `telehook serve` does, so that the receiver's
   * event loop never runs a fold. Off only for tests that pin the clock (a clock cannot cross threads).
   * @defaultValue true
   */
  readonly foldThread?: boolean;
}

/** The SQLite store, plus what its fold thread needs of it. */
export interface SqliteStore extends Store {
  /** Events another thread committed: the projection of this store folds them from memory, not from the file. */
  noteCommitted(events: readonly StoredEvent[]): void;
  /**
   * Fault injection (tests): ends the fold thread as a crash would (`crash`: a new one starts 1 s later), or
   * closes it for good. Resolves once it has ended; nothing when there is none.
   */
  endFoldThread(how: 'crash' | 'close'): Promise<void>;
}

export { callsFileOf } from './connections.js';

const POSITION = sql`SELECT position FROM projection_state WHERE name = 'calls'`;

/**
 * The embedded store: better-sqlite3 with WAL and `synchronous=FULL`, so a committed transaction survives a
 * crash or power loss, and group commit so that concurrent requests share that fsync.
 *
 * @example
 * const store = createSqliteStore({ file: './data/telehook.db' });
 */
export function createSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const file = options.file;
  const { db, callsDb, queueDb, readDb } = openConnections(
    file,
    options.busyTimeoutMs ?? 5000,
    options.driver,
  );

  const write = prepareWrites(db);
  let maskedUpTo = 0; // unfolded events up to this seq may be copies from before a masking: read them again
  const projectCalls = prepareCallWrites(callsDb, (upTo) => (maskedUpTo = upTo));
  const claim = prepareClaim(queueDb);
  const reads = sqliteExecutor(readDb);
  const position = (): number => runSync(reads, one<{ position: number }>(POSITION))?.position ?? 0;
  /** Only the next event may be marked as failed: past any other, the watermark would skip events never tried. */
  function* isNextToFold(seq: number): Program<boolean> {
    const folded = (yield* one<{ position: number }>(POSITION))?.position ?? 0;
    if (seq > folded + 1) throw new Error(`event ${seq} is not the next to fold (the position is ${folded})`);
    return seq > folded;
  }
  const resetCalls = callsDb.transaction(() => {
    callsDb.exec(
      'DELETE FROM calls; DELETE FROM call_links; DELETE FROM call_agents; DELETE FROM projection_state; ' +
        'DELETE FROM fold_failures;',
    );
  });

  // Events committed by this store and not folded yet, in order: the projection folds them from memory instead of
  // reading back (and normalising again) what it was just handed. Anything not here is read from the table.
  let unfolded: StoredEvent[] = [];
  const MAX_UNFOLDED = 5000;
  const listEventsToProject = (limit: number): StoredEvent[] => {
    const folded = position();
    let skip = 0;
    while (skip < unfolded.length && Number(unfolded[skip]!.cursor) <= Math.max(folded, maskedUpTo))
      skip += 1;
    if (skip > 0) unfolded = unfolded.slice(skip);
    // Sequence numbers are contiguous: the next one after the position is in memory, or it must be read.
    if (unfolded.length > 0 && Number(unfolded[0]!.cursor) === folded + 1) return unfolded.slice(0, limit);
    const rows = runSync(
      reads,
      all<EventRow>(sql`SELECT ${raw(EVENT_COLUMNS)} FROM events
      WHERE seq > ${folded} ORDER BY seq LIMIT ${limit}`),
    );
    return rows.map(toEvent);
  };
  const commitWrites = (ops: WriteOp[]): WriteResult[] => {
    let results: WriteResult[];
    try {
      results = write(ops);
    } catch (error) {
      throw toStoreError(error, file);
    }
    // The batch is durable: from here nothing may fail it (its requests are answered 200). The events handed on
    // are the ones toEvent would read back, so the fold gives the same calls from memory as from the file.
    try {
      const committed: StoredEvent[] = [];
      ops.forEach((op, index) => {
        const result = results[index];
        if (op.type !== 'event' || !result || result.duplicate) return;
        const { input } = op;
        committed.push(
          servableEvent({
            ...input.event,
            method: input.method,
            contentType: input.contentType,
            source: input.source ?? 'webhook',
            cursor: String(result.seq),
          }),
        );
      });
      if (thread) {
        if (committed.length > 0) thread.committed(committed);
      } else noteCommitted(committed);
    } catch {
      // Not handed on: the fold reads these events from the file (noteCommitted sees the gap).
    }
    return results;
  };
  const noteCommitted = (events: readonly StoredEvent[]): void => {
    const first = events[0];
    const last = unfolded.at(-1);
    // The projection takes what is here as the events after its position, in order: a gap (events another thread
    // was not told of) must not be folded over, so what is here is forgotten and read from the file instead.
    if (first && last && Number(first.cursor) !== Number(last.cursor) + 1) unfolded = [];
    unfolded.push(...events);
    if (unfolded.length > MAX_UNFOLDED) unfolded = [];
  };
  let closed = false;
  const appends = createAppends(commitWrites, () => closed, options.maxBatch);
  /** Where the calls are folded, once createProjection was called: in this thread, or in the fold thread. */
  let projection: CallProjection | null = null;
  let thread: FoldThread | null = null;

  const guard = <T>(fn: () => T): Promise<T> => {
    if (closed) return Promise.reject(closedStoreError());
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(toStoreError(error, file));
    }
  };

  // The queries written once (store/sql): reads on the read connection (the events' file with the calls'
  // attached), endpoints on `db` (synchronous=FULL: rare, and configuration), the delivery queue on `queueDb`.
  const transactions = {
    calls: callsDb.transaction(<T>(program: Program<T>): T => runSync(callsWrites, program)),
    config: db.transaction(<T>(program: Program<T>): T => runSync(configWrites, program)),
    queue: queueDb.transaction(<T>(program: Program<T>): T => runSync(queueWrites, program)),
  };
  const callsWrites = sqliteExecutor(callsDb);
  const configWrites = sqliteExecutor(db);
  const queueWrites = sqliteExecutor(queueDb);
  const queries = createSqlStore({
    dialect: sqliteDialect,
    read: (program) => guard(() => runSync(reads, program)),
    write: <T>(data: 'config' | 'queue' | 'calls', program: Program<T>) =>
      guard(() => transactions[data].immediate(program) as T),
  });

  const store: SqliteStore = {
    ...queries,
    backend: 'sqlite',
    commitsInCursorOrder: true,
    noteCommitted,
    createProjection: (setup) => {
      if (projection) throw new TypeError('This store has its projection already: create it once.');
      if (options.foldThread === false) return (projection = foldInThisThread(store, setup));
      if (setup.now)
        throw new TypeError(
          'A pinned clock cannot reach the fold thread: open the store with foldThread: false.',
        );
      // The store migrated the database as it opened, before the thread opens its own connections.
      const anyRow = sql`SELECT 1 FROM events UNION ALL SELECT 1 FROM calls LIMIT 1`;
      thread = startOnFirstNeed(
        () => startFoldThread(file, setup),
        () => !closed && !!runSync(reads, one(anyRow)),
      );
      return (projection = thread.projection);
    },
    endFoldThread: async (how) => {
      if (how === 'crash') await thread?.kill();
      else await thread?.close();
    },
    appendEvent: appends.appendEvent,
    quarantineRequest: appends.quarantineRequest,
    countEventsToProject: () =>
      guard(
        () =>
          (runSync(reads, one<{ n: number | null }>(sql`SELECT max(seq) AS n FROM events`))?.n ?? 0) -
          position(),
      ),
    // Sequence numbers are contiguous: the oldest event not folded is the one right after the position.
    getOldestEventToProjectAt: () =>
      guard(
        () =>
          runSync(
            reads,
            one<{ received_at: number }>(
              sql`SELECT received_at FROM events WHERE seq > ${position()} ORDER BY seq LIMIT 1`,
            ),
          )?.received_at ?? null,
      ),
    // The projection's position is a watermark: marking the next event moves it past that event.
    recordFoldFailure: (event, reason, at) =>
      guard(
        () =>
          void transactions.calls.immediate(
            recordFoldFailure(sqliteDialect, event, reason, at, isNextToFold),
          ),
      ),
    listEventsToProject: (limit) => guard(() => listEventsToProject(limit)),
    projectCalls: (batch, fold) => guard(() => projectCalls.fold(batch, fold)),
    resetCalls: () =>
      guard(() => {
        resetCalls();
        projectCalls.forget();
      }),
    // One process owns a SQLite database: every fold is published in-process.
    watchFolds: () => () => undefined,
    claimDeliveries: (request) => guard(() => claim(request)),
    checkWritable: () =>
      guard(() => {
        db.exec('BEGIN IMMEDIATE');
        db.exec('ROLLBACK');
        // Taking the lock writes nothing: a full disk would only show at the next commit.
        const full = diskFullError(file);
        if (full) throw full;
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      // A fold in this thread must not run on closed connections; the fold thread folds what it was handed
      // until it is closed, after the last commit.
      if (!thread) await projection?.stop();
      await appends.drain();
      readDb.close();
      queueDb.close();
      callsDb.close();
      db.close();
      await thread?.close();
    },
  };
  return store;
}
