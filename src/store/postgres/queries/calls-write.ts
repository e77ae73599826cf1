import type { PoolClient } from 'pg';

import { type CallFold, runFoldAsync } from '../../calls-transaction.js';
import { bindPrograms, createCallsWrites } from '../../sql/calls-writes.js';
import { postgresDialect } from '../../sql/dialect.js';
import { postgresExecutor, runAsync } from '../../sql/program.js';
import type { ProjectionBatch, ProjectionResult, StoredEvent } from '../../store.js';

/** Serialises folds across processes (one lock per schema), for the length of the caller's transaction. */
export const LOCK_PROJECTION =
  "SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':telehook:projection'))";

/** What a fold did, and which of the given events it folded (another process may have folded the rest). */
export interface FoldOutcome extends ProjectionResult {
  readonly folded: StoredEvent[];
}

/** Several processes fold into one database: the transaction remembers nothing between folds. */
const writes = createCallsWrites(postgresDialect, { singleWriter: false });

/**
 * Folds events into calls inside the caller's transaction (see Store.projectCalls), over the calls transaction
 * written once (store/sql/calls-writes.ts). Folds are serialised across processes by a transaction advisory lock,
 * so that two processes receiving events of the same call at the same moment never project it from different
 * partial views; each event is dequeued by the fold that folds it, so an event folded by another process meanwhile
 * is skipped.
 */
export async function foldCalls(
  client: PoolClient,
  batch: ProjectionBatch,
  callFold: CallFold,
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
  const tx = bindPrograms(writes.open(), (program) => runAsync(execute, program));
  const result = await runFoldAsync(callFold.fold({ ...batch, events }), tx);
  return { ...result, folded: events };
}
