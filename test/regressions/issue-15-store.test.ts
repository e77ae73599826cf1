import { randomBytes, randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { createCallFold, createCallProjection, projectCall } from '../../src/calls/index.js';
import { StoreError } from '../../src/errors.js';
import { dedupeKeyOf } from '../../src/receiver/index.js';
import type { NewEvent } from '../../src/store/index.js';
import { normalise, parse } from '../../src/telecmi/index.js';
import { SETUPS, startSetup } from '../helpers/app-setups.js';
import {
  expectReadsServe,
  expectSnapshot,
  nestedJson,
  nestedValue,
  T0,
  waitingEvent,
} from '../helpers/poison.js';

/**
 * Issue 15 ("One bad request must never break the wallboard"), the pipeline after the parser: whatever the parser
 * accepts, or an older version stored, no request that shares its commit fails, the calls keep folding, and every
 * read answers. The parser may refuse such payloads first; these tests hold either way.
 */

/** An event as the receiver builds it, to append below the receiver. */
function eventOf(body: string): NewEvent {
  const parsed = parse(Buffer.from(body), 'application/json');
  if (!parsed.ok) throw parsed.error;
  return {
    event: normalise(parsed.value, { id: `01TEST${randomUUID()}`, receivedAt: T0 }),
    body: Buffer.from(body),
    dedupeKey: dedupeKeyOf(parsed.value.payload, Buffer.from(body)),
    method: 'POST',
    contentType: 'application/json',
  };
}

/**
 * An event whose `custom` is `custom`, stored with `body` as its bytes: what an older version, or a parser bug,
 * could have stored, appended below the receiver.
 */
function storedAsIs(body: string, custom: unknown): NewEvent {
  const input = eventOf(waitingEvent(randomUUID()));
  return {
    ...input,
    event: { ...input.event, custom, raw: body },
    body: Buffer.from(body),
    dedupeKey: randomBytes(32).toString('hex'),
  };
}

describe.each(SETUPS)('issue 15: a poisoned payload (%s)', (setupName) => {
  it('answers 200 to the requests that share a commit with payloads nested 100,000 deep, never 5xx to those, and folds the next call', async () => {
    const setup = await startSetup(setupName, `poison-commit-${setupName}`);
    const neighbours = [randomUUID(), randomUUID()];
    const answers = await Promise.all([
      setup.post(waitingEvent(randomUUID(), JSON.stringify(nestedJson(100_000)))),
      setup.post(waitingEvent(neighbours[0])),
      setup.post(waitingEvent(randomUUID(), nestedJson(10_000))),
      setup.post(waitingEvent(randomUUID(), nestedJson(100_000))),
      setup.post(waitingEvent(neighbours[1])),
    ]);
    expect(answers[1].json()).toMatchObject({ ok: true, duplicate: false });
    expect(answers[4].json()).toMatchObject({ ok: true, duplicate: false });
    for (const answer of answers) expect(answer.statusCode, answer.body).toBeLessThan(500);
    // Accepted or refused, never half-done: an answered 200 is stored.
    for (const answer of answers) {
      if (answer.statusCode !== 200) continue;
      const stored = await setup.store.getEvent(answer.json<{ id: string }>().id);
      expect(stored).not.toBeNull();
    }

    const later = randomUUID();
    expect((await setup.post(waitingEvent(later))).statusCode).toBe(200);
    await expectReadsServe(setup, later);
    for (const key of neighbours) expect((await setup.api(`/api/calls/${key}`)).statusCode).toBe(200);
    await expectSnapshot(setup, later);
  });

  it('serves a stored event nested 100,000 deep with a warning, folds past it, and answers every read 200', async () => {
    const setup = await startSetup(setupName, `poison-stored-${setupName}`);
    const body = waitingEvent(randomUUID(), nestedJson(100_000));
    const { id } = await setup.store.appendEvent(storedAsIs(body, nestedValue(100_000)));
    const later = randomUUID();
    expect((await setup.post(waitingEvent(later))).statusCode).toBe(200);

    await expectReadsServe(setup, later);
    const event = await setup.api(`/api/events?limit=10`);
    const poisoned = event
      .json<{ items: { id: string; custom: unknown; raw: string; warnings: string[] }[] }>()
      .items.find((item) => item.id === id)!;
    expect(poisoned.raw).toBe(body);
    expect(poisoned.custom).toBeNull();
    expect(poisoned.warnings.join(' ')).toMatch(/nested deeper than 64 levels|no longer parses/);
    await expectSnapshot(setup, later);
  });
});

describe.each(['sqlite', 'postgres'] as const)(
  'issue 15: the store under a poisoned fold (%s)',
  (setupName) => {
    const POISON = 'poison-leg';
    /** The real fold, but folding a call that holds the POISON event throws, as a future bug would. */
    const foldFailingOnPoison = () =>
      createCallFold({
        staleAfterMs: 7200_000,
        project: (events, identifiers, key, now) => {
          if (events.some((event) => event.legId === POISON))
            throw new RangeError('Maximum call stack size exceeded');
          return projectCall(events, identifiers, key, { now, staleAfterMs: 7200_000 });
        },
      });

    it('isolates an event the fold cannot fold: the calls around it fold, it is counted, and it stays passed after a restart', async () => {
      const setup = await startSetup(setupName, `fold-isolation-${setupName}`);
      await setup.app.projection.stop();
      const keys = [randomUUID(), randomUUID()];
      // Stored before any fold: the projection meets them in one batch.
      for (const key of [keys[0]!, POISON, keys[1]!])
        await setup.store.appendEvent(eventOf(waitingEvent(key)));
      const logger = setup.app.log;
      const failing = createCallProjection({
        store: setup.store,
        fold: foldFailingOnPoison(),
        logger,
        staleAfterMs: 7200_000,
      });
      failing.start();
      await failing.settled(10_000);
      await failing.stop();

      expect(await setup.store.countEventsToProject()).toBe(0);
      expect(await setup.store.countFoldFailures()).toBe(1);
      for (const key of keys) expect(await setup.store.getCall(key)).not.toBeNull();
      expect(await setup.store.getCall(POISON)).toBeNull();
      const metrics = await setup.app.inject({ url: '/metrics' });
      expect(metrics.body).toMatch(/^telehook_fold_failures_total 1$/m);

      // A restart does not meet it again; a later call folds; a rebuild (the bug fixed) folds it.
      await setup.close();
      const again = await startSetup(setupName, 'unused', setup.location);
      const later = randomUUID();
      expect((await again.post(waitingEvent(later))).statusCode).toBe(200);
      await expectReadsServe(again, later);
      expect(await again.store.countFoldFailures()).toBe(1);
      expect((await again.api('/api/rebuild', 'POST')).statusCode).toBe(200);
      expect(await again.store.countFoldFailures()).toBe(0);
      expect(await again.store.getCall(POISON)).not.toBeNull();
    });

    it('fails only the request whose value the database refuses, not the others of its commit', async () => {
      const setup = await startSetup(setupName, `refused-value-${setupName}`);
      const events = [randomUUID(), randomUUID(), randomUUID()].map((key) => eventOf(waitingEvent(key)));
      const refused = { ...events[1]!, event: { ...events[1]!.event, receivedAt: Number.NaN } };
      const results = await Promise.allSettled(
        [events[0]!, refused, events[2]!].map((e) => setup.store.appendEvent(e)),
      );
      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const error = (results[1] as PromiseRejectedResult).reason as StoreError;
      expect(error).toBeInstanceOf(StoreError);
      expect(error.isDataError).toBe(true);
      expect(await setup.store.countEvents()).toBe(2);
    });
  },
);

describe('issue 15: a value PostgreSQL refuses', () => {
  it('quarantines an event whose call key is too long for an index, answers it 422, and stores the others of its commit', async () => {
    const setup = await startSetup('postgres', 'refused-call-key');
    // Random, so that PostgreSQL cannot compress it under the size of an index entry (about 2.7 kB).
    const tooLong = randomBytes(4000).toString('hex');
    const [refused, ...others] = await Promise.all([
      setup.post(waitingEvent(tooLong)),
      setup.post(waitingEvent(randomUUID())),
      setup.post(waitingEvent(randomUUID())),
    ]);
    for (const answer of others) expect(answer.json()).toMatchObject({ ok: true, duplicate: false });
    expect(refused.statusCode, refused.body).toBe(422);
    // EVENT_NOT_STORABLE, unless the parser refuses so long an id first (then with its own code).
    const { code } = refused.json<{ error: { code: string } }>().error;
    expect(code).toMatch(/^(EVENT_NOT_STORABLE|TELECMI_)/);
    const quarantine = (await setup.api('/api/quarantine')).json<{
      items: { reason: string; raw: string }[];
    }>();
    expect(quarantine.items).toEqual([expect.objectContaining({ reason: code, raw: waitingEvent(tooLong) })]);
    expect(await setup.store.countEvents()).toBe(2);
  });
});
