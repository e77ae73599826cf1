import type { FastifyBaseLogger } from 'fastify';

import type { Config } from '../config.js';
import type { CallEvent, RestRowSource } from '../telecmi/index.js';
import type { AlertStore } from './alert-records.js';
import type { Call } from './call-record.js';
import type { CallFold } from './calls-transaction.js';
import type {
  AttemptRecord,
  AttemptResult,
  ClaimRequest,
  Delivery,
  DeliveryQuery,
  Endpoint,
  EndpointChanges,
  NewDelivery,
  RetryQuery,
} from './delivery-records.js';
import type { FollowupStore } from './followup-records.js';
import type { InstallationStore } from './installation-records.js';
import type { PeopleStore } from './people-records.js';

/**
 * The Store: everything telehook keeps, in domain words. Adapters (SQLite in `sqlite/`, PostgreSQL in
 * `postgres/`) implement it; one contract suite (test/store-contract) runs against each. Every method is async so
 * that a networked database fits unchanged, and every write is durable when its promise resolves.
 */
export interface Store extends PeopleStore, AlertStore, FollowupStore, InstallationStore {
  /** Which adapter this is. */
  readonly backend: 'sqlite' | 'postgres';

  /**
   * Stores one accepted event durably, or recognises an exact resend by its dedupe key. Events submitted
   * together share one transaction and one fsync (group commit); the promise resolves after that commit.
   *
   * @returns the stored event's id: the new one, or for a duplicate the id of the first delivery.
   * @throws StoreError when the database cannot be written (busy, read-only, disk full, closed).
   * @example
   * const { id, duplicate } = await store.appendEvent({ event, body, dedupeKey, method: 'POST', contentType });
   */
  appendEvent(input: NewEvent): Promise<AppendResult>;

  /** Keeps a request that could not be accepted, with its raw bytes and the reason, durably. */
  quarantineRequest(input: NewQuarantinedRequest): Promise<void>;

  /** Events in the order they were stored, after a cursor (`next` of the previous page); `source` narrows them. */
  listEvents(query: EventQuery): Promise<Page<StoredEvent>>;

  /** One event by id, or null. */
  getEvent(id: string): Promise<StoredEvent | null>;

  /** Quarantined requests, oldest first. */
  listQuarantine(query: PageQuery): Promise<Page<QuarantinedRequest>>;

  /** How many events are stored. */
  countEvents(): Promise<number>;

  /**
   * Events received in [from, to) (their `receivedAt`), in the order they were received (ties in store order),
   * after a cursor (`next` of the previous page): a period of traffic, as `telehook replay` re-sends it.
   *
   * @example
   * const page = await store.listEventsReceived({ from: Date.parse('2026-11-25'), to: Date.parse('2026-11-26'), limit: 1000 });
   */
  listEventsReceived(query: ReceivedQuery): Promise<Page<StoredEvent>>;

  /** How many events were received in [from, to). */
  countEventsReceived(period: ReceivedPeriod): Promise<number>;

  // ── Calls: the projection of events into calls (the fold from calls/, kept out of the adapters) ──

  /**
   * The next events not yet folded into calls, in store order (at most `limit`). Events given to
   * {@link projectCalls} are folded: they are not listed again, so a restart resumes where folding stopped.
   */
  listEventsToProject(limit: number): Promise<StoredEvent[]>;

  /**
   * Folds events into calls, in one transaction, by running `fold` (src/calls/fold.ts) over the store's
   * calls transaction (calls-transaction.ts): links each event to its call by its ids (merging calls that an event shows to be
   * one), re-projects every call touched, attaches agent-only legs to their call, and marks the events folded.
   * `refreshKeys` re-projects those calls too (e.g. to close stale ones).
   */
  projectCalls(batch: ProjectionBatch, fold: CallFold): Promise<ProjectionResult>;

  /** How many stored events are not folded into calls yet (the projection's backlog). */
  countEventsToProject(): Promise<number>;

  /**
   * When the oldest event not folded into calls yet was received (epoch ms), or null when every event is folded:
   * how far behind the calls are (telehook_projection_lag_seconds, the wallboard's "calls N s behind").
   *
   * @example
   * const oldest = await store.getOldestEventToProjectAt();
   * const lagSeconds = oldest === null ? 0 : (Date.now() - oldest) / 1000;
   */
  getOldestEventToProjectAt(): Promise<number | null>;

  /**
   * Marks an event that cannot be folded, even alone, as folded-as-failed: the projection moves past it (it is not
   * listed again, also after a restart), and it is counted. Called in store order, for the next event to fold; an
   * event folded meanwhile (by another process) stays folded. {@link resetCalls} forgets the marks, so that a
   * rebuild tries those events again.
   *
   * @example
   * await store.recordFoldFailure(event, 'RangeError: Maximum call stack size exceeded', Date.now());
   */
  recordFoldFailure(event: StoredEvent, reason: string, at: number): Promise<void>;

  /** How many events are marked by {@link recordFoldFailure} (since the calls were last reset). */
  countFoldFailures(): Promise<number>;

  /** The cursor of the latest event folded into calls, or null before the first (the live stream's position). */
  getProjectionPosition(): Promise<string | null>;

  /** Keys of live calls whose last event is older than `before` (epoch ms): candidates for closing as stale. */
  listStaleCallKeys(before: number, limit: number): Promise<string[]>;

  /** Forgets every call and fold failure (events stay): `telehook rebuild` then folds all events again. */
  resetCalls(): Promise<void>;

  /** Calls matching a filter, by start time (newest first unless `order` is asc), with keyset paging. */
  listCalls(query: CallQuery): Promise<Page<Call>>;

  /** {@link listCalls}, each call as its JSON text: for exports that pass calls on without reading them. */
  listCallRecords(query: CallQuery): Promise<Page<string>>;

  /** A call by its key or by any of its TeleCMI ids (a leg id, a call_id…); null when unknown. */
  getCall(keyOrIdentifier: string): Promise<Call | null>;

  /** Every event of a call (unordered; calls/ orders them in TeleCMI time). */
  listCallEvents(key: string): Promise<StoredEvent[]>;

  /** Inbound calls not answered (missed, abandoned, voicemail), each with its callback (a later outbound call to the caller). */
  listMissedCalls(query: MissedQuery): Promise<Page<MissedCall>>;

  /** One compact row per call started in [from, to) (for tests and small periods; metrics use the summaries). */
  listCallFacts(query: FactsQuery): Promise<CallFacts[]>;

  /** Agent legs rung in [from, to), one row each. */
  listAgentFacts(query: FactsQuery): Promise<AgentFacts[]>;

  /**
   * Calls started in [from, to), counted in the database by group and by (direction, state, outcome), with the
   * sums the metric definitions need (calls/metrics.ts turns them into figures): a month is aggregated where
   * it is stored instead of being read row by row.
   */
  summariseCalls(query: SummaryQuery): Promise<CallSummary[]>;

  /** Agent legs rung in [from, to), counted per agent. */
  summariseAgents(query: FactsQuery): Promise<AgentSummary[]>;

  /**
   * Numbers that called (inbound) at least `minCalls` times in [from, to), most calls first: how many of their
   * calls were answered (answered, or answered and still talking, as the metric `answered` counts), first and last.
   */
  listRepeatCallers(query: RepeatCallersQuery): Promise<RepeatCaller[]>;

  /** Calls not ended yet (waiting, ringing, answered). */
  listLiveCalls(): Promise<Call[]>;

  /**
   * Calls `listener` with every fold of events into calls committed by another process sharing this database
   * (PostgreSQL: LISTEN/NOTIFY), so that every process's live stream shows every change, whichever process
   * folded it. A store used by one process only (SQLite) never calls it.
   *
   * @returns a function that stops listening.
   * @example
   * const stop = store.watchFolds((fold) => publisher.folded({ ...fold, result: fold }));
   */
  watchFolds(listener: (fold: FoldedBatch) => void): () => void;

  /**
   * The projection that keeps this store's calls up to date, run where this adapter runs it: on SQLite in the
   * fold thread (unless the store was opened with `foldThread: false`), on PostgreSQL in this process, polling
   * for what a killed process left unfolded. One per store; the store's `close()` ends what it started.
   *
   * @throws TypeError when `now` is given to a store that folds in its thread (a clock cannot cross threads).
   * @example
   * const projection = store.createProjection({ logger, settings: config, onFolded: (batch) => publish(batch) });
   */
  createProjection(setup: ProjectionSetup): CallProjection;

  /**
   * Events are committed in the order of their cursors (one writer, as on SQLite): a folded batch whose events are
   * all at or before a position was handled already. With several processes (PostgreSQL) it is false.
   */
  readonly commitsInCursorOrder: boolean;

  // ── Forwarding: endpoints, deliveries and their attempts (rules in delivery/, kept out of the adapters) ──

  /** Keeps a new endpoint durably. */
  createEndpoint(endpoint: Endpoint): Promise<void>;

  /** An endpoint by id, or null. */
  getEndpoint(id: string): Promise<Endpoint | null>;

  /** Every endpoint, oldest first. */
  listEndpoints(): Promise<Endpoint[]>;

  /** Changes an endpoint's fields; resolves with it as it is now, or null when there is no such endpoint. */
  updateEndpoint(id: string, changes: EndpointChanges): Promise<Endpoint | null>;

  /** Removes an endpoint and its deliveries; false when there was none. */
  deleteEndpoint(id: string): Promise<boolean>;

  /**
   * Enqueues deliveries, skipping any whose (endpoint, idempotency key) is already queued or sent: enqueueing the
   * same notification twice, after a restart or from two processes, leaves one. With `cursor`, saves that
   * position under its name in the same transaction (a scheduler's progress through the events).
   *
   * @returns how many were new.
   * @example
   * await store.enqueueDeliveries([{ id: 'msg_…', endpointId, idempotencyKey: 'call:abc', orderKey: 'abc', type: 'call.missed', payload, createdAt }]);
   */
  enqueueDeliveries(
    deliveries: readonly NewDelivery[],
    cursor?: { readonly name: string; readonly position: string },
  ): Promise<number>;

  /** A position saved by {@link enqueueDeliveries}, or null. */
  getDeliveryCursor(name: string): Promise<string | null>;

  /**
   * Claims due pending deliveries of enabled endpoints for `workerId` until `now + leaseMs`, oldest due first: none
   * claimed by another worker whose lease has not expired, and for each (endpoint, order key) only the oldest
   * pending one, so that one call's deliveries go out in order. A crashed worker's claims expire and are taken
   * over. PostgreSQL implements it with `FOR UPDATE SKIP LOCKED`.
   */
  claimDeliveries(request: ClaimRequest): Promise<Delivery[]>;

  /**
   * Records an attempt and its outcome, if `workerId` still holds the claim (else nothing changes), and releases
   * the claim. Also keeps the endpoint's `failingSince`: cleared by a 2xx, set by the first failure after one.
   */
  recordAttempt(record: AttemptRecord): Promise<AttemptResult>;

  /** Releases the unexpired claims of a worker that stops without attempting them. */
  releaseClaims(workerId: string): Promise<void>;

  /** A delivery with every attempt, or null. */
  getDelivery(id: string): Promise<Delivery | null>;

  /** Deliveries, oldest first, each with every attempt, with cursor paging. */
  listDeliveries(query: DeliveryQuery): Promise<Page<Delivery>>;

  /** How many deliveries match (paging ignored). */
  countDeliveries(query: Omit<DeliveryQuery, 'after' | 'limit'>): Promise<number>;

  /**
   * Sends a delivery again: pending from `now`, at the start of the retry schedule (its attempts are kept).
   * Resolves with it, or null when there is no such delivery.
   */
  retryDelivery(id: string, now: number): Promise<Delivery | null>;

  /** {@link retryDelivery} for every failed delivery of an endpoint enqueued since a time; resolves with how many. */
  retryDeliveries(query: RetryQuery): Promise<number>;

  // ── Reconcile runs: reading TeleCMI's call history (rules in backfill/, kept out of the adapters) ──

  /**
   * Starts a reconcile run over [from, to], unless a run over an overlapping window is running and has shown
   * progress within `leaseMs` (another process's, on PostgreSQL under an advisory lock so that two processes
   * cannot both start one). Running runs silent for longer are marked failed (`RECONCILE_INTERRUPTED`) first: their
   * process died, and the new run covers their window again.
   *
   * @returns the new run and `started: true`, or the run already covering the window and `started: false`.
   * @example
   * const { run, started } = await store.startReconcileRun({ id, from, to, startedAt: now }, { now, leaseMs: 300_000 });
   */
  startReconcileRun(
    run: NewReconcileRun,
    options: { readonly now: number; readonly leaseMs: number },
  ): Promise<{ run: ReconcileRun; started: boolean }>;

  /** Changes a run's progress or ends it (its `heartbeatAt` is set to `now`); null when there is no such run. */
  updateReconcileRun(id: string, changes: ReconcileRunChanges): Promise<ReconcileRun | null>;

  /** A run by id, or null. */
  getReconcileRun(id: string): Promise<ReconcileRun | null>;

  /** Runs, newest first, with cursor paging. */
  listReconcileRuns(query: PageQuery): Promise<Page<ReconcileRun>>;

  // ── Retention and personal data (rules in retention/, kept out of the adapters) ──

  /**
   * Deletes at most `limit` rows of one kind older than `before` (epoch ms), oldest first, in one short
   * transaction: events and quarantined requests by receipt, ended calls by their last event, delivered or failed
   * deliveries (with their attempts) by enqueueing; pending deliveries and live calls are kept.
   *
   * @returns how many were deleted: call it again until it returns less than `limit`.
   * @example
   * while ((await store.pruneData('events', Date.now() - 400 * 86_400_000, 500)) === 500) await yieldToIngest();
   */
  pruneData(data: RetainedData, before: number, limit: number): Promise<number>;

  /**
   * Replaces a phone number (as a whole run of digits) in the rows of one kind after a key, at most `limit` rows read
   * in one transaction: events' and quarantined requests' raw bytes, deliveries' payloads, calls' records and
   * number columns, alerts' summaries and details, follow-up actions' numbers and notes. Only the digits change: ids, times, outcomes and dedupe keys stay, so no call is merged or split
   * and every figure stays the same. With `replacement` null nothing is written: the rows that hold it are counted.
   *
   * @example
   * let after = null;
   * do ({ next: after } = await store.replaceNumber('calls', { number, replacement }, after, 500)); while (after);
   */
  replaceNumber(
    data: NumberData,
    change: NumberChange,
    after: string | null,
    limit: number,
  ): Promise<NumberBatch>;

  /**
   * Masks the phone numbers of one kind of data older than `before` (epoch ms) that the previous calls did not
   * reach, at most `limit` rows in one short transaction, and notes how far it went (the store keeps that
   * position, so each pass reads only what aged past the cut since the last). Calls go in start order, each with
   * every event folded into it; deliveries, alerts, follow-up actions and quarantined requests in store order. A
   * row still changing (a call whose last event is not older than `before`) stops the batch: it is masked later.
   * Only the digits of the numbers `masker` names change, to its masks, so no call is merged or split, every figure
   * stays the same, and a rebuild folds the masked events into the same calls.
   *
   * @returns how many rows it went through: call it again until it returns less than `limit`.
   * @example
   * while ((await store.maskOldNumbers('calls', Date.now() - 90 * 86_400_000, 500, masker)) === 500) await yieldToIngest();
   */
  maskOldNumbers(data: MaskedData, before: number, limit: number, masker: NumberMasker): Promise<number>;

  /** Resolves when a write would succeed now; rejects with a StoreError saying why not. */
  checkWritable(): Promise<void>;

  /** Finishes pending commits, then releases the database. Later calls reject. */
  close(): Promise<void>;
}

/** The kinds of data that retention deletes and that hold phone numbers. */
export type RetainedData = 'events' | 'calls' | 'deliveries' | 'quarantine';

/** Every kind of data that holds phone numbers (what `telehook forget` masks). */
export type NumberData = RetainedData | 'alerts' | 'followups';

/** What the masking of old numbers goes through: calls with their events, and what is kept beside them. */
export type MaskedData = 'calls' | 'deliveries' | 'quarantine' | 'alerts' | 'followups';

/** Which numbers {@link Store.maskOldNumbers} masks, and with what (rules in retention/, kept out of the adapters). */
export interface NumberMasker {
  /** A call's personal numbers (its caller or the customer called, agents' phones): masked in it and its events. */
  numbersOfCall(call: Call): readonly string[];
  /** The numbers in a text kept beside the calls (a delivery's body, an alert, a quarantined request's bytes). */
  numbersIn(text: string): readonly string[];
  /** The mask of a number: the same one for a number throughout a pass. */
  maskOf(number: string): string;
}

/** A phone number to replace; with `replacement` null, only count the rows that hold it. */
export interface NumberChange {
  /** Digits only, at least 6. */
  readonly number: string;
  readonly replacement: string | null;
  /** Only rows older than this (epoch ms: events' receipt, calls' last event…); absent: every row. */
  readonly before?: number;
}

/** One batch of {@link Store.replaceNumber}. */
export interface NumberBatch {
  /** Rows that held the number (changed, unless counting). */
  readonly changed: number;
  /** The key after which to go on; null when the kind was read to its end. */
  readonly next: string | null;
}

/** An event to store: the normalised event, the exact bytes received and how they came. */
export interface NewEvent {
  /** The normalised event, with the id and receipt time assigned by the receiver. */
  readonly event: CallEvent;
  /** The exact bytes received: the body, or for a GET the query string without the token. */
  readonly body: Uint8Array;
  /** Hex SHA-256 of the payload's canonical JSON: equal for exact resends. */
  readonly dedupeKey: string;
  readonly method: string;
  readonly contentType: string | null;
  /** How it came: a webhook delivery, or a row of TeleCMI's call history. @defaultValue 'webhook' */
  readonly source?: EventSource;
  /** A backfill row: what it is read with again (`parseRestRow(raw, restSource)`), since the row alone does not say. */
  readonly restSource?: RestRowSource | null;
}

/** How an event reached telehook: a webhook delivery, or a row read from TeleCMI's call history (backfill). */
export type EventSource = 'webhook' | 'backfill';

export interface AppendResult {
  readonly id: string;
  readonly duplicate: boolean;
}

/** A stored event as the API gives it: the normalised fields, `raw`, and how it arrived. */
export interface StoredEvent extends CallEvent {
  readonly method: string;
  readonly contentType: string | null;
  /** How it came: `webhook`, or `backfill` (a row of TeleCMI's call history). */
  readonly source: EventSource;
  /** Its place in the store: list events `after` it to get the ones stored later. */
  readonly cursor: string;
}

/** Why a request was not accepted as an event; `reason` is an error code. */
export interface NewQuarantinedRequest {
  readonly id: string;
  readonly receivedAt: number;
  readonly reason: string;
  readonly message: string;
  readonly method: string;
  /** The request path with any token removed. */
  readonly path: string;
  readonly contentType: string | null;
  readonly body: Uint8Array;
}

export interface QuarantinedRequest {
  readonly id: string;
  readonly receivedAt: number;
  readonly reason: string;
  readonly message: string;
  readonly method: string;
  readonly path: string;
  readonly contentType: string | null;
  /** The body as text (invalid UTF-8 replaced); `rawBase64` has the exact bytes. */
  readonly raw: string;
  readonly rawBase64: string;
}

export interface PageQuery {
  /** A cursor from a previous page's `next`; absent for the first page. */
  readonly after?: string | null;
  /** 1 to 1000. */
  readonly limit: number;
}

export interface EventQuery extends PageQuery {
  /** Only events that came this way. */
  readonly source?: EventSource;
}

/** What a reconcile run is doing: reading TeleCMI's history of a window and storing what telehook lacked. */
export type ReconcileStatus = 'running' | 'succeeded' | 'failed';

/** An error of a run, by stable code (docs/errors.md). */
export interface ReconcileRunError {
  readonly code: string;
  readonly message: string;
}

export interface NewReconcileRun {
  readonly id: string;
  /** The window, epoch ms, both ends included (TeleCMI's start_date and end_date). */
  readonly from: number;
  readonly to: number;
  readonly startedAt: number;
}

/** A reconcile run, as GET /api/reconcile/runs gives it. */
export interface ReconcileRun extends NewReconcileRun {
  readonly status: ReconcileStatus;
  readonly finishedAt: number | null;
  /** The last time the run showed progress; a running run silent for long is taken to have died. */
  readonly heartbeatAt: number;
  /** REST rows read from TeleCMI. */
  readonly rowsFetched: number;
  /** Rows stored as events (`source: "backfill"`): those of calls telehook lacked or had no CDR of. */
  readonly eventsAdded: number;
  /** Calls that were not known at all before the run. */
  readonly callsAdded: number;
  readonly errors: readonly ReconcileRunError[];
}

export interface ReconcileRunChanges {
  readonly now: number;
  readonly status?: ReconcileStatus;
  readonly finishedAt?: number | null;
  readonly rowsFetched?: number;
  readonly eventsAdded?: number;
  readonly callsAdded?: number;
  readonly errors?: readonly ReconcileRunError[];
}

/** A period of receipt times, epoch ms: `from` inclusive, `to` exclusive. */
export interface ReceivedPeriod {
  readonly from: number;
  readonly to: number;
}

export interface ReceivedQuery extends ReceivedPeriod, PageQuery {}

/** A page of results: `next` is the cursor of the following page, or null when this page reached the end. */
export interface Page<T> {
  readonly items: T[];
  readonly next: string | null;
}

/** A TeleCMI id that ties events to a call, and how strongly it names the call (lower rank is stronger). */
export interface CallIdentifier {
  readonly id: string;
  readonly rank: number;
}

/** Where to look for a call: inbound, from this caller, started within the window. */
export interface CallSearch {
  readonly from: string;
  readonly startedFrom: number;
  readonly startedTo: number;
}

export interface ProjectionBatch {
  readonly events: readonly StoredEvent[];
  readonly refreshKeys?: readonly string[];
  readonly now: number;
}

export interface ProjectionResult {
  /** Calls created or changed, as they are now. */
  readonly changed: Call[];
  /** Keys of calls that were merged into another and no longer exist. */
  readonly removed: string[];
  /**
   * The events of the batch this fold folded, when that is fewer than given: another process sharing the
   * database folded the others meanwhile (and published them); or as they were read again, when numbers were
   * masked in the database after the batch was listed (`telehook forget`). Absent: all of them, as given.
   */
  readonly folded?: readonly StoredEvent[];
}

/**
 * What one fold did, in this process or in another sharing the database: the events folded (in store order), the
 * calls they changed as they are now, the calls merged away, and the position after it.
 */
export interface FoldedBatch {
  readonly events: readonly StoredEvent[];
  readonly changed: readonly Call[];
  readonly removed: readonly string[];
  /** The cursor of the last event folded (unchanged by a stale sweep); null before any event. */
  readonly position: string | null;
  /**
   * Every event of the batch had been folded before a rebuild and is folded again: what it causes downstream
   * (deliveries) was done the first time.
   */
  readonly replayed?: boolean;
}

/** What a store's projection is built with ({@link Store.createProjection}). */
export interface ProjectionSetup {
  readonly logger: FastifyBaseLogger;
  readonly settings: Pick<Config, 'staleCallAfterMs' | 'logLevel' | 'logFormat'>;
  /** Told of every batch folded, in order, after it is committed (the live stream and the deliveries listen). */
  readonly onFolded: (batch: FoldedBatch) => void;
  /** A pinned clock (tests): only where the projection runs in this thread. @defaultValue Date.now */
  readonly now?: () => number;
}

/** The calls projection, wherever it runs (this thread, or the SQLite fold thread). */
export interface CallProjection {
  /** Starts folding what is pending and the periodic stale sweep. */
  start(): void;
  /** New events were committed (by this process or another): fold them. */
  wake(): void;
  /**
   * Resolves when everything committed before the call has been folded (read your writes), or after
   * `maxWaitMs` when a large backlog is being folded (the read then sees calls a moment old).
   */
  settled(maxWaitMs?: number): Promise<void>;
  /** Closes the calls that had no event for too long; resolves with how many. */
  sweepStale(): Promise<number>;
  /** Forgets every call and folds all events again (after a fix, or a definition change). */
  rebuild(): Promise<{ events: number; ms: number }>;
  /** Events folded since start. */
  readonly folded: number;
  stop(): Promise<void>;
}

export interface CallFilter {
  /** Started at or after, epoch ms. */
  readonly from?: number;
  /** Started before, epoch ms. */
  readonly to?: number;
  readonly outcome?: string;
  readonly state?: string;
  readonly direction?: string;
  readonly team?: string;
  /** An agent who was rung for, answered or placed the call. */
  readonly agent?: string;
  /** A number the call was from, to, or through (virtual number). */
  readonly number?: string;
  /** Digits found anywhere in the number the call was from, to, or through. */
  readonly numberContains?: string;
  /**
   * backfill: calls known only from TeleCMI's call history (closedBy backfill, recovered by a reconcile run);
   * webhook: every other call.
   */
  readonly source?: 'webhook' | 'backfill';
}

/**
 * What a call list is sorted by: the start time (the default), how long the caller waited or talked, the outcome,
 * the number the call was from or to, the team, or the agent (who answered or placed it). Calls with no value
 * (a live call's outcome, an unknown wait) sort as the smallest; ties are broken by the start time, then the key.
 */
export const CALL_SORTS = ['started', 'waited', 'talked', 'outcome', 'from', 'to', 'team', 'agent'] as const;
export type CallSort = (typeof CALL_SORTS)[number];

export interface CallQuery extends CallFilter, PageQuery {
  /** Ascending or descending (the default) by {@link sort}, its ties by start time and key the same way. */
  readonly order?: 'asc' | 'desc';
  /** Default `started`. A cursor is valid only with the sort of the page it came from. */
  readonly sort?: CallSort;
}

export interface MissedQuery extends PageQuery {
  readonly from?: number;
  readonly to?: number;
  /** true: only those called back; false: only those not called back. */
  readonly calledBack?: boolean;
  readonly team?: string;
}

/** A later outbound call to the number of a missed call. */
export interface Callback {
  readonly at: number;
  readonly by: string | null;
  readonly key: string;
  readonly answered: boolean;
}

export interface MissedCall extends Call {
  readonly calledBack: Callback | null;
}

export interface FactsQuery {
  readonly from: number;
  readonly to: number;
  readonly team?: string;
  readonly agent?: string;
  /**
   * Count only what started within one of these periods (ascending, not overlapping, inside [from, to)): business
   * hours. Summaries and repeat callers take it; without it, all of [from, to).
   */
  readonly within?: readonly TimeRange[];
}

/** A period [start, end), epoch ms. */
export interface TimeRange {
  readonly start: number;
  readonly end: number;
}

export interface RepeatCallersQuery extends FactsQuery {
  /** @defaultValue 2 */
  readonly minCalls: number;
  readonly limit: number;
}

/** A number that called several times in a period. */
export interface RepeatCaller {
  readonly number: string;
  readonly calls: number;
  readonly answered: number;
  readonly firstAt: number;
  readonly lastAt: number;
}

/** What the metrics need of one call. */
export interface CallFacts {
  readonly key: string;
  readonly startedAt: number;
  readonly direction: string | null;
  readonly state: string;
  readonly outcome: string | null;
  readonly waitedSec: number | null;
  readonly talkSec: number | null;
  readonly team: string | null;
  readonly answeredBy: string | null;
  readonly placedBy: string | null;
}

export interface SummaryQuery extends FactsQuery {
  readonly serviceLevelSec: number;
  readonly shortAbandonSec: number;
  /** Group by the call's team, by who placed it, or by period buckets (their start times, ascending; the last ends at `to`). */
  readonly groupBy?: 'team' | 'placedBy' | { readonly bucketStarts: readonly number[] };
}

/** Calls of one group with one (direction, state, outcome), counted. */
export interface CallSummary {
  /** The team, the agent who placed the calls, or the bucket index; null without grouping (or no team). */
  readonly group: string | number | null;
  readonly direction: string | null;
  readonly state: string;
  readonly outcome: string | null;
  readonly calls: number;
  /** Calls whose wait is known, and the sum of their waits (s). */
  readonly waitKnown: number;
  readonly waitSum: number;
  /** Calls that waited at most serviceLevelSec. */
  readonly withinServiceLevel: number;
  /** Calls that waited less than shortAbandonSec. */
  readonly shortWait: number;
  /** Ended calls whose talk time is known, and the sum of those talk times (s). */
  readonly talkKnown: number;
  readonly talkSum: number;
}

export interface AgentSummary {
  readonly agent: string;
  readonly team: string | null;
  readonly legs: number;
  readonly answered: number;
  readonly rangNotAnswered: number;
  readonly talkKnown: number;
  readonly talkSum: number;
}

/** What the metrics need of one agent leg. */
export interface AgentFacts {
  readonly agent: string;
  readonly team: string | null;
  readonly rangAt: number;
  readonly answered: boolean;
  /** The leg ended (or its call did) without this agent answering. */
  readonly isMissedByAgent: boolean;
  readonly talkSec: number | null;
}
