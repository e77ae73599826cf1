import type { LogLine } from '../../../thread-logger.js';
import type { FoldedBatch, ProjectionSetup, StoredEvent } from '../../store.js';

/** What the fold thread is started with. */
export interface FoldThreadData {
  readonly file: string;
  readonly settings: ProjectionSetup['settings'];
}

/**
 * Told, not asked (no answer): the events a commit of the main thread stored, or a wake-up (events were stored
 * by another connection: the thread reads them from the file).
 */
export type ThreadNotice =
  { readonly type: 'committed'; readonly events: StoredEvent[] } | { readonly type: 'wake' };

/** A request of the main thread; each is answered once, with the same `id`. */
export type FoldRequest = { readonly id: number } & (
  | { readonly type: 'start' }
  | { readonly type: 'settled'; readonly maxWaitMs?: number }
  | { readonly type: 'sweepStale' }
  | { readonly type: 'rebuild' }
  | { readonly type: 'stop' }
  | { readonly type: 'close' }
);

/** An error, as it crosses the thread boundary (an Error's class and fields do not). */
export interface SerialisedError {
  readonly message: string;
  /** A StoreError (the database failed: 503) rather than a bug (500). */
  readonly isStoreError: boolean;
  readonly retryable: boolean;
}

/** What the fold thread posts: an answer to a request, a batch it folded (in store order), or a log line. */
export type FoldMessage =
  | {
      readonly type: 'reply';
      readonly id: number;
      readonly value?: unknown;
      readonly error?: SerialisedError;
    }
  | { readonly type: 'folded'; readonly batch: FoldedBatch }
  | { readonly type: 'log'; readonly line: LogLine };
