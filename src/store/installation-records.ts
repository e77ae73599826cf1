/**
 * What an installation keeps besides its events and the calls folded from them: people, endpoints and their
 * deliveries, alerts, follow-up actions, reconcile runs, quarantined requests, and the positions kept among them.
 * `telehook copy` moves them row by row through {@link InstallationStore}; each table is named with its columns
 * here, once, and the SQL that reads and writes them is written once for both databases (store/sql/installation.ts).
 */
export interface InstallationTable {
  /** The columns copied, as both schemas name them (never `seq`, which each database assigns). */
  readonly columns: readonly string[];
  /** The columns that identify a row in any installation (its unique key); empty when the table has none. */
  readonly key: readonly string[];
  /** Paged by `seq` (and its rows keep their order on the target); otherwise by the key's one column. */
  readonly hasSeq: boolean;
  /** Only read (the events' origin is read to append them again with their own dedupe key and source). */
  readonly readOnly?: boolean;
}

export const INSTALLATION_TABLES = {
  events: {
    columns: ['id', 'dedupe_key', 'source', 'rest_source'],
    key: ['id'],
    hasSeq: true,
    readOnly: true,
  },
  quarantine: {
    columns: ['id', 'received_at', 'reason', 'message', 'method', 'path', 'content_type', 'raw'],
    key: ['id'],
    hasSeq: true,
  },
  users: {
    columns: ['name', 'role', 'password_hash', 'created_at', 'updated_at'],
    key: ['name'],
    hasSeq: false,
  },
  endpoints: {
    columns: [
      'id',
      'url',
      'description',
      'receives',
      'format',
      'filter',
      'rate_limit',
      'timeout_ms',
      'enabled',
      'disabled_reason',
      'disabled_at',
      'secret',
      'previous_secret',
      'previous_secret_expires_at',
      'failing_since',
      'created_at',
      'updated_at',
    ],
    key: ['id'],
    hasSeq: false,
  },
  deliveries: {
    columns: [
      'id',
      'endpoint_id',
      'idempotency_key',
      'order_key',
      'type',
      'payload',
      'status',
      'attempt_count',
      'retry_step',
      'next_attempt_at',
      'claimed_by',
      'claimed_until',
      'created_at',
      'delivered_at',
    ],
    key: ['id'],
    hasSeq: true,
  },
  delivery_attempts: {
    columns: ['delivery_id', 'number', 'at', 'status_code', 'latency_ms', 'response', 'error'],
    key: ['delivery_id', 'number'],
    hasSeq: false,
  },
  delivery_cursors: { columns: ['name', 'position'], key: ['name'], hasSeq: false },
  alert_rules: { columns: ['name', 'settings', 'updated_at'], key: ['name'], hasSeq: false },
  alerts: {
    columns: [
      'id',
      'rule',
      'state',
      'fired_at',
      'resolved_at',
      'notified_at',
      'repeats',
      'summary',
      'details',
    ],
    key: ['id'],
    hasSeq: true,
  },
  followup_actions: { columns: ['number', 'action', 'note', 'by_name', 'at'], key: [], hasSeq: true },
  reconcile_runs: {
    columns: [
      'id',
      'status',
      'window_from',
      'window_to',
      'started_at',
      'finished_at',
      'heartbeat_at',
      'rows_fetched',
      'events_added',
      'calls_added',
      'errors',
    ],
    key: ['id'],
    hasSeq: true,
  },
  number_masking: { columns: ['data', 'position'], key: ['data'], hasSeq: false },
} as const satisfies Record<string, InstallationTable>;

export type InstallationTableName = keyof typeof INSTALLATION_TABLES;

/**
 * One row as its database returns it: numbers (PostgreSQL's bigints read as numbers), text, bytes, and booleans
 * as true/false or 1/0 (either database takes both); `seq` too when the table has one.
 */
export type InstallationRow = Readonly<Record<string, unknown>>;

/** Moving an installation to another database (`telehook copy`), as every store does it (part of the Store). */
export interface InstallationStore {
  /** A page of a table's rows in its order (`seq`, or the key), after the `next` of the previous page. */
  readInstallationRows(
    table: InstallationTableName,
    query: { after: string | null; limit: number },
  ): Promise<{ rows: InstallationRow[]; next: string | null }>;
  /** The rows whose `column` holds one of `values`, in table order. */
  findInstallationRows(
    table: InstallationTableName,
    column: string,
    values: readonly (string | number)[],
  ): Promise<InstallationRow[]>;
  /** The row with the highest `seq` at or before `seq`, or null. */
  findInstallationRowAtOrBefore(table: InstallationTableName, seq: number): Promise<InstallationRow | null>;
  /**
   * Writes rows in the order given, in one transaction: a row whose key is there already is replaced (so a copy
   * run again brings changed rows up to date); a table without a key gets them appended.
   */
  writeInstallationRows(table: InstallationTableName, rows: readonly InstallationRow[]): Promise<void>;
  /** How many rows the table holds. */
  countInstallationRows(table: InstallationTableName): Promise<number>;
}
