import type { Pool } from 'pg';

import { INTERRUPTED, type ReconcileRow, reconcileUpdates, toReconcileRun } from '../../reconcile-rows.js';
import type { NewReconcileRun, Page, PageQuery, ReconcileRun, ReconcileRunChanges } from '../../store.js';

/**
 * The key of the advisory lock that orders the starts of reconcile runs across processes: under READ COMMITTED two
 * transactions could both see no running run and both insert one; the lock makes the check and the insert one step.
 */
const START_LOCK = 0x7465_6c17; // "tel" + issue 17

/** The reconcile runs' queries. */
export function createReconcileQueries(pool: Pool) {
  const get = async (id: string): Promise<ReconcileRun | null> => {
    const { rows } = await pool.query<ReconcileRow>('SELECT * FROM reconcile_runs WHERE id = $1', [id]);
    return rows[0] ? toReconcileRun(rows[0]) : null;
  };
  return {
    start: async (
      run: NewReconcileRun,
      options: { now: number; leaseMs: number },
    ): Promise<{ run: ReconcileRun; started: boolean }> => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [START_LOCK]);
        await client.query(
          `UPDATE reconcile_runs SET status = 'failed', finished_at = $1, errors = $2
           WHERE status = 'running' AND heartbeat_at < $3`,
          [options.now, JSON.stringify([INTERRUPTED]), options.now - options.leaseMs],
        );
        const running = await client.query<ReconcileRow>(
          `SELECT * FROM reconcile_runs WHERE status = 'running' AND window_from <= $1 AND window_to >= $2
           ORDER BY seq LIMIT 1`,
          [run.to, run.from],
        );
        if (running.rows[0]) {
          await client.query('COMMIT');
          return { run: toReconcileRun(running.rows[0]), started: false };
        }
        const { rows } = await client.query<ReconcileRow>(
          `INSERT INTO reconcile_runs (id, status, window_from, window_to, started_at, heartbeat_at)
           VALUES ($1, 'running', $2, $3, $4, $4) RETURNING *`,
          [run.id, run.from, run.to, run.startedAt],
        );
        await client.query('COMMIT');
        return { run: toReconcileRun(rows[0]!), started: true };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    update: async (id: string, changes: ReconcileRunChanges): Promise<ReconcileRun | null> => {
      const updates = reconcileUpdates(changes);
      const { rows } = await pool.query<ReconcileRow>(
        `UPDATE reconcile_runs SET ${updates.map(([column], index) => `${column} = $${index + 1}`).join(', ')}
         WHERE id = $${updates.length + 1} RETURNING *`,
        [...updates.map(([, value]) => value), id],
      );
      return rows[0] ? toReconcileRun(rows[0]) : null;
    },
    get,
    list: async ({ after, limit }: PageQuery): Promise<Page<ReconcileRun>> => {
      const { rows } = await pool.query<ReconcileRow>(
        'SELECT * FROM reconcile_runs WHERE seq < $1 ORDER BY seq DESC LIMIT $2',
        [after == null ? Number.MAX_SAFE_INTEGER : Number(after), limit],
      );
      const last = rows.at(-1);
      return {
        items: rows.map(toReconcileRun),
        next: rows.length === limit && last ? String(last.seq) : null,
      };
    },
  };
}
