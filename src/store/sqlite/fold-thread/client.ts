import { Worker } from 'node:worker_threads';

import { StoreError } from '../../../errors.js';
import type { CallProjection, ProjectionSetup, StoredEvent } from '../../store.js';
import type { FoldMessage, FoldRequest, FoldThreadData, ThreadNotice } from './protocol.js';

/** Requests as the client sends them: the id is the client's. */
type Request = FoldRequest extends infer R ? (R extends FoldRequest ? Omit<R, 'id'> : never) : never;

export interface FoldThread {
  /** Hands it the events a commit of the main store stored: it folds them from memory. */
  readonly committed: (events: StoredEvent[]) => void;
  /** The projection running in the thread; `onFolded` of its setup is told of every batch it folds, in order. */
  readonly projection: CallProjection;
  /** Stops the projection, closes the thread's store and ends the thread (after the main store is closed). */
  readonly close: () => Promise<void>;
  /**
   * Fault injection: ends the thread at once, as a crash would (nothing is closed), and resolves once it has
   * ended. A new thread starts 1 s later, as after any unexpected end.
   */
  readonly kill: () => Promise<void>;
}

/** How long after an unexpected end the thread is started again. */
const RESTART_DELAY_MS = 1000;

/**
 * Starts the fold thread (./thread.ts) on a database that is already migrated, and talks to it. If the thread
 * dies, what waited on it (a read waiting for the calls to settle) fails with a retryable STORE_UNAVAILABLE, and
 * a new thread is started that folds from where the last one committed.
 */
export function startFoldThread(file: string, setup: ProjectionSetup): FoldThread {
  const { logger, onFolded } = setup;
  const { staleCallAfterMs, logLevel, logFormat } = setup.settings;
  const data: FoldThreadData = { file, settings: { staleCallAfterMs, logLevel, logFormat } };
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  let nextId = 1;
  let folded = 0;
  let isClosing = false;
  let isStarted = false;
  let isAlive = false;
  /**
   * A commit's events were handed to the thread in this turn of the event loop: the wake() that the receiver sends
   * for each of them (continuing in this turn, once its commit resolves) adds nothing, and is not posted.
   */
  let isHandedOff = false;
  let worker: Worker;

  const spawn = (): void => {
    // From source (tests, `npm run dev`) the thread loads its TypeScript through tsx; built, it is plain JavaScript.
    const entry = import.meta.url.endsWith('.ts') ? './thread-from-source.mjs' : './thread.js';
    worker = new Worker(new URL(entry, import.meta.url), { workerData: data });
    isAlive = true;
    worker.on('message', (message: FoldMessage) => {
      if (message.type === 'log') {
        const { level, fields, msg } = message.line;
        logger[level](fields, msg);
        return;
      }
      if (message.type === 'folded') {
        folded += message.batch.events.length;
        try {
          onFolded(message.batch);
        } catch (error) {
          // Thrown out of a message listener it would end the process; the fold is committed anyway.
          logger.error({ err: error }, 'a folded batch could not be published');
        }
        return;
      }
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.error) {
        const { message: text, isStoreError, retryable } = message.error;
        // A bug in the thread stays a bug (500, logged there with its stack), not a 503.
        waiter.reject(isStoreError ? new StoreError(text, { retryable }) : new Error(text));
      } else waiter.resolve(message.value);
    });
    worker.on('error', (error) => logger.error({ err: error }, 'the fold thread failed'));
    worker.on('exit', (code) => {
      isAlive = false;
      const failure = new StoreError(`The fold thread ended (exit code ${code}).`, {
        retryable: true,
      });
      for (const waiter of pending.values()) waiter.reject(failure);
      pending.clear();
      if (isClosing) return;
      logger.error({ code }, 'the fold thread ended; starting it again in 1 s');
      setTimeout(() => {
        if (isClosing) return;
        spawn();
        if (isStarted) void call({ type: 'start' }).catch(() => undefined);
      }, RESTART_DELAY_MS).unref();
    });
  };

  const call = <T>(request: Request): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (!isAlive) {
        reject(new StoreError('The fold thread is not running.', { retryable: true }));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });

  spawn();

  return {
    committed: (events) => {
      // Lost if the thread has ended: the next thread reads them from the file.
      if (!isAlive) return;
      if (!isHandedOff) {
        isHandedOff = true;
        setImmediate(() => (isHandedOff = false));
      }
      try {
        worker.postMessage({ type: 'committed', events } satisfies ThreadNotice);
      } catch (error) {
        // The events are durable and their requests answered: the thread, woken without them, reads them from the
        // file (it sees the gap in what it was told).
        logger.error(
          { err: error, events: events.length },
          'committed events could not be handed to the fold thread',
        );
        worker.postMessage({ type: 'committed', events: [] } satisfies ThreadNotice);
      }
    },
    projection: {
      start: () => {
        isStarted = true;
        void call({ type: 'start' }).catch((error: unknown) =>
          logger.error({ err: error }, 'the call projection did not start'),
        );
      },
      // The main store's commits wake the thread through committed(); a wake of its own is for events the thread
      // was not handed (stored by another connection): it reads them from the file.
      wake: () => {
        if (isAlive && !isHandedOff) worker.postMessage({ type: 'wake' } satisfies ThreadNotice);
      },
      settled: (maxWaitMs) => call<void>({ type: 'settled', maxWaitMs }),
      sweepStale: () => call<number>({ type: 'sweepStale' }),
      rebuild: () => call<{ events: number; ms: number }>({ type: 'rebuild' }),
      get folded() {
        return folded;
      },
      stop: async () => {
        isStarted = false;
        // An ended thread folds nothing: there is nothing to stop.
        if (isAlive) await call({ type: 'stop' });
      },
    },
    kill: async () => {
      if (isAlive) await worker.terminate();
    },
    close: async () => {
      isClosing = true;
      if (!isAlive) return;
      const ended = new Promise((resolve) => worker.once('exit', resolve));
      await call({ type: 'close' }).catch(() => undefined);
      await ended;
    },
  };
}
