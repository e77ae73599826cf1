import type { Database } from 'better-sqlite3';

import { type CallFold, runFold } from '../../calls-transaction.js';
import { bindPrograms, createCallsWrites } from '../../sql/calls-writes.js';
import { sqliteDialect } from '../../sql/dialect.js';
import { runSync, sqliteExecutor } from '../../sql/program.js';
import type { ProjectionBatch, ProjectionResult } from '../../store.js';

/**
 * The projection write path of the SQLite store: the fold (src/calls/fold.ts) over the calls transaction written
 * once (store/sql/calls-writes.ts), synchronously, in one transaction (see Store.projectCalls). This thread is
 * the only writer of the calls file, so the transaction may remember what it wrote between folds.
 */
export function prepareCallWrites(db: Database) {
  const writes = createCallsWrites(sqliteDialect, { singleWriter: true });
  const execute = sqliteExecutor(db);
  const fold = db.transaction((batch: ProjectionBatch, callFold: CallFold): ProjectionResult =>
    runFold(
      callFold.fold(batch),
      bindPrograms(writes.open(), (program) => runSync(execute, program)),
    ),
  );
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
    /** Forgets what is remembered between folds (after the calls are reset). */
    forget: writes.forget,
  };
}
