import { formatMessage, type LiveMessage } from './messages.js';

/** A published message and its text/event-stream form, formatted once whatever the number of clients. */
export interface LiveFrame {
  readonly message: LiveMessage;
  readonly text: string;
}

/** What every listener is handed at a flush: the frames in publish order, and all of them as one Buffer. */
export interface LiveBatch {
  readonly frames: readonly LiveFrame[];
  readonly bytes: Buffer;
}

export type LiveListener = (batch: LiveBatch) => void;

export interface LiveBusOptions {
  /**
   * After a flush that kept the event loop busy for t ms, the next one waits until t × this has passed, so that
   * fanning out to many clients never takes more than 1/(1 + this) of the event loop that also answers TeleCMI.
   * @defaultValue 9
   */
  readonly pauseFactor?: number;
  /** The longest such pause: how late a change may reach a wallboard when there are very many. @defaultValue 250 */
  readonly maxPauseMs?: number;
  /**
   * A flush hands the loop back after this long, and goes on with the next listeners in the next turn: requests
   * that arrive meanwhile wait at most this long for a thousand wallboards. @defaultValue 4
   */
  readonly sliceMs?: number;
}

/**
 * The in-process live bus: the projection publishes, every connected stream listens. A message is formatted
 * once, and the messages published together are handed to every listener as one batch, whose Buffer each stream
 * writes as is: with a thousand wallboards, one write per client per flush instead of one string per message per
 * client. A listener that throws does not stop the others. (Across processes, a PostgreSQL LISTEN/NOTIFY bridge
 * publishes into it.)
 */
export function createLiveBus(options: LiveBusOptions = {}) {
  const pauseFactor = options.pauseFactor ?? 9;
  const maxPauseMs = options.maxPauseMs ?? 250;
  const sliceMs = options.sliceMs ?? 4;
  const listeners = new Set<LiveListener>();
  let pending: LiveFrame[] = [];
  let isScheduled = false;
  let isFlushing = false;
  let nextFlushAt = 0;

  const schedule = (): void => {
    if (isScheduled || isFlushing || pending.length === 0) return;
    isScheduled = true;
    // Never at once: what one fold publishes goes out as one batch.
    const wait = nextFlushAt - performance.now();
    if (wait > 0) setTimeout(flush, wait);
    else setImmediate(flush);
  };

  const flush = (): void => {
    isScheduled = false;
    const frames = pending;
    pending = [];
    if (frames.length === 0) return;
    isFlushing = true;
    const batch: LiveBatch = {
      frames,
      bytes: Buffer.from(frames.length === 1 ? frames[0]!.text : frames.map((frame) => frame.text).join('')),
    };
    // The listeners of the moment: one that subscribes meanwhile starts from a snapshot taken after this batch.
    const targets = [...listeners];
    let next = 0;
    let busyMs = 0;
    const slice = (): void => {
      const started = performance.now();
      while (next < targets.length && performance.now() - started < sliceMs) {
        const listener = targets[next]!;
        next += 1;
        if (!listeners.has(listener)) continue;
        try {
          listener(batch);
        } catch {
          listeners.delete(listener);
        }
      }
      const ended = performance.now();
      busyMs += ended - started;
      if (next < targets.length) {
        setImmediate(slice);
        return;
      }
      isFlushing = false;
      nextFlushAt = ended + Math.min(maxPauseMs, busyMs * pauseFactor);
      schedule();
    };
    slice();
  };

  return {
    publish(message: LiveMessage): void {
      // Nobody listens: a stream that subscribes later starts from its own snapshot.
      if (listeners.size === 0) return;
      pending.push({ message, text: formatMessage(message) });
      schedule();
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
