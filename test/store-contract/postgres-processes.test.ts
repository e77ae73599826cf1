import { describe, expect, it } from 'vitest';

import { createCallFold } from '../../src/calls/index.js';
import type { FoldedBatch, NewDelivery, Store } from '../../src/store/index.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { agentSummary, callFlows } from '../helpers/call-flows.js';
import { testSchema } from '../helpers/pg-schema.js';
import { newEvent } from './contract.js';
import { endpointRecord } from './delivery-contract.js';

// What only PostgreSQL does: several stores (as several processes would) on one schema at once.
const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
const rules = createCallFold({ staleAfterMs: 2 * 3600_000 });

async function openMany(name: string, count: number): Promise<Store[]> {
  const { url } = testSchema(name);
  // Opened together: they migrate once (the advisory lock), or one of them would fail on an existing table.
  const stores = await Promise.all(
    Array.from({ length: count }, () => createPostgresStore({ url, poolSize: 3 })),
  );
  return stores;
}

const closeAll = (stores: Store[]) => Promise.all(stores.map((store) => store.close()));

/** Folds everything pending, as a process's projection does, until nothing is left to it. */
async function foldAll(store: Store): Promise<void> {
  for (;;) {
    const events = await store.listEventsToProject(4);
    if (events.length === 0) return;
    await store.projectCalls({ events, now: T0 + 3600_000 }, rules);
  }
}

describe('PostgreSQL: several processes on one schema', () => {
  it('gets every call right when two processes fold events of the same calls at the same moment', async () => {
    const stores = await openMany('two folders', 2);
    try {
      const flows = callFlows(T0).map(
        (_, index) => callFlows(T0, `44880000${String(index).padStart(4, '0')}`)[index]!,
      );
      const notices: FoldedBatch[][] = [[], []];
      const stops = stores.map((store, n) => store.watchFolds((fold) => notices[n]!.push(fold)));
      // Each call's payloads alternately into both stores, everything at once; both fold at once.
      await Promise.all(
        flows.flatMap((flow) =>
          flow.payloads.map((payload, n) => stores[n % 2]!.appendEvent(newEvent(JSON.stringify(payload)))),
        ),
      );
      await Promise.all(stores.map(foldAll));
      for (const store of stores) {
        for (const flow of flows) {
          const call = await store.getCall(flow.expected['key'] as string);
          const { agentSummary: agents, ...fields } = flow.expected as { agentSummary?: string[] };
          expect(call, flow.name).toMatchObject(fields);
          if (agents) expect(agentSummary(call!.agents)).toEqual(agents);
        }
      }
      expect(await stores[0]!.countEventsToProject()).toBe(0);
      // Each process hears of the folds the other committed, with their events: together, every event once.
      const total = flows.reduce((sum, flow) => sum + flow.payloads.length, 0);
      await expect
        .poll(() => notices.flat().reduce((sum, fold) => sum + fold.events.length, 0), { timeout: 5000 })
        .toBe(total);
      const cursors = notices.flat().flatMap((fold) => fold.events.map((event) => event.cursor));
      expect(new Set(cursors).size).toBe(total);
      stops.forEach((stop) => stop());
    } finally {
      await closeAll(stores);
    }
  });

  it('never lets two workers of different processes claim the same delivery (SKIP LOCKED), and takes over expired leases', async () => {
    const stores = await openMany('claims', 4);
    try {
      const endpoint = endpointRecord({ id: `ep_claims_${Date.now()}` });
      await stores[0]!.createEndpoint(endpoint);
      const deliveries: NewDelivery[] = Array.from({ length: 300 }, (_, n) => ({
        id: `msg_claims_${n}`,
        endpointId: endpoint.id,
        idempotencyKey: `call:${n}`,
        orderKey: `call-${n}`,
        type: 'call.missed',
        payload: '{}',
        createdAt: T0,
      }));
      await stores[0]!.enqueueDeliveries(deliveries);
      const claimed = new Map<string, string>();
      let duplicates = 0;
      await Promise.all(
        stores.map(async (store, n) => {
          for (;;) {
            const batch = await store.claimDeliveries({
              workerId: `worker-${n}`,
              now: T0 + 1000,
              leaseMs: 60_000,
              limit: 7,
              maxPerEndpoint: 7,
            });
            if (batch.length === 0) return;
            for (const item of batch) {
              if (claimed.has(item.id)) duplicates += 1;
              claimed.set(item.id, `worker-${n}`);
            }
          }
        }),
      );
      expect(duplicates).toBe(0);
      expect(claimed.size).toBe(300);
      expect(new Set(claimed.values()).size).toBeGreaterThan(1);
      // Worker 0 "crashed": after its lease, another process takes its claims over; worker 0 can no longer record.
      const orphaned = [...claimed].filter(([, worker]) => worker === 'worker-0').map(([id]) => id);
      const takenOver = await stores[1]!.claimDeliveries({
        workerId: 'worker-9',
        now: T0 + 1000 + 60_000,
        leaseMs: 60_000,
        limit: 1000,
        maxPerEndpoint: 1000,
      });
      expect(takenOver.map((item) => item.id)).toEqual(expect.arrayContaining(orphaned));
      const late = await stores[0]!.recordAttempt({
        deliveryId: orphaned[0]!,
        workerId: 'worker-0',
        attempt: { at: T0 + 70_000, statusCode: 200, latencyMs: 5, response: null, error: null },
        outcome: { status: 'delivered' },
      });
      expect(late.recorded).toBe(false);
    } finally {
      await closeAll(stores);
    }
  });
});
