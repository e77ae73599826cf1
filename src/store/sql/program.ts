import type { Database, Statement } from 'better-sqlite3';

/**
 * A query written once for both databases: a generator that yields its statements and receives their results.
 * SQLite runs it synchronously (better-sqlite3 is synchronous, so a program can run inside the group commit's
 * transaction or a `transaction().immediate()`); PostgreSQL runs it awaiting each statement. The program itself
 * neither knows nor waits.
 *
 * @example
 * function* countEvents(): Program<number> {
 *   return (yield* one<{ n: number }>(sql`SELECT count(*) AS n FROM events`))!.n;
 * }
 */
export type Program<T> = Generator<Step, T, unknown>;

/** A statement and its values: built by sql-template-tag, or by {@link statement}. */
export interface Query {
  /** The text with `?` placeholders (SQLite). */
  readonly sql: string;
  /** The text with `$n` placeholders (PostgreSQL). */
  readonly text: string;
  readonly values: readonly unknown[];
  /** A PostgreSQL prepared statement's name: parsed and planned once per connection. */
  readonly name?: string;
}

let named = 0;

/**
 * A statement whose texts are built once, for a statement run often (the fold's): SQLite prepares it once,
 * PostgreSQL keeps it as a named prepared statement. `text` has `?` placeholders.
 */
export function statement(text: string): (...values: unknown[]) => Query {
  let n = 0;
  const postgres = text.replace(/\?/g, () => `$${++n}`);
  named += 1;
  const name = `telehook_${named}`;
  return (...values) => ({ sql: text, text: postgres, values, name });
}

/** One statement of a program: its rows are wanted (`all`), or how many rows it changed (`run`). */
export interface Step {
  readonly query: Query;
  readonly mode: 'all' | 'run';
}

/** The rows of a query. */
export function* all<Row>(query: Query): Program<Row[]> {
  return (yield { query, mode: 'all' }) as Row[];
}

/** The first row of a query, or undefined. */
export function* one<Row>(query: Query): Program<Row | undefined> {
  return (yield* all<Row>(query))[0];
}

/** Runs a statement; returns how many rows it changed. */
export function* run(query: Query): Program<number> {
  return (yield { query, mode: 'run' }) as number;
}

/** Runs a program to its end on SQLite, synchronously. */
export function runSync<T>(execute: (step: Step) => unknown, program: Program<T>): T {
  let next = program.next();
  while (!next.done) next = program.next(execute(next.value));
  return next.value;
}

/** Runs a program to its end on an asynchronous driver, one statement at a time. */
export async function runAsync<T>(
  execute: (step: Step) => Promise<unknown>,
  program: Program<T>,
): Promise<T> {
  let next = program.next();
  while (!next.done) next = program.next(await execute(next.value));
  return next.value;
}

/** SQLite binds neither booleans nor undefined. */
const bindable = (value: unknown): unknown =>
  value === true ? 1 : value === false ? 0 : value === undefined ? null : value;

/** Statements prepared once per text and connection; a query built from a filter has one text per shape. */
const MAX_PREPARED = 500;

/** What runs a program's statements on one better-sqlite3 connection. */
export function sqliteExecutor(db: Database): (step: Step) => unknown {
  const prepared = new Map<string, Statement>();
  return ({ query, mode }) => {
    const text = query.sql;
    let statement = prepared.get(text);
    if (!statement) {
      if (prepared.size >= MAX_PREPARED) prepared.clear();
      statement = db.prepare(text);
      prepared.set(text, statement);
    }
    const values = query.values.map(bindable);
    return mode === 'all' ? statement.all(...values) : statement.run(...values).changes;
  };
}

/** What an asynchronous PostgreSQL client offers (pg's Pool and PoolClient). */
export interface Queryable {
  query(config: {
    text: string;
    values: unknown[];
    name?: string;
  }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/**
 * PostgreSQL's text cannot hold U+0000 (it refuses the whole statement, which would read as the store being
 * unavailable); the append stores it as U+FFFD, so a lookup binds it the same way and finds what was stored.
 */
const postgresBindable = (value: unknown): unknown =>
  typeof value === 'string'
    ? value.replaceAll('\u0000', '\uFFFD')
    : Array.isArray(value)
      ? value.map(postgresBindable)
      : value;

/** What runs a program's statements on a PostgreSQL pool or client. */
export function postgresExecutor(client: Queryable): (step: Step) => Promise<unknown> {
  return async ({ query, mode }) => {
    const values = query.values.map(postgresBindable);
    const result = await client.query({ text: query.text, values, name: query.name });
    return mode === 'all' ? result.rows : (result.rowCount ?? 0);
  };
}
