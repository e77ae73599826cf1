import pg from 'pg';

import { coerceError, StoreError } from '../../errors.js';

/** SQLSTATE classes and codes after which the same write may succeed later (graphile-worker's table, trimmed). */
const RETRYABLE_SQLSTATE = /^(08|40|53|57P|55P03|25006)/;
/**
 * SQLSTATE classes by which PostgreSQL refuses a value of the write itself: data exception, integrity constraint,
 * and program limit exceeded (e.g. an id too long for a B-tree index entry).
 */
const DATA_SQLSTATE = /^(22|23|54)/;
const RETRYABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** What pg and pg-pool throw, as plain Errors, when the connection fails or the pool is closed. */
const CONNECTION_MESSAGES =
  /^(Connection terminated|timeout expired|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|Cannot use a pool after calling end|Query read timeout|There was an error establishing an SSL connection|The server does not support SSL)/;

/** Whether an error comes from PostgreSQL or from the connection to it (anything else is a bug in telehook). */
export function isDriverError(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) return true;
  if (!(error instanceof Error)) return false;
  const { code, syscall } = error as { code?: unknown; syscall?: unknown };
  return (typeof code === 'string' && typeof syscall === 'string') || CONNECTION_MESSAGES.test(error.message);
}

/**
 * A PostgreSQL or connection error as a StoreError (503), retryable when its SQLSTATE or errno says the same
 * write may succeed later; any other error is returned unchanged (a bug stays a bug: a 500 whose stack is logged).
 */
export function toStoreError(error: unknown): Error {
  if (error instanceof StoreError || !isDriverError(error)) return coerceError(error);
  const { code, message } = error as Error & { code?: unknown };
  const sqlstate = error instanceof pg.DatabaseError ? error.code : undefined;
  const retryable =
    sqlstate === undefined
      ? typeof code !== 'string' || RETRYABLE_ERRNO.has(code) || CONNECTION_MESSAGES.test(message)
      : RETRYABLE_SQLSTATE.test(sqlstate);
  return new StoreError(
    `PostgreSQL is unavailable (${typeof code === 'string' ? code : 'connection'}: ${message}).${
      retryable ? ' telehook carries on by itself once it answers again.' : ''
    }`,
    { cause: error, retryable, isDataError: sqlstate !== undefined && DATA_SQLSTATE.test(sqlstate) },
  );
}
