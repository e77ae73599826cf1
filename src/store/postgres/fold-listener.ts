import type pg from 'pg';

import type { FoldedBatch } from '../store.js';

export interface FoldListenerOptions {
  readonly client: () => pg.Client;
  readonly channel: string;
  /** This store's origin: its own folds are published in-process already. */
  readonly origin: string;
  /** Reads the folds committed by other processes after `afterId`, in commit order. */
  readonly read: (afterId: number) => Promise<{ lastId: number; folds: FoldedBatch[] }>;
  /** The newest live_changes id when the store opened: folds after it are handed on, even before LISTEN starts. */
  readonly afterId: number;
  readonly onError: (error: unknown) => void;
}

/**
 * LISTEN on the schema's channel, on a connection of its own: every fold committed by another process arrives
 * as a NOTIFY carrying only its live_changes id; the listener reads the rows after the last one it saw (so a
 * notification merged or lost while reconnecting leaves no gap) and hands each fold to the subscribers.
 */
export function createFoldListener(options: FoldListenerOptions) {
  const listeners = new Set<(fold: FoldedBatch) => void>();
  let client: pg.Client | null = null;
  let lastId = options.afterId;
  let reading: Promise<void> = Promise.resolve();
  let isStopped = false;
  let reconnect: NodeJS.Timeout | null = null;
  let isStarted = false;

  const catchUp = (): void => {
    reading = reading.then(async () => {
      if (isStopped) return;
      try {
        const result = await options.read(lastId);
        lastId = Math.max(lastId, result.lastId);
        for (const fold of result.folds) for (const listener of listeners) listener(fold);
      } catch (error) {
        options.onError(error);
      }
    });
  };

  const connect = async (): Promise<void> => {
    if (isStopped) return;
    const next = options.client();
    next.on('error', (error) => {
      options.onError(error);
      if (client === next) {
        client = null;
        void next.end().catch(() => undefined);
        reconnect ??= setTimeout(() => ((reconnect = null), void connect()), 1000);
      }
    });
    next.on('notification', (message) => {
      if (message.channel !== options.channel) return;
      const [id, origin] = (message.payload ?? '').split(':');
      if (origin === options.origin) {
        // Our own fold: published in-process. Skip it, unless older folds are still to be read.
        if (Number(id) === lastId + 1) lastId = Number(id);
        else catchUp();
        return;
      }
      catchUp();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${next.escapeIdentifier(options.channel)}`);
      client = next;
      // Folds committed while the connection was down.
      catchUp();
    } catch (error) {
      options.onError(error);
      void next.end().catch(() => undefined);
      if (!isStopped) reconnect ??= setTimeout(() => ((reconnect = null), void connect()), 1000);
    }
  };

  return {
    subscribe(listener: (fold: FoldedBatch) => void): () => void {
      listeners.add(listener);
      if (!isStarted) {
        isStarted = true;
        void connect();
      }
      return () => listeners.delete(listener);
    },
    async stop(): Promise<void> {
      isStopped = true;
      if (reconnect) clearTimeout(reconnect);
      await reading;
      const current = client;
      client = null;
      if (current) await current.end().catch(() => undefined);
    },
  };
}
