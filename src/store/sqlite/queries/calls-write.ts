import type { Database } from 'better-sqlite3';

import type { Call } from '../../call-record.js';
import type {
  CallIdentifier,
  CallRules,
  CallSearch,
  ProjectionBatch,
  ProjectionResult,
  StoredEvent,
} from '../../store.js';
import { type EventRow, EVENTS_OF_CALL, toEvent } from './read.js';

/** How many of a number's latest calls are considered as the parent of an agent-only leg. */
const PARENT_CANDIDATES = 8;
/** Agent-only legs considered for one call (a call rings a handful of agents). */
const ORPHAN_CANDIDATES = 32;
/** Calls whose events are kept in memory between folds (live calls get several events within minutes). */
const CACHED_CALLS = 2000;

/**
 * The projection write path of the SQLite store: links events to calls, merges calls, re-projects the calls
 * touched and attaches agent-only legs, all in one transaction (see Store.projectCalls).
 */
export function prepareCallWrites(db: Database) {
  const callOfLink = db.prepare('SELECT call_id FROM call_links WHERE identifier = ?').pluck();
  const keyOfCall = db.prepare('SELECT key FROM calls WHERE id = ?').pluck();
  const lastCallId = db.prepare('SELECT max(id) FROM calls').pluck();
  const linksOfCall = db.prepare('SELECT identifier, rank FROM call_links WHERE call_id = ?');
  // An event's seq is kept on the link of its own call key (its first identifier): see EVENTS_OF_CALL.
  const upsertLink = db.prepare(`INSERT INTO call_links (identifier, rank, call_id, event_seqs)
    VALUES (@id, @rank, @call, CASE WHEN @seq IS NULL THEN NULL ELSE json_array(@seq) END)
    ON CONFLICT (identifier) DO UPDATE SET call_id = excluded.call_id, rank = min(rank, excluded.rank),
      event_seqs = CASE WHEN @seq IS NULL THEN event_seqs ELSE json_insert(coalesce(event_seqs, '[]'), '$[#]', @seq) END`);
  const relink = db.prepare('UPDATE call_links SET call_id = ? WHERE call_id = ?');
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
  const savePosition = db.prepare(`INSERT INTO projection_state (name, position) VALUES ('calls', ?)
    ON CONFLICT (name) DO UPDATE SET position = excluded.position`);

  const saveCall = (id: number, call: Call): void => {
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
  };

  const dropCall = (id: number): void => {
    deleteCall.run(id);
    deleteAgents.run(id);
  };

  // The events of recently folded calls, so that folding one more event does not read and normalise all the
  // call's events again. Only this function changes which events belong to which call, so it keeps the cache
  // exact: it adds a batch's events to their call, and merges or drops entries when calls merge.
  const cache = new Map<string, StoredEvent[]>();
  const remember = (key: string, events: StoredEvent[]): void => {
    cache.delete(key);
    cache.set(key, events);
    if (cache.size > CACHED_CALLS) cache.delete(cache.keys().next().value!);
  };

  const fold = (batch: ProjectionBatch, rules: CallRules): ProjectionResult =>
    db
      .transaction((): ProjectionResult => {
        const dirty = new Set<string>();
        const removed = new Set<string>();
        /** The events of this batch, by the call they joined. */
        const joined = new Map<string, StoredEvent[]>();
        /** Calls first seen in this batch: all their events are in `joined`, none has to be read. */
        const fresh = new Set<string>();
        // The rows' ids of the calls this fold has seen, by key, and a new id for each call first seen here (in
        // arrival order: its rows go to the end of their B-trees). A call's key is one of its links, always.
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
        const merge = (from: string, into: string): void => {
          const fromId = idOf(from);
          relink.run(idOf(into), fromId);
          dropCall(fromId);
          removed.add(from);
          dirty.delete(from);
          dirty.add(into);
          const moved = joined.get(from);
          if (moved) joined.set(into, [...(joined.get(into) ?? []), ...moved]);
          joined.delete(from);
          const fromEvents = cache.get(from);
          const intoEvents = cache.get(into);
          cache.delete(from);
          if (fromEvents && intoEvents) remember(into, [...intoEvents, ...fromEvents]);
          else cache.delete(into);
          if (!fresh.has(from)) fresh.delete(into);
          fresh.delete(from);
        };

        for (const stored of batch.events) {
          const identifiers = rules.identifiersOf(stored);
          if (identifiers.length === 0) continue;
          const all = new Map<string, CallIdentifier>(identifiers.map((id) => [id.id, id]));
          const linked = new Set<string>();
          for (const id of identifiers) {
            const callId = callOfLink.get(id.id) as number | undefined;
            const key = callId === undefined ? undefined : keyOf(callId);
            if (key !== undefined) linked.add(key);
          }
          for (const key of linked) {
            for (const link of linksOfCall.all(idOf(key)) as { identifier: string; rank: number }[]) {
              const known = all.get(link.identifier);
              if (!known || link.rank < known.rank)
                all.set(link.identifier, { id: link.identifier, rank: link.rank });
            }
          }
          const key = rules.chooseKey([...all.values()]);
          const call = idOf(key);
          // The event's call key is its first identifier (normalise); an id listed twice keeps the seq once.
          identifiers.forEach((id, n) =>
            upsertLink.run({ id: id.id, rank: id.rank, call, seq: n === 0 ? Number(stored.cursor) : null }),
          );
          for (const other of linked) if (other !== key) merge(other, key);
          if (linked.size === 0) fresh.add(key);
          dirty.add(key);
          removed.delete(key);
          joined.set(key, [...(joined.get(key) ?? []), stored]);
        }
        for (const key of batch.refreshKeys ?? []) {
          const callId = callOfLink.get(key) as number | undefined;
          if (callId !== undefined && keyOf(callId) === key) dirty.add(key);
        }

        const changed = new Map<string, Call>();
        const eventsOf = (key: string): StoredEvent[] => {
          if (fresh.has(key)) return joined.get(key) ?? [];
          const cached = cache.get(key);
          if (!cached) return (eventsOfCall.all(idOf(key)) as EventRow[]).map(toEvent);
          const known = new Set(cached.map((event) => event.cursor));
          return [...cached, ...(joined.get(key) ?? []).filter((event) => !known.has(event.cursor))];
        };
        const project = (key: string): Call => {
          const id = idOf(key);
          const links = (linksOfCall.all(id) as { identifier: string }[]).map((link) => link.identifier);
          const events = eventsOf(key);
          remember(key, events);
          joined.delete(key);
          fresh.delete(key);
          const call = rules.project(events, links, key, batch.now);
          saveCall(id, call);
          changed.set(key, call);
          return call;
        };
        for (const key of dirty) project(key);

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

        // Agent-only legs (e.g. a user-missed CDR without conversation_uuid) join their caller's call by number and time.
        for (const call of [...changed.values()]) {
          if (removed.has(call.key)) continue;
          if (call.legOnly) {
            const where = rules.parentSearch(call);
            const parent = where ? rules.pickParent(call, search(where, false)) : null;
            if (parent) {
              merge(call.key, parent.key);
              changed.delete(call.key);
              project(parent.key);
            }
          } else if (call.direction === 'inbound') {
            const where = rules.orphanSearch(call);
            let isMerged = false;
            for (const orphan of where ? search(where, true) : []) {
              const parentWhere = rules.parentSearch(orphan);
              if (parentWhere && rules.pickParent(orphan, search(parentWhere, false))?.key === call.key) {
                merge(orphan.key, call.key);
                changed.delete(orphan.key);
                isMerged = true;
              }
            }
            if (isMerged) project(call.key);
          }
        }
        // Events are folded in store order, and SQLite commits in that order: the position is a watermark.
        const last = batch.events.at(-1);
        if (last) savePosition.run(Number(last.cursor));
        for (const key of removed) changed.delete(key);
        return { changed: [...changed.values()], removed: [...removed] };
      })
      .deferred();

  return {
    fold: (batch: ProjectionBatch, rules: CallRules): ProjectionResult => {
      try {
        return fold(batch, rules);
      } catch (error) {
        // A rolled-back fold leaves the cache ahead of the database.
        cache.clear();
        throw error;
      }
    },
    /** Forgets the cached events (after the calls are reset). */
    forget: (): void => cache.clear(),
  };
}
