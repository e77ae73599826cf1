import { StoreError } from '../errors.js';
import type { CallProjection, StoredEvent } from './store.js';

/** A projection that runs somewhere of its own (the SQLite fold thread, ./sqlite/fold-thread/client.ts). */
export interface ProjectionRuntime {
  /** Hands it the events a commit stored. */
  readonly committed: (events: StoredEvent[]) => void;
  readonly projection: CallProjection;
  readonly close: () => Promise<void>;
  readonly kill: () => Promise<void>;
}

/**
 * A projection runtime started on its first need rather than with the store. The first commit, wake or rebuild
 * starts it; the projection's start, a read waiting for the calls and a stale sweep start it once `hasData()` says
 * the database holds events or calls (to fold, to sweep), and before that have nothing to wait for. A server on an
 * empty database thus runs no fold thread until its first event (the thread is about 15 MB of an idle process,
 * bench/README.md "Idle memory"). Once started, the runtime is itself: it restarts, stops and closes as before.
 */
export function startOnFirstNeed(start: () => ProjectionRuntime, hasData: () => boolean): ProjectionRuntime {
  let runtime: ProjectionRuntime | null = null;
  /** What the projection was last told before the runtime existed: the runtime is told the same when it starts. */
  let state: 'created' | 'started' | 'stopped' = 'created';
  let isClosed = false;
  const need = (): ProjectionRuntime | null => {
    if (runtime === null && !isClosed) {
      runtime = start();
      if (state === 'started') runtime.projection.start();
      // Stopped (a process shutting down, a test holding the fold back): it folds nothing, not even once woken.
      if (state === 'stopped') void runtime.projection.stop().catch(() => undefined);
    }
    return runtime;
  };
  const isIdle = (): boolean => runtime === null && !isClosed && !hasData();
  // Closed before it ever ran: what a runtime that has ended answers.
  const ended = (): Promise<never> =>
    Promise.reject(new StoreError('The fold thread is not running.', { retryable: true }));

  return {
    committed: (events) => need()?.committed(events),
    projection: {
      start: () => {
        state = 'started';
        if (runtime !== null) runtime.projection.start();
        else if (hasData()) need();
      },
      wake: () => need()?.projection.wake(),
      // Nothing was ever stored: nothing to wait for, nothing to sweep (reads and the alerts' evaluations at idle).
      settled: (maxWaitMs) =>
        isIdle() ? Promise.resolve() : (need()?.projection.settled(maxWaitMs) ?? ended()),
      sweepStale: () => (isIdle() ? Promise.resolve(0) : (need()?.projection.sweepStale() ?? ended())),
      rebuild: () => need()?.projection.rebuild() ?? ended(),
      get folded() {
        return runtime?.projection.folded ?? 0;
      },
      stop: async () => {
        state = 'stopped';
        await runtime?.projection.stop();
      },
    },
    close: async () => {
      isClosed = true;
      await runtime?.close();
    },
    kill: async () => {
      await runtime?.kill();
    },
  };
}
