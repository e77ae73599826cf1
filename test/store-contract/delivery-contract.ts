import { describe, expect, it } from 'vitest';

import type { Endpoint, NewDelivery, Store } from '../../src/store/index.js';
import type { StoreLocation } from './contract.js';
import { storeRunner } from './store-runner.js';

const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
let counter = 0;

export function endpointRecord(overrides: Partial<Endpoint> = {}): Endpoint {
  counter += 1;
  return {
    id: `ep_test${String(counter).padStart(6, '0')}`,
    url: 'https://crm.example.com/hooks/telehook',
    description: null,
    receives: 'calls',
    format: 'json',
    filter: {},
    rateLimit: null,
    timeoutMs: 15_000,
    enabled: true,
    disabledReason: null,
    disabledAt: null,
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    previousSecret: null,
    previousSecretExpiresAt: null,
    failingSince: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

function delivery(endpointId: string, key: string, orderKey = key, createdAt = T0): NewDelivery {
  counter += 1;
  return {
    id: `msg_test${String(counter).padStart(8, '0')}`,
    endpointId,
    idempotencyKey: key,
    orderKey,
    type: 'call.missed',
    payload: JSON.stringify({ type: 'call.missed', key }),
    createdAt,
  };
}

const claimAll = (store: Store, workerId: string, now: number, extra: { maxPerEndpoint?: number } = {}) =>
  store.claimDeliveries({ workerId, now, leaseMs: 30_000, limit: 100, maxPerEndpoint: 100, ...extra });

const attempt = (at: number, statusCode: number | null) => ({
  at,
  statusCode,
  latencyMs: 12,
  response: statusCode === null ? null : '{"ok":true}',
  error: statusCode === null ? 'ECONNREFUSED' : null,
});

/** The forwarding part of the Store contract: endpoints, the delivery queue and its claims. */
export function describeDeliveryContract(name: string, createLocation: () => Promise<StoreLocation>): void {
  describe(`Store contract (delivery): ${name}`, () => {
    const withStore = storeRunner(createLocation);

    it('keeps endpoints: create, get, list, update, delete', async () => {
      await withStore(async (store) => {
        const first = endpointRecord({ filter: { outcome: ['missed', 'abandoned'] }, rateLimit: 5 });
        const second = endpointRecord({ receives: 'events', format: 'slack', createdAt: T0 + 1 });
        await store.createEndpoint(first);
        await store.createEndpoint(second);
        expect(await store.getEndpoint(first.id)).toEqual(first);
        expect(await store.listEndpoints()).toEqual([first, second]);
        const updated = await store.updateEndpoint(first.id, {
          enabled: false,
          disabledReason: 'answered 410 Gone',
          disabledAt: T0 + 5,
          filter: { team: ['Sales'] },
          previousSecret: first.secret,
          previousSecretExpiresAt: T0 + 86_400_000,
          updatedAt: T0 + 5,
        });
        expect(updated).toEqual({
          ...first,
          enabled: false,
          disabledReason: 'answered 410 Gone',
          disabledAt: T0 + 5,
          filter: { team: ['Sales'] },
          previousSecret: first.secret,
          previousSecretExpiresAt: T0 + 86_400_000,
          updatedAt: T0 + 5,
        });
        expect(await store.updateEndpoint('ep_none', { enabled: true, updatedAt: T0 })).toBeNull();
        expect(await store.deleteEndpoint(second.id)).toBe(true);
        expect(await store.deleteEndpoint(second.id)).toBe(false);
        expect(await store.getEndpoint(second.id)).toBeNull();
        expect((await store.listEndpoints()).map((endpoint) => endpoint.id)).toEqual([first.id]);
      });
    });

    it('enqueues a delivery once per endpoint and idempotency key, and saves the cursor with it', async () => {
      await withStore(async (store) => {
        const a = endpointRecord();
        const b = endpointRecord();
        await store.createEndpoint(a);
        await store.createEndpoint(b);
        expect(await store.getDeliveryCursor('events')).toBeNull();
        const once = delivery(a.id, 'call:one');
        expect(
          await store.enqueueDeliveries([once, delivery(b.id, 'call:one')], {
            name: 'events',
            position: '7',
          }),
        ).toBe(2);
        expect(await store.enqueueDeliveries([delivery(a.id, 'call:one'), delivery(a.id, 'call:two')])).toBe(
          1,
        );
        expect(await store.getDeliveryCursor('events')).toBe('7');
        expect(await store.countDeliveries({ endpointId: a.id })).toBe(2);
        expect(await store.getDelivery(once.id)).toEqual({
          ...once,
          status: 'pending',
          attemptCount: 0,
          retryStep: 0,
          nextAttemptAt: T0,
          deliveredAt: null,
          attempts: [],
        });
      });
    });

    it('claims due deliveries once, one at a time per order key, and takes over an expired claim', async () => {
      await withStore(async (store) => {
        const a = endpointRecord();
        const disabled = endpointRecord({ enabled: false, disabledReason: 'by hand', disabledAt: T0 });
        await store.createEndpoint(a);
        await store.createEndpoint(disabled);
        const first = delivery(a.id, 'event:1', 'call-x');
        const second = delivery(a.id, 'event:2', 'call-x');
        const other = delivery(a.id, 'event:3', 'call-y');
        const later = delivery(a.id, 'event:4', 'call-z', T0 + 60_000);
        await store.enqueueDeliveries([first, second, other, later, delivery(disabled.id, 'event:1')]);

        const claimed = await claimAll(store, 'w1', T0 + 1);
        expect(claimed.map((d) => d.id)).toEqual([first.id, other.id]);
        expect(await claimAll(store, 'w2', T0 + 2)).toEqual([]);
        // w1 crashed: after its lease, w2 takes the same deliveries over.
        const taken = await claimAll(store, 'w2', T0 + 1 + 30_000);
        expect(taken.map((d) => d.id)).toEqual([first.id, other.id]);
        expect(
          await store.recordAttempt({
            deliveryId: first.id,
            workerId: 'w1',
            attempt: attempt(T0 + 40_000, 200),
            outcome: { status: 'delivered' },
          }),
        ).toEqual({ recorded: false, failingSince: null });
        expect((await store.getDelivery(first.id))?.attempts).toEqual([]);
        await store.recordAttempt({
          deliveryId: first.id,
          workerId: 'w2',
          attempt: attempt(T0 + 40_000, 200),
          outcome: { status: 'delivered' },
        });
        // The call's next delivery is free once the first is delivered; the later one is due at its time.
        expect((await claimAll(store, 'w3', T0 + 40_001)).map((d) => d.id)).toEqual([second.id]);
        // w2 still holds `other` until T0 + 60 001, w3 holds `second`.
        expect((await claimAll(store, 'w3', T0 + 60_000)).map((d) => d.id)).toEqual([later.id]);
      });
    });

    it('limits a claim per endpoint and skips the endpoints asked', async () => {
      await withStore(async (store) => {
        const slow = endpointRecord();
        const fast = endpointRecord();
        await store.createEndpoint(slow);
        await store.createEndpoint(fast);
        const slowOnes = [1, 2, 3, 4].map((n) => delivery(slow.id, `event:${n}`));
        const fastOne = delivery(fast.id, 'event:1');
        await store.enqueueDeliveries([...slowOnes, fastOne]);
        const skipped = await store.claimDeliveries({
          workerId: 'w',
          now: T0,
          leaseMs: 1000,
          limit: 10,
          maxPerEndpoint: 10,
          skipEndpoints: [slow.id],
        });
        expect(skipped.map((d) => d.id)).toEqual([fastOne.id]);
        const limited = await claimAll(store, 'w', T0, { maxPerEndpoint: 2 });
        expect(limited.map((d) => d.id)).toEqual([slowOnes[0]!.id, slowOnes[1]!.id]);
      });
    });

    it('records attempts: retried later, then failed; keeps when the endpoint started failing', async () => {
      await withStore(async (store) => {
        const a = endpointRecord();
        await store.createEndpoint(a);
        const one = delivery(a.id, 'call:1');
        await store.enqueueDeliveries([one]);
        await claimAll(store, 'w', T0);
        expect(
          await store.recordAttempt({
            deliveryId: one.id,
            workerId: 'w',
            attempt: attempt(T0 + 10, 503),
            outcome: { status: 'pending', nextAttemptAt: T0 + 5_000 },
          }),
        ).toEqual({ recorded: true, failingSince: T0 + 10 });
        expect(await claimAll(store, 'w', T0 + 4_999)).toEqual([]);
        expect((await claimAll(store, 'w', T0 + 5_000)).map((d) => d.retryStep)).toEqual([1]);
        expect(
          await store.recordAttempt({
            deliveryId: one.id,
            workerId: 'w',
            attempt: attempt(T0 + 5_010, null),
            outcome: { status: 'failed' },
          }),
        ).toEqual({ recorded: true, failingSince: T0 + 10 });
        const failed = await store.getDelivery(one.id);
        expect(failed).toMatchObject({
          status: 'failed',
          attemptCount: 2,
          retryStep: 2,
          nextAttemptAt: null,
        });
        expect(failed?.attempts).toEqual([attempt(T0 + 10, 503), attempt(T0 + 5_010, null)]);
        expect((await store.getEndpoint(a.id))?.failingSince).toBe(T0 + 10);
        expect(await claimAll(store, 'w', T0 + 10 ** 9)).toEqual([]);

        // A replay starts the schedule again and keeps the history; a success clears failingSince.
        const replayed = await store.retryDelivery(one.id, T0 + 20_000);
        expect(replayed).toMatchObject({
          status: 'pending',
          retryStep: 0,
          attemptCount: 2,
          nextAttemptAt: T0 + 20_000,
        });
        await claimAll(store, 'w', T0 + 20_000);
        expect(
          await store.recordAttempt({
            deliveryId: one.id,
            workerId: 'w',
            attempt: attempt(T0 + 20_010, 204),
            outcome: { status: 'delivered' },
          }),
        ).toEqual({ recorded: true, failingSince: null });
        expect(await store.getDelivery(one.id)).toMatchObject({
          status: 'delivered',
          deliveredAt: T0 + 20_010,
        });
        expect(await store.retryDelivery('msg_none', T0)).toBeNull();
      });
    });

    it('lists dead letters by endpoint with paging, and retries those enqueued since a time', async () => {
      await withStore(async (store) => {
        const a = endpointRecord();
        const b = endpointRecord();
        await store.createEndpoint(a);
        await store.createEndpoint(b);
        const old = delivery(a.id, 'call:old', 'old', T0 - 3_600_000);
        const recent = [1, 2, 3].map((n) => delivery(a.id, `call:${n}`, `k${n}`, T0 + n));
        const elsewhere = delivery(b.id, 'call:1', 'k1', T0 + 1);
        await store.enqueueDeliveries([old, ...recent, elsewhere]);
        for (const d of await claimAll(store, 'w', T0 + 10))
          await store.recordAttempt({
            deliveryId: d.id,
            workerId: 'w',
            attempt: attempt(T0 + 10, 500),
            outcome: { status: 'failed' },
          });
        const first = await store.listDeliveries({ status: 'failed', endpointId: a.id, limit: 3 });
        expect(first.items.map((d) => d.id)).toEqual([old.id, recent[0]!.id, recent[1]!.id]);
        expect(first.items[0]?.attempts).toEqual([attempt(T0 + 10, 500)]);
        const second = await store.listDeliveries({
          status: 'failed',
          endpointId: a.id,
          limit: 3,
          after: first.next,
        });
        expect(second).toMatchObject({ items: [{ id: recent[2]!.id }], next: null });
        expect(await store.countDeliveries({ status: 'failed', endpointId: a.id, since: T0 })).toBe(3);
        expect(await store.retryDeliveries({ endpointId: a.id, since: T0, now: T0 + 100 })).toBe(3);
        expect(await store.countDeliveries({ status: 'failed' })).toBe(2);
        expect(await store.countDeliveries({ status: 'pending', endpointId: a.id })).toBe(3);
      });
    });

    it('keeps the queue across a restart and drops an endpoint with its deliveries', async () => {
      const location = await createLocation();
      const a = endpointRecord();
      const one = delivery(a.id, 'call:1');
      let store = await location.open();
      await store.createEndpoint(a);
      await store.enqueueDeliveries([one], { name: 'events', position: '42' });
      await store.claimDeliveries({ workerId: 'w', now: T0, leaseMs: 1000, limit: 1, maxPerEndpoint: 1 });
      await store.close();
      store = await location.open();
      try {
        expect(await store.getDeliveryCursor('events')).toBe('42');
        expect((await claimAll(store, 'w2', T0 + 1000)).map((d) => d.id)).toEqual([one.id]);
        await store.releaseClaims('w2');
        expect((await claimAll(store, 'w3', T0 + 1000)).map((d) => d.id)).toEqual([one.id]);
        expect(await store.deleteEndpoint(a.id)).toBe(true);
        expect(await store.getDelivery(one.id)).toBeNull();
      } finally {
        await store.close();
      }
    });
  });
}
