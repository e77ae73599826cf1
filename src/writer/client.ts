import { Worker } from 'node:worker_threads';

import type { FastifyBaseLogger } from 'fastify';

import type { CallProjection, FoldedBatch } from '../calls/index.js';
import { StoreError } from '../errors.js';
import type { WriteOp, WriteResult, WriterMessage, WriterRequest, WriterThreadData } from './protocol.js';

/** Requests as the client sends them: the id is the client's. */
type Request = WriterRequest extends infer R ? (R extends WriterRequest ? Omit<R, 'id'> : never) : never;

export interface WriterThread {
  /** Commits a batch in the writer thread; the store's group commit calls it (createSqliteStore `commitWrites`). */
  readonly commit: (ops: WriteOp[]) => Promise<WriteResult[]>;
  /** The projection running in the writer thread; `onFolded` is told of every batch it folds, in order. */
  readonly projection: (onFolded: (batch: FoldedBatch) => void) => CallProjection;
  /** Stops the projection, closes the thread's store and ends the thread (after the main store is closed). */
  readonly close: () => Promise<void>;
}

/** How long after an unexpected end the thread is started again. */
const RESTART_DELAY_MS = 1000;

/**
 * Starts the SQLite writer thread (./thread.ts) on a database file that is already migrated, and talks to it.
 * If the thread dies, what waited on it fails with a retryable STORE_UNAVAILABLE (the receiver answers 503:
 * nothing unanswered was acknowledged) and a new thread is started.
 */
export function startWriterThread(options: WriterThreadData & { logger: FastifyBaseLogger }): WriterThread {
  const { logger } = options;
  const data: WriterThreadData = { file: options.file, settings: options.settings };
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  let nextId = 1;
  let onFolded: (batch: FoldedBatch) => void = () => undefined;
  let folded = 0;
  let isClosing = false;
  let isStarted = false;
  let isAlive = false;
  let worker: Worker;

  const spawn = (): void => {
    // From source (tests, `npm run dev`) the thread loads its TypeScript through tsx; built, it is plain JavaScript.
    const entry = import.meta.url.endsWith('.ts') ? './thread-from-source.mjs' : './thread.js';
    worker = new Worker(new URL(entry, import.meta.url), { workerData: data });
    isAlive = true;
    worker.on('message', (message: WriterMessage) => {
      if (message.type === 'folded') {
        folded += message.batch.events.length;
        onFolded(message.batch);
        return;
      }
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.error) {
        const error = new StoreError(message.error.message, { retryable: message.error.retryable });
        waiter.reject(error);
      } else waiter.resolve(message.value);
    });
    worker.on('error', (error) => logger.error({ err: error }, 'the SQLite writer thread failed'));
    worker.on('exit', (code) => {
      isAlive = false;
      const failure = new StoreError(`The SQLite writer thread ended (exit code ${code}).`, {
        retryable: true,
      });
      for (const waiter of pending.values()) waiter.reject(failure);
      pending.clear();
      if (isClosing) return;
      logger.error({ code }, 'the SQLite writer thread ended; starting it again in 1 s');
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
        reject(new StoreError('The SQLite writer thread is not running.', { retryable: true }));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });

  spawn();

  return {
    commit: (ops) =>
      // A body is often a slice of a shared 8 KiB buffer: copy it, so that only its own bytes are sent.
      call<WriteResult[]>({
        type: 'commit',
        ops: ops.map(
          (op) => ({ ...op, input: { ...op.input, body: new Uint8Array(op.input.body) } }) as WriteOp,
        ),
      }),
    projection: (listener) => {
      onFolded = listener;
      return {
        start: () => {
          isStarted = true;
          void call({ type: 'start' }).catch((error: unknown) =>
            logger.error({ err: error }, 'the call projection did not start'),
          );
        },
        // The thread folds after each of its commits: it needs no waking.
        wake: () => undefined,
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
      };
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
