import { describe, expect, it } from 'vitest';

import type { NewAlert, NewDelivery } from '../../src/store/index.js';
import type { StoreLocation } from './contract.js';
import { endpointRecord } from './delivery-contract.js';
import { storeRunner } from './store-runner.js';

const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);
let counter = 0;

const alert = (rule: string, firedAt = T0): NewAlert => {
  counter += 1;
  return { id: `al_test${counter}`, rule, firedAt, summary: `${rule} broke`, details: { n: counter } };
};

const delivery = (endpointId: string, key: string): NewDelivery => {
  counter += 1;
  return {
    id: `msg_alert${counter}`,
    endpointId,
    idempotencyKey: key,
    orderKey: key,
    type: 'alert.fired',
    payload: '{}',
    createdAt: T0,
  };
};

/** The alerts' part of the Store contract: each change is a compare-and-set committed with its deliveries. */
export function describeAlertsContract(name: string, createLocation: () => Promise<StoreLocation>): void {
  describe(`Store contract (alerts): ${name}`, () => {
    const withStore = storeRunner(createLocation);

    it('keeps rule settings and gives them back after a reopen', async () => {
      await withStore(async (store, location) => {
        expect(await store.listAlertRules()).toEqual([]);
        await store.saveAlertRule({ name: 'waiting', settings: '{"threshold":3}', updatedAt: T0 });
        await store.saveAlertRule({ name: 'waiting', settings: '{"threshold":7}', updatedAt: T0 + 1 });
        await store.close();
        const reopened = await location.open();
        try {
          expect(await reopened.listAlertRules()).toEqual([
            { name: 'waiting', settings: '{"threshold":7}', updatedAt: T0 + 1 },
          ]);
        } finally {
          await reopened.close();
        }
      });
    });

    it('fires a rule once: a second firing alert of the same rule changes nothing and enqueues nothing', async () => {
      await withStore(async (store) => {
        const endpoint = endpointRecord({ receives: 'alerts' });
        await store.createEndpoint(endpoint);
        const first = alert('silence');
        expect(await store.fireAlert(first, [delivery(endpoint.id, `alert:${first.id}:fired`)])).toBe(true);
        const second = alert('silence');
        expect(await store.fireAlert(second, [delivery(endpoint.id, `alert:${second.id}:fired`)])).toBe(
          false,
        );
        expect(await store.fireAlert(alert('waiting'), [])).toBe(true);
        const firing = await store.listAlerts({ state: 'firing', limit: 10 });
        expect(firing.items.map((item) => [item.rule, item.id])).toEqual([
          ['waiting', expect.any(String)],
          ['silence', first.id],
        ]);
        expect(firing.items[1]).toMatchObject({
          state: 'firing',
          resolvedAt: null,
          notifiedAt: T0,
          repeats: 0,
        });
        expect(await store.countDeliveries({ endpointId: endpoint.id })).toBe(1);
      });
    });

    it('resolves and repeats once each, then lets the rule fire anew', async () => {
      await withStore(async (store) => {
        const endpoint = endpointRecord({ receives: 'alerts' });
        await store.createEndpoint(endpoint);
        const fired = alert('waiting');
        await store.fireAlert(fired, []);
        const repeat = { id: fired.id, notifiedAt: T0 + 3_600_000, previousNotifiedAt: T0 };
        expect(await store.repeatAlert(repeat, [delivery(endpoint.id, 'r1')])).toBe(true);
        expect(await store.repeatAlert(repeat, [delivery(endpoint.id, 'r2')])).toBe(false);
        const resolution = { id: fired.id, resolvedAt: T0 + 4_000_000, details: { waitingNow: 1 } };
        expect(await store.resolveAlert(resolution, [delivery(endpoint.id, 'x1')])).toBe(true);
        expect(await store.resolveAlert(resolution, [delivery(endpoint.id, 'x2')])).toBe(false);
        expect(await store.countDeliveries({ endpointId: endpoint.id })).toBe(2);
        const [resolved] = (await store.listAlerts({ rule: 'waiting', limit: 10 })).items;
        expect(resolved).toMatchObject({
          id: fired.id,
          state: 'resolved',
          resolvedAt: T0 + 4_000_000,
          repeats: 1,
          details: { waitingNow: 1 },
        });
        expect(await store.fireAlert(alert('waiting'), [])).toBe(true);
        const page = await store.listAlerts({ limit: 1 });
        expect(page.items[0]!.state).toBe('firing');
        const rest = await store.listAlerts({ limit: 1, after: page.next });
        expect(rest.items.map((item) => item.id)).toEqual([fired.id]);
      });
    });

    it('knows when the latest webhook event was received', async () => {
      await withStore(async (store) => {
        expect(await store.getLatestWebhookAt()).toBeNull();
      });
    });
  });
}
