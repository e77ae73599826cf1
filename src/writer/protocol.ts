import type { FoldedBatch } from '../calls/index.js';
import type { Config } from '../config.js';
import type { StoredEvent } from '../store/index.js';

/** What the writer thread is started with. */
export interface WriterThreadData {
  readonly file: string;
  readonly settings: Pick<Config, 'staleCallAfterMs' | 'logLevel' | 'logFormat'>;
}

/** The events a commit of the main thread stored: told, not asked (no answer). */
export interface WriterNotice {
  readonly type: 'committed';
  readonly events: StoredEvent[];
}

/** A request of the main thread; each is answered once, with the same `id`. */
export type WriterRequest = { readonly id: number } & (
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

/** What the writer thread posts: an answer to a request, or a batch it folded (in store order). */
export type WriterMessage =
  | {
      readonly type: 'reply';
      readonly id: number;
      readonly value?: unknown;
      readonly error?: SerialisedError;
    }
  | { readonly type: 'folded'; readonly batch: FoldedBatch };
