import type { PoolClient } from 'pg';

import type { Call } from '../../call-record.js';
import type {
  CallIdentifier,
  CallRules,
  CallSearch,
  ProjectionBatch,
  ProjectionResult,
  StoredEvent,
} from '../../store.js';
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

/** What a fold did, and which of the given events it folded (another process may have folded the rest). */
export interface FoldOutcome extends ProjectionResult {
  readonly folded: StoredEvent[];
}

/**
 * Folds events into calls inside the caller's transaction (see Store.projectCalls). Folds are serialised across
 * processes by a transaction advisory lock (one per schema), so that two processes receiving events of the same
 * call at the same moment never project it from different partial views; each event is dequeued by the fold that
 * folds it, so an event folded by another process meanwhile is skipped.
 */
export async function foldCalls(
  client: PoolClient,
  batch: ProjectionBatch,
  rules: CallRules,
): Promise<FoldOutcome> {
  const q = async <Row extends object>(sql: string, values: unknown[] = []): Promise<Row[]> =>
    (await client.query<Row>(sql, values)).rows;
  await q("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':telehook:projection'))");

  let events: StoredEvent[] = [];
  if (batch.events.length > 0) {
    const claimed = new Set(
      (
        await q<{ seq: number }>('DELETE FROM projection_queue WHERE seq = ANY($1::bigint[]) RETURNING seq', [
          batch.events.map((event) => Number(event.cursor)),
        ])
      ).map((row) => String(row.seq)),
    );
    events = batch.events.filter((event) => claimed.has(event.cursor));
  }

  const dirty = new Set<string>();
  const removed = new Set<string>();
  const dropCall = async (key: string): Promise<void> => {
    await q('DELETE FROM calls WHERE key = $1', [key]);
    await q('DELETE FROM call_agents WHERE call_key = $1', [key]);
  };
  const merge = async (from: string, into: string): Promise<void> => {
    await q('UPDATE call_links SET call_key = $1 WHERE call_key = $2', [into, from]);
    await dropCall(from);
    removed.add(from);
    dirty.delete(from);
    dirty.add(into);
  };

  for (const stored of events) {
    const ids = new Map<string, CallIdentifier>();
    for (const id of rules.identifiersOf(stored)) {
      const known = ids.get(id.id);
      if (!known || id.rank < known.rank) ids.set(id.id, id);
    }
    if (ids.size === 0) continue;
    const all = new Map(ids);
    const links = await q<{ identifier: string; rank: number; call_key: string }>(
      `SELECT l2.identifier, l2.rank, l2.call_key FROM call_links l1
       JOIN call_links l2 ON l2.call_key = l1.call_key WHERE l1.identifier = ANY($1::text[])`,
      [[...ids.keys()]],
    );
    const keys = new Set<string>();
    for (const link of links) {
      keys.add(link.call_key);
      const known = all.get(link.identifier);
      if (!known || link.rank < known.rank)
        all.set(link.identifier, { id: link.identifier, rank: link.rank });
    }
    const key = rules.chooseKey([...all.values()]);
    await q(
      `INSERT INTO call_links (identifier, rank, call_key)
       SELECT i, r, $3 FROM unnest($1::text[], $2::integer[]) AS t(i, r)
       ON CONFLICT (identifier) DO UPDATE SET call_key = excluded.call_key, rank = least(call_links.rank, excluded.rank)`,
      [[...ids.keys()], [...ids.values()].map((id) => id.rank), key],
    );
    for (const other of keys) if (other !== key) await merge(other, key);
    dirty.add(key);
    removed.delete(key);
  }
  if (batch.refreshKeys && batch.refreshKeys.length > 0) {
    const existing = await q<{ key: string }>('SELECT key FROM calls WHERE key = ANY($1::text[])', [
      batch.refreshKeys,
    ]);
    for (const row of existing) dirty.add(row.key);
  }

  const saveCall = async (call: Call): Promise<void> => {
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
  };

  const changed = new Map<string, Call>();
  const project = async (key: string): Promise<Call> => {
    const ids = (
      await q<{ identifier: string }>('SELECT identifier FROM call_links WHERE call_key = $1', [key])
    ).map((link) => link.identifier);
    const rows = await q<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
       WHERE call_key IN (SELECT identifier FROM call_links WHERE call_key = $1)`,
      [key],
    );
    const call = rules.project(rows.map(toEvent), ids, key, batch.now);
    await saveCall(call);
    changed.set(key, call);
    return call;
  };
  for (const key of dirty) await project(key);

  const search = async (query: CallSearch, legOnly: boolean): Promise<Call[]> =>
    (
      await q<{ record: string }>(
        legOnly
          ? `SELECT record FROM calls WHERE from_number = $1 AND started_at BETWEEN $2 AND $3 AND leg_only
             ORDER BY started_at, key LIMIT ${ORPHAN_CANDIDATES}`
          : `SELECT record FROM calls WHERE from_number = $1 AND started_at BETWEEN $2 AND $3 AND NOT leg_only
             AND direction = 'inbound' ORDER BY started_at DESC, key LIMIT ${PARENT_CANDIDATES}`,
        [query.from, query.startedFrom, query.startedTo],
      )
    ).map((row) => JSON.parse(row.record) as Call);

  // Agent-only legs (e.g. a user-missed CDR without conversation_uuid) join their caller's call by number and time.
  for (const call of [...changed.values()]) {
    if (removed.has(call.key)) continue;
    if (call.legOnly) {
      const where = rules.parentSearch(call);
      const parent = where ? rules.pickParent(call, await search(where, false)) : null;
      if (parent) {
        await merge(call.key, parent.key);
        changed.delete(call.key);
        await project(parent.key);
      }
    } else if (call.direction === 'inbound') {
      const where = rules.orphanSearch(call);
      let isMerged = false;
      for (const orphan of where ? await search(where, true) : []) {
        const parentWhere = rules.parentSearch(orphan);
        if (parentWhere && rules.pickParent(orphan, await search(parentWhere, false))?.key === call.key) {
          await merge(orphan.key, call.key);
          changed.delete(orphan.key);
          isMerged = true;
        }
      }
      if (isMerged) await project(call.key);
    }
  }
  const last = events.reduce((max, event) => Math.max(max, Number(event.cursor)), 0);
  if (last > 0) {
    await q(
      `INSERT INTO projection_state (name, position) VALUES ('calls', $1)
       ON CONFLICT (name) DO UPDATE SET position = greatest(projection_state.position, excluded.position)`,
      [last],
    );
  }
  for (const key of removed) changed.delete(key);
  return { changed: [...changed.values()], removed: [...removed], folded: events };
}
