import { setTimeout as sleep } from 'node:timers/promises';

import type { Speed } from './flags.js';
import type { Answer } from './http-sender.js';

/** One request to make. */
export interface Delivery<T> {
  /** When TeleCMI would send it, epoch ms: deliveries are spaced as these times are, divided by the speed. */
  readonly at: number;
  /** Deliveries of one group go one after the other, in the order given; groups run side by side. */
  readonly group: number;
  readonly body: string | Uint8Array;
  /** Carried to `onAnswer`. */
  readonly item: T;
}

/** How {@link deliver} paces and sends. */
export interface DeliverOptions<T> {
  readonly speed: Speed;
  /** Most requests in flight at once. */
  readonly concurrency: number;
  /** Makes the request (given the delivery too, for senders that do more than post its body). */
  readonly post: (body: string | Uint8Array, delivery: Delivery<T>) => Promise<Answer>;
  readonly onAnswer: (delivery: Delivery<T>, answer: Answer) => void;
}

/**
 * Sends deliveries paced like TeleCMI would send them: a delivery is due `(at − first at) / speed` after the
 * start (at once for `instant`); those of one group (one call) are sent one after the other, each after the
 * previous one's answer, as one call's webhooks follow one another; up to `concurrency` are in flight, the
 * earliest due first.
 * Resolves when every delivery has been answered.
 */
export async function deliver<T>(
  deliveries: readonly Delivery<T>[],
  options: DeliverOptions<T>,
): Promise<void> {
  const first = deliveries.reduce((min, delivery) => Math.min(min, delivery.at), Infinity);
  const started = performance.now();
  const slots = createSemaphore(options.concurrency);
  const groups = new Map<number, Promise<void>>();
  const tasks = deliveries.map((delivery) => {
    const previous = groups.get(delivery.group) ?? Promise.resolve();
    const task = previous.then(async () => {
      if (options.speed !== 'instant') {
        const wait = started + (delivery.at - first) / options.speed - performance.now();
        if (wait > 0) await sleep(wait);
      }
      await slots.acquire(delivery.at);
      try {
        options.onAnswer(delivery, await options.post(delivery.body, delivery));
      } finally {
        slots.release();
      }
    });
    groups.set(delivery.group, task);
    return task;
  });
  await Promise.all(tasks);
}

/**
 * At most `size` holders at once. Waiters are served earliest `at` first, not first come: when the server cannot
 * keep up, the payloads that are most overdue go next, so the order of delivery stays close to TeleCMI's.
 */
function createSemaphore(size: number): { acquire(at: number): Promise<void>; release(): void } {
  let free = size;
  const waiting: { at: number; resolve: () => void }[] = [];
  return {
    acquire(at) {
      if (free > 0) {
        free -= 1;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        // Binary search for the first waiter due later: equal times keep their arrival order.
        let low = 0;
        let high = waiting.length;
        while (low < high) {
          const middle = (low + high) >> 1;
          if (waiting[middle]!.at <= at) low = middle + 1;
          else high = middle;
        }
        waiting.splice(low, 0, { at, resolve });
      });
    },
    release() {
      const next = waiting.shift();
      if (next === undefined) free += 1;
      else next.resolve();
    },
  };
}
