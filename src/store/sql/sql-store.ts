import sql, { bulk, join, raw, type Sql } from 'sql-template-tag';

import type { AlertStore } from '../alert-records.js';
import {
  type CallSortValue,
  decodeCallCursor,
  decodeSortedCallCursor,
  encodeCallCursor,
  encodeSortedCallCursor,
} from '../call-cursor.js';
import type { Call } from '../call-record.js';
import type {
  AttemptRecord,
  AttemptResult,
  Delivery,
  DeliveryAttempt,
  DeliveryQuery,
  EndpointChanges,
  NewDelivery,
} from '../delivery-records.js';
import {
  type AttemptRow,
  COLUMNS,
  DELIVERY_COLUMNS,
  type DeliveryRow,
  type EndpointRow,
  toAttempt,
  toDelivery,
  toEndpoint,
} from '../delivery-rows.js';
import type { FollowupStore } from '../followup-records.js';
import type { InstallationStore } from '../installation-records.js';
import type { PeopleStore } from '../people-records.js';
import { readCallRecord, readCallRecords } from '../servable.js';
import type {
  CallFilter,
  CallQuery,
  CallSort,
  FactsQuery,
  Page,
  Store,
  StoredEvent,
  SummaryQuery,
} from '../store.js';
import {
  EVENT_COLUMNS,
  type EventRow,
  type QuarantineRow,
  toEvent,
  toPage,
  toQuarantined,
} from '../stored-event.js';
import { createAlertQueries } from './alerts.js';
import { type Dialect, truthy } from './dialect.js';
import { createFollowupQueries } from './followups.js';
import { createInstallationQueries } from './installation.js';
import { maskNumbersBatch, WRITE_PATH } from './number-masking.js';
import { createPeopleQueries } from './people.js';
import { all, one, type Program, run } from './program.js';
import {
  getReconcileRun,
  listReconcileRuns,
  startReconcileRun,
  updateReconcileRun,
} from './reconcile-runs.js';
import { pruneBatch, replaceNumberBatch } from './retention.js';

/** What an adapter gives the queries written once: its dialect and how it runs a program. */
export interface Engine {
  readonly dialect: Dialect;
  /** Runs a program that only reads (guarded: a closed store or a driver error rejects with a StoreError). */
  read<T>(program: Program<T>): Promise<T>;
  /**
   * Runs a program in one write transaction. `data` says what it writes: SQLite keeps endpoints (configuration)
   * on a connection that fsyncs every commit, and the delivery queue on one that does not (a lost last moment
   * only sends a delivery again, which receivers recognise by its webhook-id).
   */
  write<T>(data: 'config' | 'queue' | 'calls', program: Program<T>): Promise<T>;
}

/** The Store methods written once, for both adapters. */
export type SqlStore = Pick<
  Store,
  | 'listEvents'
  | 'getEvent'
  | 'listQuarantine'
  | 'countEvents'
  | 'listEventsReceived'
  | 'countEventsReceived'
  | 'countFoldFailures'
  | 'getProjectionPosition'
  | 'listStaleCallKeys'
  | 'listCalls'
  | 'listCallRecords'
  | 'getCall'
  | 'listCallEvents'
  | 'listMissedCalls'
  | 'listCallFacts'
  | 'listAgentFacts'
  | 'summariseCalls'
  | 'summariseAgents'
  | 'listRepeatCallers'
  | 'listLiveCalls'
  | 'createEndpoint'
  | 'getEndpoint'
  | 'listEndpoints'
  | 'updateEndpoint'
  | 'deleteEndpoint'
  | 'enqueueDeliveries'
  | 'getDeliveryCursor'
  | 'recordAttempt'
  | 'releaseClaims'
  | 'getDelivery'
  | 'listDeliveries'
  | 'countDeliveries'
  | 'retryDelivery'
  | 'retryDeliveries'
  | 'startReconcileRun'
  | 'updateReconcileRun'
  | 'getReconcileRun'
  | 'listReconcileRuns'
  | 'pruneData'
  | 'replaceNumber'
  | 'maskOldNumbers'
> &
  PeopleStore &
  AlertStore &
  FollowupStore &
  InstallationStore & {
    /** Events by their sequence numbers, in store order. */
    eventsBySeq(seqs: readonly number[]): Promise<StoredEvent[]>;
    /** Calls by key (those that still exist). */
    callsByKey(keys: readonly string[]): Promise<Call[]>;
  };

const EVENTS = raw(EVENT_COLUMNS);
const DELIVERIES = raw(DELIVERY_COLUMNS);
/** Rows in one multi-row insert: a bounded number of statement texts for SQLite to keep prepared. */
const INSERT_CHUNK = 100;

const andAll = (conditions: Sql[]): Sql => join(conditions, ' AND ');

/** SQL conditions for a call filter, on the `calls` table aliased `c`. */
function callConditions(d: Dialect, filter: CallFilter, inBuckets = false): Sql[] {
  // Joined to period buckets, `NOT c.leg_only` on both engines rather than SQLite's `leg_only = 0`: the equality
  // invites SQLite to build an automatic index on leg_only for the join and then to compare every call with every
  // bucket (a month by 15 minutes took 8–23 s instead of 0.1 s; bench:queries). Elsewhere the equality plans best.
  const where = [inBuckets ? raw('NOT c.leg_only') : d.isFalse('c.leg_only')];
  if (filter.from !== undefined) where.push(sql`c.started_at >= ${filter.from}`);
  if (filter.to !== undefined) where.push(sql`c.started_at < ${filter.to}`);
  if (filter.outcome !== undefined) where.push(sql`c.outcome = ${filter.outcome}`);
  if (filter.state !== undefined) where.push(sql`c.state = ${filter.state}`);
  if (filter.direction !== undefined) where.push(sql`c.direction = ${filter.direction}`);
  if (filter.team !== undefined) where.push(sql`c.team = ${filter.team}`);
  const { number, agent } = filter;
  if (number !== undefined)
    where.push(sql`(c.from_number = ${number} OR c.to_number = ${number} OR c.virtual_number = ${number})`);
  if (filter.numberContains !== undefined) {
    // Digits only (the API keeps nothing else), so the pattern needs no escape; no index serves it: the page
    // walks the start-time index and reads rows until it has a page of matches.
    const pattern = `%${filter.numberContains.replace(/\D/g, '')}%`;
    where.push(
      sql`(c.from_number LIKE ${pattern} OR c.to_number LIKE ${pattern} OR c.virtual_number LIKE ${pattern})`,
    );
  }
  // Recovered calls are few: a page of them reads the partial index calls_backfilled (the same condition).
  if (filter.source === 'backfill') where.push(d.isTrue('c.backfilled'));
  if (filter.source === 'webhook') where.push(d.isFalse('c.backfilled'));
  if (agent !== undefined)
    where.push(sql`(c.answered_by = ${agent} OR c.placed_by = ${agent} OR EXISTS (SELECT 1 FROM call_agents a
      WHERE a.${raw(d.callRef)} = c.${raw(d.callId)} AND a.agent = ${agent}))`);
  return where;
}

/** A period bucket for the summaries: its index, start and end (epoch ms, end excluded). */
type Range = [number, number, number];

// The buckets are joined as `b CROSS JOIN calls`, which keeps SQLite's loop over the buckets outermost, each reading
// its calls through the start-time index.
const rangeRows = (ranges: readonly Range[]): Sql =>
  join(
    ranges.map(
      ([index, start, end]) =>
        sql`(CAST(${index} AS integer), CAST(${start} AS bigint), CAST(${end} AS bigint))`,
    ),
  );

/**
 * The periods a summary counts calls in, each with its bucket: the buckets (each up to the next, the last up to
 * `to`), cut to the `within` periods when there are some; or the `within` periods alone. Undefined: all of
 * [from, to), read through the index on the start time alone.
 */
function summaryRanges(query: SummaryQuery): Range[] | undefined {
  const within = query.within;
  if (typeof query.groupBy !== 'object')
    return within && within.map((range): Range => [0, range.start, range.end]);
  const starts = query.groupBy.bucketStarts;
  const buckets = starts.map((start, index): Range => [index, start, starts[index + 1] ?? query.to]);
  if (!within) return buckets;
  const cut: Range[] = [];
  let next = 0;
  for (const [index, start, end] of buckets) {
    while (next < within.length && within[next]!.end <= start) next += 1;
    for (let at = next; at < within.length && within[at]!.start < end; at += 1) {
      const from = Math.max(start, within[at]!.start);
      const to = Math.min(end, within[at]!.end);
      if (from < to) cut.push([index, from, to]);
    }
  }
  return cut;
}

function agentConditions(query: FactsQuery): Sql[] {
  const where = [sql`a.rang_at >= ${query.from}`, sql`a.rang_at < ${query.to}`];
  if (query.team !== undefined) where.push(sql`a.team = ${query.team}`);
  if (query.agent !== undefined) where.push(sql`a.agent = ${query.agent}`);
  return where;
}

/**
 * What a call list sorts by, other than the start time: never null (no value sorts as the smallest), so that a
 * cursor's row-value comparison sees every call. Text compares byte by byte on both engines.
 */
const SORT_EXPRESSIONS: Record<Exclude<CallSort, 'started'>, { expression: string; text: boolean }> = {
  waited: { expression: 'coalesce(c.waited_sec, -1)', text: false },
  talked: { expression: 'coalesce(c.talk_sec, -1)', text: false },
  outcome: { expression: "coalesce(c.outcome, '')", text: true },
  from: { expression: "coalesce(c.from_number, '')", text: true },
  to: { expression: "coalesce(c.to_number, '')", text: true },
  team: { expression: "coalesce(c.team, '')", text: true },
  agent: { expression: "coalesce(c.answered_by, c.placed_by, '')", text: true },
};

/** The records of the calls of a query and the cursor after the last (its sort value, start time and key). */
function* callRecords(d: Dialect, query: CallQuery): Program<Page<string>> {
  const sort = query.sort ?? 'started';
  if (sort !== 'started') return yield* sortedCallRecords(d, query, sort);
  const where = callConditions(d, query);
  const descending = query.order !== 'asc';
  if (query.after) {
    const cursor = decodeCallCursor(query.after);
    where.push(
      sql`(c.started_at, c.key) ${raw(descending ? '<' : '>')} (${cursor.startedAt}, ${cursor.key})`,
    );
  }
  const direction = raw(descending ? 'DESC' : 'ASC');
  const rows = yield* all<{ record: string; started_at: number; key: string }>(
    sql`SELECT c.record, c.started_at, c.key FROM calls c WHERE ${andAll(where)}
      ORDER BY c.started_at ${direction}, c.key ${direction} LIMIT ${query.limit}`,
  );
  const last = rows.at(-1);
  return {
    items: rows.map((row) => row.record),
    next:
      rows.length === query.limit && last
        ? encodeCallCursor({ startedAt: last.started_at, key: last.key })
        : null,
  };
}

/**
 * A page sorted by another column than the start time. The page's calls are chosen first from the narrow columns
 * (on SQLite from the covering index calls_facts, without reading the rows' records), then only their records are
 * read: sorting a month of calls with their JSON would carry every record through the sort.
 */
function* sortedCallRecords(
  d: Dialect,
  query: CallQuery,
  sort: Exclude<CallSort, 'started'>,
): Program<Page<string>> {
  const { expression, text } = SORT_EXPRESSIONS[sort];
  const value = text ? d.bytewise(expression) : raw(expression);
  const where = callConditions(d, query);
  const descending = query.order !== 'asc';
  if (query.after) {
    const cursor = decodeSortedCallCursor(sort, query.after);
    where.push(
      sql`(${value}, c.started_at, c.key) ${raw(descending ? '<' : '>')} (${cursor.value}, ${cursor.startedAt}, ${cursor.key})`,
    );
  }
  const direction = raw(descending ? 'DESC' : 'ASC');
  const id = raw(d.callId);
  const rows = yield* all<{ record: string; value: CallSortValue; started_at: number; key: string }>(
    sql`SELECT c.record, p.value, c.started_at, c.key
      FROM (SELECT c.${id} AS id, ${value} AS value, c.started_at AS started_at, c.key AS key
        FROM calls c ${d.factsIndex} WHERE ${andAll(where)}
        ORDER BY 2 ${direction}, 3 ${direction}, 4 ${direction} LIMIT ${query.limit}) p
      JOIN calls c ON c.${id} = p.id
      ORDER BY p.value ${direction}, p.started_at ${direction}, p.key ${direction}`,
  );
  const last = rows.at(-1);
  return {
    items: rows.map((row) => row.record),
    next:
      rows.length === query.limit && last
        ? encodeSortedCallCursor(sort, {
            value: text ? String(last.value) : Number(last.value),
            startedAt: Number(last.started_at),
            key: last.key,
          })
        : null,
  };
}

function* deliveriesWithAttempts(d: Dialect, rows: DeliveryRow[]): Program<Delivery[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const byId = new Map<string, DeliveryAttempt[]>(ids.map((id) => [id, []]));
  const attempts = yield* all<AttemptRow>(
    sql`SELECT * FROM delivery_attempts WHERE ${d.anyOf('delivery_id', ids, 'text')} ORDER BY delivery_id, number`,
  );
  for (const row of attempts) byId.get(row.delivery_id)?.push(toAttempt(row));
  return rows.map((row) => toDelivery(row, byId.get(row.id) ?? []));
}

function* getDelivery(d: Dialect, id: string): Program<Delivery | null> {
  const rows = yield* all<DeliveryRow>(sql`SELECT ${DELIVERIES} FROM deliveries WHERE id = ${id}`);
  return (yield* deliveriesWithAttempts(d, rows))[0] ?? null;
}

function deliveryConditions(query: Omit<DeliveryQuery, 'limit'>): Sql {
  const where: Sql[] = [];
  if (query.status !== undefined) where.push(sql`status = ${query.status}`);
  if (query.endpointId !== undefined) where.push(sql`endpoint_id = ${query.endpointId}`);
  if (query.since !== undefined) where.push(sql`created_at >= ${query.since}`);
  if (query.after) where.push(sql`seq > ${Number(query.after)}`);
  return where.length === 0 ? raw('') : sql`WHERE ${andAll(where)}`;
}

function* enqueue(
  deliveries: readonly NewDelivery[],
  cursor?: { readonly name: string; readonly position: string },
): Program<number> {
  let added = 0;
  for (let start = 0; start < deliveries.length; start += INSERT_CHUNK) {
    const rows = deliveries
      .slice(start, start + INSERT_CHUNK)
      .map((row) => [
        row.id,
        row.endpointId,
        row.idempotencyKey,
        row.orderKey,
        row.type,
        row.payload,
        'pending',
        row.createdAt,
        row.createdAt,
      ]);
    // One statement per chunk, rows in their order (their seq is the order deliveries go out in).
    added += yield* run(
      sql`INSERT INTO deliveries (id, endpoint_id, idempotency_key, order_key, type, payload, status,
          next_attempt_at, created_at)
        VALUES ${bulk(rows)} ON CONFLICT (endpoint_id, idempotency_key) DO NOTHING`,
    );
  }
  if (cursor)
    yield* run(sql`INSERT INTO delivery_cursors (name, position) VALUES (${cursor.name}, ${cursor.position})
      ON CONFLICT (name) DO UPDATE SET position = excluded.position`);
  return added;
}

function* recordAttempt(d: Dialect, record: AttemptRecord): Program<AttemptResult> {
  const { attempt, outcome, deliveryId } = record;
  const current = yield* one<{ claimed_by: string | null; status: string; endpoint_id: string }>(
    sql`SELECT claimed_by, status, endpoint_id FROM deliveries WHERE id = ${deliveryId}${d.forUpdate}`,
  );
  // The claim was lost (expired and taken over by another worker, or replayed): record nothing.
  if (current?.claimed_by !== record.workerId || current.status !== 'pending')
    return { recorded: false, failingSince: null };
  yield* run(sql`INSERT INTO delivery_attempts (delivery_id, number, at, status_code, latency_ms, response, error)
    VALUES (${deliveryId}, (SELECT attempt_count + 1 FROM deliveries WHERE id = ${deliveryId}), ${attempt.at},
      ${attempt.statusCode}, ${Math.round(attempt.latencyMs)}, ${attempt.response}, ${attempt.error})`);
  yield* run(sql`UPDATE deliveries SET status = ${outcome.status},
      next_attempt_at = ${outcome.status === 'pending' ? outcome.nextAttemptAt : null},
      attempt_count = attempt_count + 1, retry_step = retry_step + 1, claimed_by = NULL, claimed_until = NULL,
      delivered_at = ${outcome.status === 'delivered' ? attempt.at : null}
    WHERE id = ${deliveryId}`);
  const marked = yield* one<{ failing_since: number | null }>(
    sql`UPDATE endpoints SET failing_since = CASE WHEN ${outcome.status === 'delivered'} THEN NULL
        ELSE coalesce(failing_since, ${attempt.at}) END
      WHERE id = ${current.endpoint_id} RETURNING failing_since`,
  );
  return { recorded: true, failingSince: marked?.failing_since ?? null };
}

/**
 * The Store's queries, written once over a dialect (dialect.ts) and run by each adapter's engine. The adapters
 * keep only what differs by nature: the driver, the append (group commit), the claim of deliveries and the fold.
 * Lists walk an index in key order (keyset paging), never OFFSET.
 */
export function createSqlStore(engine: Engine): SqlStore {
  const d = engine.dialect;
  const read = <T>(program: Program<T>): Promise<T> => engine.read(program);
  const count = (query: Sql): Promise<number> =>
    read(
      (function* () {
        return (yield* one<{ n: number }>(query))?.n ?? 0;
      })(),
    );
  const map = <Row, T>(query: Sql, to: (row: Row) => T): Promise<T[]> =>
    read(
      (function* () {
        return (yield* all<Row>(query)).map(to);
      })(),
    );
  const first = async <Row, T>(query: Sql, to: (row: Row) => T): Promise<T | null> =>
    (await map(query, to))[0] ?? null;

  return {
    ...createPeopleQueries(engine),
    ...createAlertQueries(engine, (deliveries) => enqueue(deliveries)),
    ...createFollowupQueries(engine),
    ...createInstallationQueries(engine),
    // Backfill rows are few: with `source <> 'webhook'` the partial index events_not_webhook walks them alone.
    listEvents: async ({ after, limit, source }) =>
      toPage(
        await map(
          sql`SELECT ${EVENTS} FROM events WHERE seq > ${Number(after ?? 0)}${
            source === undefined
              ? raw('')
              : source === 'webhook'
                ? raw(" AND source = 'webhook'")
                : sql` AND source = ${source} AND source <> 'webhook'`
          } ORDER BY seq LIMIT ${limit}`,
          (row: EventRow) => row,
        ),
        limit,
        toEvent,
      ),
    getEvent: (id) => first(sql`SELECT ${EVENTS} FROM events WHERE id = ${id}`, toEvent),
    listQuarantine: async ({ after, limit }) =>
      toPage(
        await map(
          sql`SELECT * FROM quarantine WHERE seq > ${Number(after ?? 0)} ORDER BY seq LIMIT ${limit}`,
          (row: QuarantineRow) => row,
        ),
        limit,
        toQuarantined,
      ),
    countEvents: () => count(sql`SELECT count(*) AS n FROM events`),
    eventsBySeq: (seqs) =>
      seqs.length === 0
        ? Promise.resolve([])
        : map(
            sql`SELECT ${EVENTS} FROM events WHERE ${d.anyOf('seq', seqs, 'bigint')} ORDER BY seq`,
            toEvent,
          ),
    // Walks events_received_at (received_at, seq): a page starts right after the previous page's last row.
    listEventsReceived: ({ from, to, after, limit }) =>
      read(
        (function* (): Program<Page<StoredEvent>> {
          const seq = Number(after ?? 0);
          const at =
            after == null
              ? { received_at: from }
              : yield* one<{ received_at: number }>(sql`SELECT received_at FROM events WHERE seq = ${seq}`);
          if (!at) return { items: [], next: null };
          const rows = yield* all<EventRow>(sql`SELECT ${EVENTS} FROM events
            WHERE received_at >= ${from} AND received_at < ${to} AND (received_at, seq) > (${at.received_at}, ${seq})
            ORDER BY received_at, seq LIMIT ${limit}`);
          return toPage(rows, limit, toEvent);
        })(),
      ),
    countEventsReceived: ({ from, to }) =>
      count(sql`SELECT count(*) AS n FROM events WHERE received_at >= ${from} AND received_at < ${to}`),
    countFoldFailures: () => count(sql`SELECT count(*) AS n FROM fold_failures`),

    getProjectionPosition: () =>
      first(sql`SELECT position FROM projection_state WHERE name = 'calls'`, (row: { position: number }) =>
        String(row.position),
      ),
    listStaleCallKeys: (before, limit) =>
      map(
        sql`SELECT key FROM calls WHERE state <> 'ended' AND last_event_at < ${before}
          ORDER BY last_event_at LIMIT ${limit}`,
        (row: { key: string }) => row.key,
      ),
    // Exactly the condition of the partial index calls_live, so that only live calls are read.
    listLiveCalls: async () =>
      readCallRecords(
        await map(
          sql`SELECT record FROM calls WHERE state <> 'ended'`,
          (row: { record: string }) => row.record,
        ),
      )
        .filter((call) => !call.legOnly)
        .sort((a, b) => a.startedAt - b.startedAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    getCall: async (keyOrIdentifier) =>
      (await first(d.callRecordOf(keyOrIdentifier), (row: { record: string }) =>
        readCallRecord(row.record),
      )) ?? null,
    callsByKey: async (keys) =>
      keys.length === 0
        ? []
        : readCallRecords(
            await map(
              sql`SELECT record FROM calls WHERE ${d.anyOf('key', keys, 'text')}`,
              (row: { record: string }) => row.record,
            ),
          ),
    listCallEvents: (key) => map(d.eventsOfCall(key, EVENT_COLUMNS), toEvent),
    listCallRecords: (query) => read(callRecords(d, query)),
    listCalls: async (query) => {
      const page = await read(callRecords(d, query));
      return { items: readCallRecords(page.items), next: page.next };
    },
    listMissedCalls: async (query) => {
      const where = callConditions(d, {
        from: query.from,
        to: query.to,
        team: query.team,
        direction: 'inbound',
      });
      where.push(sql`c.outcome IN ('missed', 'abandoned', 'voicemail')`);
      // A callback: the caller's number called by an outbound call started later, the first such.
      if (query.calledBack !== undefined)
        where.push(raw(`cb.${d.callId} IS ${query.calledBack ? 'NOT ' : ''}NULL`));
      if (query.after) {
        const cursor = decodeCallCursor(query.after);
        where.push(sql`(c.started_at, c.key) < (${cursor.startedAt}, ${cursor.key})`);
      }
      const id = raw(d.callId);
      const rows = await map(
        sql`SELECT c.record, cb.key AS cb_key, cb.started_at AS cb_at, cb.placed_by AS cb_by, cb.outcome AS cb_outcome
          FROM calls c LEFT JOIN calls cb ON cb.${id} = (SELECT o.${id} FROM calls o WHERE o.direction = 'outbound'
            AND o.to_number = c.from_number AND o.started_at > c.started_at AND ${d.isFalse('o.leg_only')}
            ORDER BY o.started_at, o.key LIMIT 1)
          WHERE ${andAll(where)} ORDER BY c.started_at DESC, c.key DESC LIMIT ${query.limit}`,
        (row: {
          record: string;
          cb_key: string | null;
          cb_at: number;
          cb_by: string | null;
          cb_outcome: string | null;
        }) => row,
      );
      const items = rows.flatMap((row) => {
        const call = readCallRecord(row.record);
        if (!call) return [];
        const calledBack =
          row.cb_key === null || call.from === null
            ? null
            : { at: row.cb_at, by: row.cb_by, key: row.cb_key, answered: row.cb_outcome === 'answered' };
        return { ...call, calledBack };
      });
      const last = items.at(-1);
      return { items, next: items.length === query.limit && last ? encodeCallCursor(last) : null };
    },
    listCallFacts: (query) =>
      map(
        sql`SELECT c.key, c.started_at, c.direction, c.state, c.outcome, c.waited_sec, c.talk_sec, c.team,
            c.answered_by, c.placed_by
          FROM calls c WHERE ${andAll(callConditions(d, { from: query.from, to: query.to, team: query.team, agent: query.agent }))}`,
        (row: {
          key: string;
          started_at: number;
          direction: string | null;
          state: string;
          outcome: string | null;
          waited_sec: number | null;
          talk_sec: number | null;
          team: string | null;
          answered_by: string | null;
          placed_by: string | null;
        }) => ({
          key: row.key,
          startedAt: row.started_at,
          direction: row.direction,
          state: row.state,
          outcome: row.outcome,
          waitedSec: row.waited_sec,
          talkSec: row.talk_sec,
          team: row.team,
          answeredBy: row.answered_by,
          placedBy: row.placed_by,
        }),
      ),
    listAgentFacts: (query) =>
      map(
        sql`SELECT a.agent, a.team, a.rang_at, a.answered, a.missed_by_agent, a.talk_sec FROM call_agents a
          WHERE ${andAll(agentConditions(query))} ORDER BY a.rang_at, a.${raw(d.callRef)}, a.position`,
        (row: {
          agent: string;
          team: string | null;
          rang_at: number;
          answered: unknown;
          missed_by_agent: unknown;
          talk_sec: number | null;
        }) => ({
          agent: row.agent,
          team: row.team,
          rangAt: row.rang_at,
          answered: truthy(row.answered),
          isMissedByAgent: truthy(row.missed_by_agent),
          talkSec: row.talk_sec,
        }),
      ),

    // Metrics are aggregated where they are stored. SQLite counts a month from the covering index calls_facts;
    // period buckets are a VALUES table joined on the start time.
    summariseCalls: async (query) => {
      let from = sql`calls c`;
      let group = sql`CAST(NULL AS text)`;
      if (query.groupBy === 'team') group = sql`c.team`;
      else if (query.groupBy === 'placedBy') group = sql`c.placed_by`;
      const ranges = summaryRanges(query);
      if (ranges !== undefined) {
        if (ranges.length === 0) return [];
        from = sql`(WITH b(i, s, e) AS (VALUES ${rangeRows(ranges)}) SELECT b.i AS bucket, c.${raw(d.callId)}, c.key,
          c.started_at, c.leg_only, c.direction, c.state, c.outcome, c.waited_sec, c.talk_sec, c.team, c.answered_by,
          c.placed_by FROM b CROSS JOIN calls c WHERE c.started_at >= b.s AND c.started_at < b.e) c`;
        if (typeof query.groupBy === 'object') group = sql`c.bucket`;
      }
      const where = callConditions(
        d,
        { from: query.from, to: query.to, team: query.team, agent: query.agent },
        ranges !== undefined,
      );
      const ended = sql`c.state = 'ended'`;
      return map(
        sql`SELECT ${group} AS grp, c.direction, c.state, c.outcome, count(*) AS calls,
            count(c.waited_sec) AS wait_known, coalesce(sum(c.waited_sec), 0) AS wait_sum,
            ${d.countIf(sql`c.waited_sec <= ${query.serviceLevelSec}`)} AS within,
            ${d.countIf(sql`c.waited_sec < ${query.shortAbandonSec}`)} AS short_wait,
            ${d.countIf(sql`${ended} AND c.talk_sec IS NOT NULL`)} AS talk_known,
            ${d.sumIf(sql`c.talk_sec`, ended)} AS talk_sum
          FROM ${from} WHERE ${andAll(where)}
          GROUP BY grp, c.direction, c.state, c.outcome`,
        (row: {
          grp: string | number | null;
          direction: string | null;
          state: string;
          outcome: string | null;
          calls: number;
          wait_known: number;
          wait_sum: number;
          within: number;
          short_wait: number;
          talk_known: number;
          talk_sum: number;
        }) => ({
          group: row.grp,
          direction: row.direction,
          state: row.state,
          outcome: row.outcome,
          calls: row.calls,
          waitKnown: row.wait_known,
          waitSum: row.wait_sum,
          withinServiceLevel: row.within,
          shortWait: row.short_wait,
          talkKnown: row.talk_known,
          talkSum: row.talk_sum,
        }),
      );
    },
    summariseAgents: async (query) => {
      const answered = d.isTrue('a.answered');
      const ranges = query.within && query.within.map((range): Range => [0, range.start, range.end]);
      if (ranges?.length === 0) return [];
      const legs = ranges
        ? sql`WITH b(i, s, e) AS (VALUES ${rangeRows(ranges)}) SELECT a.* FROM b
            CROSS JOIN call_agents a WHERE a.rang_at >= b.s AND a.rang_at < b.e`
        : sql`SELECT * FROM call_agents`;
      return map(
        sql`SELECT a.agent, min(a.team) AS team, count(*) AS legs, ${d.countIf(answered)} AS answered,
            ${d.countIf(sql`${d.isFalse('a.answered')} AND ${d.isTrue('a.missed_by_agent')}`)} AS rang_not_answered,
            ${d.countIf(sql`${answered} AND a.talk_sec IS NOT NULL`)} AS talk_known,
            ${d.sumIf(sql`a.talk_sec`, answered)} AS talk_sum
          FROM (${legs}) a WHERE ${andAll(agentConditions(query))} GROUP BY a.agent ORDER BY a.agent`,
        (row: {
          agent: string;
          team: string | null;
          legs: number;
          answered: number;
          rang_not_answered: number;
          talk_known: number;
          talk_sum: number;
        }) => ({
          agent: row.agent,
          team: row.team,
          legs: row.legs,
          answered: row.answered,
          rangNotAnswered: row.rang_not_answered,
          talkKnown: row.talk_known,
          talkSum: row.talk_sum,
        }),
      );
    },
    listRepeatCallers: async (query) => {
      const ranges = query.within && query.within.map((range): Range => [0, range.start, range.end]);
      if (ranges?.length === 0) return [];
      const calls = ranges
        ? sql`(WITH b(i, s, e) AS (VALUES ${rangeRows(ranges)}) SELECT c.* FROM b
            CROSS JOIN calls c WHERE c.started_at >= b.s AND c.started_at < b.e) c`
        : sql`calls c ${d.factsIndex}`;
      const where = callConditions(
        d,
        { from: query.from, to: query.to, team: query.team, agent: query.agent, direction: 'inbound' },
        ranges !== undefined,
      );
      where.push(sql`c.from_number IS NOT NULL`);
      // As the metric "answered" counts: answered, or answered and still talking.
      const answered = sql`c.outcome = 'answered' OR (c.outcome IS NULL AND c.state = 'answered')`;
      return map(
        sql`SELECT c.from_number AS number, count(*) AS calls, ${d.countIf(answered)} AS answered,
            min(c.started_at) AS first_at, max(c.started_at) AS last_at
          FROM ${calls} WHERE ${andAll(where)}
          GROUP BY c.from_number HAVING count(*) >= ${query.minCalls}
          ORDER BY calls DESC, last_at DESC, number LIMIT ${query.limit}`,
        (row: { number: string; calls: number; answered: number; first_at: number; last_at: number }) => ({
          number: row.number,
          calls: Number(row.calls),
          answered: Number(row.answered),
          firstAt: Number(row.first_at),
          lastAt: Number(row.last_at),
        }),
      );
    },

    createEndpoint: async (endpoint) => {
      const e = endpoint;
      await engine.write(
        'config',
        run(sql`INSERT INTO endpoints (id, url, description, receives, format, filter, rate_limit, timeout_ms, enabled,
            disabled_reason, disabled_at, secret, previous_secret, previous_secret_expires_at, failing_since,
            created_at, updated_at)
          VALUES (${e.id}, ${e.url}, ${e.description}, ${e.receives}, ${e.format}, ${JSON.stringify(e.filter)},
            ${e.rateLimit}, ${e.timeoutMs}, ${e.enabled}, ${e.disabledReason}, ${e.disabledAt}, ${e.secret},
            ${e.previousSecret}, ${e.previousSecretExpiresAt}, ${e.failingSince}, ${e.createdAt}, ${e.updatedAt})`),
      );
    },
    getEndpoint: (id) => first(sql`SELECT * FROM endpoints WHERE id = ${id}`, toEndpoint),
    listEndpoints: () => map(sql`SELECT * FROM endpoints ORDER BY created_at, id`, toEndpoint),
    updateEndpoint: async (id, changes: EndpointChanges) => {
      const sets = [sql`updated_at = ${changes.updatedAt}`];
      for (const [key, value] of Object.entries(changes)) {
        const column = COLUMNS[key as keyof typeof COLUMNS] as string | undefined;
        if (column === undefined || value === undefined) continue;
        sets.push(sql`${raw(column)} = ${key === 'filter' ? JSON.stringify(value) : value}`);
      }
      const rows = await engine.write(
        'config',
        all<EndpointRow>(sql`UPDATE endpoints SET ${join(sets)} WHERE id = ${id} RETURNING *`),
      );
      return rows[0] ? toEndpoint(rows[0]) : null;
    },
    deleteEndpoint: async (id) =>
      (await engine.write('config', run(sql`DELETE FROM endpoints WHERE id = ${id}`))) > 0,

    enqueueDeliveries: (deliveries, cursor) =>
      deliveries.length === 0 && !cursor
        ? Promise.resolve(0)
        : engine.write('queue', enqueue(deliveries, cursor)),
    getDeliveryCursor: (name) =>
      first(
        sql`SELECT position FROM delivery_cursors WHERE name = ${name}`,
        (row: { position: string }) => row.position,
      ),
    recordAttempt: (record) => engine.write('queue', recordAttempt(d, record)),
    pruneData: (data, before, limit) => engine.write(WRITE_PATH[data], pruneBatch(d, data, before, limit)),
    replaceNumber: (data, change, after, limit) =>
      engine.write(WRITE_PATH[data], replaceNumberBatch(d, data, change, after, limit)),
    maskOldNumbers: (data, before, limit, masker) =>
      engine.write(WRITE_PATH[data], maskNumbersBatch(d, data, before, limit, masker)),
    releaseClaims: async (workerId) => {
      await engine.write(
        'queue',
        run(sql`UPDATE deliveries SET claimed_by = NULL, claimed_until = NULL
          WHERE claimed_by = ${workerId} AND status = 'pending'`),
      );
    },
    getDelivery: (id) => read(getDelivery(d, id)),
    listDeliveries: (query) =>
      read(
        (function* (): Program<Page<Delivery>> {
          const rows = yield* all<DeliveryRow>(
            sql`SELECT ${DELIVERIES} FROM deliveries ${deliveryConditions(query)} ORDER BY seq LIMIT ${query.limit + 1}`,
          );
          const page = rows.slice(0, query.limit);
          const next = rows.length > query.limit ? String(page.at(-1)!.seq) : null;
          return { items: yield* deliveriesWithAttempts(d, page), next };
        })(),
      ),
    countDeliveries: (query) => count(sql`SELECT count(*) AS n FROM deliveries ${deliveryConditions(query)}`),
    retryDelivery: (id, now) =>
      engine.write(
        'queue',
        (function* (): Program<Delivery | null> {
          yield* run(sql`UPDATE deliveries SET status = 'pending', next_attempt_at = ${now}, retry_step = 0,
              claimed_by = NULL, claimed_until = NULL, delivered_at = NULL
            WHERE id = ${id} AND (status <> 'pending' OR claimed_until IS NULL OR claimed_until <= ${now})`);
          return yield* getDelivery(d, id);
        })(),
      ),
    retryDeliveries: ({ endpointId, since, now }) =>
      engine.write(
        'queue',
        run(sql`UPDATE deliveries SET status = 'pending', next_attempt_at = ${now}, retry_step = 0,
            claimed_by = NULL, claimed_until = NULL
          WHERE endpoint_id = ${endpointId} AND status = 'failed' AND created_at >= ${since}`),
      ),

    startReconcileRun: (newRun, options) => engine.write('config', startReconcileRun(d, newRun, options)),
    updateReconcileRun: (id, changes) => engine.write('config', updateReconcileRun(id, changes)),
    getReconcileRun: (id) => read(getReconcileRun(id)),
    listReconcileRuns: (query) => read(listReconcileRuns(query)),
  };
}
