import type { FastifyBaseLogger } from 'fastify';

import { coerceError } from '../errors.js';
import type { Call, StoredEvent } from '../store/index.js';
import type { LiveBus } from './bus.js';
import { summariseEvent } from './messages.js';

/** What one projection step folded (calls/ hands this over after each committed batch). */
export interface FoldedUpdate {
  readonly events: readonly StoredEvent[];
  readonly result: { readonly changed: readonly Call[]; readonly removed: readonly string[] };
  readonly position: string | null;
}

/**
 * Turns folded batches into live messages: what changed, at once (each event, each changed call, each removed
 * call), and today's figures at most once per `statsIntervalMs`, however many events were folded meanwhile (they
 * cost queries, and the queue itself moves with the call messages). The figures leave out the live calls: the
 * call messages carry those.
 */
export function createLivePublisher(options: {
  bus: LiveBus;
  /** Today's figures, without the live calls. */
  figures: () => Promise<unknown>;
  logger: FastifyBaseLogger;
  /** @defaultValue 1000 */
  statsIntervalMs?: number;
}) {
  const interval = options.statsIntervalMs ?? 1000;
  let timer: NodeJS.Timeout | null = null;
  let isComputing = false;
  let isStale = false;
  let isStopped = false;
  let lastSent = -Infinity;
  let position: string | null = null;

  const schedule = (): void => {
    if (timer !== null || isComputing || isStopped) return;
    timer = setTimeout(() => void sendStats(), Math.max(0, lastSent + interval - Date.now()));
  };

  const sendStats = async (): Promise<void> => {
    timer = null;
    isStale = false;
    lastSent = Date.now();
    if (options.bus.size === 0) return;
    isComputing = true;
    try {
      options.bus.publish({ type: 'stats', id: position, data: await options.figures() });
    } catch (error) {
      options.logger.warn({ err: coerceError(error) }, 'live figures failed');
    } finally {
      isComputing = false;
    }
    // Folds that came while the figures were computed are not in them.
    if (isStale) schedule();
  };

  return {
    folded(update: FoldedUpdate): void {
      position = update.position ?? position;
      for (const event of update.events)
        options.bus.publish({ type: 'event', id: event.cursor, data: summariseEvent(event) });
      for (const call of update.result.changed)
        if (!call.legOnly) options.bus.publish({ type: 'call', id: position, data: call });
      for (const key of update.result.removed)
        options.bus.publish({ type: 'call-removed', id: position, data: { key } });
      isStale = true;
      schedule();
    },
    stop(): void {
      isStopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
