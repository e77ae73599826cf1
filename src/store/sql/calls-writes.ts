import sql, { raw } from 'sql-template-tag';

import type { Call } from '../call-record.js';
import {
  type CallsTransaction,
  INFERRED_RANK,
  type InferredLeg,
  type LinkRank,
  type StoredLink,
} from '../calls-transaction.js';
import type { CallSearch, StoredEvent } from '../store.js';
import { EVENT_COLUMNS, type EventRow, toEvent } from '../stored-event.js';
import type { Dialect } from './dialect.js';
import { MASKED_STATE } from './number-masking.js';
import { all, one, type Program, type Query, run, statement } from './program.js';

/** How many of a number's latest calls are considered as the parent of an agent-only leg. */
const PARENT_CANDIDATES = 8;
/** Agent-only legs considered for one call (a call rings a handful of agents). */
const ORPHAN_CANDIDATES = 32;
/**
 * Calls whose events are kept in memory between folds: live calls get several events within minutes, so the
 * calls in progress must fit (a busy call centre has a few hundred at once). Not more: what the cache holds is
 * live in the fold thread's heap, which V8 lets grow to a multiple of what is live; 2,000 calls measured 40 MB
 * more peak RSS under `npm run bench` than 500 (bench/README: Memory).
 */
const CACHED_CALLS = 500;

/** A call's row as the other tables refer to it: SQLite's integer id, PostgreSQL's key. */
type Ref = string | number;

/** The calls transaction as programs: each adapter runs them on its driver (runSync or runAsync). */
export type CallsPrograms = {
  [K in keyof CallsTransaction]: (
    ...args: Parameters<CallsTransaction[K]>
  ) => Program<Awaited<ReturnType<CallsTransaction[K]>>>;
};

/** Turns the programs into the transaction the fold runs over, with the adapter's runner. */
export function bindPrograms<R>(
  programs: CallsPrograms,
  runProgram: (program: Program<unknown>) => R,
): CallsTransaction {
  const tx: Record<string, (...args: unknown[]) => R> = {};
  for (const [name, program] of Object.entries(programs))
    tx[name] = (...args) => runProgram((program as (...a: unknown[]) => Program<unknown>)(...args));
  return tx as unknown as CallsTransaction;
}

/** The statements of the fold, their texts built once (SQLite prepares each once, PostgreSQL names it). */
function statementsOf(d: Dialect) {
  const ref = d.callRef;
  const id = d.callId;
  const sqlite = d.name === 'sqlite';
  const search = `FROM calls WHERE from_number = ? AND started_at BETWEEN ? AND ?`;
  return {
    linkOf: statement(`SELECT identifier, rank, ${ref} AS ref FROM call_links WHERE identifier = ?`),
    keyOfCall: statement(`SELECT key FROM calls WHERE id = ?`),
    lastCallId: statement(`SELECT max(id) AS id FROM calls`),
    linksOfCall: statement(`SELECT identifier, rank FROM call_links WHERE ${ref} = ?`),
    // SQLite keeps an event's seq on the link of its own call key (its first identifier): see eventsOfCall.
    upsertLink: statement(
      sqlite
        ? `INSERT INTO call_links (identifier, rank, call_id, event_seqs)
          VALUES (?, ?, ?, CASE WHEN ? IS NULL THEN NULL ELSE json_array(?) END)
          ON CONFLICT (identifier) DO UPDATE SET call_id = excluded.call_id, rank = min(rank, excluded.rank),
            event_seqs = CASE WHEN ? IS NULL THEN event_seqs ELSE json_insert(coalesce(event_seqs, '[]'), '$[#]', ?) END`
        : `INSERT INTO call_links (identifier, rank, call_key) VALUES (?, ?, ?)
          ON CONFLICT (identifier) DO UPDATE SET call_key = excluded.call_key,
            rank = least(call_links.rank, excluded.rank)`,
    ),
    relink: statement(`UPDATE call_links SET ${ref} = ? WHERE ${ref} = ?`),
    relinkInferred: statement(`UPDATE call_links SET ${ref} = ?,
      rank = rank + CASE WHEN rank < ${INFERRED_RANK} THEN ${INFERRED_RANK} ELSE 0 END WHERE ${ref} = ?`),
    moveLink: statement(`UPDATE call_links SET ${ref} = ?, rank = ? WHERE identifier = ?`),
    callOfLink: statement(`SELECT ${ref} AS ref FROM call_links WHERE identifier = ?`),
    // SQLite: each link keeps the seqs of the events whose own call key is that id, so a merge moves their events
    // with it; the events table has no index on its call key (bench:insert). PostgreSQL indexes the call key.
    eventsOfCall: statement(
      sqlite
        ? `SELECT ${EVENT_COLUMNS.split(', ')
            .map((column) => `e.${column}`)
            .join(', ')}
          FROM call_links l, json_each(l.event_seqs) j JOIN events e ON e.seq = j.value
          WHERE l.call_id = ? ORDER BY e.seq`
        : `SELECT ${EVENT_COLUMNS} FROM events
          WHERE call_key IN (SELECT identifier FROM call_links WHERE call_key = ?) ORDER BY seq`,
    ),
    upsertCall:
      statement(`INSERT INTO calls (${sqlite ? 'id, ' : ''}key, started_at, direction, state, outcome,
        from_number, to_number, virtual_number, team, answered_by, placed_by, waited_sec, talk_sec, last_event_at,
        leg_only, backfilled, record)
      VALUES (${sqlite ? '?, ' : ''}?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (${id}) DO UPDATE SET key = excluded.key, started_at = excluded.started_at,
        direction = excluded.direction, state = excluded.state, outcome = excluded.outcome,
        from_number = excluded.from_number, to_number = excluded.to_number, virtual_number = excluded.virtual_number,
        team = excluded.team, answered_by = excluded.answered_by, placed_by = excluded.placed_by,
        waited_sec = excluded.waited_sec, talk_sec = excluded.talk_sec, last_event_at = excluded.last_event_at,
        leg_only = excluded.leg_only, backfilled = excluded.backfilled, record = excluded.record`),
    deleteCall: statement(`DELETE FROM calls WHERE ${id} = ?`),
    deleteAgents: statement(`DELETE FROM call_agents WHERE ${ref} = ?`),
    insertAgent: statement(`INSERT INTO call_agents (${ref}, position, agent, team, rang_at, answered,
      missed_by_agent, talk_sec) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    // Candidate parents: the latest inbound calls from the number that started in the window. A number that calls
    // often (a switchboard) has many calls; the parent of a leg is among the latest that started before it.
    findParents: statement(`SELECT ${id} AS ref, record ${search} AND ${d.isFalse('leg_only').sql}
      AND direction = 'inbound' ORDER BY started_at DESC, key LIMIT ${PARENT_CANDIDATES}`),
    // Agent-only legs waiting for their call: few, read through the partial index calls_orphans.
    findOrphans: statement(`SELECT ${id} AS ref, record ${search} AND ${d.isTrue('leg_only').sql}
      ORDER BY started_at, key LIMIT ${ORPHAN_CANDIDATES}`),
    // Legs joined by inference to the caller's calls in the window: a few calls of one number, each one lookup.
    findInferred: statement(`SELECT c.${id} AS ref, c.record, l.identifier, l.rank
      FROM calls c JOIN call_links l ON l.${ref} = c.${id}
      WHERE c.from_number = ? AND c.started_at BETWEEN ? AND ? AND ${d.isFalse('c.leg_only').sql}
        AND c.direction = 'inbound' AND l.rank >= ${INFERRED_RANK}
      ORDER BY c.started_at, l.identifier`),
    numberOfCall: statement(`SELECT from_number FROM calls WHERE ${id} = ?`),
    numbersWithInferred: statement(`SELECT DISTINCT c.from_number FROM call_links l
      JOIN calls c ON c.${id} = l.${ref} WHERE l.rank >= ${INFERRED_RANK} AND c.from_number IS NOT NULL`),
    maskings: statement(`SELECT position FROM projection_state WHERE name = '${MASKED_STATE}'`),
    lastSeq: statement(`SELECT max(seq) AS seq FROM events`),
    savePosition: statement(`INSERT INTO projection_state (name, position) VALUES ('calls', ?)
      ON CONFLICT (name) DO UPDATE SET position = ${d.greatest}(projection_state.position, excluded.position)`),
  };
}

/**
 * The calls transaction that the fold (src/calls/fold.ts) runs over, written once for both databases. SQLite
 * numbers its calls' rows (`id`, in arrival order, so that they go to the end of their B-trees) and this maps
 * keys to ids; PostgreSQL refers to a call by its key.
 *
 * `singleWriter`: only this transaction writes the calls (SQLite's fold thread), so it may remember between folds
 * the events of recent calls and the callers whose calls hold legs by inference. PostgreSQL's processes fold
 * into one database, and remember nothing.
 */
export function createCallsWrites(d: Dialect, options: { readonly singleWriter: boolean }) {
  const s = statementsOf(d);
  const numbered = d.callId === 'id';

  // The events of recently folded calls, so that folding one more event does not read and normalise all the
  // call's events again. The transaction is told of every change of which events belong to which call, so it keeps
  // the cache exact: a call's events are remembered when it is saved, merged or dropped when calls merge,
  // forgotten when one leg moves.
  const cache = new Map<string, StoredEvent[]>();
  const remember = (key: string, events: StoredEvent[]): void => {
    if (!options.singleWriter) return;
    cache.delete(key);
    cache.set(key, events);
    if (cache.size > CACHED_CALLS) cache.delete(cache.keys().next().value!);
  };

  // The callers whose calls hold legs by inference (a superset: a number stays once its legs moved). Each new
  // inbound call asks for such legs of its caller's earlier calls; almost no caller has any, and asking the
  // database for every new call cost 12 % of the fold (bench:fold, every event a new call).
  let inferredNumbers: Set<string> | null = null;
  function* noteInferred(call: Ref): Program<void> {
    if (!inferredNumbers) return;
    const number = (yield* one<{ from_number: string | null }>(s.numberOfCall(call)))?.from_number;
    if (number) inferredNumbers.add(number);
  }

  // How many maskings of numbers the database had counted at the last fold (undefined: to be read again).
  let maskings: number | undefined;
  const forget = (): void => {
    cache.clear();
    inferredNumbers = null;
    maskings = undefined;
  };

  const open = (): CallsPrograms => {
    // The rows' ids of the calls this fold has seen, by key, and a new id for each call first seen here. A
    // call's key is one of its links, always, so every key the fold names was learnt here from a link or a row.
    const ids = new Map<string, number>();
    const keys = new Map<number, string>();
    let lastId: number | null = null;
    const know = (key: string, ref: Ref): void => {
      if (!numbered) return;
      ids.set(key, ref as number);
      keys.set(ref as number, key);
    };
    function* refOf(key: string): Program<Ref> {
      if (!numbered) return key;
      let id = ids.get(key);
      if (id === undefined) {
        lastId ??= (yield* one<{ id: number | null }>(s.lastCallId()))?.id ?? 0;
        id = lastId += 1;
        know(key, id);
      }
      return id;
    }
    function* keyOf(ref: Ref): Program<string | undefined> {
      if (!numbered) return ref as string;
      let key = keys.get(ref as number);
      if (key === undefined) {
        key = (yield* one<{ key: string }>(s.keyOfCall(ref)))?.key;
        if (key !== undefined) know(key, ref);
      }
      return key;
    }
    function* calls(query: Query): Program<Call[]> {
      return (yield* all<{ ref: Ref; record: string }>(query)).map((row) => {
        const call = JSON.parse(row.record) as Call;
        know(call.key, row.ref);
        return call;
      });
    }
    const where = (query: CallSearch): unknown[] => [query.from, query.startedFrom, query.startedTo];
    // The links as linksOf last read them, until a link is written: an event's ids were almost all linked to its
    // call by its call's earlier events, and upserting such a link again changes nothing (it was 1/3 of the
    // fold's statement time in bench:fold, realistic calls).
    const read = new Map<string, { rank: number; ref: Ref }>();

    function* linksOf(identifiers: readonly string[]): Program<StoredLink[]> {
      const links: StoredLink[] = [];
      for (const identifier of identifiers) {
        const row = yield* one<{ identifier: string; rank: number; ref: Ref }>(s.linkOf(identifier));
        if (!row) continue;
        read.set(row.identifier, { rank: row.rank, ref: row.ref });
        const call = yield* keyOf(row.ref);
        if (call !== undefined) links.push({ identifier: row.identifier, rank: row.rank, call });
      }
      return links;
    }

    return {
      linksOf,
      *linksOfCall(key) {
        return yield* all<LinkRank>(s.linksOfCall(yield* refOf(key)));
      },
      *upsertLinks(key, links, seq) {
        const call = yield* refOf(key);
        for (const [n, link] of links.entries()) {
          // SQLite appends the event's seq to its first link (see eventsOfCall): that one is always written.
          const first = n === 0 ? seq : null;
          const known = read.get(link.identifier);
          read.delete(link.identifier);
          if ((first === null || !numbered) && known?.ref === call && known.rank <= link.rank) continue;
          yield* run(
            s.upsertLink(link.identifier, link.rank, call, ...(numbered ? [first, first, first, first] : [])),
          );
        }
      },
      *relink(from, into, inferred) {
        read.clear();
        const intoRef = yield* refOf(into);
        yield* run((inferred ? s.relinkInferred : s.relink)(intoRef, yield* refOf(from)));
        if (inferred) yield* noteInferred(intoRef);
        const fromEvents = cache.get(from);
        const intoEvents = cache.get(into);
        cache.delete(from);
        if (fromEvents && intoEvents) remember(into, [...intoEvents, ...fromEvents]);
        else cache.delete(into);
      },
      *moveLink(identifier, rank, into) {
        read.delete(identifier);
        if (cache.size > 0) {
          const row = yield* one<{ ref: Ref }>(s.callOfLink(identifier));
          const from = row === undefined ? undefined : yield* keyOf(row.ref);
          if (from !== undefined) cache.delete(from);
          cache.delete(into);
        }
        const intoRef = yield* refOf(into);
        yield* run(s.moveLink(intoRef, rank, identifier));
        if (rank >= INFERRED_RANK) yield* noteInferred(intoRef);
      },
      *eventsOfCall(key) {
        const cached = cache.get(key);
        return cached ? [...cached] : (yield* all<EventRow>(s.eventsOfCall(yield* refOf(key)))).map(toEvent);
      },
      *saveCall(call, events) {
        const ref = yield* refOf(call.key);
        const c = call;
        yield* run(
          s.upsertCall(
            ...(numbered ? [ref] : []),
            c.key,
            c.startedAt,
            c.direction,
            c.state,
            c.outcome,
            c.from,
            c.to,
            c.virtualNumber,
            c.team,
            c.answeredBy,
            c.placedBy,
            c.waitedSec,
            c.talkSec,
            c.lastEventAt,
            c.legOnly,
            c.closedBy === 'backfill',
            JSON.stringify(call),
          ),
        );
        yield* run(s.deleteAgents(ref));
        for (const [position, leg] of call.agents.entries()) {
          const isMissed = !leg.answered && (leg.endedAt !== null || call.state === 'ended');
          const talk = leg.answered && call.answeredBy === leg.agent ? call.talkSec : null;
          const rangAt = leg.rangAt ?? call.startedAt;
          yield* run(s.insertAgent(ref, position, leg.agent, leg.team, rangAt, leg.answered, isMissed, talk));
        }
        remember(call.key, [...events]);
      },
      *dropCall(key) {
        const ref = yield* refOf(key);
        yield* run(s.deleteCall(ref));
        yield* run(s.deleteAgents(ref));
        cache.delete(key);
      },
      *existingCalls(candidates) {
        const found = (yield* linksOf(candidates)).filter((link) => link.call === link.identifier);
        return found.map((link) => link.call);
      },
      parentCandidates: (query) => calls(s.findParents(...where(query))),
      orphanCandidates: (query) => calls(s.findOrphans(...where(query))),
      *inferredLegs(query) {
        if (options.singleWriter) {
          inferredNumbers ??= new Set(
            (yield* all<{ from_number: string }>(s.numbersWithInferred())).map((row) => row.from_number),
          );
          if (!inferredNumbers.has(query.from)) return [];
        }
        const rows = yield* all<{ ref: Ref; record: string; identifier: string; rank: number }>(
          s.findInferred(...where(query)),
        );
        return rows.map((row): InferredLeg => {
          const parent = JSON.parse(row.record) as Call;
          know(parent.key, row.ref);
          return { identifier: row.identifier, rank: row.rank, parent };
        });
      },
      *savePosition(seq) {
        yield* run(s.savePosition(seq));
      },
    };
  };

  return {
    open,
    /**
     * Run first in each fold's transaction, over the events handed to it: whether numbers were masked (`telehook
     * forget`, the hourly masking) since the last fold, by any connection or process (store/sql/number-masking.ts
     * counts them in the calls' database). Then what is remembered is forgotten, since it may hold the numbers as
     * they were, and the batch's events are read again; `upTo`: the last event stored, since any copy of an
     * event up to it, held to be folded, may be from before. Null: no masking since the last fold, the batch as given.
     * First in the transaction: a masking committed before its snapshot of the calls' database is seen here, and
     * one committed after it fails the fold's first write (SQLite: SQLITE_BUSY_SNAPSHOT), and the fold is retried.
     * PostgreSQL: after the projection's lock, which a masking of calls takes too (store/sql/retention.ts,
     * number-masking.ts), so a masking is either wholly before this fold (seen here: events listed before it are
     * read again) or waits for it to commit (and then masks what it wrote).
     */
    *readMasked(batch: readonly StoredEvent[]): Program<{ events: StoredEvent[]; upTo: number } | null> {
      const now = (yield* one<{ position: number }>(s.maskings()))?.position ?? 0;
      if (now === maskings) return null;
      forget();
      maskings = now;
      const upTo = (yield* one<{ seq: number | null }>(s.lastSeq()))?.seq ?? 0;
      const seqs = batch.map((event) => Number(event.cursor));
      const rows =
        seqs.length === 0
          ? []
          : yield* all<EventRow>(
              sql`SELECT ${raw(EVENT_COLUMNS)} FROM events WHERE ${d.anyOf('seq', seqs, 'bigint')} ORDER BY seq`,
            );
      return { events: rows.map(toEvent), upTo };
    },
    /** Forgets what is remembered between folds: after the calls are reset, or a fold rolled back. */
    forget,
  };
}

/** A store's calls transaction, written once: see createCallsWrites. */
export type CallsWrites = ReturnType<typeof createCallsWrites>;
