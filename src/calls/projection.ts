import { performance } from 'node:perf_hooks';

import type { FastifyBaseLogger } from 'fastify';

import { coerceError } from '../errors.js';
import { createSerialRun } from '../serial-run.js';
// Leaf modules, not the store/ barrel: the SQLite fold thread runs this and loads only what it uses.
import type { CallFold } from '../store/calls-transaction.js';
import { isItemFault } from '../store/group-commit.js';
import type { CallProjection, FoldedBatch, ProjectionSetup, Store, StoredEvent } from '../store/store.js';
import { createCallFold } from './fold.js';

export type { CallProjection, FoldedBatch } from '../store/store.js';

export interface CallProjectionOptions {
  readonly store: Store;
  readonly fold: CallFold;
  readonly logger: FastifyBaseLogger;
  /** Told of every batch folded, after it is committed (the live stream listens here). */
  readonly onFolded?: (batch: FoldedBatch) => void;
  readonly now?: () => number;
  /** Events folded per transaction. @defaultValue 500 */
  readonly batchSize?: number;
  /** How long after a commit the projection folds, gathering the commits of that time in one fold. @defaultValue 20 */
  readonly wakeDelayMs?: number;
  /** A call with no event for this long is closed as `unknown`. */
  readonly staleAfterMs: number;
  /** How often stale calls are looked for. @defaultValue 60 s */
  readonly sweepEveryMs?: number;
  /**
   * How often to look for events to fold without being woken: with several processes on one database, events
   * another process stored and could not fold (it was killed) are folded by the others. @defaultValue never
   */
  readonly pollEveryMs?: number;
  /**
   * Pause between batches while the receiver keeps the event loop busy. Off where the projection has a thread of
   * its own (the SQLite fold thread). @defaultValue true
   */
  readonly yieldToIngest?: boolean;
}

/**
 * Keeps the calls up to date with the events: after each commit (`wake`), it folds every event stored after
 * not yet folded, in batches, each batch folded and marked in one transaction, so a restart resumes
 * where it stopped and nothing is folded twice (a call is recomputed from all its events anyway). It also
 * closes stale calls. Errors are logged and retried; they never reach the receiver.
 */
export function createCallProjection(options: CallProjectionOptions): CallProjection {
  const { store, fold: callFold, logger } = options;
  const now = options.now ?? Date.now;
  const batchSize = options.batchSize ?? 500;
  let isStopped = false;
  let folded = 0;
  let timer: NodeJS.Timeout | null = null;
  let poll: NodeJS.Timeout | null = null;

  /** During a rebuild: the position it started from (events up to it are folded again). */
  let replayUntil = 0;
  let waiters = 0;
  let isWakeScheduled = false;
  const wakeDelayMs = options.wakeDelayMs ?? 20;
  let utilisation = performance.eventLoopUtilization();

  /**
   * Between batches, the receiver comes first: when the event loop is saturated (ingest at full speed), folding
   * takes at most a quarter of the time and catches up later; a backlog costs nothing but a late wallboard.
   * Nobody waits on a read (`settled`) while it yields, so reads stay prompt.
   */
  const yieldToIngest = async (batchMs: number): Promise<void> => {
    const current = performance.eventLoopUtilization();
    const { active, idle } = performance.eventLoopUtilization(current, utilisation);
    utilisation = current;
    // What kept the loop busy besides this fold: the receiver, the API.
    const others = (active - batchMs) / Math.max(1, active + idle);
    const pause =
      options.yieldToIngest !== false && others > 0.5 && waiters === 0 ? Math.min(250, batchMs * 3) : 0;
    await new Promise((resolve) => (pause > 0 ? setTimeout(resolve, pause) : setImmediate(resolve)));
  };

  /** Folds events in one transaction, then tells onFolded (whose failure is logged: the fold is committed). */
  const fold = async (events: readonly StoredEvent[]): Promise<void> => {
    const result = await store.projectCalls({ events, now: now() }, callFold);
    // With several processes on one database, another may have folded some of these (and published them).
    const mine = result.folded ?? events;
    folded += mine.length;
    const replayed =
      replayUntil > 0 && mine.length > 0 && mine.every((event) => Number(event.cursor) <= replayUntil);
    if (mine.length === 0 && result.changed.length === 0 && result.removed.length === 0) return;
    try {
      options.onFolded?.({
        events: mine,
        changed: result.changed,
        removed: result.removed,
        position: events.at(-1)!.cursor,
        ...(replayed ? { replayed } : {}),
      });
    } catch (error) {
      logger.error({ err: coerceError(error) }, 'a folded batch could not be published');
    }
  };

  /**
   * After a batch failed because of its events (not of the database): each event is folded alone, and one that
   * fails alone is marked folded-as-failed, so that every later call keeps folding, also after a restart.
   */
  const foldOneByOne = async (events: readonly StoredEvent[]): Promise<void> => {
    for (const event of events) {
      try {
        await fold([event]);
      } catch (error) {
        if (!isItemFault(error)) throw error;
        const failure = coerceError(error);
        const reason = `${failure.name}: ${failure.message}`.replaceAll('\u0000', '\uFFFD').slice(0, 500);
        await store.recordFoldFailure(event, reason, now());
        logger.error(
          { err: failure, event: { id: event.id, cursor: event.cursor } },
          'event %s cannot be folded into calls: skipped (telehook_fold_failures_total)',
          event.id,
        );
      }
      if (isStopped) return;
    }
  };

  const foldPending = async (): Promise<void> => {
    for (;;) {
      const started = performance.now();
      const events = await store.listEventsToProject(batchSize);
      if (events.length === 0) return;
      try {
        await fold(events);
      } catch (error) {
        // A database failure (disk full, busy) is retried whole, later; anything else may be one event's fault.
        if (!isItemFault(error)) throw error;
        logger.warn(
          { err: coerceError(error), events: events.length },
          'a batch of events could not be folded into calls; folding them one by one',
        );
        await foldOneByOne(events);
      }
      if (isStopped) return;
      await yieldToIngest(performance.now() - started);
    }
  };

  const runner = createSerialRun(foldPending, {
    onError: (error) => logger.error({ err: error }, 'call projection failed; retrying in 1 s'),
    isStopped: () => isStopped,
  });
  const { run } = runner;

  const sweepStale = async (): Promise<number> => {
    let closed = 0;
    for (;;) {
      const keys = await store.listStaleCallKeys(now() - options.staleAfterMs, 500);
      if (keys.length === 0) return closed;
      const result = await store.projectCalls({ events: [], refreshKeys: keys, now: now() }, callFold);
      closed += keys.length;
      const position = await store.getProjectionPosition();
      options.onFolded?.({ events: [], changed: result.changed, removed: result.removed, position });
      if (keys.length < 500) return closed;
    }
  };

  return {
    start(): void {
      isStopped = false;
      void run();
      timer = setInterval(() => {
        sweepStale().catch((error: unknown) =>
          logger.error({ err: coerceError(error) }, 'stale call sweep failed'),
        );
      }, options.sweepEveryMs ?? 60_000);
      timer.unref();
      if (options.pollEveryMs !== undefined) {
        poll = setInterval(() => void run(), options.pollEveryMs);
        poll.unref();
      }
    },
    wake(): void {
      if (isStopped || isWakeScheduled) return;
      // A few ms later: the answer that woke the projection goes out first, and the events committed meanwhile
      // are folded together. One fold (a transaction rewriting each call's row and indexes) per event cost more
      // CPU than the event's own durable commit when requests came one at a time (bench/README.md).
      isWakeScheduled = true;
      setTimeout(() => {
        isWakeScheduled = false;
        void run();
      }, wakeDelayMs);
    },
    async settled(maxWaitMs = 2000): Promise<void> {
      // Stopped, it folds no more, not even for a read: what reads after a stop see is what was folded (a
      // process shutting down, or a test holding the fold back, must not have reads fold behind its back).
      if (isStopped) return;
      waiters += 1;
      let timeout: NodeJS.Timeout | undefined;
      try {
        await Promise.race([run(), new Promise((resolve) => (timeout = setTimeout(resolve, maxWaitMs)))]);
      } finally {
        clearTimeout(timeout);
        waiters -= 1;
      }
    },
    sweepStale,
    async rebuild(): Promise<{ events: number; ms: number }> {
      const started = Date.now();
      await runner.running;
      const before = folded;
      replayUntil = Number((await store.getProjectionPosition()) ?? 0);
      try {
        await store.resetCalls();
        await run();
      } finally {
        replayUntil = 0;
      }
      return { events: folded - before, ms: Date.now() - started };
    },
    get folded(): number {
      return folded;
    },
    async stop(): Promise<void> {
      isStopped = true;
      if (timer) clearInterval(timer);
      if (poll) clearInterval(poll);
      runner.cancelRetry();
      await runner.running;
    },
  };
}

/**
 * A store's projection folding in this thread, with the rules of calls/: what a store's `createProjection` gives
 * when it folds where it runs (PostgreSQL, SQLite's fold thread, SQLite opened with `foldThread: false`).
 */
export function foldInThisThread(
  store: Store,
  setup: ProjectionSetup,
  options: Pick<CallProjectionOptions, 'pollEveryMs' | 'yieldToIngest'> = {},
): CallProjection {
  const { staleCallAfterMs } = setup.settings;
  return createCallProjection({
    store,
    fold: createCallFold({ staleAfterMs: staleCallAfterMs }),
    logger: setup.logger,
    staleAfterMs: staleCallAfterMs,
    onFolded: setup.onFolded,
    now: setup.now,
    ...options,
  });
}
