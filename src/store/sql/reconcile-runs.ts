import sql, { join, raw } from 'sql-template-tag';

import { INTERRUPTED, type ReconcileRow, reconcileUpdates, toReconcileRun } from '../reconcile-rows.js';
import type { NewReconcileRun, Page, PageQuery, ReconcileRun, ReconcileRunChanges } from '../store.js';
import type { Dialect } from './dialect.js';
import { all, one, type Program, run } from './program.js';

/**
 * The key of the lock that orders the starts of reconcile runs: under PostgreSQL's READ COMMITTED two processes
 * could both see no running run and both insert one (SQLite's IMMEDIATE transaction already orders them).
 */
const START_LOCK = 0x7465_6c17; // "tel" + issue 17

/**
 * Starts a run over a window unless one over an overlapping window is running (see Store.startReconcileRun); a
 * run whose heartbeat is older than the lease failed (its process died). One write transaction.
 */
export function* startReconcileRun(
  d: Dialect,
  newRun: NewReconcileRun,
  options: { now: number; leaseMs: number },
): Program<{ run: ReconcileRun; started: boolean }> {
  const lock = d.transactionLock(START_LOCK);
  if (lock) yield* all(lock);
  yield* run(sql`UPDATE reconcile_runs SET status = 'failed', finished_at = ${options.now},
      errors = ${JSON.stringify([INTERRUPTED])}
    WHERE status = 'running' AND heartbeat_at < ${options.now - options.leaseMs}`);
  const running = yield* one<ReconcileRow>(sql`SELECT * FROM reconcile_runs
    WHERE status = 'running' AND window_from <= ${newRun.to} AND window_to >= ${newRun.from} ORDER BY seq LIMIT 1`);
  if (running) return { run: toReconcileRun(running), started: false };
  const inserted = yield* one<ReconcileRow>(sql`INSERT INTO reconcile_runs
      (id, status, window_from, window_to, started_at, heartbeat_at)
    VALUES (${newRun.id}, 'running', ${newRun.from}, ${newRun.to}, ${newRun.startedAt}, ${newRun.startedAt})
    RETURNING *`);
  return { run: toReconcileRun(inserted!), started: true };
}

export function* updateReconcileRun(id: string, changes: ReconcileRunChanges): Program<ReconcileRun | null> {
  const sets = reconcileUpdates(changes).map(([column, value]) => sql`${raw(column)} = ${value}`);
  const row = yield* one<ReconcileRow>(
    sql`UPDATE reconcile_runs SET ${join(sets)} WHERE id = ${id} RETURNING *`,
  );
  return row ? toReconcileRun(row) : null;
}

export function* getReconcileRun(id: string): Program<ReconcileRun | null> {
  const row = yield* one<ReconcileRow>(sql`SELECT * FROM reconcile_runs WHERE id = ${id}`);
  return row ? toReconcileRun(row) : null;
}

/** The latest runs first, a page after the cursor `after` (a seq). */
export function* listReconcileRuns({ after, limit }: PageQuery): Program<Page<ReconcileRun>> {
  const rows = yield* all<ReconcileRow>(sql`SELECT * FROM reconcile_runs
    WHERE seq < ${after == null ? Number.MAX_SAFE_INTEGER : Number(after)} ORDER BY seq DESC LIMIT ${limit}`);
  const last = rows.at(-1);
  return { items: rows.map(toReconcileRun), next: rows.length === limit && last ? String(last.seq) : null };
}
