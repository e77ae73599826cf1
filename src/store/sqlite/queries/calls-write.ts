import type { Database } from 'better-sqlite3';

import type { Call } from '../../call-record.js';
import {
  type CallFold,
  type CallsTransaction,
  INFERRED_RANK,
  type InferredLeg,
  type LinkRank,
  runFold,
  type StoredLink,
} from '../../calls-transaction.js';
import type { CallSearch, ProjectionBatch, ProjectionResult, StoredEvent } from '../../store.js';
import { type EventRow, EVENTS_OF_CALL, toEvent } from './read.js';

/** How many of a number's latest calls are considered as the parent of an agent-only leg. */
const PARENT_CANDIDATES = 8;
/** Agent-only legs considered for one call (a call rings a handful of agents). */
const ORPHAN_CANDIDATES = 32;
/** Calls whose events are kept in memory between folds (live calls get several events within minutes). */
const CACHED_CALLS = 2000;

/**
 * The projection write path of the SQLite store: the calls transaction that the fold (src/calls/fold.ts) runs
 * over, synchronously, in one transaction (see Store.projectCalls). Rows of calls are numbered (`id`, in arrival
 * order, so that their rows go to the end of their B-trees); the fold names calls by key, this maps the two.
 */
export function prepareCallWrites(db: Database) {
  const callOfLink = db.prepare('SELECT call_id, rank FROM call_links WHERE identifier = ?').raw();
  const keyOfCall = db.prepare('SELECT key FROM calls WHERE id = ?').pluck();
  const lastCallId = db.prepare('SELECT max(id) FROM calls').pluck();
  const linksOfCall = db.prepare('SELECT identifier, rank FROM call_links WHERE call_id = ?');
  // An event's seq is kept on the link of its own call key (its first identifier): see EVENTS_OF_CALL.
  const upsertLink = db.prepare(`INSERT INTO call_links (identifier, rank, call_id, event_seqs)
    VALUES (@id, @rank, @call, CASE WHEN @seq IS NULL THEN NULL ELSE json_array(@seq) END)
    ON CONFLICT (identifier) DO UPDATE SET call_id = excluded.call_id, rank = min(rank, excluded.rank),
      event_seqs = CASE WHEN @seq IS NULL THEN event_seqs ELSE json_insert(coalesce(event_seqs, '[]'), '$[#]', @seq) END`);
  const relink = db.prepare('UPDATE call_links SET call_id = ? WHERE call_id = ?');
  const relinkInferred = db.prepare(
    `UPDATE call_links SET call_id = ?, rank = rank + CASE WHEN rank < ${INFERRED_RANK} THEN ${INFERRED_RANK} ELSE 0 END
      WHERE call_id = ?`,
  );
  const moveLink = db.prepare('UPDATE call_links SET call_id = ?, rank = ? WHERE identifier = ?');
  const eventsOfCall = db.prepare(EVENTS_OF_CALL);
  const upsertCall =
    db.prepare(`INSERT INTO calls (id, key, started_at, direction, state, outcome, from_number, to_number,
      virtual_number, team, answered_by, placed_by, waited_sec, talk_sec, last_event_at, leg_only, record)
    VALUES (@id, @key, @startedAt, @direction, @state, @outcome, @from, @to, @virtualNumber, @team, @answeredBy,
      @placedBy, @waitedSec, @talkSec, @lastEventAt, @legOnly, @record)
    ON CONFLICT (id) DO UPDATE SET key = excluded.key, started_at = excluded.started_at,
      direction = excluded.direction, state = excluded.state, outcome = excluded.outcome,
      from_number = excluded.from_number, to_number = excluded.to_number, virtual_number = excluded.virtual_number,
      team = excluded.team, answered_by = excluded.answered_by, placed_by = excluded.placed_by,
      waited_sec = excluded.waited_sec, talk_sec = excluded.talk_sec, last_event_at = excluded.last_event_at,
      leg_only = excluded.leg_only, record = excluded.record`);
  const deleteCall = db.prepare('DELETE FROM calls WHERE id = ?');
  const deleteAgents = db.prepare('DELETE FROM call_agents WHERE call_id = ?');
  const insertAgent =
    db.prepare(`INSERT INTO call_agents (call_id, position, agent, team, rang_at, answered, missed_by_agent, talk_sec)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  // Candidate parents: the latest inbound calls from the number that started in the window. A number that calls
  // often (a switchboard) has many calls; the parent of a leg is among the latest that started before it.
  const findParents = db
    .prepare(
      `SELECT id, record FROM calls WHERE from_number = ? AND started_at BETWEEN ? AND ? AND leg_only = 0
        AND direction = 'inbound' ORDER BY started_at DESC, key LIMIT ${PARENT_CANDIDATES}`,
    )
    .raw();
  // Agent-only legs waiting for their call: few, read through the partial index calls_orphans.
  const findOrphans = db
    .prepare(
      `SELECT id, record FROM calls WHERE from_number = ? AND started_at BETWEEN ? AND ? AND leg_only = 1
        ORDER BY started_at, key LIMIT ${ORPHAN_CANDIDATES}`,
    )
    .raw();
  // Legs joined by inference to the caller's calls in the window: a few calls of one number, each one lookup.
  const findInferred = db
    .prepare(
      `SELECT c.id, c.record, l.identifier, l.rank FROM calls c JOIN call_links l ON l.call_id = c.id
        WHERE c.from_number = ? AND c.started_at BETWEEN ? AND ? AND c.leg_only = 0 AND c.direction = 'inbound'
          AND l.rank >= ${INFERRED_RANK}
        ORDER BY c.started_at, l.identifier`,
    )
    .raw();
  const numberOfCall = db.prepare('SELECT from_number FROM calls WHERE id = ?').pluck();
  const numbersWithInferred = db
    .prepare(
      `SELECT DISTINCT c.from_number FROM call_links l JOIN calls c ON c.id = l.call_id
        WHERE l.rank >= ${INFERRED_RANK} AND c.from_number IS NOT NULL`,
    )
    .pluck();
  const savePosition = db.prepare(`INSERT INTO projection_state (name, position) VALUES ('calls', ?)
    ON CONFLICT (name) DO UPDATE SET position = excluded.position`);

  // The events of recently folded calls, so that folding one more event does not read and normalise all the
  // call's events again. The transaction below is told of every change of which events belong to which call, so
  // it keeps the cache exact: a call's events are remembered when it is saved, merged or dropped when calls
  // merge, forgotten when one leg moves.
  const cache = new Map<string, StoredEvent[]>();
  const remember = (key: string, events: StoredEvent[]): void => {
    cache.delete(key);
    cache.set(key, events);
    if (cache.size > CACHED_CALLS) cache.delete(cache.keys().next().value!);
  };

  // The callers whose calls hold legs by inference (a superset: a number stays once its legs moved). Each new
  // inbound call asks for such legs of its caller's earlier calls; almost no caller has any, and asking the
  // database for every new call cost 12 % of the fold (bench:fold, every event a new call). Read once, then kept
  // by this writer, the only one that folds into this file.
  let inferredNumbers: Set<string> | null = null;
  const noteInferred = (callId: number): void => {
    const number = numberOfCall.get(callId) as string | null | undefined;
    if (number) inferredNumbers?.add(number);
  };

  const open = (): CallsTransaction => {
    // The rows' ids of the calls this fold has seen, by key, and a new id for each call first seen here. A
    // call's key is one of its links, always, so every key the fold names was learnt here from a link or a row.
    const ids = new Map<string, number>();
    const keys = new Map<number, string>();
    let lastId: number | null = null;
    const know = (key: string, id: number): void => {
      ids.set(key, id);
      keys.set(id, key);
    };
    const idOf = (key: string): number => {
      let id = ids.get(key);
      if (id === undefined) {
        lastId ??= (lastCallId.get() as number | null) ?? 0;
        id = lastId += 1;
        know(key, id);
      }
      return id;
    };
    const keyOf = (id: number): string | undefined => {
      let key = keys.get(id);
      if (key === undefined) {
        key = keyOfCall.get(id) as string | undefined;
        if (key !== undefined) know(key, id);
      }
      return key;
    };
    const search = (query: CallSearch, legOnly: boolean): Call[] =>
      (
        (legOnly ? findOrphans : findParents).all(query.from, query.startedFrom, query.startedTo) as [
          number,
          string,
        ][]
      ).map(([id, record]) => {
        const call = JSON.parse(record) as Call;
        know(call.key, id);
        return call;
      });
    const dropCall = (key: string): void => {
      const id = idOf(key);
      deleteCall.run(id);
      deleteAgents.run(id);
      cache.delete(key);
    };

    return {
      linksOf: (identifiers) => {
        const links: StoredLink[] = [];
        for (const identifier of identifiers) {
          const row = callOfLink.get(identifier) as [number, number] | undefined;
          const key = row === undefined ? undefined : keyOf(row[0]);
          if (key !== undefined) links.push({ identifier, rank: row![1], call: key });
        }
        return links;
      },
      linksOfCall: (key) => linksOfCall.all(idOf(key)) as LinkRank[],
      upsertLinks: (key, links, seq) => {
        const call = idOf(key);
        links.forEach((link, n) =>
          upsertLink.run({ id: link.identifier, rank: link.rank, call, seq: n === 0 ? seq : null }),
        );
      },
      relink: (from, into, inferred) => {
        (inferred ? relinkInferred : relink).run(idOf(into), idOf(from));
        if (inferred) noteInferred(idOf(into));
        const fromEvents = cache.get(from);
        const intoEvents = cache.get(into);
        cache.delete(from);
        if (fromEvents && intoEvents) remember(into, [...intoEvents, ...fromEvents]);
        else cache.delete(into);
      },
      moveLink: (identifier, rank, into) => {
        const row = callOfLink.get(identifier) as [number, number] | undefined;
        const from = row === undefined ? undefined : keyOf(row[0]);
        if (from !== undefined) cache.delete(from);
        cache.delete(into);
        moveLink.run(idOf(into), rank, identifier);
        if (rank >= INFERRED_RANK) noteInferred(idOf(into));
      },
      eventsOfCall: (key) => {
        const cached = cache.get(key);
        return cached ? [...cached] : (eventsOfCall.all(idOf(key)) as EventRow[]).map(toEvent);
      },
      saveCall: (call, events) => {
        const id = idOf(call.key);
        upsertCall.run({ ...call, id, legOnly: call.legOnly ? 1 : 0, record: JSON.stringify(call) });
        deleteAgents.run(id);
        call.agents.forEach((leg, position) => {
          const isMissed = !leg.answered && (leg.endedAt !== null || call.state === 'ended');
          const talk = leg.answered && call.answeredBy === leg.agent ? call.talkSec : null;
          insertAgent.run(
            id,
            position,
            leg.agent,
            leg.team,
            leg.rangAt ?? call.startedAt,
            leg.answered ? 1 : 0,
            isMissed ? 1 : 0,
            talk,
          );
        });
        remember(call.key, [...events]);
      },
      dropCall,
      existingCalls: (candidates) =>
        candidates.filter((key) => {
          const row = callOfLink.get(key) as [number, number] | undefined;
          return row !== undefined && keyOf(row[0]) === key;
        }),
      parentCandidates: (query) => search(query, false),
      orphanCandidates: (query) => search(query, true),
      inferredLegs: (query) => {
        inferredNumbers ??= new Set(numbersWithInferred.all() as string[]);
        if (!inferredNumbers.has(query.from)) return [];
        return (
          findInferred.all(query.from, query.startedFrom, query.startedTo) as [
            number,
            string,
            string,
            number,
          ][]
        ).map(([id, record, identifier, rank]): InferredLeg => {
          const parent = JSON.parse(record) as Call;
          know(parent.key, id);
          return { identifier, rank, parent };
        });
      },
      // Events are folded in store order, and SQLite commits in that order: the position is a watermark.
      savePosition: (seq) => void savePosition.run(seq),
    };
  };

  const fold = (batch: ProjectionBatch, callFold: CallFold): ProjectionResult =>
    db.transaction((): ProjectionResult => runFold(callFold.fold(batch), open())).deferred();

  return {
    fold: (batch: ProjectionBatch, callFold: CallFold): ProjectionResult => {
      try {
        return fold(batch, callFold);
      } catch (error) {
        // A rolled-back fold leaves the cache ahead of the database.
        cache.clear();
        throw error;
      }
    },
    /** Forgets the cached events (after the calls are reset). */
    forget: (): void => {
      cache.clear();
      inferredNumbers = null;
    },
  };
}
