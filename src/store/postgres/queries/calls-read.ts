import type { Pool } from 'pg';

import { decodeCallCursor, encodeCallCursor } from '../../call-cursor.js';
import type { Call } from '../../call-record.js';
import { readCallRecord, readCallRecords } from '../../servable.js';
import type {
  AgentFacts,
  CallFacts,
  CallFilter,
  CallQuery,
  FactsQuery,
  MissedCall,
  MissedQuery,
  Page,
  StoredEvent,
} from '../../store.js';
import { type EventRow, toEvent } from '../../stored-event.js';
import { createParams, type Params } from './params.js';
import { EVENT_COLUMNS } from './read.js';

/** SQL conditions for a call filter, on the `calls` table aliased `c`. */
export function callConditions(filter: CallFilter, params: Params): string[] {
  const where = ['NOT c.leg_only'];
  if (filter.from !== undefined) where.push(`c.started_at >= ${params.add(filter.from)}`);
  if (filter.to !== undefined) where.push(`c.started_at < ${params.add(filter.to)}`);
  if (filter.outcome !== undefined) where.push(`c.outcome = ${params.add(filter.outcome)}`);
  if (filter.state !== undefined) where.push(`c.state = ${params.add(filter.state)}`);
  if (filter.direction !== undefined) where.push(`c.direction = ${params.add(filter.direction)}`);
  if (filter.team !== undefined) where.push(`c.team = ${params.add(filter.team)}`);
  if (filter.number !== undefined) {
    const number = params.add(filter.number);
    where.push(`(c.from_number = ${number} OR c.to_number = ${number} OR c.virtual_number = ${number})`);
  }
  if (filter.agent !== undefined) {
    const agent = params.add(filter.agent);
    where.push(
      `(c.answered_by = ${agent} OR c.placed_by = ${agent} OR EXISTS (SELECT 1 FROM call_agents a WHERE a.call_key = c.key AND a.agent = ${agent}))`,
    );
  }
  return where;
}

const CALLBACK_SQL = `SELECT o.key, o.started_at AS at, o.placed_by AS by, o.outcome = 'answered' AS answered FROM calls o
  WHERE o.direction = 'outbound' AND o.to_number = c.from_number AND o.started_at > c.started_at AND NOT o.leg_only
  ORDER BY o.started_at, o.key LIMIT 1`;

/** The read queries of calls. Lists walk an index in key order (keyset paging), never OFFSET. */
export function createCallReads(pool: Pool) {
  const listCallRecords = async (query: CallQuery): Promise<Page<string>> => {
    const params = createParams();
    const where = callConditions(query, params);
    const descending = query.order !== 'asc';
    if (query.after) {
      const cursor = decodeCallCursor(query.after);
      where.push(
        `(c.started_at, c.key) ${descending ? '<' : '>'} (${params.add(cursor.startedAt)}, ${params.add(cursor.key)})`,
      );
    }
    const direction = descending ? 'DESC' : 'ASC';
    const { rows } = await pool.query<{ record: string; started_at: number; key: string }>(
      `SELECT c.record, c.started_at, c.key FROM calls c WHERE ${where.join(' AND ')}
       ORDER BY c.started_at ${direction}, c.key ${direction} LIMIT ${params.add(query.limit)}`,
      params.values,
    );
    const last = rows.at(-1);
    return {
      items: rows.map((row) => row.record),
      next:
        rows.length === query.limit && last
          ? encodeCallCursor({ startedAt: last.started_at, key: last.key })
          : null,
    };
  };

  return {
    listCallRecords,
    listCalls: async (query: CallQuery): Promise<Page<Call>> => {
      const page = await listCallRecords(query);
      return { items: readCallRecords(page.items), next: page.next };
    },
    getProjectionPosition: async (): Promise<string | null> => {
      const { rows } = await pool.query<{ position: number }>(
        "SELECT position FROM projection_state WHERE name = 'calls'",
      );
      return rows[0] ? String(rows[0].position) : null;
    },
    listStaleCallKeys: async (before: number, limit: number): Promise<string[]> =>
      (
        await pool.query<{ key: string }>(
          "SELECT key FROM calls WHERE state <> 'ended' AND last_event_at < $1 ORDER BY last_event_at LIMIT $2",
          [before, limit],
        )
      ).rows.map((row) => row.key),
    listLiveCalls: async (): Promise<Call[]> =>
      readCallRecords(
        (await pool.query<{ record: string }>("SELECT record FROM calls WHERE state <> 'ended'")).rows.map(
          (row) => row.record,
        ),
      )
        .filter((call) => !call.legOnly)
        .sort((a, b) => a.startedAt - b.startedAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    getCall: async (keyOrIdentifier: string): Promise<Call | null> => {
      const { rows } = await pool.query<{ record: string }>(
        `SELECT record FROM (
           SELECT record, 0 AS rank FROM calls WHERE key = $1
           UNION ALL
           SELECT c.record, 1 FROM call_links l JOIN calls c ON c.key = l.call_key WHERE l.identifier = $1
         ) found ORDER BY rank LIMIT 1`,
        [keyOrIdentifier],
      );
      return rows[0] ? readCallRecord(rows[0].record) : null;
    },
    /** Calls by key (those that still exist). */
    callsByKey: async (keys: readonly string[]): Promise<Call[]> => {
      if (keys.length === 0) return [];
      const { rows } = await pool.query<{ record: string }>(
        'SELECT record FROM calls WHERE key = ANY($1::text[])',
        [keys],
      );
      return readCallRecords(rows.map((row) => row.record));
    },
    listCallEvents: async (key: string): Promise<StoredEvent[]> =>
      (
        await pool.query<EventRow>(
          `SELECT ${EVENT_COLUMNS} FROM events
           WHERE call_key IN (SELECT identifier FROM call_links WHERE call_key = $1)`,
          [key],
        )
      ).rows.map(toEvent),
    listMissedCalls: async (query: MissedQuery): Promise<Page<MissedCall>> => {
      const params = createParams();
      const where = callConditions(
        { from: query.from, to: query.to, team: query.team, direction: 'inbound' },
        params,
      );
      where.push("c.outcome IN ('missed', 'abandoned', 'voicemail')");
      if (query.calledBack !== undefined)
        where.push(`${query.calledBack ? '' : 'NOT '}EXISTS (${CALLBACK_SQL})`);
      if (query.after) {
        const cursor = decodeCallCursor(query.after);
        where.push(`(c.started_at, c.key) < (${params.add(cursor.startedAt)}, ${params.add(cursor.key)})`);
      }
      const { rows } = await pool.query<{
        record: string;
        cb_key: string | null;
        cb_at: number | null;
        cb_by: string | null;
        cb_answered: boolean | null;
      }>(
        `SELECT c.record, cb.key AS cb_key, cb.at AS cb_at, cb.by AS cb_by, cb.answered AS cb_answered
         FROM calls c LEFT JOIN LATERAL (${CALLBACK_SQL}) cb ON true
         WHERE ${where.join(' AND ')} ORDER BY c.started_at DESC, c.key DESC LIMIT ${params.add(query.limit)}`,
        params.values,
      );
      const items = rows.flatMap((row) => {
        const call = readCallRecord(row.record);
        if (!call) return [];
        const calledBack =
          row.cb_key === null || call.from === null
            ? null
            : { at: row.cb_at!, by: row.cb_by, key: row.cb_key, answered: row.cb_answered === true };
        return { ...call, calledBack };
      });
      const last = items.at(-1);
      return { items, next: items.length === query.limit && last ? encodeCallCursor(last) : null };
    },
    listCallFacts: async (query: FactsQuery): Promise<CallFacts[]> => {
      const params = createParams();
      const where = callConditions(
        { from: query.from, to: query.to, team: query.team, agent: query.agent },
        params,
      );
      const { rows } = await pool.query<{
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
      }>(
        `SELECT c.key, c.started_at, c.direction, c.state, c.outcome, c.waited_sec, c.talk_sec, c.team, c.answered_by, c.placed_by
         FROM calls c WHERE ${where.join(' AND ')}`,
        params.values,
      );
      return rows.map((row) => ({
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
      }));
    },
    listAgentFacts: async (query: FactsQuery): Promise<AgentFacts[]> => {
      const params = createParams();
      const where = [`a.rang_at >= ${params.add(query.from)}`, `a.rang_at < ${params.add(query.to)}`];
      if (query.team !== undefined) where.push(`a.team = ${params.add(query.team)}`);
      if (query.agent !== undefined) where.push(`a.agent = ${params.add(query.agent)}`);
      const { rows } = await pool.query<{
        agent: string;
        team: string | null;
        rang_at: number;
        answered: boolean;
        missed_by_agent: boolean;
        talk_sec: number | null;
      }>(
        `SELECT a.agent, a.team, a.rang_at, a.answered, a.missed_by_agent, a.talk_sec FROM call_agents a
         WHERE ${where.join(' AND ')} ORDER BY a.rang_at, a.call_key, a.position`,
        params.values,
      );
      return rows.map((row) => ({
        agent: row.agent,
        team: row.team,
        rangAt: row.rang_at,
        answered: row.answered,
        isMissedByAgent: row.missed_by_agent,
        talkSec: row.talk_sec,
      }));
    },
  };
}
