// Leaf modules, not the store/ barrel: the SQLite fold thread runs this and loads only what it uses.
import type { Call } from '../store/call-record.js';
import {
  type CallFold,
  type CallsTransaction,
  INFERRED_RANK,
  type LinkRank,
  type StoredLink,
} from '../store/calls-transaction.js';
import type { ProjectionBatch, ProjectionResult, StoredEvent } from '../store/store.js';
import type { CallEvent } from '../telecmi/index.js';
import { chooseCallKey, identifiersOf } from './identifiers.js';
import { fits, type LegClue, legOf, orphanSearch, parentSearch, pickParent, rivalSearch } from './orphans.js';
import { projectCall } from './projector.js';

/** Projects one call from its events (projectCall with the fold's settings); replaceable in tests. */
export type ProjectOne = (
  events: readonly CallEvent[],
  identifiers: readonly string[],
  key: string,
  now: number,
) => Call;

export interface CallFoldOptions {
  /** A call with no event for this long is closed as `unknown`. */
  readonly staleAfterMs: number;
  readonly project?: ProjectOne;
}

type Step<T> = Generator<(tx: CallsTransaction) => unknown, T, unknown>;

/** One request to the store's transaction, answered synchronously (SQLite) or awaited (PostgreSQL). */
function* ask<T>(request: (tx: CallsTransaction) => T | Promise<T>): Step<T> {
  return (yield request) as T;
}

/**
 * The fold, written once for every store: links each event to its call by the TeleCMI ids it carries, merges the
 * calls an event shows to be one, re-projects the calls touched, and joins agent-only legs to their caller's call
 * by number and time. It runs inside the store's transaction (Store.projectCalls) as a generator whose every
 * step is a request to the store (src/store/calls-transaction.ts).
 *
 * A leg joined by number and time is an inference, kept as links of rank ≥ INFERRED_RANK: such a link never
 * merges calls (an event that carries the leg's id and another call's id takes the leg there), and it is revised
 * when its call changes (the call's CDR shows it ended before the leg) or a later call that fits it better
 * arrives, so that any arrival order ends where folding all events at once does.
 */
export function createCallFold(options: CallFoldOptions): CallFold {
  const projectOne: ProjectOne =
    options.project ??
    ((events, identifiers, key, now) =>
      projectCall(events, identifiers, key, { now, staleAfterMs: options.staleAfterMs }));
  return { fold: (batch) => foldBatch(batch, projectOne) };
}

function* foldBatch(batch: ProjectionBatch, projectOne: ProjectOne): Step<ProjectionResult> {
  const dirty = new Set<string>();
  const removed = new Set<string>();
  /** The events of this batch, by the call they joined. */
  const joined = new Map<string, StoredEvent[]>();
  /** Calls first seen in this batch whose events are all in `joined`: none has to be read. */
  const fresh = new Set<string>();
  /** Calls first seen in this batch: they may take legs that an earlier call of their caller holds by inference. */
  const created = new Set<string>();
  const changed = new Map<string, Call>();
  /** The inferred links of each call projected here. */
  const inferred = new Map<string, LinkRank[]>();

  function* merge(from: string, into: string, isInference: boolean): Step<void> {
    yield* ask((tx) => tx.relink(from, into, isInference));
    yield* ask((tx) => tx.dropCall(from));
    removed.add(from);
    dirty.delete(from);
    dirty.add(into);
    changed.delete(from);
    const moved = joined.get(from);
    if (moved) joined.set(into, [...(joined.get(into) ?? []), ...moved]);
    joined.delete(from);
    if (!fresh.has(from)) fresh.delete(into);
    fresh.delete(from);
    created.delete(from);
  }

  /** Moves one leg's link to another call: neither call can rely on the events in memory any more. */
  function* move(identifier: string, rank: number, from: string, into: string): Step<void> {
    yield* ask((tx) => tx.moveLink(identifier, rank, into));
    fresh.delete(from);
    fresh.delete(into);
    dirty.add(from);
    dirty.add(into);
    removed.delete(into);
  }

  for (const stored of batch.events) {
    // The event's call key is its first identifier; an id listed twice keeps its strongest rank.
    const ids = new Map<string, LinkRank>();
    for (const id of identifiersOf(stored)) {
      const known = ids.get(id.id);
      if (!known || id.rank < known.rank) ids.set(id.id, { identifier: id.id, rank: id.rank });
    }
    if (ids.size === 0) continue;
    const links: StoredLink[] = yield* ask((tx) => tx.linksOf([...ids.keys()]));
    const direct = new Set<string>();
    let guessed = links.filter((link) => link.rank >= INFERRED_RANK);
    for (const link of links) if (link.rank < INFERRED_RANK) direct.add(link.call);
    const isOnlyGuessed = links.length === ids.size && direct.size === 0;
    let key: string;
    let write = [...ids.values()];
    if (isOnlyGuessed && new Set(guessed.map((link) => link.call)).size === 1) {
      // Only the ids of a leg joined by inference (its own later event): the event follows the leg, which stays
      // an inference.
      key = guessed[0]!.call;
      write = write.map((id) => ({
        identifier: id.identifier,
        rank: Math.max(id.rank, ...rankOf(guessed, id)),
      }));
      guessed = [];
    } else {
      if (isOnlyGuessed) {
        for (const link of guessed) direct.add(link.call);
        guessed = [];
      }
      const all = new Map<string, { id: string; rank: number }>(
        write.map((id) => [id.identifier, { id: id.identifier, rank: id.rank }]),
      );
      for (const call of direct) {
        for (const link of yield* ask((tx) => tx.linksOfCall(call))) {
          if (link.rank >= INFERRED_RANK) continue;
          const known = all.get(link.identifier);
          if (!known || link.rank < known.rank)
            all.set(link.identifier, { id: link.identifier, rank: link.rank });
        }
      }
      key = chooseCallKey(all.values());
    }
    // A leg joined by inference that this event ties to another call by its own ids moves there.
    for (const link of guessed) {
      if (link.call === key || direct.has(link.call)) continue;
      yield* move(link.identifier, ids.get(link.identifier)!.rank, link.call, key);
    }
    yield* ask((tx) => tx.upsertLinks(key, write, Number(stored.cursor)));
    for (const other of direct) if (other !== key) yield* merge(other, key, false);
    if (links.length === 0) {
      fresh.add(key);
      created.add(key);
    }
    dirty.add(key);
    removed.delete(key);
    joined.set(key, [...(joined.get(key) ?? []), stored]);
  }
  if (batch.refreshKeys && batch.refreshKeys.length > 0) {
    const keys = batch.refreshKeys;
    for (const key of yield* ask((tx) => tx.existingCalls(keys))) dirty.add(key);
  }

  function* eventsOf(key: string): Step<StoredEvent[]> {
    const mine = joined.get(key) ?? [];
    if (fresh.has(key)) return mine;
    const stored = yield* ask((tx) => tx.eventsOfCall(key));
    if (mine.length === 0) return stored;
    const known = new Set(stored.map((event) => event.cursor));
    return [...stored, ...mine.filter((event) => !known.has(event.cursor))];
  }
  function* project(key: string): Step<Call> {
    const links = yield* ask((tx) => tx.linksOfCall(key));
    const events = yield* eventsOf(key);
    joined.delete(key);
    fresh.delete(key);
    dirty.delete(key);
    const call = projectOne(
      events,
      links.map((link) => link.identifier),
      key,
      batch.now,
    );
    yield* ask((tx) => tx.saveCall(call, events));
    changed.set(key, call);
    inferred.set(
      key,
      links.filter((link) => link.rank >= INFERRED_RANK),
    );
    return call;
  }
  /** Projects the calls marked dirty, and queues them for the orphans pass. */
  function* projectDirty(): Step<void> {
    for (const key of [...dirty]) {
      if (removed.has(key)) {
        dirty.delete(key);
        continue;
      }
      yield* project(key);
      if (!queued.has(key)) {
        queued.add(key);
        queue.push(key);
      }
    }
  }
  const queue: string[] = [];
  const queued = new Set<string>();
  yield* projectDirty();

  function* parentOf(leg: LegClue, except?: string): Step<Call | null> {
    const where = parentSearch(leg);
    if (where === null) return null;
    const candidates = yield* ask((tx) => tx.parentCandidates(where));
    return pickParent(
      leg,
      candidates.filter((candidate) => candidate.key !== except && !removed.has(candidate.key)),
    );
  }
  /** The clue of a leg held by `call`, from its projection (the leg's own events give it the same time). */
  const clueIn = (call: Call, identifier: string): LegClue | null => {
    const at = call.agents.find((leg) => leg.legId === identifier)?.rangAt;
    return at === undefined || at === null ? null : { from: call.from, at };
  };

  // Agent-only legs (e.g. a user-missed CDR without conversation_uuid) join their caller's call by number and
  // time; joins made earlier are revised as the calls change. Each step re-projects what it changed.
  for (let next = 0; next < queue.length; next += 1) {
    const key = queue[next]!;
    queued.delete(key);
    const call = changed.get(key);
    if (!call || removed.has(key)) continue;
    if (call.legOnly) {
      const parent = yield* parentOf(legOf(call));
      if (parent) {
        yield* merge(call.key, parent.key, true);
        yield* projectDirty();
      }
      continue;
    }
    if (call.direction !== 'inbound') continue;
    // A leg this call holds by inference that no longer fits it (its CDR shows it ended before the leg) goes to
    // the call that fits it now, or becomes an agent-only leg again.
    for (const link of inferred.get(key) ?? []) {
      const leg = clueIn(call, link.identifier);
      if (leg === null || fits(call, leg)) continue;
      const parent = yield* parentOf(leg, key);
      if (parent) yield* move(link.identifier, link.rank, key, parent.key);
      else yield* move(link.identifier, link.rank - INFERRED_RANK, key, link.identifier);
    }
    // A new call takes the legs an earlier call of its caller holds by inference when it fits them better.
    const rivals = created.has(key) ? rivalSearch(call) : null;
    if (rivals !== null) {
      created.delete(key);
      for (const held of yield* ask((tx) => tx.inferredLegs(rivals))) {
        if (held.parent.key === key || removed.has(held.parent.key)) continue;
        const leg = clueIn(held.parent, held.identifier);
        if (leg === null || !fits(call, leg)) continue;
        if ((yield* parentOf(leg))?.key === key)
          yield* move(held.identifier, held.rank, held.parent.key, key);
      }
    }
    // Agent-only legs waiting for this call.
    const where = orphanSearch(call);
    for (const orphan of where ? yield* ask((tx) => tx.orphanCandidates(where)) : []) {
      if (removed.has(orphan.key)) continue;
      if ((yield* parentOf(legOf(orphan)))?.key === key) yield* merge(orphan.key, key, true);
    }
    yield* projectDirty();
  }

  const last = batch.events.reduce((max, event) => Math.max(max, Number(event.cursor)), 0);
  if (last > 0) yield* ask((tx) => tx.savePosition(last));
  for (const key of removed) changed.delete(key);
  return { changed: [...changed.values()], removed: [...removed] };
}

/** The rank of a stored inferred link for this id, as a list of zero or one. */
function rankOf(links: readonly StoredLink[], id: LinkRank): number[] {
  const link = links.find((candidate) => candidate.identifier === id.identifier);
  return link ? [link.rank] : [];
}
