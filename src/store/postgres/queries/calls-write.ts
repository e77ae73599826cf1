import type { PoolClient } from 'pg';

import { type CallFold, runFoldAsync } from '../../calls-transaction.js';
import { bindPrograms, type CallsWrites } from '../../sql/calls-writes.js';
import { LOCK_PROJECTION } from '../../sql/dialect.js';
import { postgresExecutor, runAsync } from '../../sql/program.js';
import type { ProjectionBatch, ProjectionResult, StoredEvent } from '../../store.js';

/** What a fold did, and which of the given events it folded (another process may have folded the rest). */
export interface FoldOutcome extends ProjectionResult {
  readonly folded: StoredEvent[];
}

/**
 * Folds events into calls inside the caller's transaction (see Store.projectCalls), over the calls transaction
 * written once (store/sql/calls-writes.ts), which remembers nothing between folds but how many maskings of numbers
 * it has seen: several processes fold into one database. Folds are serialised across processes by a transaction
 * advisory lock, so that two processes receiving events of the same call at the same moment never project it from
 * different partial views; each event is dequeued by the fold that folds it, so an event folded by another process
 * meanwhile is skipped.
 */
export async function foldCalls(
  client: PoolClient,
  batch: ProjectionBatch,
  callFold: CallFold,
  writes: CallsWrites,
): Promise<FoldOutcome> {
  await client.query(LOCK_PROJECTION);
  let events: StoredEvent[] = [];
  if (batch.events.length > 0) {
    const claimed = new Set(
      (
        await client.query<{ seq: number }>(
          'DELETE FROM projection_queue WHERE seq = ANY($1::bigint[]) RETURNING seq',
          [batch.events.map((event) => Number(event.cursor))],
        )
      ).rows.map((row) => String(row.seq)),
    );
    events = batch.events.filter((event) => claimed.has(event.cursor));
  }
  const execute = postgresExecutor(client);
  events = (await runAsync(execute, writes.readMasked(events)))?.events ?? events;
  const tx = bindPrograms(writes.open(), (program) => runAsync(execute, program));
  const result = await runFoldAsync(callFold.fold({ ...batch, events }), tx);
  return { ...result, folded: events };
}
