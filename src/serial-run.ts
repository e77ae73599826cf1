import { coerceError } from './errors.js';

/**
 * Runs `work` one at a time, for loops that catch up with a store (the calls projection, the delivery
 * scheduler): `run()` while it runs asks for one more pass after it (calls in between coalesce into that one), and
 * resolves when the pass in progress ends. On an error, `onError` is told, and the work runs again `retryMs` later
 * unless stopped.
 */
export function createSerialRun(
  work: () => Promise<void>,
  options: { onError: (error: Error) => void; isStopped: () => boolean; retryMs?: number },
) {
  let running: Promise<void> | null = null;
  let isRequested = false;
  let retry: NodeJS.Timeout | null = null;

  const run = (): Promise<void> => {
    if (running) {
      isRequested = true;
      return running;
    }
    running = (async () => {
      do {
        isRequested = false;
        try {
          await work();
        } catch (error) {
          options.onError(coerceError(error));
          if (!options.isStopped())
            retry ??= setTimeout(() => ((retry = null), void run()), options.retryMs ?? 1000);
          return;
        }
      } while (isRequested && !options.isStopped());
    })().finally(() => {
      running = null;
    });
    return running;
  };

  return {
    run,
    /** The pass in progress, or null. */
    get running(): Promise<void> | null {
      return running;
    },
    /** Forgets a pending retry (when stopping). */
    cancelRetry(): void {
      if (retry) clearTimeout(retry);
      retry = null;
    },
  };
}
