import type { ReconcileRun, ReconcileRunError, Store } from '../store/index.js';
import { TelecmiApiError } from './api-error.js';
import { type ReconcileCounts, reconcileWindow } from './reconciler.js';
import type { TelecmiApi, TimeWindow } from './telecmi-api.js';

/** A running run silent for this long is taken to have died (its process ended); another may cover its window. */
export const RUN_LEASE_MS = 5 * 60_000;

export interface ReconcilerOptions {
  readonly store: Store;
  readonly api: TelecmiApi;
  readonly newId: () => string;
  readonly now: () => number;
  readonly logger: {
    info(fields: object, message: string): void;
    warn(fields: object, message: string): void;
  };
  /** Told when a run has stored events (the projection folds them). */
  readonly onStored?: () => void;
  /** Told when a run ends (the /metrics counters); `counts` is null for a failed run. */
  readonly onEnded?: (status: 'succeeded' | 'failed', counts: ReconcileCounts | null) => void;
}

/** Starts reconcile runs and carries them out in the background. */
export interface Reconciler {
  /** Starts a run over the window, or answers the run already covering it (`started: false`). */
  start(window: TimeWindow): Promise<{ run: ReconcileRun; started: boolean }>;
  /** Resolves when every run this process started has ended (tests, shutdown). */
  settled(): Promise<void>;
  /** Whether a run this process started is still being carried out (the periodic run skips its turn then). */
  isActive(): boolean;
}

/** The run error of anything a run throws: TeleCMI's error code (TELECMI_AUTH_FAILED for a 407…), else internal. */
function runErrorOf(error: unknown): ReconcileRunError {
  if (error instanceof TelecmiApiError) return { code: error.code, message: error.message };
  return { code: 'RECONCILE_FAILED', message: error instanceof Error ? error.message : String(error) };
}

export function createReconciler(options: ReconcilerOptions): Reconciler {
  const { store, now } = options;
  const running = new Set<Promise<void>>();

  const carryOut = async (run: ReconcileRun): Promise<void> => {
    try {
      const counts = await reconcileWindow(
        {
          api: options.api,
          store,
          newId: options.newId,
          now,
          // Each page read is the run's heartbeat: a run that shows progress is not taken over.
          onProgress: async (progress) => {
            await store.updateReconcileRun(run.id, { now: now(), rowsFetched: progress.rowsFetched });
          },
        },
        { from: run.from, to: run.to },
      );
      await store.updateReconcileRun(run.id, {
        now: now(),
        status: 'succeeded',
        finishedAt: now(),
        ...counts,
      });
      if (counts.eventsAdded > 0) options.onStored?.();
      options.onEnded?.('succeeded', counts);
      options.logger.info({ runId: run.id, ...counts }, 'reconcile run succeeded');
    } catch (error) {
      const runError = runErrorOf(error);
      options.logger.warn(
        { runId: run.id, code: runError.code },
        `reconcile run failed: ${runError.message}`,
      );
      await store
        .updateReconcileRun(run.id, { now: now(), status: 'failed', finishedAt: now(), errors: [runError] })
        .catch(() => undefined);
      options.onEnded?.('failed', null);
    }
  };

  return {
    async start(window) {
      const result = await store.startReconcileRun(
        { id: options.newId(), from: window.from, to: window.to, startedAt: now() },
        { now: now(), leaseMs: RUN_LEASE_MS },
      );
      if (result.started) {
        const done = carryOut(result.run);
        running.add(done);
        void done.finally(() => running.delete(done));
      }
      return result;
    },
    async settled() {
      while (running.size > 0) await Promise.all([...running]);
    },
    isActive() {
      return running.size > 0;
    },
  };
}

/**
 * When the latest finished run of each status ended, from the newest 100 runs (by any process: the server's
 * periodic runs, `telehook backfill`); null when none of them ended so.
 */
export async function lastFinishedRuns(
  store: Pick<Store, 'listReconcileRuns'>,
): Promise<{ succeeded: number | null; failed: number | null }> {
  const { items } = await store.listReconcileRuns({ limit: 100 });
  const last = (status: 'succeeded' | 'failed') => {
    const ends = items.flatMap((run) =>
      run.status === status && run.finishedAt !== null ? [run.finishedAt] : [],
    );
    return ends.length === 0 ? null : Math.max(...ends);
  };
  return { succeeded: last('succeeded'), failed: last('failed') };
}
