import { randomUUID } from 'node:crypto';

import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import { createCallFold } from '../../src/calls/index.js';
import { dedupeKeyOf } from '../../src/receiver/index.js';
import type { Call, NewEvent, Store } from '../../src/store/index.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { normalise, parse } from '../../src/telecmi/index.js';
import { SETUPS, startSetup } from '../helpers/app-setups.js';
import { loadFixtures } from '../helpers/fixtures.js';
import { testSchema } from '../helpers/pg-schema.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * Issue 16, the fold's bug: an agent's "user missed" CDR without conversation_uuid (telecmi.md §3.12) that
 * arrives before its call is known, while the same caller's earlier call is still open (its CDR late), was linked
 * to that earlier call by caller and time and never moved, so that the leg's later `started` event, carrying the
 * new call's conversation_uuid, merged the two calls. A link made by inference must stay revisable, never merge
 * calls, and any arrival order must end where a rebuild does.
 */

const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);
const MINUTE = 60_000;
const templates = new Map(loadFixtures().map((fixture) => [fixture.name, fixture.payload]));
const from = (name: string, changes: Record<string, unknown>, drop: string[] = []): string => {
  const payload: Record<string, unknown> = { ...templates.get(name)!, ...changes };
  for (const key of drop) delete payload[key];
  return JSON.stringify(payload);
};

interface Scenario {
  readonly earlier: string;
  readonly later: string;
  readonly leg: string;
  /** In the order the day had them. */
  readonly payloads: readonly string[];
}

/**
 * The five payloads: the earlier call waits at T0 and its CDR (late) shows it ended at T0 + 5 min; 45 minutes
 * later the same caller calls again; an agent lets that call ring out.
 */
function scenario(caller: string): Scenario {
  const earlier = randomUUID();
  const later = randomUUID();
  const leg = randomUUID();
  const agent = '204_2222223';
  return {
    earlier,
    later,
    leg,
    payloads: [
      from('chub-incoming-event-waiting', {
        conversation_uuid: earlier,
        cmiuuid: earlier,
        from: caller,
        time: T0,
      }),
      from('chub-incoming-cdr-user-missed-leg-b', {
        cmiuuid: leg,
        from: Number(caller),
        user: agent,
        time: T0 + 50 * MINUTE,
      }),
      from(
        'chub-incoming-cdr-missed',
        { conversation_uuid: earlier, cmiuuid: earlier, from: Number(caller), time: T0, waitedsec: 300 },
        ['voicemail', 'voicename'],
      ),
      from('chub-incoming-event-waiting', {
        conversation_uuid: later,
        cmiuuid: later,
        from: caller,
        time: T0 + 49 * MINUTE,
      }),
      from('chub-incoming-event-started-leg-b', {
        conversation_uuid: later,
        cmiuuid: leg,
        from: caller,
        user: agent,
        time: T0 + 49 * MINUTE + 30_000,
      }),
    ],
  };
}

const legsOf = (call: Call | null): (string | null)[] => call?.agents.map((leg) => leg.legId) ?? [];

describe.each(SETUPS)('issue 16: a leg joined by caller and time (%s)', (setupName) => {
  it('moves to the new call when the earlier call turns out to have ended, and never merges the two calls', async () => {
    const setup = await startSetup(setupName, `issue-16-fold-${setupName}`);
    const { earlier, later, leg, payloads } = scenario('440000000016');
    // Each payload folded alone, as with 300 ms between them.
    for (const payload of payloads) {
      expect((await setup.post(payload)).statusCode).toBe(200);
      await setup.app.projection.settled(10_000);
    }
    const read = async (key: string): Promise<Call> => {
      const response = await setup.api(`/api/calls/${key}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json<Call>();
    };
    const first = await read(earlier);
    const second = await read(later);
    expect(first.key).toBe(earlier);
    expect(second.key).toBe(later);
    expect(legsOf(first)).toEqual([]);
    expect(legsOf(second)).toEqual([leg]);
    expect((await read(leg)).key).toBe(later);
    // The caller hung up unanswered, the CDR says recv_bye: abandoned.
    expect(first.outcome).toBe('abandoned');

    const rebuilt = await setup.api('/api/rebuild', 'POST');
    expect(rebuilt.statusCode, rebuilt.body).toBe(200);
    await setup.app.projection.settled(10_000);
    const strip = ({ timeline: _, ...call }: Call & { timeline?: unknown }) => call;
    expect(strip(await read(earlier))).toEqual(strip(first));
    expect(strip(await read(later))).toEqual(strip(second));
  });
});

/** An event as the receiver stores it. */
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

const ENGINES = [
  ['sqlite', 120, () => createSqliteStore({ file: `${tempDir()}/telehook.db` })],
  ['postgres', 60, () => createPostgresStore({ url: testSchema('issue-16-fold').url, poolSize: 4 })],
] as const;

describe.each(ENGINES)('issue 16: the live fold and a rebuild agree (%s)', (_name, runs, open) => {
  it('ends where a rebuild does, for any arrival order, any gaps between arrivals and any subset of the payloads', async () => {
    const store: Store = await open();
    try {
      const fold = createCallFold({ staleAfterMs: 2 * 3600_000 });
      const NOW = T0 + 90 * MINUTE;
      const foldPending = async (): Promise<void> => {
        for (;;) {
          const events = await store.listEventsToProject(500);
          if (events.length === 0) return;
          await store.projectCalls({ events, now: NOW }, fold);
        }
      };
      let caseNumber = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 1 }),
          // After which arrivals the fold runs (a gap): the rest arrive together and fold in one batch.
          fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
          async (order, gaps) => {
            caseNumber += 1;
            // A caller of its own: the cases share the store, never a call.
            const s = scenario(String(440100000000 + caseNumber));
            for (const [n, index] of order.entries()) {
              await store.appendEvent(eventOf(s.payloads[index]!));
              if (gaps[n]) await foldPending();
            }
            await foldPending();
            const snapshot = async (): Promise<(Call | null)[]> =>
              Promise.all([s.earlier, s.later, s.leg].map((key) => store.getCall(key)));
            const live = await snapshot();
            await store.resetCalls();
            await foldPending();
            expect(await snapshot()).toEqual(live);
            if (order.length === 5) {
              expect(live.map((call) => call?.key)).toEqual([s.earlier, s.later, s.later]);
              expect(legsOf(live[0]!)).toEqual([]);
              expect(legsOf(live[1]!)).toEqual([s.leg]);
            }
          },
        ),
        { numRuns: runs },
      );
    } finally {
      await store.close();
    }
  }, 180_000);
});
