import { mkdirSync } from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';

import { AppError, StoreError } from '../../errors.js';
import { GroupCommit } from '../group-commit.js';
import type { Store, StoredEvent } from '../store.js';
import { CALLS_MIGRATIONS_DIR, loadMigrations, migrate } from './migrate.js';
import { prepareWrites, type WriteOp, type WriteResult } from './queries/append.js';
import { prepareCallReads } from './queries/calls-read.js';
import { prepareCallWrites } from './queries/calls-write.js';
import { prepareDeliveryQueries } from './queries/delivery.js';
import { prepareReads } from './queries/read.js';
import { prepareSummaries } from './queries/summaries.js';

export interface SqliteStoreOptions {
  /** The database file; its directory is created when missing. */
  readonly file: string;
  /** How long a write waits for a lock held by another connection before failing. @defaultValue 5000 */
  readonly busyTimeoutMs?: number;
  /** The most writes in one transaction. @defaultValue 512 */
  readonly maxBatch?: number;
  /**
   * Told of the events each commit stored (not the duplicates), in order, when the calls are folded elsewhere
   * (the calls writer thread, src/writer). Absent: this store keeps them in memory for a projection in this thread.
   */
  readonly onCommitted?: (events: StoredEvent[]) => void;
}

/** The SQLite store, plus what the calls writer thread needs of it. */
export interface SqliteStore extends Store {
  /** Events another thread committed: the projection of this store folds them from memory, not from the file. */
  noteCommitted(events: readonly StoredEvent[]): void;
}

/** The calls' database file, next to the events': `telehook.db` → `telehook-calls.db`. */
export function callsFileOf(file: string): string {
  const extension = path.extname(file);
  return `${file.slice(0, file.length - extension.length)}-calls${extension || '.db'}`;
}

/** SQLite result codes after which the same write may succeed later. */
const RETRYABLE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|PROTOCOL|NOMEM)/;

/**
 * The embedded store: better-sqlite3 with WAL and `synchronous=FULL`, so a committed transaction survives a
 * crash or power loss, and group commit so that concurrent requests share that fsync.
 *
 * @example
 * const store = createSqliteStore({ file: './data/telehook.db' });
 */
export function createSqliteStore(options: SqliteStoreOptions): SqliteStore {
  mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  const callsFile = callsFileOf(options.file);
  const open = (
    file: string,
    synchronous: 'FULL' | 'NORMAL',
    attach?: { file: string; as: string },
  ): Database.Database => {
    const connection = new Database(file);
    connection.pragma('journal_mode = WAL');
    connection.pragma(`synchronous = ${synchronous}`);
    connection.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    connection.pragma('foreign_keys = ON');
    // A checkpoint (copying the log's pages into the database file) every 8,000 pages instead of SQLite's 1,000: a
    // page that several commits change between two checkpoints is copied once. Under load every event changes
    // about 8 pages (its indexes and its call's), and checkpoints were about 40% of the writer's time; at 8,000
    // the benchmark gained a quarter (bench/README.md). The log file is cut back to 64 MiB after a checkpoint.
    connection.pragma('wal_autocheckpoint = 8000');
    connection.pragma('journal_size_limit = 67108864');
    if (attach) connection.prepare('ATTACH DATABASE ? AS ' + attach.as).run(attach.file);
    return connection;
  };
  // Events are acknowledged after their commit: that connection fsyncs every commit (FULL).
  const db = open(options.file, 'FULL');
  migrate(db);
  // The calls live in a file of their own: folding holds that file's write lock, never the events'. They are
  // derived from the events and rebuilt from them if lost, so their commits do not wait for an fsync (NORMAL); in
  // WAL mode a commit is still atomic, and the calls and the projection position commit together, so after a power
  // loss the projection resumes from a consistent point. The fold reads the events through an attachment.
  const callsDb = open(callsFile, 'NORMAL', { file: options.file, as: 'events_file' });
  migrate(callsDb, loadMigrations(CALLS_MIGRATIONS_DIR));
  // The delivery queue (rebuilt from the events if lost): NORMAL, on the events' file, without the calls attached
  // (a write transaction would otherwise lock both files).
  const queueDb = open(options.file, 'NORMAL');
  // Reads: the events' file with the calls' attached; table names resolve in either.
  const readDb = open(options.file, 'NORMAL', { file: callsFile, as: 'calls_file' });

  const write = prepareWrites(db);
  const read = prepareReads(readDb);
  const projectCalls = prepareCallWrites(callsDb);
  const calls = prepareCallReads(readDb);
  const summaries = prepareSummaries(readDb);
  const delivery = prepareDeliveryQueries(db, queueDb);
  const resetCalls = callsDb.transaction(() => {
    callsDb.exec(
      'DELETE FROM calls; DELETE FROM call_links; DELETE FROM call_agents; DELETE FROM projection_state;',
    );
  });

  // Events committed by this store and not folded yet, in order: the projection folds them from memory instead of
  // reading back (and normalising again) what it was just handed. Anything not here is read from the table.
  let unfolded: StoredEvent[] = [];
  const MAX_UNFOLDED = 5000;
  const listEventsToProject = (limit: number): StoredEvent[] => {
    const position = Number(calls.getProjectionPosition() ?? 0);
    let skip = 0;
    while (skip < unfolded.length && Number(unfolded[skip]!.cursor) <= position) skip += 1;
    if (skip > 0) unfolded = unfolded.slice(skip);
    // Sequence numbers are contiguous: the next one after the position is in memory, or it must be read.
    if (unfolded.length > 0 && Number(unfolded[0]!.cursor) === position + 1) return unfolded.slice(0, limit);
    return read.listEvents({ after: position === 0 ? null : String(position), limit }).items;
  };
  const commitWrites = (ops: WriteOp[]): WriteResult[] => {
    let results: WriteResult[];
    try {
      results = write(ops);
    } catch (error) {
      throw toStoreError(error);
    }
    const committed: StoredEvent[] = [];
    ops.forEach((op, index) => {
      const result = results[index];
      if (op.type !== 'event' || !result || result.duplicate) return;
      const { input } = op;
      committed.push({
        ...input.event,
        method: input.method,
        contentType: input.contentType,
        cursor: String(result.seq),
      });
    });
    if (options.onCommitted) {
      if (committed.length > 0) options.onCommitted(committed);
    } else noteCommitted(committed);
    return results;
  };
  const noteCommitted = (events: readonly StoredEvent[]): void => {
    unfolded.push(...events);
    if (unfolded.length > MAX_UNFOLDED) unfolded = [];
  };
  const commits = new GroupCommit<WriteOp, WriteResult>(commitWrites, options.maxBatch);
  let closed = false;

  const submit = (op: WriteOp): Promise<WriteResult> =>
    closed ? Promise.reject(new StoreError('The store is closed.', { retryable: true })) : commits.submit(op);
  const guard = <T>(fn: () => T): Promise<T> => {
    if (closed) return Promise.reject(new StoreError('The store is closed.', { retryable: true }));
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(toStoreError(error));
    }
  };

  return {
    backend: 'sqlite',
    noteCommitted,
    appendEvent: async (input) => {
      const { id, duplicate } = (await submit({ type: 'event', input }))!;
      return { id, duplicate };
    },
    quarantineRequest: async (input) => {
      await submit({ type: 'quarantine', input });
    },
    listEvents: (query) => guard(() => read.listEvents(query)),
    getEvent: (id) => guard(() => read.getEvent(id)),
    listQuarantine: (query) => guard(() => read.listQuarantine(query)),
    countEvents: () => guard(() => read.countEvents()),
    countEventsToProject: () => guard(() => read.lastCursor() - Number(calls.getProjectionPosition() ?? 0)),
    listEventsToProject: (limit) => guard(() => listEventsToProject(limit)),
    projectCalls: (batch, rules) => guard(() => projectCalls.fold(batch, rules)),
    listEventsReceived: (query) => guard(() => read.listEventsReceived(query)),
    countEventsReceived: (period) => guard(() => read.countEventsReceived(period)),
    getProjectionPosition: () => guard(() => calls.getProjectionPosition()),
    listStaleCallKeys: (before, limit) => guard(() => calls.listStaleCallKeys(before, limit)),
    resetCalls: () =>
      guard(() => {
        resetCalls();
        projectCalls.forget();
      }),
    listCalls: (query) => guard(() => calls.listCalls(query)),
    listCallRecords: (query) => guard(() => calls.listCallRecords(query)),
    getCall: (key) => guard(() => calls.getCall(key)),
    listCallEvents: (key) => guard(() => calls.listCallEvents(key)),
    listMissedCalls: (query) => guard(() => calls.listMissedCalls(query)),
    listCallFacts: (query) => guard(() => calls.listCallFacts(query)),
    listAgentFacts: (query) => guard(() => calls.listAgentFacts(query)),
    listLiveCalls: () => guard(() => calls.listLiveCalls()),
    summariseCalls: (query) => guard(() => summaries.summariseCalls(query)),
    summariseAgents: (query) => guard(() => summaries.summariseAgents(query)),
    // One process owns a SQLite database: every fold is published in-process.
    watchFolds: () => () => undefined,
    createEndpoint: (endpoint) => guard(() => delivery.createEndpoint(endpoint)),
    getEndpoint: (id) => guard(() => delivery.getEndpoint(id)),
    listEndpoints: () => guard(() => delivery.listEndpoints()),
    updateEndpoint: (id, changes) => guard(() => delivery.updateEndpoint(id, changes)),
    deleteEndpoint: (id) => guard(() => delivery.deleteEndpoint(id)),
    enqueueDeliveries: (deliveries, cursor) => guard(() => delivery.enqueue(deliveries, cursor)),
    getDeliveryCursor: (name) => guard(() => delivery.getCursor(name)),
    claimDeliveries: (request) => guard(() => delivery.claim(request)),
    recordAttempt: (record) => guard(() => delivery.recordAttempt(record)),
    releaseClaims: (workerId) => guard(() => delivery.releaseClaims(workerId)),
    getDelivery: (id) => guard(() => delivery.getDelivery(id)),
    listDeliveries: (query) => guard(() => delivery.listDeliveries(query)),
    countDeliveries: (query) => guard(() => delivery.countDeliveries(query)),
    retryDelivery: (id, now) => guard(() => delivery.retryDelivery(id, now)),
    retryDeliveries: (query) => guard(() => delivery.retryDeliveries(query)),
    checkWritable: () =>
      guard(() => {
        db.exec('BEGIN IMMEDIATE');
        db.exec('ROLLBACK');
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      await commits.drain();
      readDb.close();
      queueDb.close();
      callsDb.close();
      db.close();
    },
  };
}

function toStoreError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown }).code;
  const retryable = typeof code === 'string' && RETRYABLE.test(code);
  const detail = error instanceof Error ? error.message : String(error);
  return new StoreError(
    `The database cannot be written (${typeof code === 'string' ? code : 'error'}: ${detail}).`,
    {
      cause: error,
      retryable,
    },
  );
}
