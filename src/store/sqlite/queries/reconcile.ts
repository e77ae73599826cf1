import type { Database } from 'better-sqlite3';

import { INTERRUPTED, type ReconcileRow, reconcileUpdates, toReconcileRun } from '../../reconcile-rows.js';
import type { NewReconcileRun, Page, PageQuery, ReconcileRun, ReconcileRunChanges } from '../../store.js';

/** The reconcile runs' queries. Starting a run is one IMMEDIATE transaction: the write lock orders two starts. */
export function prepareReconcileQueries(db: Database, readDb: Database) {
  const expire = db.prepare(
    `UPDATE reconcile_runs SET status = 'failed', finished_at = @now, errors = @errors
     WHERE status = 'running' AND heartbeat_at < @before`,
  );
  const overlapping = db.prepare(
    `SELECT * FROM reconcile_runs WHERE status = 'running' AND window_from <= @to AND window_to >= @from
     ORDER BY seq LIMIT 1`,
  );
  const insert = db.prepare(
    `INSERT INTO reconcile_runs (id, status, window_from, window_to, started_at, heartbeat_at)
     VALUES (@id, 'running', @from, @to, @startedAt, @startedAt)`,
  );
  const byId = db.prepare('SELECT * FROM reconcile_runs WHERE id = ?');
  const readById = readDb.prepare('SELECT * FROM reconcile_runs WHERE id = ?');
  const list = readDb.prepare('SELECT * FROM reconcile_runs WHERE seq < ? ORDER BY seq DESC LIMIT ?');
  const start = db.transaction(
    (run: NewReconcileRun, now: number, leaseMs: number): { run: ReconcileRun; started: boolean } => {
      expire.run({ now, before: now - leaseMs, errors: JSON.stringify([INTERRUPTED]) });
      const running = overlapping.get({ from: run.from, to: run.to }) as ReconcileRow | undefined;
      if (running) return { run: toReconcileRun(running), started: false };
      insert.run(run);
      return { run: toReconcileRun(byId.get(run.id) as ReconcileRow), started: true };
    },
  );
  return {
    start: (run: NewReconcileRun, options: { now: number; leaseMs: number }) =>
      start.immediate(run, options.now, options.leaseMs),
    update: (id: string, changes: ReconcileRunChanges): ReconcileRun | null => {
      const updates = reconcileUpdates(changes);
      db.prepare(
        `UPDATE reconcile_runs SET ${updates.map(([column]) => `${column} = ?`).join(', ')} WHERE id = ?`,
      ).run(...updates.map(([, value]) => value), id);
      const row = byId.get(id) as ReconcileRow | undefined;
      return row ? toReconcileRun(row) : null;
    },
    get: (id: string): ReconcileRun | null => {
      const row = readById.get(id) as ReconcileRow | undefined;
      return row ? toReconcileRun(row) : null;
    },
    list: ({ after, limit }: PageQuery): Page<ReconcileRun> => {
      const rows = list.all(after == null ? Number.MAX_SAFE_INTEGER : Number(after), limit) as ReconcileRow[];
      const last = rows.at(-1);
      return {
        items: rows.map(toReconcileRun),
        next: rows.length === limit && last ? String(last.seq) : null,
      };
    },
  };
}
