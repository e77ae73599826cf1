import type { Database, Statement } from 'better-sqlite3';

import { decodeCallCursor, encodeCallCursor } from '../../call-cursor.js';
import type { Call } from '../../call-record.js';
import { readCallRecord, readCallRecords } from '../../servable.js';
import type {
  AgentFacts,
  Callback,
  CallFacts,
  CallFilter,
  CallQuery,
  FactsQuery,
  MissedCall,
  MissedQuery,
  Page,
  StoredEvent,
} from '../../store.js';
import { type EventRow, EVENTS_OF_CALL, toEvent } from './read.js';

export { decodeCallCursor, encodeCallCursor } from '../../call-cursor.js';

/** SQL conditions and parameters for a call filter, on the `calls` table aliased `c`. */
export function callConditions(filter: CallFilter): { where: string[]; params: unknown[] } {
  const where = ['c.leg_only = 0'];
  const params: unknown[] = [];
  const add = (condition: string, ...values: unknown[]): void => {
    where.push(condition);
    params.push(...values);
  };
  if (filter.from !== undefined) add('c.started_at >= ?', filter.from);
  if (filter.to !== undefined) add('c.started_at < ?', filter.to);
  if (filter.outcome !== undefined) add('c.outcome = ?', filter.outcome);
  if (filter.state !== undefined) add('c.state = ?', filter.state);
  if (filter.direction !== undefined) add('c.direction = ?', filter.direction);
  if (filter.team !== undefined) add('c.team = ?', filter.team);
  if (filter.number !== undefined)
    add(
      '(c.from_number = ? OR c.to_number = ? OR c.virtual_number = ?)',
      filter.number,
      filter.number,
      filter.number,
    );
  if (filter.agent !== undefined) {
    add(
      '(c.answered_by = ? OR c.placed_by = ? OR EXISTS (SELECT 1 FROM call_agents a WHERE a.call_id = c.id AND a.agent = ?))',
      filter.agent,
      filter.agent,
      filter.agent,
    );
  }
  return { where, params };
}

const CALLBACK_SQL = `SELECT o.key, o.started_at AS at, o.placed_by AS by, o.outcome = 'answered' AS answered FROM calls o
  WHERE o.direction = 'outbound' AND o.to_number = c.from_number AND o.started_at > c.started_at AND o.leg_only = 0
  ORDER BY o.started_at, o.key LIMIT 1`;

/** The read queries of calls. Lists walk an index in key order (keyset paging), never OFFSET. */
export function prepareCallReads(db: Database) {
  const cache = new Map<string, Statement>();
  const prepared = (sql: string): Statement => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
  // A call's key is one of its links: one lookup finds a call by its key or by any other TeleCMI id of it.
  const getCall = db
    .prepare('SELECT c.record FROM call_links l JOIN calls c ON c.id = l.call_id WHERE l.identifier = ?')
    .pluck();
  const idOfKey = db
    .prepare(
      'SELECT c.id FROM call_links l JOIN calls c ON c.id = l.call_id WHERE l.identifier = ? AND c.key = ?',
    )
    .pluck();
  const eventsOfCall = db.prepare(EVENTS_OF_CALL);
  const position = db.prepare("SELECT position FROM projection_state WHERE name = 'calls'").pluck();
  const stale = db
    .prepare(
      "SELECT key FROM calls WHERE state <> 'ended' AND last_event_at < ? ORDER BY last_event_at LIMIT ?",
    )
    .pluck();
  // Exactly the condition of the partial index calls_live, so that only live calls are read.
  const live = db.prepare("SELECT record FROM calls WHERE state <> 'ended'").pluck();
  const callback = db.prepare(
    `SELECT key, at, by, answered FROM (${CALLBACK_SQL.replace(/c\.(from_number|started_at)/g, '?')})`,
  );

  const findCallback = (call: Call): Callback | null => {
    if (call.from === null) return null;
    const row = callback.get(call.from, call.startedAt) as
      { key: string; at: number; by: string | null; answered: number } | undefined;
    return row ? { at: row.at, by: row.by, key: row.key, answered: row.answered === 1 } : null;
  };

  /** The records of the calls of a query and the cursor after the last (its start time and key, from columns). */
  const listCallRecords = (query: CallQuery): Page<string> => {
    const { where, params } = callConditions(query);
    const descending = query.order !== 'asc';
    if (query.after) {
      const cursor = decodeCallCursor(query.after);
      where.push(descending ? '(c.started_at, c.key) < (?, ?)' : '(c.started_at, c.key) > (?, ?)');
      params.push(cursor.startedAt, cursor.key);
    }
    const direction = descending ? 'DESC' : 'ASC';
    const sql = `SELECT c.record, c.started_at, c.key FROM calls c WHERE ${where.join(' AND ')}
      ORDER BY c.started_at ${direction}, c.key ${direction} LIMIT ?`;
    const rows = prepared(sql)
      .raw()
      .all(...params, query.limit) as [string, number, string][];
    const last = rows.at(-1);
    return {
      items: rows.map((row) => row[0]),
      next:
        rows.length === query.limit && last ? encodeCallCursor({ startedAt: last[1], key: last[2] }) : null,
    };
  };

  return {
    getProjectionPosition: (): string | null => {
      const value = position.get() as number | undefined;
      return value === undefined ? null : String(value);
    },
    listStaleCallKeys: (before: number, limit: number): string[] => stale.all(before, limit) as string[],
    listLiveCalls: (): Call[] =>
      readCallRecords(live.all() as string[])
        .filter((call) => !call.legOnly)
        .sort((a, b) => a.startedAt - b.startedAt || a.key.localeCompare(b.key)),

    getCall: (keyOrIdentifier: string): Call | null => {
      const record = getCall.get(keyOrIdentifier) as string | undefined;
      return record === undefined ? null : readCallRecord(record);
    },

    listCallEvents: (key: string): StoredEvent[] => {
      const id = idOfKey.get(key, key) as number | undefined;
      return id === undefined ? [] : (eventsOfCall.all(id) as EventRow[]).map(toEvent);
    },

    listCalls: (query: CallQuery): Page<Call> => {
      const page = listCallRecords(query);
      return { items: readCallRecords(page.items), next: page.next };
    },

    listCallRecords: (query: CallQuery): Page<string> => listCallRecords(query),

    listMissedCalls: (query: MissedQuery): Page<MissedCall> => {
      const { where, params } = callConditions({
        from: query.from,
        to: query.to,
        team: query.team,
        direction: 'inbound',
      });
      where.push("c.outcome IN ('missed', 'abandoned', 'voicemail')");
      if (query.calledBack !== undefined)
        where.push(`${query.calledBack ? '' : 'NOT '}EXISTS (${CALLBACK_SQL})`);
      if (query.after) {
        const cursor = decodeCallCursor(query.after);
        where.push('(c.started_at, c.key) < (?, ?)');
        params.push(cursor.startedAt, cursor.key);
      }
      const sql = `SELECT c.record FROM calls c WHERE ${where.join(' AND ')} ORDER BY c.started_at DESC, c.key DESC LIMIT ?`;
      const calls = readCallRecords(
        prepared(sql)
          .pluck()
          .all(...params, query.limit) as string[],
      );
      const items = calls.map((call) => ({ ...call, calledBack: findCallback(call) }));
      const last = items.at(-1);
      return { items, next: items.length === query.limit && last ? encodeCallCursor(last) : null };
    },

    listCallFacts: (query: FactsQuery): CallFacts[] => {
      const { where, params } = callConditions({
        from: query.from,
        to: query.to,
        team: query.team,
        agent: query.agent,
      });
      const sql = `SELECT c.key, c.started_at, c.direction, c.state, c.outcome, c.waited_sec, c.talk_sec, c.team, c.answered_by, c.placed_by
        FROM calls c WHERE ${where.join(' AND ')}`;
      return (
        prepared(sql)
          .raw()
          .all(...params) as unknown[][]
      ).map((row) => ({
        key: row[0] as string,
        startedAt: row[1] as number,
        direction: row[2] as string | null,
        state: row[3] as string,
        outcome: row[4] as string | null,
        waitedSec: row[5] as number | null,
        talkSec: row[6] as number | null,
        team: row[7] as string | null,
        answeredBy: row[8] as string | null,
        placedBy: row[9] as string | null,
      }));
    },

    listAgentFacts: (query: FactsQuery): AgentFacts[] => {
      const where = ['a.rang_at >= ?', 'a.rang_at < ?'];
      const params: unknown[] = [query.from, query.to];
      if (query.team !== undefined) {
        where.push('a.team = ?');
        params.push(query.team);
      }
      if (query.agent !== undefined) {
        where.push('a.agent = ?');
        params.push(query.agent);
      }
      const sql = `SELECT a.agent, a.team, a.rang_at, a.answered, a.missed_by_agent, a.talk_sec FROM call_agents a WHERE ${where.join(' AND ')}`;
      return (
        prepared(sql)
          .raw()
          .all(...params) as unknown[][]
      ).map((row) => ({
        agent: row[0] as string,
        team: row[1] as string | null,
        rangAt: row[2] as number,
        answered: row[3] === 1,
        isMissedByAgent: row[4] === 1,
        talkSec: row[5] as number | null,
      }));
    },
  };
}
