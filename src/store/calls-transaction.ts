import type { Call } from './call-record.js';
import type { CallSearch, ProjectionBatch, ProjectionResult, StoredEvent } from './store.js';

/**
 * Added to the rank of a link that the fold inferred (an agent-only leg joined to its caller's call by number and
 * time) rather than read from an event. Such a link never names a call and never merges two calls: when later
 * events show that the leg belongs elsewhere, it moves.
 */
export const INFERRED_RANK = 100;

/** A link between a TeleCMI id and the call it belongs to, by the call's key. */
export interface StoredLink {
  readonly identifier: string;
  readonly rank: number;
  readonly call: string;
}

/** A link of one call. */
export interface LinkRank {
  readonly identifier: string;
  readonly rank: number;
}

/** An agent's leg joined by inference to `parent`. */
export interface InferredLeg extends LinkRank {
  readonly parent: Call;
}

type Maybe<T> = T | Promise<T>;

/**
 * What the fold (src/calls/fold.ts) asks of a store, inside the store's transaction. Each adapter implements it
 * over its own tables: the SQLite one synchronously, the PostgreSQL one with promises. Calls are named by key.
 */
export interface CallsTransaction {
  /** The links of these ids that exist, each with its call. */
  linksOf(identifiers: readonly string[]): Maybe<StoredLink[]>;
  /** Every link of a call. */
  linksOfCall(key: string): Maybe<LinkRank[]>;
  /**
   * Links the ids to the call `key` (a link's rank only ever decreases), the event `seq` being the event of the
   * first one.
   */
  upsertLinks(key: string, links: readonly LinkRank[], seq: number): Maybe<void>;
  /** Moves every link of `from` to `into`; `inferred`: they become inferred links. */
  relink(from: string, into: string, inferred: boolean): Maybe<void>;
  /** Moves one link to `into`, with this rank. */
  moveLink(identifier: string, rank: number, into: string): Maybe<void>;
  /** The events of a call, as stored (this batch's included). */
  eventsOfCall(key: string): Maybe<StoredEvent[]>;
  /** Stores a call as projected from `events`. */
  saveCall(call: Call, events: readonly StoredEvent[]): Maybe<void>;
  dropCall(key: string): Maybe<void>;
  /** Which of these keys name a call. */
  existingCalls(keys: readonly string[]): Maybe<string[]>;
  /** The latest inbound calls (not agent-only legs) that started in the window. */
  parentCandidates(search: CallSearch): Maybe<Call[]>;
  /** Agent-only legs that started in the window. */
  orphanCandidates(search: CallSearch): Maybe<Call[]>;
  /** The legs joined by inference to inbound calls that started in the window. */
  inferredLegs(search: CallSearch): Maybe<InferredLeg[]>;
  /** Everything up to this event's seq is folded. */
  savePosition(seq: number): Maybe<void>;
}

/** One request of the fold to the store: the fold's generator yields it and is resumed with its answer. */
export type FoldStep = (tx: CallsTransaction) => unknown;
export type FoldRun = Generator<FoldStep, ProjectionResult, unknown>;

/** Folds a batch of events into calls, written once over {@link CallsTransaction} (src/calls/fold.ts). */
export interface CallFold {
  fold(batch: ProjectionBatch): FoldRun;
}

/** Runs a fold over a synchronous transaction (SQLite): no await between two statements. */
export function runFold(run: FoldRun, tx: CallsTransaction): ProjectionResult {
  let step = run.next();
  while (!step.done) {
    const answer = step.value(tx);
    if (answer instanceof Promise) throw new TypeError('runFold needs a synchronous transaction.');
    step = run.next(answer);
  }
  return step.value;
}

/** Runs a fold over an asynchronous transaction (PostgreSQL). */
export async function runFoldAsync(run: FoldRun, tx: CallsTransaction): Promise<ProjectionResult> {
  let step = run.next();
  while (!step.done) step = run.next(await step.value(tx));
  return step.value;
}
