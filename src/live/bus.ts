import type { LiveMessage } from './messages.js';

export type LiveListener = (message: LiveMessage) => void;

/**
 * The in-process live bus: the projection publishes, every connected stream listens. A listener that throws
 * does not stop the others. (Across processes, a PostgreSQL LISTEN/NOTIFY bridge publishes into it.)
 */
export function createLiveBus() {
  const listeners = new Set<LiveListener>();
  return {
    publish(message: LiveMessage): void {
      for (const listener of listeners) {
        try {
          listener(message);
        } catch {
          listeners.delete(listener);
        }
      }
    },
    subscribe(listener: LiveListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get size(): number {
      return listeners.size;
    },
  };
}

export type LiveBus = ReturnType<typeof createLiveBus>;
