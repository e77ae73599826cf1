import { describe, expect, it } from 'vitest';

import { deliver, type Delivery } from './deliver.js';
import type { Answer } from './http-sender.js';

const ok: Answer = { status: 200, body: '{}' };
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

describe('deliver', () => {
  it("sends each group's deliveries in order, one after the other, and groups side by side up to the concurrency", async () => {
    const deliveries: Delivery<string>[] = [];
    for (let group = 0; group < 6; group += 1)
      for (let step = 0; step < 4; step += 1)
        deliveries.push({ at: step * 1000, group, body: `${group}:${step}`, item: `${group}:${step}` });
    let inFlight = 0;
    let most = 0;
    const order: string[] = [];
    await deliver(deliveries, {
      speed: 'instant',
      concurrency: 3,
      post: async (body) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await tick();
        inFlight -= 1;
        order.push(String(body));
        return ok;
      },
      onAnswer: () => undefined,
    });
    expect(order).toHaveLength(24);
    expect(most).toBe(3);
    for (let group = 0; group < 6; group += 1) {
      expect(order.filter((body) => body.startsWith(`${group}:`))).toEqual(
        [0, 1, 2, 3].map((step) => `${group}:${step}`),
      );
    }
  });

  it('spaces deliveries by their times divided by the speed', async () => {
    const sentAt: number[] = [];
    const started = performance.now();
    await deliver(
      [0, 2000, 4000].map((at) => ({ at, group: 0, body: '', item: at })),
      {
        speed: 40,
        concurrency: 1,
        post: async () => {
          sentAt.push(performance.now() - started);
          return ok;
        },
        onAnswer: () => undefined,
      },
    );
    expect(sentAt[1]).toBeGreaterThanOrEqual(45);
    expect(sentAt[2]).toBeGreaterThanOrEqual(95);
    expect(sentAt[2]).toBeLessThan(1000);
  });

  it('hands every answer to onAnswer with its delivery', async () => {
    const seen: [number, number][] = [];
    await deliver(
      [1, 2, 3].map((n) => ({ at: 0, group: n, body: String(n), item: n })),
      {
        speed: 'instant',
        concurrency: 8,
        post: async (body) => ({ status: 200 + Number(body), body: '' }),
        onAnswer: (delivery, answer) => seen.push([delivery.item, answer.status]),
      },
    );
    expect(seen.sort()).toEqual([
      [1, 201],
      [2, 202],
      [3, 203],
    ]);
  });
});
