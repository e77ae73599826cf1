import type {
  InstallationRow,
  InstallationTableName,
  NewEvent,
  Store,
  StoredEvent,
} from '../../store/index.js';
import { INSTALLATION_TABLES } from '../../store/index.js';
import type { RestRowSource } from '../../telecmi/index.js';
import { UsageError } from '../usage-error.js';

/**
 * What `telehook copy` carries besides the events, table by table, in the order written (endpoints before their
 * deliveries, deliveries before their attempts). Not copied: sessions (people sign in again on the target), and
 * what the target derives from the events (calls, call_links, call_agents, projection_state, projection_queue,
 * fold_failures, live_changes: rebuilt by the fold). delivery_cursors and number_masking hold positions among rows
 * whose seqs differ on the target: they are translated after the rows are copied (translatePositions).
 */
export const COPIED_TABLES = [
  'quarantine',
  'users',
  'endpoints',
  'alert_rules',
  'alerts',
  'reconcile_runs',
  'followup_actions',
  'deliveries',
] as const satisfies readonly InstallationTableName[];

/** The tables whose counts the copy compares at the end (attempts come with their deliveries). */
export const VERIFIED_TABLES = [
  ...COPIED_TABLES,
  'delivery_attempts',
  'delivery_cursors',
] as const satisfies readonly InstallationTableName[];

const PAGE = 500;

/** Every row of a table, page by page. */
async function* rowsOf(store: Store, table: InstallationTableName): AsyncGenerator<InstallationRow[]> {
  let after: string | null = null;
  do {
    const page = await store.readInstallationRows(table, { after, limit: PAGE });
    if (page.rows.length > 0) yield page.rows;
    after = page.next;
  } while (after !== null);
}

const withoutSeq = ({ seq: _seq, ...row }: InstallationRow): InstallationRow => row;

/** Two rows hold the same values (a boolean as true or 1, bytes as bytes). */
function isSameRow(table: InstallationTableName, a: InstallationRow, b: InstallationRow): boolean {
  const plain = (value: unknown): unknown =>
    value === true ? 1 : value === false ? 0 : Buffer.isBuffer(value) ? value.toString('base64') : value;
  return INSTALLATION_TABLES[table].columns.every((column) => plain(a[column]) === plain(b[column]));
}

const refusal = (table: string, detail: string): UsageError =>
  new UsageError(
    `--to holds ${table} of another installation (${detail}); copy would mix two installations. ` +
      'Copy into an empty database (or schema), or into the one a previous copy of this installation filled.',
  );

/**
 * Refuses, before anything is written, a target that holds rows the source does not have: another installation's
 * (or rows the source has deleted since a previous copy). Rows the source has too are a previous run's.
 */
export async function checkTargetIsOurs(source: Store, target: Store): Promise<void> {
  const events = await target.countEvents();
  if (events > 0) {
    const [first] = (await source.listEvents({ after: null, limit: 1 })).items;
    if (first === undefined || (await target.getEvent(first.id)) === null)
      throw refusal('events', `${events} events, not this installation's first`);
  }
  for (const table of COPIED_TABLES) {
    const held = await target.countInstallationRows(table);
    if (held === 0) continue;
    const [key] = INSTALLATION_TABLES[table].key;
    let known = 0;
    if (key === undefined) {
      // Follow-up actions have no key (and are few: what people did): a previous copy wrote the source's first
      // rows, in order.
      const theirs: InstallationRow[] = [];
      for await (const page of rowsOf(target, table)) theirs.push(...page);
      const mine: InstallationRow[] = [];
      for await (const page of rowsOf(source, table)) {
        mine.push(...page);
        if (mine.length >= theirs.length) break;
      }
      for (const [index, row] of theirs.entries()) {
        const own = mine[index];
        if (own === undefined || !isSameRow(table, own, row))
          throw refusal(table, `${held} rows, row ${index + 1} not this installation's`);
      }
      known = held;
    } else {
      for await (const page of rowsOf(source, table)) {
        const keys = page.map((row) => row[key] as string);
        known += (await target.findInstallationRows(table, key, keys)).length;
      }
    }
    if (known < held) throw refusal(table, `${held} rows, ${held - known} of them not in --from`);
  }
}

/** How many rows of each table are new on the target. */
export type CopiedCounts = Partial<Record<InstallationTableName, number>>;

/** Copies every row of {@link COPIED_TABLES} (deliveries with their attempts), replacing those copied before. */
export async function copyTables(
  source: Store,
  target: Store,
  onTable: (table: InstallationTableName, rows: number) => void,
): Promise<CopiedCounts> {
  const counts: CopiedCounts = {};
  for (const table of COPIED_TABLES) {
    const before = await target.countInstallationRows(table);
    // Rows without a key cannot be recognised: skip those a previous run wrote (checkTargetIsOurs compared them).
    let skip = INSTALLATION_TABLES[table].key.length === 0 ? before : 0;
    let rows = 0;
    for await (const page of rowsOf(source, table)) {
      const fresh = page.slice(Math.min(skip, page.length));
      skip -= page.length - fresh.length;
      await target.writeInstallationRows(table, fresh.map(withoutSeq));
      if (table === 'deliveries') {
        const ids = page.map((row) => row['id'] as string);
        const attempts = await source.findInstallationRows('delivery_attempts', 'delivery_id', ids);
        await target.writeInstallationRows('delivery_attempts', attempts);
      }
      rows += page.length;
    }
    counts[table] = (await target.countInstallationRows(table)) - before;
    onTable(table, rows);
  }
  return counts;
}

/** An event as it was first appended: its own dedupe key (the SHA-256 the receiver or backfill computed) and source. */
export async function withOrigins(source: Store, events: readonly StoredEvent[]): Promise<NewEvent[]> {
  const rows = await source.findInstallationRows(
    'events',
    'id',
    events.map((event) => event.id),
  );
  const origins = new Map(rows.map((row) => [row['id'] as string, row]));
  return events.map((stored) => {
    const { method, contentType, cursor: _cursor, source: from, ...event } = stored;
    const origin = origins.get(stored.id);
    if (!origin) throw new Error(`event ${stored.id} vanished from --from while it was copied`);
    // SQLite keeps the payload's time before the SHA-256 (dedupe-key.ts), PostgreSQL the SHA-256 alone.
    const key = origin['dedupe_key'] as Buffer;
    const restSource = origin['rest_source'] as string | null;
    return {
      event,
      body: Buffer.from(stored.raw, 'utf8'),
      dedupeKey: key.subarray(key.length - 32).toString('hex'),
      method,
      contentType,
      source: from,
      restSource: restSource === null ? null : (JSON.parse(restSource) as RestRowSource),
    };
  });
}

/** The target's seq of the row that is at or before `position` (a source seq) on the source; '' when none. */
async function translateSeq(
  source: Store,
  target: Store,
  table: InstallationTableName,
  position: string,
): Promise<string> {
  if (!/^\d+$/.test(position)) return position;
  const row = await source.findInstallationRowAtOrBefore(table, Number(position));
  if (row === null) return table === 'events' ? '0' : '';
  if (table === 'events') return (await target.getEvent(row['id'] as string))?.cursor ?? '0';
  const [key] = INSTALLATION_TABLES[table].key;
  const column = key ?? 'at';
  const found = await target.findInstallationRows(table, column, [row[column] as string | number]);
  // Keyed rows by their key alone (the source may have changed one since); follow-up actions by all they hold.
  const same = key === undefined ? found.find((candidate) => isSameRow(table, candidate, row)) : found[0];
  if (!same) throw new Error(`${table} row ${String(row['seq'])} is missing on the target`);
  return String(same['seq']);
}

/** The data of number_masking whose position is a seq of this table (`calls` holds a start time and a key). */
const MASKED_TABLE: Record<string, InstallationTableName> = {
  deliveries: 'deliveries',
  alerts: 'alerts',
  followups: 'followup_actions',
  quarantine: 'quarantine',
};

/**
 * The positions kept among rows, translated to the target's seqs: the delivery scheduler's position among the
 * events (so that the target forwards what the source had not, and nothing it had), and how far the masking of
 * old numbers went through each table.
 */
export async function translatePositions(source: Store, target: Store): Promise<void> {
  const cursors: InstallationRow[] = [];
  for await (const page of rowsOf(source, 'delivery_cursors'))
    for (const row of page)
      cursors.push({
        ...row,
        position: await translateSeq(source, target, 'events', row['position'] as string),
      });
  await target.writeInstallationRows('delivery_cursors', cursors);
  const masking: InstallationRow[] = [];
  for await (const page of rowsOf(source, 'number_masking'))
    for (const row of page) {
      const table = MASKED_TABLE[row['data'] as string];
      const position = row['position'] as string;
      masking.push(
        table === undefined ? row : { ...row, position: await translateSeq(source, target, table, position) },
      );
    }
  await target.writeInstallationRows('number_masking', masking);
}

/** Compares each table's count on both sides; the lines to print, or throws naming the tables that differ. */
export async function verifyCounts(source: Store, target: Store): Promise<string> {
  const parts: string[] = [];
  const differ: string[] = [];
  for (const table of VERIFIED_TABLES) {
    const [mine, theirs] = await Promise.all([
      source.countInstallationRows(table),
      target.countInstallationRows(table),
    ]);
    parts.push(`${table} ${theirs}`);
    if (mine !== theirs) differ.push(`${table}: ${mine} in --from, ${theirs} in --to`);
  }
  if (differ.length > 0) throw new Error(`verification failed: ${differ.join('; ')}. Run copy again.`);
  return parts.join(', ');
}
