import type { FastifyBaseLogger } from 'fastify';

import { coerceError } from '../errors.js';
import type { CallRules, ProjectionResult, Store, StoredEvent } from '../store/index.js';

/** What one projection step did: the events folded (in store order), the calls changed, the position after. */
export interface FoldedBatch {
  readonly events: readonly StoredEvent[];
  readonly result: ProjectionResult;
  /** The cursor of the last event folded (unchanged by a stale sweep); null before any event. */
  readonly position: string | null;
}

export interface CallProjectionOptions {
  readonly store: Store;
  readonly rules: CallRules;
  readonly logger: FastifyBaseLogger;
  /** Told of every batch folded, after it is committed (the live stream listens here). */
  readonly onFolded?: (batch: FoldedBatch) => void;
  readonly now?: () => number;
  /** Events folded per transaction. @defaultValue 500 */
  readonly batchSize?: number;
  /** A call with no event for this long is closed as `unknown`. */
  readonly staleAfterMs: number;
  /** How often stale calls are looked for. @defaultValue 60 s */
  readonly sweepEveryMs?: number;
}

/**
 * Keeps the calls up to date with the events: after each commit (`wake`), it folds every event stored after
 * not yet folded, in batches, each batch folded and marked in one transaction, so a restart resumes
 * where it stopped and nothing is folded twice (a call is recomputed from all its events anyway). It also
 * closes stale calls. Errors are logged and retried; they never reach the receiver.
 */
export function createCallProjection(options: CallProjectionOptions) {
  const { store, rules, logger } = options;
  const now = options.now ?? Date.now;
  const batchSize = options.batchSize ?? 500;
  let running: Promise<void> | null = null;
  let isRequested = false;
  let isStopped = false;
  let folded = 0;
  let timer: NodeJS.Timeout | null = null;
  let retry: NodeJS.Timeout | null = null;

  const foldPending = async (): Promise<void> => {
    for (;;) {
      const events = await store.listEventsToProject(batchSize);
      const last = events.at(-1);
      if (!last) return;
      const result = await store.projectCalls({ events, now: now() }, rules);
      folded += events.length;
      options.onFolded?.({ events, result, position: last.cursor });
    }
  };

  const run = (): Promise<void> => {
    if (running) {
      isRequested = true;
      return running;
    }
    running = (async () => {
      do {
        isRequested = false;
        try {
          await foldPending();
        } catch (error) {
          logger.error({ err: coerceError(error) }, 'call projection failed; retrying in 1 s');
          if (!isStopped) retry ??= setTimeout(() => ((retry = null), void run()), 1000);
          return;
        }
      } while (isRequested && !isStopped);
    })().finally(() => {
      running = null;
    });
    return running;
  };

  const sweepStale = async (): Promise<number> => {
    let closed = 0;
    for (;;) {
      const keys = await store.listStaleCallKeys(now() - options.staleAfterMs, 500);
      if (keys.length === 0) return closed;
      const result = await store.projectCalls({ events: [], refreshKeys: keys, now: now() }, rules);
      closed += keys.length;
      options.onFolded?.({ events: [], result, position: await store.getProjectionPosition() });
      if (keys.length < 500) return closed;
    }
  };

  return {
    /** Starts folding what is pending and the periodic stale sweep. */
    start(): void {
      isStopped = false;
      void run();
      timer = setInterval(() => {
        sweepStale().catch((error: unknown) =>
          logger.error({ err: coerceError(error) }, 'stale call sweep failed'),
        );
      }, options.sweepEveryMs ?? 60_000);
      timer.unref();
    },
    /** New events were committed: fold them. */
    wake(): void {
      if (!isStopped) void run();
    },
    /** Resolves when everything committed before the call has been folded. */
    async settled(): Promise<void> {
      await run();
    },
    sweepStale,
    /** Forgets every call and folds all events again (after a fix, or a definition change). */
    async rebuild(): Promise<{ events: number; ms: number }> {
      const started = Date.now();
      await running;
      const before = folded;
      await store.resetCalls();
      await run();
      return { events: folded - before, ms: Date.now() - started };
    },
    /** Events folded since start. */
    get folded(): number {
      return folded;
    },
    async stop(): Promise<void> {
      isStopped = true;
      if (timer) clearInterval(timer);
      if (retry) clearTimeout(retry);
      await running;
    },
  };
}

export type CallProjection = ReturnType<typeof createCallProjection>;
