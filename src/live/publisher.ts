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
 * Turns folded batches into live messages: each event and each changed call at once, and the figures at most
 * once per `statsIntervalMs` (they cost queries; the queue itself moves with the call messages).
 */
export function createLivePublisher(options: {
  bus: LiveBus;
  figures: () => Promise<unknown>;
  logger: FastifyBaseLogger;
  /** @defaultValue 1000 */
  statsIntervalMs?: number;
}) {
  const interval = options.statsIntervalMs ?? 1000;
  let timer: NodeJS.Timeout | null = null;
  let lastSent = 0;
  let position: string | null = null;

  const sendStats = async (): Promise<void> => {
    timer = null;
    lastSent = Date.now();
    if (options.bus.size === 0) return;
    try {
      options.bus.publish({ type: 'stats', id: position, data: await options.figures() });
    } catch (error) {
      options.logger.warn({ err: coerceError(error) }, 'live figures failed');
    }
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
      if (timer === null)
        timer = setTimeout(() => void sendStats(), Math.max(0, lastSent + interval - Date.now()));
    },
    stop(): void {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
