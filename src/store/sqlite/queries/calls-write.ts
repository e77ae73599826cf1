import type { Database } from 'better-sqlite3';

import { type CallFold, runFold } from '../../calls-transaction.js';
import { bindPrograms, createCallsWrites } from '../../sql/calls-writes.js';
import { sqliteDialect } from '../../sql/dialect.js';
import { runSync, sqliteExecutor } from '../../sql/program.js';
import type { ProjectionBatch, ProjectionResult } from '../../store.js';

/**
 * The projection write path of the SQLite store: the fold (src/calls/fold.ts) over the calls transaction written
 * once (store/sql/calls-writes.ts), synchronously, in one transaction (see Store.projectCalls). This thread is
 * the only writer of the calls file, so the transaction may remember what it wrote between folds. After a masking of
 * numbers, `onNumbersMasked(upTo)`: the events up to `upTo` the store holds in memory are to be read again.
 */
export function prepareCallWrites(db: Database, onNumbersMasked: (upTo: number) => void) {
  const writes = createCallsWrites(sqliteDialect, { singleWriter: true });
  const execute = sqliteExecutor(db);
  const fold = db.transaction((batch: ProjectionBatch, callFold: CallFold): ProjectionResult => {
    const masked = runSync(execute, writes.readMasked(batch.events));
    if (masked) onNumbersMasked(masked.upTo);
    const tx = bindPrograms(writes.open(), (program) => runSync(execute, program));
    const result = runFold(callFold.fold(masked ? { ...batch, events: masked.events } : batch), tx);
    return masked ? { ...result, folded: masked.events } : result;
  });
  return {
    fold: (batch: ProjectionBatch, callFold: CallFold): ProjectionResult => {
      try {
        return fold.deferred(batch, callFold);
      } catch (error) {
        // A rolled-back fold leaves what is remembered ahead of the database.
        writes.forget();
        throw error;
      }
    },
    forget: writes.forget,
  };
}
