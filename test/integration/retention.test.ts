import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { runForget } from '../../src/cli/commands/forget.js';
import { applyRetention } from '../../src/retention/index.js';
import { SETUPS, startSetup } from '../helpers/app-setups.js';
import { callFlows } from '../helpers/call-flows.js';
import { newEvent } from '../store-contract/contract.js';

const DAY = 86_400_000;
const KEEP = {
  retainEventsMs: 400 * DAY,
  retainCallsMs: null,
  retainDeliveriesMs: null,
  retainQuarantineMs: null,
};

const waiting = (from: string): string =>
  JSON.stringify({
    type: 'event',
    direction: 'inbound',
    status: 'waiting',
    from: Number(from),
    to: 918000000000,
    appid: 2222223,
    cmiuuid: randomUUID(),
    conversation_uuid: randomUUID(),
    time: Date.now(),
  });

const sink = (): { stream: PassThrough; text: () => string } => {
  let text = '';
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
};

describe.each(SETUPS)('retention and forget (%s)', (setupName) => {
  it('deletes old events in batches while ingest goes on, every request acknowledged, nothing newer touched', async () => {
    const setup = await startSetup(setupName, `retention under load ${setupName}`);
    const old = Date.now() - 500 * DAY;
    for (let n = 0; n < 600; n += 1) {
      const input = newEvent(waiting(`9190000${String(n).padStart(5, '0')}`));
      await setup.store.appendEvent({ ...input, event: { ...input.event, receivedAt: old + n } });
    }
    let retentionDone = false;
    const ackedDuring: number[] = [];
    const load = (async () => {
      for (let n = 0; !retentionDone || n < 20; n += 1) {
        const answer = await setup.post(waiting('919811111111'));
        expect(answer.statusCode).toBe(200);
        if (!retentionDone) ackedDuring.push(n);
      }
    })();
    const deleted = await applyRetention(setup.store, KEEP, Date.now(), 100);
    retentionDone = true;
    await load;
    expect(deleted).toEqual({ events: 600, calls: 0, deliveries: 0, quarantine: 0 });
    // Six batches, and the event loop went back to ingest between them.
    expect(ackedDuring.length).toBeGreaterThan(0);
    const left = (await setup.store.listEvents({ limit: 1000 })).items;
    expect(left.every((event) => event.receivedAt > old + 600)).toBe(true);
    expect(left.length).toBeGreaterThanOrEqual(20);
  }, 60_000);

  it('telehook forget: asks for --yes off a terminal, counts with --dry-run, then masks the number everywhere', async () => {
    const setup = await startSetup(setupName, `forget ${setupName}`);
    const number = '919876543210';
    for (const from of [number, number, '919812345678'])
      expect((await setup.post(waiting(from))).statusCode).toBe(200);
    await setup.app.projection.settled();
    await setup.close();
    const flags = setupName === 'postgres' ? { databaseUrl: setup.location } : { data: setup.location };
    const notTty = { input: new PassThrough(), output: new PassThrough() };
    await expect(runForget(number, flags, notTty)).rejects.toThrow(/add --yes/);
    await expect(runForget('12-ab', { ...flags, yes: true }, notTty)).rejects.toThrow(/not a phone number/);

    const dry = sink();
    expect(
      await runForget(
        `+${number}`,
        { ...flags, dryRun: true },
        { input: new PassThrough(), output: dry.stream },
      ),
    ).toBe(0);
    expect(dry.text()).toContain(
      `${number} is in 2 events, 2 calls, 0 deliveries, 0 quarantined requests, 0 alerts, 0 follow-up actions`,
    );
    expect(dry.text()).toContain('Dry run: nothing was changed.');

    const done = sink();
    expect(
      await runForget(number, { ...flags, yes: true }, { input: new PassThrough(), output: done.stream }),
    ).toBe(0);
    const mask = /with (\d{12}) in 2 events, 2 calls/.exec(done.text())?.[1];
    expect(mask).toBeDefined();
    const again = await startSetup(setupName, `forget ${setupName} after`, setup.location);
    const events = (await again.api('/api/events?limit=100')).json<{ items: { from: string }[] }>().items;
    expect(events.map((event) => event.from).sort()).toEqual([mask, mask, '919812345678'].sort());
    const calls = (await again.api('/api/calls?limit=100')).json<{ items: { from: string }[] }>().items;
    expect(calls.map((call) => call.from).sort()).toEqual([mask, mask, '919812345678'].sort());
  }, 60_000);

  it('masks the numbers of calls older than TELEHOOK_MASK_NUMBERS_AFTER in the retention job of the server; /api/stats stays the same', async () => {
    const number = '919876543210';
    const setup = await startSetup(setupName, `masking ${setupName}`);
    const start = Math.floor((Date.now() - 100 * DAY) / 1000) * 1000;
    for (const payload of callFlows(start, number).flatMap((flow) => flow.payloads)) {
      const input = newEvent(JSON.stringify(payload));
      await setup.store.appendEvent({ ...input, event: { ...input.event, receivedAt: start } });
    }
    setup.app.projection.wake();
    await setup.app.projection.settled();
    const period = `from=${new Date(start - DAY).toISOString()}&to=${new Date(start + DAY).toISOString()}`;
    const stats = async (on: typeof setup) => {
      const { now: _now, ...rest } = (await on.api(`/api/stats?${period}`)).json<Record<string, unknown>>();
      return rest;
    };
    const before = await stats(setup);
    expect((before.totals as { offered: number }).offered).toBeGreaterThan(0);
    expect((await setup.api(`/api/calls?limit=100&${period}`)).body).toContain(number);
    await setup.close();

    const masking = await startSetup(setupName, `masking ${setupName} on`, setup.location, {
      overrides: { maskNumbersAfterMs: '90d' },
      retentionEveryMs: 50,
    });
    const callsText = async () => (await masking.api(`/api/calls?limit=100&${period}`)).body;
    for (let tries = 0; (await callsText()).includes(number); tries += 1) {
      expect(tries).toBeLessThan(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await masking.api('/api/events?limit=1000')).body).not.toContain(number);
    expect(await stats(masking)).toEqual(before);
  }, 60_000);
});
