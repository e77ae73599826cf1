import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { runForget } from '../../src/cli/commands/forget.js';
import { maskOldNumbers } from '../../src/retention/index.js';
import { type AppSetup, SETUPS, startSetup } from '../helpers/app-setups.js';
import { openSse } from '../helpers/sse-client.js';
import { newEvent } from '../store-contract/contract.js';

const DAY = 86_400_000;
const NUMBER = '919876543210';

/** One inbound call of TeleCMI's, event by event; `from` dropped on demand (an event that does not repeat it). */
const callOf = (start: number) => {
  const conversation = randomUUID();
  return (status: string, seconds: number, withFrom = true): string =>
    JSON.stringify({
      type: 'event',
      direction: 'inbound',
      status,
      ...(withFrom ? { from: Number(NUMBER) } : {}),
      to: 918000000000,
      appid: 2222223,
      cmiuuid: conversation,
      conversation_uuid: conversation,
      time: start + seconds * 1000,
    });
};

/** Everything a user reads of the calls: the list, a call, both exports. */
const callsTexts = async (setup: AppSetup, query: string): Promise<string> => {
  const list = (await setup.api(`/api/calls?limit=100&${query}`)).body;
  const key = JSON.parse(list) as { items: { key: string }[] };
  const calls = await Promise.all(key.items.map((call) => setup.api(`/api/calls/${call.key}`)));
  const csv = (await setup.api(`/api/calls.csv?${query}`)).body;
  const ndjson = (await setup.api(`/api/calls.ndjson?${query}`)).body;
  return [list, ...calls.map((call) => call.body), csv, ndjson].join('\n');
};

const listen = async (setup: AppSetup) => {
  await setup.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (setup.app.server.address() as { port: number }).port;
  return openSse(`http://127.0.0.1:${port}/api/live?token=viewer-token`);
};

describe.each(SETUPS)('a number forgotten or masked while the server folds (%s)', (setupName) => {
  it('telehook forget from another process: the next event of a call folded before never brings the number back', async () => {
    const setup = await startSetup(setupName, `forget while serving ${setupName}`);
    const start = Date.now() - 60_000;
    const call = callOf(start);
    expect((await setup.post(call('waiting', 0))).statusCode).toBe(200);
    expect((await setup.post(call('answered', 5))).statusCode).toBe(200);
    await setup.app.projection.settled();
    expect(await callsTexts(setup, '')).toContain(NUMBER);

    const flags = setupName === 'postgres' ? { databaseUrl: setup.location } : { data: setup.location };
    const out = new PassThrough();
    expect(await runForget(NUMBER, { ...flags, yes: true }, { input: new PassThrough(), output: out })).toBe(
      0,
    );
    expect(await callsTexts(setup, '')).not.toContain(NUMBER);

    const stream = await listen(setup);
    await stream.waitFor((message) => message.event === 'snapshot');
    // The call ends: TeleCMI's hangup, which the fold adds to the events it holds of the call.
    expect((await setup.post(call('hangup', 65, false))).statusCode).toBe(200);
    await setup.app.projection.settled();
    await stream.waitFor(
      (message) => message.event === 'call' && JSON.stringify(message.data).includes('ended'),
    );

    const texts = await callsTexts(setup, '');
    expect(texts).toContain('"state":"ended"');
    expect(texts).not.toContain(NUMBER);
    expect(JSON.stringify(stream.messages)).not.toContain(NUMBER);
    // What a rebuild folds from the events gives the same.
    await setup.api('/api/rebuild', 'POST');
    expect(await callsTexts(setup, '')).not.toContain(NUMBER);
  }, 60_000);

  it('the hourly masking: a late event of a masked call folded before never brings the number back', async () => {
    const setup = await startSetup(setupName, `masking while serving ${setupName}`);
    const start = Math.floor((Date.now() - 100 * DAY) / 1000) * 1000;
    const call = callOf(start);
    const append = async (payload: string): Promise<void> => {
      const input = newEvent(payload);
      await setup.store.appendEvent({ ...input, event: { ...input.event, receivedAt: start } });
      setup.app.projection.wake();
      await setup.app.projection.settled();
    };
    await append(call('waiting', 0));
    await append(call('answered', 5));
    const period = `from=${new Date(start - DAY).toISOString()}&to=${new Date(start + DAY).toISOString()}`;
    expect(await callsTexts(setup, period)).toContain(NUMBER);

    // As the server's retention job masks: through the server's own store, from its main thread.
    const masked = await maskOldNumbers(setup.store, { maskNumbersAfterMs: 90 * DAY }, Date.now());
    expect(masked.calls).toBe(1);
    expect(await callsTexts(setup, period)).not.toContain(NUMBER);

    // A late hangup of that call (a backfill from TeleCMI's records), without the number.
    await append(call('hangup', 65, false));
    const texts = await callsTexts(setup, period);
    expect(texts).toContain('"state":"ended"');
    expect(texts).not.toContain(NUMBER);
  }, 60_000);
});
