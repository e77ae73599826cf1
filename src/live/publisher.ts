import type { FastifyBaseLogger } from 'fastify';

import { coerceError } from '../errors.js';
import type { FoldedBatch } from '../store/index.js';
import type { LiveBus } from './bus.js';
import { diffFigures, type Figures, type FiguresBase } from './figures-delta.js';
import { summariseEvent } from './messages.js';

/**
 * Turns folded batches into live messages: what changed, at once (each event, each changed call, each removed
 * call), and today's figures at most once per `statsIntervalMs` however many events were folded meanwhile (they
 * cost queries; the queue itself moves with the call messages). A `stats` message is a delta from the previous
 * one (figures-delta.ts), and {@link figures} gives a snapshot the same base, so that every client holds the
 * same figures.
 */
export function createLivePublisher(options: {
  bus: LiveBus;
  /** Today's figures, without the live calls (the call messages carry those). */
  figures: () => Promise<Figures>;
  /**
   * How far behind the calls are (seconds since the oldest event not folded yet was received): the figures carry it
   * as `projectionLagSeconds`, whole seconds, checked every `statsIntervalMs` while clients listen.
   */
  lagSeconds?: () => Promise<number>;
  logger: FastifyBaseLogger;
  /** @defaultValue 1000 */
  statsIntervalMs?: number;
}) {
  const interval = options.statsIntervalMs ?? 1000;
  const lagSeconds = options.lagSeconds;
  let timer: NodeJS.Timeout | null = null;
  let lagTimer: NodeJS.Timeout | null = null;
  let isCheckingLag = false;
  let computing: Promise<Figures> | null = null;
  let isStale = false;
  let isStopped = false;
  let lastSent = -Infinity;
  let position: string | null = null;
  // What the clients hold: the figures of the last stats message, or of a snapshot. Null when nobody listened
  // to the last change: the next client starts from a snapshot.
  let base: FiguresBase | null = null;

  const schedule = (): void => {
    if (timer !== null || computing !== null || isStopped || !isStale) return;
    timer = setTimeout(
      () => {
        timer = null;
        if (options.bus.size === 0) {
          isStale = false;
          base = null;
          return;
        }
        refresh().catch((error: unknown) =>
          options.logger.warn({ err: coerceError(error) }, 'live figures failed'),
        );
      },
      Math.max(0, lastSent + interval - Date.now()),
    );
  };

  const withLag = async (figures: Figures): Promise<Figures> =>
    lagSeconds ? { ...figures, projectionLagSeconds: Math.round(await lagSeconds()) } : figures;

  /** Computes the figures now and sends what changed to every client (one at a time: each is a delta). */
  const refresh = (): Promise<Figures> => {
    computing ??= (async () => {
      isStale = false;
      try {
        const { delta, base: next } = diffFigures(base, await withLag(await options.figures()));
        base = next;
        lastSent = Date.now();
        // No id: the figures were queried while events went on being folded and published, so any cursor given
        // here could be older than an event the client already holds, and a client that reconnects after it
        // would be sent those events again. A client keeps the id of its last event or call message.
        options.bus.publish({ type: 'stats', id: null, data: delta });
        return next.figures;
      } catch (error) {
        // The clients may hold the figures of an unfinished step: start the next delta from scratch.
        base = null;
        isStale = true;
        throw error;
      } finally {
        computing = null;
        schedule();
      }
    })();
    return computing;
  };

  /**
   * The lag grows while nothing is folded (a stopped or saturated projection publishes no batch), so it is read on
   * a timer, and sent alone when its whole seconds change: the other figures cost queries, and have not changed.
   */
  const checkLag = async (): Promise<void> => {
    if (!lagSeconds || base === null || computing !== null || options.bus.size === 0) return;
    const lag = Math.round(await lagSeconds());
    // A refresh may have begun meanwhile: its figures carry the lag, and become the base.
    if (base === null || computing !== null || base.figures['projectionLagSeconds'] === lag) return;
    base = { figures: { ...base.figures, projectionLagSeconds: lag }, rows: base.rows };
    options.bus.publish({ type: 'stats', id: null, data: { projectionLagSeconds: lag } });
  };
  if (lagSeconds) {
    lagTimer = setInterval(() => {
      if (isCheckingLag) return;
      isCheckingLag = true;
      checkLag()
        .catch((error: unknown) =>
          options.logger.warn({ err: coerceError(error) }, 'the projection lag could not be read'),
        )
        .finally(() => (isCheckingLag = false));
    }, interval);
    lagTimer.unref();
  }

  return {
    folded(update: FoldedBatch): void {
      position = update.position ?? position;
      for (const event of update.events)
        options.bus.publish({ type: 'event', id: event.cursor, data: summariseEvent(event) });
      for (const call of update.changed)
        if (!call.legOnly) options.bus.publish({ type: 'call', id: position, data: call });
      for (const key of update.removed)
        options.bus.publish({ type: 'call-removed', id: position, data: { key } });
      isStale = true;
      schedule();
    },

    /**
     * Today's figures, computed after this call (one already under way may predate what the caller must see),
     * for a snapshot. Every client connected gets the change as a `stats` delta, so that the new one, which
     * subscribed before, applies it to these very figures.
     */
    async figures(): Promise<Figures> {
      if (computing !== null) await computing.catch(() => undefined);
      return refresh();
    },

    stop(): void {
      isStopped = true;
      if (timer) clearTimeout(timer);
      if (lagTimer) clearInterval(lagTimer);
      timer = null;
      lagTimer = null;
    },
  };
}
