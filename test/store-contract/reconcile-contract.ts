import { describe, expect, it } from 'vitest';

import type { StoreLocation } from './contract.js';

const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
const HOUR = 3_600_000;
const LEASE = { now: T0, leaseMs: 300_000 };

/** The reconcile runs of the Store contract: one running run per window, leases, updates and the list. */
export function describeReconcileContract(name: string, createLocation: () => Promise<StoreLocation>): void {
  describe(`Store contract (reconcile runs): ${name}`, () => {
    it('starts one run per overlapping window, fails a run whose lease ran out, updates and lists them', async () => {
      const store = await (await createLocation()).open();
      try {
        const first = { id: 'rr_1', from: T0 - 2 * HOUR, to: T0 - HOUR, startedAt: T0 };
        const started = await store.startReconcileRun(first, LEASE);
        expect(started).toEqual({
          started: true,
          run: {
            ...first,
            status: 'running',
            finishedAt: null,
            heartbeatAt: T0,
            rowsFetched: 0,
            eventsAdded: 0,
            callsAdded: 0,
            errors: [],
          },
        });
        // An overlapping window while the first runs: the running one is answered, nothing starts.
        const overlap = { id: 'rr_2', from: T0 - HOUR - 1, to: T0, startedAt: T0 + 1 };
        expect(await store.startReconcileRun(overlap, { ...LEASE, now: T0 + 1 })).toEqual({
          run: started.run,
          started: false,
        });
        const updated = await store.updateReconcileRun('rr_1', {
          now: T0 + 10,
          rowsFetched: 7,
          callsAdded: 2,
        });
        expect(updated).toEqual({ ...started.run, heartbeatAt: T0 + 10, rowsFetched: 7, callsAdded: 2 });
        expect(await store.updateReconcileRun('rr_none', { now: T0 })).toBeNull();
        // Past the lease the first run is taken as dead: it fails, and the overlapping one starts.
        const late = T0 + 10 + LEASE.leaseMs + 1;
        const second = await store.startReconcileRun(overlap, { ...LEASE, now: late });
        expect(second.started).toBe(true);
        const failed = await store.getReconcileRun('rr_1');
        expect(failed).toMatchObject({ status: 'failed', finishedAt: late });
        expect(failed!.errors.map((error) => error.code)).toEqual(['RECONCILE_INTERRUPTED']);
        const done = await store.updateReconcileRun('rr_2', {
          now: late + 5,
          status: 'succeeded',
          finishedAt: late + 5,
          eventsAdded: 3,
          errors: [{ code: 'X', message: 'one row' }],
        });
        expect(done).toMatchObject({ status: 'succeeded', finishedAt: late + 5, eventsAdded: 3 });
        expect(await store.getReconcileRun('rr_none')).toBeNull();
        const page = await store.listReconcileRuns({ limit: 1 });
        expect(page.items.map((run) => run.id)).toEqual(['rr_2']);
        const rest = await store.listReconcileRuns({ after: page.next, limit: 1 });
        expect(rest.items.map((run) => run.id)).toEqual(['rr_1']);
        expect((await store.listReconcileRuns({ after: rest.next, limit: 1 })).items).toEqual([]);
      } finally {
        await store.close();
      }
    });
  });
}
