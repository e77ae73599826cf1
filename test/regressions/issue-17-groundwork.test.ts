import { describe, expect, it, onTestFinished } from 'vitest';

import { createTelecmiApi, TelecmiApiError } from '../../src/backfill/index.js';
import { createFakeTelecmi, FAKE_SECRET } from '../../src/fake-telecmi/index.js';

/**
 * Issue 17 (groundwork): the pitfalls of TeleCMI's REST API that the third-party notes warn about, kept found
 * against the local TeleCMI on a real port.
 */
const NOW = Date.parse('2024-06-06T12:00:00Z');
const WINDOW = { from: NOW - 86_400_000, to: NOW };

async function start() {
  const fake = createFakeTelecmi({ now: () => NOW });
  const origin = await fake.listen(0);
  onTestFinished(() => fake.close());
  fake.history.add(
    Array.from({ length: 23 }, (_, i) => ({
      appid: 2222223,
      type: 'cdr',
      direction: 'inbound',
      cmiuuid: `call-${i}`,
      status: 'missed',
      from: 447000000000 + i,
      time: NOW - 3_600_000 + i * 1000,
      waitedsec: 30,
    })),
    'chub',
  );
  const api = (secret = FAKE_SECRET) => {
    const client = createTelecmiApi({
      product: 'chub',
      appId: '2222223',
      secret,
      apiUrl: origin,
      retry: { tries: 2, baseDelayMs: 1 },
    });
    onTestFinished(() => client.close());
    return client;
  };
  return { fake, origin, api };
}

async function count(iterable: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of iterable) n += 1;
  return n;
}

describe('issue 17: reading TeleCMI call history', () => {
  it('tells a wrong secret from a network failure, although fetch would not (a 407 is "fetch failed" to it)', async () => {
    const { origin, api } = await start();
    const body = JSON.stringify({ appid: 2222223, secret: 'wrong', page: 1 });
    const viaFetch = await fetch(`${origin}/v2/missed`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    }).catch((error: unknown) => error);
    expect(viaFetch).toBeInstanceOf(TypeError);
    const error = await count(api('wrong').rows('missed', WINDOW)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TelecmiApiError);
    expect((error as TelecmiApiError).code).toBe('TELECMI_AUTH_FAILED');
  });

  it('reads a list to its end when pages hold 10 rows although 20 were asked', async () => {
    const { fake, api } = await start();
    expect(await count(api().rows('missed', WINDOW))).toBe(23);
    expect(fake.requests.map((request) => request.page)).toEqual([1, 2, 3]);
  });

  it('takes an error answered with HTTP 200 and a code in the body for an error, not for an empty page', async () => {
    const { fake, api } = await start();
    fake.faults.add({ answer: 'body-code', code: 500, msg: 'database busy', after: 1 });
    const error = await count(api().rows('missed', WINDOW)).catch((caught: unknown) => caught);
    expect((error as TelecmiApiError).code).toBe('TELECMI_UNAVAILABLE');
    expect((error as TelecmiApiError).message).toContain('database busy');
  });
});
