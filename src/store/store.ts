import type { CallEvent } from '../telecmi/index.js';

/**
 * The Store: everything telehook keeps, in domain words. Adapters (SQLite in `sqlite/`, PostgreSQL in
 * `postgres/`) implement it; one contract suite (test/store-contract) runs against each. Every method is async so
 * that a networked database fits unchanged, and every write is durable when its promise resolves.
 */
export interface Store {
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

  /** Events in the order they were stored, after a cursor (`next` of the previous page). */
  listEvents(query: PageQuery): Promise<Page<StoredEvent>>;

  /** One event by id, or null. */
  getEvent(id: string): Promise<StoredEvent | null>;

  /** Quarantined requests, oldest first. */
  listQuarantine(query: PageQuery): Promise<Page<QuarantinedRequest>>;

  /** How many events are stored. */
  countEvents(): Promise<number>;

  /** Resolves when a write would succeed now; rejects with a StoreError saying why not. */
  checkWritable(): Promise<void>;

  /** Finishes pending commits, then releases the database. Later calls reject. */
  close(): Promise<void>;
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
}

export interface AppendResult {
  readonly id: string;
  readonly duplicate: boolean;
}

/** A stored event as the API gives it: the normalised fields, `raw`, and how it arrived. */
export interface StoredEvent extends CallEvent {
  readonly method: string;
  readonly contentType: string | null;
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

/** A page of results: `next` is the cursor of the following page, or null when this page reached the end. */
export interface Page<T> {
  readonly items: T[];
  readonly next: string | null;
}

/** Whether a string is a cursor that {@link Store} list methods accept. */
export function isCursor(value: string): boolean {
  return /^\d{1,16}$/.test(value);
}
