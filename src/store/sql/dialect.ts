import sql, { raw, type Sql } from 'sql-template-tag';

/** PostgreSQL: serialises folds across processes (one lock per schema), for the length of the transaction. */
export const LOCK_PROJECTION =
  "SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':telehook:projection'))";

/**
 * What differs between SQLite and PostgreSQL in the queries written once in sql-store.ts: booleans (integers in
 * SQLite), array membership (one JSON parameter read by json_each in SQLite, one array parameter with ANY in
 * PostgreSQL), conditional aggregates (FILTER in PostgreSQL), the row lock of a read-then-write, and the few places
 * where the two schemas name a call differently. Placeholders are the runner's: `?` in SQLite, `$n` in PostgreSQL.
 * Kept this small on purpose, as pg-boss does: a query builder could not wrap SQLite's synchronous group commit.
 */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** A boolean column as a condition. */
  isTrue(column: string): Sql;
  /** A boolean column's negation as a condition (SQLite: an equality an index can serve). */
  isFalse(column: string): Sql;
  /** `column` is one of `values`, bound as one parameter whatever their number. */
  anyOf(column: string, values: readonly (string | number)[], type: 'text' | 'bigint'): Sql;
  /** How many rows meet a condition (0 when none). */
  countIf(condition: Sql): Sql;
  /** The sum of an expression over the rows that meet a condition (0 when none). */
  sumIf(expression: Sql, condition: Sql): Sql;
  /** The scalar functions that pick the smaller and the larger of their arguments. */
  readonly least: string;
  readonly greatest: string;
  /** Locks the rows read, for a read-then-write in one transaction (SQLite's write lock already covers it). */
  readonly forUpdate: Sql;
  /**
   * A statement that takes a lock held until the transaction ends, ordering transactions that read then insert
   * (PostgreSQL's advisory lock); null in SQLite, whose IMMEDIATE transaction holds the write lock already.
   */
  transactionLock(key: number): Sql | null;
  /**
   * Takes the lock that serialises folds into calls (PostgreSQL: across processes, until the transaction ends), so
   * that a rewrite of calls (a number forgotten or masked) never interleaves with a fold; null in SQLite, where one
   * thread folds and a write transaction excludes every other.
   */
  readonly lockProjection: Sql | null;
  /** The column that identifies a call row (SQLite: its integer id; PostgreSQL: its key). */
  readonly callId: string;
  /** The column of call_links and call_agents that refers to {@link callId}. */
  readonly callRef: string;
  /** A text expression compared byte by byte, as SQLite compares text and as calls' keys sort (COLLATE "C"). */
  bytewise(expression: string): Sql;
  /**
   * After `FROM calls c` in a scan of a period's calls that reads only the narrow columns: SQLite's covering index
   * calls_facts (its planner otherwise may skip-scan the team or caller index and read every row); nothing in
   * PostgreSQL.
   */
  readonly factsIndex: Sql;
  /** The record of the call that has this key or TeleCMI id (one row, or none). */
  callRecordOf(identifier: string): Sql;
  /** Every event of the call with this key. */
  eventsOfCall(key: string, columns: string): Sql;
  /** A text or bytes column holds `needle` (bound as the same type) somewhere. */
  contains(column: string, needle: string | Uint8Array): Sql;
  /** One row when the table exists in the schema the connection works in, none when it does not. */
  tableExists(table: string): Sql;
}

const prefixed = (columns: string, alias: string): string =>
  columns
    .split(', ')
    .map((column) => `${alias}.${column}`)
    .join(', ');

export const sqliteDialect: Dialect = {
  contains: (column, needle) => sql`instr(${raw(column)}, ${needle}) > 0`,
  tableExists: (table) => sql`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ${table}`,
  name: 'sqlite',
  isTrue: (column) => raw(`${column} = 1`),
  isFalse: (column) => raw(`${column} = 0`),
  anyOf: (column, values) => sql`${raw(column)} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`,
  countIf: (condition) => sql`count(CASE WHEN ${condition} THEN 1 END)`,
  sumIf: (expression, condition) => sql`total(CASE WHEN ${condition} THEN ${expression} END)`,
  least: 'min',
  greatest: 'max',
  forUpdate: raw(''),
  transactionLock: () => null,
  lockProjection: null,
  callId: 'id',
  callRef: 'call_id',
  bytewise: (expression) => raw(expression),
  factsIndex: raw('INDEXED BY calls_facts'),
  // A call's key is one of its links: one lookup finds a call by its key or by any other TeleCMI id of it.
  callRecordOf: (identifier) =>
    sql`SELECT c.record FROM call_links l JOIN calls c ON c.id = l.call_id WHERE l.identifier = ${identifier}`,
  // Each link keeps the seqs of the events whose own call key is that id (`call_links.event_seqs`, written by the
  // fold), so a merge moves their events with it; the events table has no index on its call key (bench:insert).
  eventsOfCall: (key, columns) =>
    sql`SELECT ${raw(prefixed(columns, 'e'))}
      FROM call_links k JOIN calls c ON c.id = k.call_id AND c.key = ${key}
      JOIN call_links l ON l.call_id = c.id, json_each(l.event_seqs) j JOIN events e ON e.seq = j.value
      WHERE k.identifier = ${key} ORDER BY e.seq`,
};

export const postgresDialect: Dialect = {
  contains: (column, needle) => sql`position(${needle} in ${raw(column)}) > 0`,
  // current_schema() is null while the search_path's schema is not created yet: no row, as for a missing table.
  tableExists: (table) =>
    sql`SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = ${table}`,
  name: 'postgres',
  isTrue: (column) => raw(column),
  isFalse: (column) => raw(`NOT ${column}`),
  anyOf: (column, values, type) => sql`${raw(column)} = ANY(${values}::${raw(type)}[])`,
  countIf: (condition) => sql`count(*) FILTER (WHERE ${condition})`,
  sumIf: (expression, condition) => sql`coalesce(sum(${expression}) FILTER (WHERE ${condition}), 0)`,
  least: 'least',
  greatest: 'greatest',
  forUpdate: raw(' FOR UPDATE'),
  transactionLock: (key) => sql`SELECT pg_advisory_xact_lock(${key})`,
  lockProjection: raw(LOCK_PROJECTION),
  callId: 'key',
  callRef: 'call_key',
  bytewise: (expression) => raw(`${expression} COLLATE "C"`),
  factsIndex: raw(''),
  callRecordOf: (identifier) =>
    sql`SELECT record FROM (
        SELECT record, 0 AS rank FROM calls WHERE key = ${identifier}
        UNION ALL
        SELECT c.record, 1 FROM call_links l JOIN calls c ON c.key = l.call_key WHERE l.identifier = ${identifier}
      ) found ORDER BY rank LIMIT 1`,
  eventsOfCall: (key, columns) =>
    sql`SELECT ${raw(columns)} FROM events
      WHERE call_key IN (SELECT identifier FROM call_links WHERE call_key = ${key}) ORDER BY seq`,
};

/** A boolean as either database returns it (SQLite: 0 or 1). */
export const truthy = (value: unknown): boolean => value === true || value === 1;
