import { describe, expect, it } from 'vitest';

import { StoreError } from '../../src/errors.js';
import { dedupeKeyOf } from '../../src/receiver/index.js';
import type { NewEvent, Store, StoredEvent } from '../../src/store/index.js';
import { normalise, parse, parseQuery } from '../../src/telecmi/index.js';
import { loadFixtures } from '../helpers/fixtures.js';
import { storeRunner } from './store-runner.js';

/** A place where a store keeps its data; `open` may be called again after `close` to reopen the same data. */
export interface StoreLocation {
  open(): Promise<Store>;
}

const fixtures = loadFixtures();
let counter = 0;

/** An event as the receiver would build it, from raw bytes. */
export function newEvent(
  body: Buffer | string,
  overrides: Partial<Pick<NewEvent, 'method' | 'contentType'>> = {},
): NewEvent {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const parsed =
    overrides.method === 'GET' ? parseQuery(bytes.toString('utf8')) : parse(bytes, 'application/json');
  if (!parsed.ok) throw parsed.error;
  counter += 1;
  const id = `01TEST${String(counter).padStart(20, '0')}`;
  const event = normalise(parsed.value, { id, receivedAt: 1_700_000_000_000 + counter });
  const dedupeKey = dedupeKeyOf(parsed.value.payload);
  return { event, body: bytes, dedupeKey, method: 'POST', contentType: 'application/json', ...overrides };
}

const uniqueEvent = (n: number): NewEvent =>
  newEvent(
    JSON.stringify({
      type: 'event',
      status: 'waiting',
      cmiuuid: `leg-${n}-${Math.random()}`,
      app_id: 2222223,
      time: 1634724624830 + n,
    }),
  );

/**
 * The Store contract: every adapter passes this same suite, against its real database
 * (Kysely's dialect loop, pg-boss's DB_TYPE switch).
 */
export function describeStoreContract(name: string, createLocation: () => Promise<StoreLocation>): void {
  describe(`Store contract: ${name}`, () => {
    const withStore = storeRunner(createLocation);

    it('appends an event and gives it back with its exact bytes and normalised fields', async () => {
      await withStore(async (store) => {
        const input = newEvent(fixtures[0]!.bytes);
        expect(await store.appendEvent(input)).toEqual({ id: input.event.id, duplicate: false });
        const expected: StoredEvent = {
          ...input.event,
          method: 'POST',
          contentType: 'application/json',
          source: 'webhook',
          cursor: expect.any(String) as string,
        };
        expect(await store.getEvent(input.event.id)).toEqual(expected);
        expect((await store.listEvents({ limit: 10 })).items).toEqual([expected]);
        expect(await store.countEvents()).toBe(1);
        expect(await store.getEvent('no-such-id')).toBeNull();
      });
    });

    it('recognises an exact resend by its dedupe key and answers with the first id', async () => {
      await withStore(async (store) => {
        const first = newEvent(fixtures[1]!.bytes);
        const resend = newEvent(fixtures[1]!.bytes);
        await store.appendEvent(first);
        expect(await store.appendEvent(resend)).toEqual({ id: first.event.id, duplicate: true });
        expect(await store.countEvents()).toBe(1);
      });
    });

    it('stores concurrent appends each exactly once, duplicates within one batch included', async () => {
      await withStore(async (store) => {
        const inputs = Array.from({ length: 120 }, (_, n) => uniqueEvent(n));
        const twin = newEvent(fixtures[2]!.bytes);
        const twinAgain = newEvent(fixtures[2]!.bytes);
        const results = await Promise.all(
          [...inputs, twin, twinAgain].map((input) => store.appendEvent(input)),
        );
        expect(
          results.slice(0, 120).every((result, n) => result.id === inputs[n]!.event.id && !result.duplicate),
        ).toBe(true);
        expect(results[121]).toEqual({ id: twin.event.id, duplicate: true });
        expect(await store.countEvents()).toBe(121);
      });
    });

    it('pages in the order events were stored, with a cursor, and ends with next: null', async () => {
      await withStore(async (store) => {
        const inputs = Array.from({ length: 7 }, (_, n) => uniqueEvent(n));
        for (const input of inputs) await store.appendEvent(input);
        const seen: string[] = [];
        let after: string | null = null;
        let pages = 0;
        do {
          const page = await store.listEvents({ after, limit: 3 });
          seen.push(...page.items.map((item) => item.id));
          after = page.next;
          pages += 1;
        } while (after !== null);
        expect(seen).toEqual(inputs.map((input) => input.event.id));
        expect(pages).toBe(3);
      });
    });

    it('lists and counts the events received in a period, in receipt order, page by page', async () => {
      await withStore(async (store) => {
        const t0 = 1_750_000_000_000;
        // Receipt times out of store order, two of them equal: group commit may store them so.
        const offsets = [30, 10, 20, 10, 40, 50, 5];
        const inputs = offsets.map((offset, n) => {
          const input = uniqueEvent(n);
          return { ...input, event: { ...input.event, receivedAt: t0 + offset } };
        });
        for (const input of inputs) await store.appendEvent(input);
        const period = { from: t0 + 10, to: t0 + 50 };
        const seen: string[] = [];
        let after: string | null = null;
        let pages = 0;
        do {
          const page = await store.listEventsReceived({ ...period, after, limit: 2 });
          seen.push(...page.items.map((item) => item.id));
          after = page.next;
          pages += 1;
        } while (after !== null && pages < 10);
        const id = (n: number): string => inputs[n]!.event.id;
        expect(seen).toEqual([id(1), id(3), id(2), id(0), id(4)]);
        expect(pages).toBe(3);
        expect(await store.countEventsReceived(period)).toBe(5);
        expect(await store.countEventsReceived({ from: t0 + 51, to: t0 + 100 })).toBe(0);
        expect(await store.listEventsReceived({ from: t0 + 51, to: t0 + 100, limit: 10 })).toEqual({
          items: [],
          next: null,
        });
        const [first] = (await store.listEventsReceived({ from: t0, to: t0 + 6, limit: 10 })).items;
        expect(first).toMatchObject({ id: id(6), receivedAt: t0 + 5, raw: inputs[6]!.event.raw });
      });
    });

    it('keeps raw bytes byte for byte: non-ASCII text, a byte-order mark, a GET query string', async () => {
      await withStore(async (store) => {
        const bom = newEvent(
          Buffer.concat([
            Buffer.from([0xef, 0xbb, 0xbf]),
            Buffer.from('{"cmiuuid":"é-1","appid":1,"team":"Ventes_été 📞"}'),
          ]),
        );
        const get = newEvent('cmiuuid=q&appid=1&from=%2B4420&status=waiting', {
          method: 'GET',
          contentType: null,
        });
        await store.appendEvent(bom);
        await store.appendEvent(get);
        const [first, second] = (await store.listEvents({ limit: 10 })).items;
        expect(Buffer.from(first!.raw, 'utf8')).toEqual(bom.body);
        expect(first!.team).toBe('Ventes_été 📞');
        expect(second).toMatchObject({
          method: 'GET',
          contentType: null,
          raw: 'cmiuuid=q&appid=1&from=%2B4420&status=waiting',
          from: '4420',
        });
      });
    });

    it('quarantines a request with its exact bytes, even when they are not text', async () => {
      await withStore(async (store) => {
        const body = Buffer.from([0x7b, 0xff, 0x00, 0x7d]);
        await store.quarantineRequest({
          id: 'q-1',
          receivedAt: 5,
          reason: 'TELECMI_INVALID_ENCODING',
          message: 'not UTF-8',
          method: 'POST',
          path: '/webhooks/telecmi/:token',
          contentType: 'application/json',
          body,
        });
        const page = await store.listQuarantine({ limit: 10 });
        expect(page.items).toHaveLength(1);
        expect(page.items[0]).toMatchObject({
          id: 'q-1',
          receivedAt: 5,
          reason: 'TELECMI_INVALID_ENCODING',
          path: '/webhooks/telecmi/:token',
        });
        expect(Buffer.from(page.items[0]!.rawBase64, 'base64')).toEqual(body);
        expect(await store.countEvents()).toBe(0);
      });
    });

    it('keeps what was committed across close and reopen', async () => {
      const location = await createLocation();
      const store = await location.open();
      const inputs = Array.from({ length: 10 }, (_, n) => uniqueEvent(n));
      const pending = inputs.map((input) => store.appendEvent(input));
      await store.close();
      // close() finishes the commits already submitted.
      expect((await Promise.all(pending)).every((result) => !result.duplicate)).toBe(true);
      await expect(store.appendEvent(uniqueEvent(99))).rejects.toBeInstanceOf(StoreError);
      const reopened = await location.open();
      try {
        expect((await reopened.listEvents({ limit: 100 })).items.map((item) => item.id)).toEqual(
          inputs.map((input) => input.event.id),
        );
        expect(await reopened.appendEvent(newEvent(Buffer.from(inputs[0]!.body)))).toEqual({
          id: inputs[0]!.event.id,
          duplicate: true,
        });
      } finally {
        await reopened.close();
      }
    });

    it('says when it is writable', async () => {
      await withStore(async (store) => {
        await expect(store.checkWritable()).resolves.toBeUndefined();
      });
    });
  });
}
