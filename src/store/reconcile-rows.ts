import type { ReconcileRun, ReconcileRunChanges, ReconcileRunError } from './store.js';

/** A reconcile_runs row as both adapters read it (PostgreSQL's bigints arrive as strings). */
export interface ReconcileRow {
  seq: number | string;
  id: string;
  status: string;
  window_from: number | string;
  window_to: number | string;
  started_at: number | string;
  finished_at: number | string | null;
  heartbeat_at: number | string;
  rows_fetched: number;
  events_added: number;
  calls_added: number;
  errors: string;
}

export const toReconcileRun = (row: ReconcileRow): ReconcileRun => ({
  id: row.id,
  status: row.status as ReconcileRun['status'],
  from: Number(row.window_from),
  to: Number(row.window_to),
  startedAt: Number(row.started_at),
  finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  heartbeatAt: Number(row.heartbeat_at),
  rowsFetched: row.rows_fetched,
  eventsAdded: row.events_added,
  callsAdded: row.calls_added,
  errors: JSON.parse(row.errors) as ReconcileRunError[],
});

/** The columns an update sets, in a fixed order, with their values: both adapters build the same statement. */
export function reconcileUpdates(changes: ReconcileRunChanges): [column: string, value: unknown][] {
  const updates: [string, unknown][] = [['heartbeat_at', changes.now]];
  if (changes.status !== undefined) updates.push(['status', changes.status]);
  if (changes.finishedAt !== undefined) updates.push(['finished_at', changes.finishedAt]);
  if (changes.rowsFetched !== undefined) updates.push(['rows_fetched', changes.rowsFetched]);
  if (changes.eventsAdded !== undefined) updates.push(['events_added', changes.eventsAdded]);
  if (changes.callsAdded !== undefined) updates.push(['calls_added', changes.callsAdded]);
  if (changes.errors !== undefined) updates.push(['errors', JSON.stringify(changes.errors)]);
  return updates;
}

/** The error a run gets when its process died: the next run over its window covers it again. */
export const INTERRUPTED: ReconcileRunError = {
  code: 'RECONCILE_INTERRUPTED',
  message: 'The run stopped without finishing (its process ended); a later run covers its window again.',
};
