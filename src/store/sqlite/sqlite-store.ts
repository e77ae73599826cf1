import { mkdirSync } from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';

import { AppError, StoreError } from '../../errors.js';
import type { AppendResult, Store } from '../store.js';
import { GroupCommit } from './group-commit.js';
import { migrate } from './migrate.js';
import { prepareWrites, type WriteOp, type WriteResult } from './queries/append.js';
import { prepareCallReads } from './queries/calls-read.js';
import { prepareCallWrites } from './queries/calls-write.js';
import { prepareReads } from './queries/read.js';
import { prepareSummaries } from './queries/summaries.js';

export interface SqliteStoreOptions {
  /** The database file; its directory is created when missing. */
  readonly file: string;
  /** How long a write waits for a lock held by another connection before failing. @defaultValue 5000 */
  readonly busyTimeoutMs?: number;
  /** The most writes in one transaction. @defaultValue 512 */
  readonly maxBatch?: number;
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
export function createSqliteStore(options: SqliteStoreOptions): Store {
  mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  const db = new Database(options.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  db.pragma('foreign_keys = ON');
  migrate(db);

  const write = prepareWrites(db);
  const read = prepareReads(db);
  const projectCalls = prepareCallWrites(db);
  const calls = prepareCallReads(db);
  const summaries = prepareSummaries(db);
  const resetCalls = db.transaction(() => {
    db.exec(
      'DELETE FROM calls; DELETE FROM call_links; DELETE FROM call_agents; DELETE FROM projection_state;',
    );
  });
  const commits = new GroupCommit<WriteOp, WriteResult>((ops) => {
    try {
      return write(ops);
    } catch (error) {
      throw toStoreError(error);
    }
  }, options.maxBatch);
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
    appendEvent: async (input) => (await submit({ type: 'event', input })) as AppendResult,
    quarantineRequest: async (input) => {
      await submit({ type: 'quarantine', input });
    },
    listEvents: (query) => guard(() => read.listEvents(query)),
    getEvent: (id) => guard(() => read.getEvent(id)),
    listQuarantine: (query) => guard(() => read.listQuarantine(query)),
    countEvents: () => guard(() => read.countEvents()),
    listEventsToProject: (limit) =>
      guard(() => read.listEvents({ after: calls.getProjectionPosition(), limit }).items),
    projectCalls: (batch, rules) => guard(() => projectCalls(batch, rules)),
    getProjectionPosition: () => guard(() => calls.getProjectionPosition()),
    listStaleCallKeys: (before, limit) => guard(() => calls.listStaleCallKeys(before, limit)),
    resetCalls: () => guard(() => resetCalls.immediate()),
    listCalls: (query) => guard(() => calls.listCalls(query)),
    getCall: (key) => guard(() => calls.getCall(key)),
    listCallEvents: (key) => guard(() => calls.listCallEvents(key)),
    listMissedCalls: (query) => guard(() => calls.listMissedCalls(query)),
    listCallFacts: (query) => guard(() => calls.listCallFacts(query)),
    listAgentFacts: (query) => guard(() => calls.listAgentFacts(query)),
    listLiveCalls: () => guard(() => calls.listLiveCalls()),
    summariseCalls: (query) => guard(() => summaries.summariseCalls(query)),
    summariseAgents: (query) => guard(() => summaries.summariseAgents(query)),
    checkWritable: () =>
      guard(() => {
        db.exec('BEGIN IMMEDIATE');
        db.exec('ROLLBACK');
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      await commits.drain();
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
