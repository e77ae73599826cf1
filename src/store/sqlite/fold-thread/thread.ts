/**
 * The fold thread: folds the events the main thread commits into calls, with its own connection to the calls'
 * database file, so that the receiver's event loop never runs a fold and the events' commits never wait for one.
 * Started by ./client.ts when a SQLite store creates its projection.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { foldInThisThread } from '../../../calls/projection.js';
import { coerceError, StoreError } from '../../../errors.js';
import { createThreadLogger, postingLines } from '../../../thread-logger.js';
import { readingEventsOnDemand } from '../../stored-event.js';
import { createSqliteStore } from '../sqlite-store.js';
import type { FoldMessage, FoldRequest, FoldThreadData, SerialisedError, ThreadNotice } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('fold-thread/thread.ts runs as a worker thread (see ./client.ts)');
const { file, settings } = workerData as FoldThreadData;

const logger = createThreadLogger(settings.logLevel, postingLines(port)).child({ thread: 'fold' });
const store = createSqliteStore({ file, foldThread: false });
/**
 * Posts to the main thread. What is posted was made servable by the store, so cloning it cannot fail; if it does
 * all the same, the fold stays committed and the failure is logged, never thrown into the fold.
 */
const post = (message: FoldMessage): void => {
  try {
    port.postMessage(message);
  } catch (error) {
    logger.error(
      { err: coerceError(error), type: message.type },
      'a message to the main thread could not be posted',
    );
    if (message.type === 'reply')
      port.postMessage({
        type: 'reply',
        id: message.id,
        error: {
          message: 'The answer of the fold thread could not be posted.',
          isStoreError: false,
          retryable: false,
        },
      } satisfies FoldMessage);
  }
};
// This thread folds and does nothing else: it never pauses for the receiver (which runs in the main thread).
const projection = foldInThisThread(
  readingEventsOnDemand(store),
  { logger, settings, onFolded: (batch) => post({ type: 'folded', batch }) },
  { yieldToIngest: false },
);

const serialise = (error: unknown): SerialisedError => {
  const coerced = coerceError(error);
  const isStoreError = coerced instanceof StoreError;
  if (!isStoreError) logger.error({ err: coerced }, 'a request to the fold thread failed');
  return { message: coerced.message, isStoreError, retryable: isStoreError && coerced.retryable };
};

const handle = async (request: FoldRequest): Promise<unknown> => {
  switch (request.type) {
    case 'start':
      return projection.start();
    case 'settled':
      return projection.settled(request.maxWaitMs);
    case 'sweepStale':
      return projection.sweepStale();
    case 'rebuild':
      return projection.rebuild();
    case 'stop':
      return projection.stop();
    case 'close':
      await projection.stop();
      await store.close();
      // Nothing else keeps this thread: it ends once the answer is posted.
      setImmediate(() => port.close());
      return undefined;
  }
};

port.on('message', (request: FoldRequest | ThreadNotice) => {
  if (request.type === 'committed' || request.type === 'wake') {
    if (request.type === 'committed') store.noteCommitted(request.events);
    projection.wake();
    return;
  }
  handle(request).then(
    (value) => post({ type: 'reply', id: request.id, value }),
    (error: unknown) => post({ type: 'reply', id: request.id, error: serialise(error) }),
  );
});
