/**
 * The calls writer thread: folds the events the main thread commits into calls, with its own connection to the
 * calls' database file, so that the receiver's event loop never runs a fold and the events' commits never wait
 * for one. Started by ./client.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { createCallProjection, createCallRules } from '../calls/index.js';
import { coerceError } from '../errors.js';
import { createLogger } from '../logger.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type {
  SerialisedError,
  WriterMessage,
  WriterNotice,
  WriterRequest,
  WriterThreadData,
} from './protocol.js';

const port = parentPort;
if (!port) throw new Error('src/writer/thread.ts runs as a worker thread (see ./client.ts)');
const { file, settings } = workerData as WriterThreadData;

const logger = createLogger(settings).child({ thread: 'writer' });
const store = createSqliteStore({ file });
const post = (message: WriterMessage): void => port.postMessage(message);
const projection = createCallProjection({
  store,
  rules: createCallRules({ staleAfterMs: settings.staleCallAfterMs }),
  logger,
  staleAfterMs: settings.staleCallAfterMs,
  yieldToIngest: false,
  onFolded: (batch) => post({ type: 'folded', batch }),
});

const serialise = (error: unknown): SerialisedError => {
  const coerced = coerceError(error);
  return { message: coerced.message, retryable: (coerced as { retryable?: unknown }).retryable === true };
};

const handle = async (request: WriterRequest): Promise<unknown> => {
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

port.on('message', (request: WriterRequest | WriterNotice) => {
  if (request.type === 'committed') {
    store.noteCommitted(request.events);
    projection.wake();
    return;
  }
  handle(request).then(
    (value) => post({ type: 'reply', id: request.id, value }),
    (error: unknown) => post({ type: 'reply', id: request.id, error: serialise(error) }),
  );
});
