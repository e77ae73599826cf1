import type { PoolClient } from 'pg';

import type { Call } from '../../call-record.js';
import {
  type CallFold,
  type CallsTransaction,
  INFERRED_RANK,
  runFoldAsync,
} from '../../calls-transaction.js';
import type { CallSearch, ProjectionBatch, ProjectionResult, StoredEvent } from '../../store.js';
import { type EventRow, toEvent } from '../../stored-event.js';
import { EVENT_COLUMNS } from './read.js';

/** How many of a number's latest calls are considered as the parent of an agent-only leg. */
const PARENT_CANDIDATES = 8;
/** Agent-only legs considered for one call (a call rings a handful of agents). */
const ORPHAN_CANDIDATES = 32;

const UPSERT_CALL = `INSERT INTO calls (key, started_at, direction, state, outcome, from_number, to_number,
    virtual_number, team, answered_by, placed_by, waited_sec, talk_sec, last_event_at, leg_only, record)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
  ON CONFLICT (key) DO UPDATE SET started_at = excluded.started_at, direction = excluded.direction,
    state = excluded.state, outcome = excluded.outcome, from_number = excluded.from_number,
    to_number = excluded.to_number, virtual_number = excluded.virtual_number, team = excluded.team,
    answered_by = excluded.answered_by, placed_by = excluded.placed_by, waited_sec = excluded.waited_sec,
    talk_sec = excluded.talk_sec, last_event_at = excluded.last_event_at, leg_only = excluded.leg_only,
    record = excluded.record`;

const INSERT_AGENTS = `INSERT INTO call_agents (call_key, position, agent, team, rang_at, answered, missed_by_agent, talk_sec)
  SELECT $1, * FROM unnest($2::integer[], $3::text[], $4::text[], $5::bigint[], $6::boolean[], $7::boolean[],
    $8::double precision[])`;

/** Serialises folds across processes (one lock per schema), for the length of the caller's transaction. */
export const LOCK_PROJECTION =
  "SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':telehook:projection'))";

/** What a fold did, and which of the given events it folded (another process may have folded the rest). */
export interface FoldOutcome extends ProjectionResult {
  readonly folded: StoredEvent[];
}

/** The calls transaction that the fold (src/calls/fold.ts) runs over, on the caller's transaction. */
function openTransaction(client: PoolClient): CallsTransaction {
  const q = async <Row extends object>(sql: string, values: unknown[] = []): Promise<Row[]> =>
    (await client.query<Row>(sql, values)).rows;
  const records = (rows: { record: string }[]): Call[] => rows.map((row) => JSON.parse(row.record) as Call);
  const search = async (query: CallSearch, legOnly: boolean): Promise<Call[]> =>
    records(
      await q<{ record: string }>(
        legOnly
          ? `SELECT record FROM calls WHERE from_number = $1 AND started_at BETWEEN $2 AND $3 AND leg_only
             ORDER BY started_at, key LIMIT ${ORPHAN_CANDIDATES}`
          : `SELECT record FROM calls WHERE from_number = $1 AND started_at BETWEEN $2 AND $3 AND NOT leg_only
             AND direction = 'inbound' ORDER BY started_at DESC, key LIMIT ${PARENT_CANDIDATES}`,
        [query.from, query.startedFrom, query.startedTo],
      ),
    );
  return {
    linksOf: async (identifiers) =>
      (
        await q<{ identifier: string; rank: number; call_key: string }>(
          'SELECT identifier, rank, call_key FROM call_links WHERE identifier = ANY($1::text[])',
          [identifiers],
        )
      ).map((row) => ({ identifier: row.identifier, rank: row.rank, call: row.call_key })),
    linksOfCall: (key) =>
      q<{ identifier: string; rank: number }>('SELECT identifier, rank FROM call_links WHERE call_key = $1', [
        key,
      ]),
    upsertLinks: async (key, links) => {
      await q(
        `INSERT INTO call_links (identifier, rank, call_key)
         SELECT i, r, $3 FROM unnest($1::text[], $2::integer[]) AS t(i, r)
         ON CONFLICT (identifier) DO UPDATE SET call_key = excluded.call_key, rank = least(call_links.rank, excluded.rank)`,
        [links.map((link) => link.identifier), links.map((link) => link.rank), key],
      );
    },
    relink: async (from, into, inferred) => {
      await q(
        inferred
          ? `UPDATE call_links SET call_key = $1,
               rank = rank + CASE WHEN rank < ${INFERRED_RANK} THEN ${INFERRED_RANK} ELSE 0 END WHERE call_key = $2`
          : 'UPDATE call_links SET call_key = $1 WHERE call_key = $2',
        [into, from],
      );
    },
    moveLink: async (identifier, rank, into) => {
      await q('UPDATE call_links SET call_key = $1, rank = $2 WHERE identifier = $3', [
        into,
        rank,
        identifier,
      ]);
    },
    eventsOfCall: async (key) =>
      (
        await q<EventRow>(
          `SELECT ${EVENT_COLUMNS} FROM events
           WHERE call_key IN (SELECT identifier FROM call_links WHERE call_key = $1)`,
          [key],
        )
      ).map(toEvent),
    saveCall: async (call) => {
      await q(UPSERT_CALL, [
        call.key,
        call.startedAt,
        call.direction,
        call.state,
        call.outcome,
        call.from,
        call.to,
        call.virtualNumber,
        call.team,
        call.answeredBy,
        call.placedBy,
        call.waitedSec,
        call.talkSec,
        call.lastEventAt,
        call.legOnly,
        JSON.stringify(call),
      ]);
      await q('DELETE FROM call_agents WHERE call_key = $1', [call.key]);
      if (call.agents.length === 0) return;
      await q(INSERT_AGENTS, [
        call.key,
        call.agents.map((_, position) => position),
        call.agents.map((leg) => leg.agent),
        call.agents.map((leg) => leg.team),
        call.agents.map((leg) => leg.rangAt ?? call.startedAt),
        call.agents.map((leg) => leg.answered),
        call.agents.map((leg) => !leg.answered && (leg.endedAt !== null || call.state === 'ended')),
        call.agents.map((leg) => (leg.answered && call.answeredBy === leg.agent ? call.talkSec : null)),
      ]);
    },
    dropCall: async (key) => {
      await q('DELETE FROM calls WHERE key = $1', [key]);
      await q('DELETE FROM call_agents WHERE call_key = $1', [key]);
    },
    existingCalls: async (keys) =>
      (await q<{ key: string }>('SELECT key FROM calls WHERE key = ANY($1::text[])', [keys])).map(
        (row) => row.key,
      ),
    parentCandidates: (query) => search(query, false),
    orphanCandidates: (query) => search(query, true),
    inferredLegs: async (query) =>
      (
        await q<{ record: string; identifier: string; rank: number }>(
          `SELECT c.record, l.identifier, l.rank FROM calls c JOIN call_links l ON l.call_key = c.key
           WHERE c.from_number = $1 AND c.started_at BETWEEN $2 AND $3 AND NOT c.leg_only
             AND c.direction = 'inbound' AND l.rank >= ${INFERRED_RANK}
           ORDER BY c.started_at, l.identifier`,
          [query.from, query.startedFrom, query.startedTo],
        )
      ).map((row) => ({
        identifier: row.identifier,
        rank: row.rank,
        parent: JSON.parse(row.record) as Call,
      })),
    savePosition: async (seq) => {
      await q(
        `INSERT INTO projection_state (name, position) VALUES ('calls', $1)
         ON CONFLICT (name) DO UPDATE SET position = greatest(projection_state.position, excluded.position)`,
        [seq],
      );
    },
  };
}

/**
 * Folds events into calls inside the caller's transaction (see Store.projectCalls). Folds are serialised across
 * processes by a transaction advisory lock, so that two processes receiving events of the same
 * call at the same moment never project it from different partial views; each event is dequeued by the fold that
 * folds it, so an event folded by another process meanwhile is skipped.
 */
export async function foldCalls(
  client: PoolClient,
  batch: ProjectionBatch,
  callFold: CallFold,
): Promise<FoldOutcome> {
  await client.query(LOCK_PROJECTION);
  let events: StoredEvent[] = [];
  if (batch.events.length > 0) {
    const claimed = new Set(
      (
        await client.query<{ seq: number }>(
          'DELETE FROM projection_queue WHERE seq = ANY($1::bigint[]) RETURNING seq',
          [batch.events.map((event) => Number(event.cursor))],
        )
      ).rows.map((row) => String(row.seq)),
    );
    events = batch.events.filter((event) => claimed.has(event.cursor));
  }
  const result = await runFoldAsync(callFold.fold({ ...batch, events }), openTransaction(client));
  return { ...result, folded: events };
}
