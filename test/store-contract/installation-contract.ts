import { describe, expect, it } from 'vitest';

import type { StoreLocation } from './contract.js';
import { endpointRecord } from './delivery-contract.js';
import { storeRunner } from './store-runner.js';

const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);

/** The endpoints row of an endpoint, as `telehook copy` carries it (a boolean as the other database gives it). */
const endpointRow = (id: string, enabled: boolean | number) => {
  const e = endpointRecord({ id, rateLimit: 2.5 });
  return {
    id,
    url: e.url,
    description: e.description,
    receives: e.receives,
    format: e.format,
    filter: JSON.stringify(e.filter),
    rate_limit: e.rateLimit,
    timeout_ms: e.timeoutMs,
    enabled,
    disabled_reason: null,
    disabled_at: null,
    secret: e.secret,
    previous_secret: null,
    previous_secret_expires_at: null,
    failing_since: null,
    created_at: T0,
    updated_at: T0,
  };
};

/** The rows `telehook copy` moves between installations: read, found, written and counted alike on each engine. */
export function describeInstallationContract(
  name: string,
  createLocation: () => Promise<StoreLocation>,
): void {
  describe(`Store contract (installation rows): ${name}`, () => {
    const withStore = storeRunner(createLocation);

    it('writes rows as the other database read them, replaces a row by its key, and pages them in key order', async () => {
      await withStore(async (store) => {
        await store.writeInstallationRows('endpoints', [endpointRow('ep_b', 1), endpointRow('ep_a', false)]);
        expect((await store.getEndpoint('ep_b'))?.enabled).toBe(true);
        expect(await store.getEndpoint('ep_a')).toMatchObject({ enabled: false, rateLimit: 2.5 });
        await store.writeInstallationRows('endpoints', [
          { ...endpointRow('ep_a', true), url: 'https://x.example/' },
        ]);
        expect(await store.countInstallationRows('endpoints')).toBe(2);
        expect(await store.getEndpoint('ep_a')).toMatchObject({ enabled: true, url: 'https://x.example/' });

        const first = await store.readInstallationRows('endpoints', { after: null, limit: 1 });
        expect(first.rows.map((row) => row['id'])).toEqual(['ep_a']);
        const second = await store.readInstallationRows('endpoints', { after: first.next, limit: 1 });
        expect(second.rows.map((row) => row['id'])).toEqual(['ep_b']);
        expect(second.rows[0]).toMatchObject({ rate_limit: 2.5, timeout_ms: 15_000, created_at: T0 });
        expect(await store.findInstallationRows('endpoints', 'id', ['ep_b', 'ep_z'])).toHaveLength(1);
      });
    });

    it('appends rows of a table without a key in order, each with its seq, and finds the one at or before a seq', async () => {
      await withStore(async (store) => {
        const action = (note: string, at: number) => ({
          number: '919100000000',
          action: 'handled',
          note,
          by_name: 'asha',
          at,
        });
        await store.writeInstallationRows('followup_actions', [action('one', T0), action('two', T0 + 1)]);
        await store.writeInstallationRows('followup_actions', [action('three', T0 + 2)]);
        const { rows, next } = await store.readInstallationRows('followup_actions', {
          after: null,
          limit: 10,
        });
        expect(next).toBeNull();
        expect(rows.map((row) => row['note'])).toEqual(['one', 'two', 'three']);
        expect((await store.listFollowupActions({ from: 0 })).map((a) => a.note)).toEqual([
          'one',
          'two',
          'three',
        ]);
        const seqs = rows.map((row) => Number(row['seq']));
        expect(await store.findInstallationRowAtOrBefore('followup_actions', seqs[1]!)).toMatchObject({
          note: 'two',
        });
        expect(await store.findInstallationRowAtOrBefore('followup_actions', seqs[0]! - 1)).toBeNull();
        expect(await store.findInstallationRows('followup_actions', 'at', [T0 + 2])).toMatchObject([
          { note: 'three' },
        ]);
      });
    });

    it('reads the events only: an event is appended, never written row by row', async () => {
      await withStore(async (store) => {
        await expect(store.writeInstallationRows('events', [{ id: 'x' }])).rejects.toThrow(TypeError);
        expect(await store.countInstallationRows('events')).toBe(0);
      });
    });
  });
}
