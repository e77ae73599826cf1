import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import { bucketsOf, createCallFold, summariseFacts } from '../../src/calls/index.js';
import { type Call, CALL_SORTS, type CallSort, type Page, type Store } from '../../src/store/index.js';
import { agentSummary, callFlows } from '../helpers/call-flows.js';
import { newEvent, type StoreLocation } from './contract.js';
import { storeRunner } from './store-runner.js';

const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
const NOW = T0 + 3600_000;
const rules = createCallFold({ staleAfterMs: 2 * 3600_000 });

/** Appends payloads in the given order, then folds everything stored in batches of the given sizes. */
async function ingest(
  store: Store,
  payloads: Record<string, unknown>[],
  batchSizes: number[] = [500],
  now = NOW,
): Promise<void> {
  for (const payload of payloads) await store.appendEvent(newEvent(JSON.stringify(payload)));
  for (let round = 0; ; round += 1) {
    const events = await store.listEventsToProject(batchSizes[round % batchSizes.length]!);
    if (events.length === 0) return;
    await store.projectCalls({ events, now }, rules);
  }
}

async function allCalls(store: Store, order: 'asc' | 'desc' = 'asc'): Promise<Call[]> {
  const calls: Call[] = [];
  let after: string | null = null;
  do {
    const page = await store.listCalls({ limit: 3, after, order });
    calls.push(...page.items);
    after = page.next;
  } while (after !== null);
  return calls;
}

const expectFlow = (call: Call | null, expected: Record<string, unknown>): void => {
  const { agentSummary: agents, ...fields } = expected as { agentSummary?: string[] };
  expect(call).toMatchObject(fields);
  if (agents) expect(agentSummary(call!.agents)).toEqual(agents);
};

/** The calls part of the Store contract: linking, merging, orphan legs, queries. */
export function describeCallsContract(name: string, createLocation: () => Promise<StoreLocation>): void {
  describe(`Store contract, calls: ${name}`, () => {
    const withStore = storeRunner(createLocation);

    it('folds interleaved flows, in any arrival order and batch split, into exactly the right calls', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer(),
          fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }),
          fc.boolean(),
          async (seed, batches, duplicate) => {
            await withStore(async (store) => {
              // Each flow from another caller, so that orphan legs have one right parent.
              const flows = callFlows(T0).map((flow, index) => ({ index, flow }));
              const regenerated = flows.map(
                ({ index }) => callFlows(T0, `44000000${String(index).padStart(4, '0')}`)[index]!,
              );
              const payloads = regenerated.flatMap((flow) => flow.payloads);
              const random = fc.sample(fc.shuffledSubarray(payloads, { minLength: payloads.length }), {
                seed,
                numRuns: 1,
              })[0]!;
              const sent = duplicate ? [...random, ...random.slice(0, 5)] : random;
              await ingest(store, sent, batches);
              for (const flow of regenerated)
                expectFlow(await store.getCall(flow.expected['key'] as string), flow.expected);
              const calls = await allCalls(store);
              expect(calls.map((call) => call.key).sort()).toEqual(
                regenerated.map((flow) => flow.expected['key'] as string).sort(),
              );
            });
          },
        ),
        { numRuns: 12 },
      );
    });

    it('finds a call by any of its TeleCMI ids and gives all its events', async () => {
      await withStore(async (store) => {
        const flow = callFlows(T0)[0]!;
        await ingest(store, flow.payloads);
        const legId = flow.payloads[1]!['cmiuuid'] as string;
        const call = await store.getCall(legId);
        expect(call?.key).toBe(flow.expected['key']);
        expect(call?.identifiers).toContain(legId);
        expect(await store.listCallEvents(call!.key)).toHaveLength(flow.payloads.length);
        expect(await store.getCall('no-such-call')).toBeNull();
        // A key with a NUL byte (PostgreSQL text cannot hold one) is a call that does not exist, not a failure.
        expect(await store.getCall('no-such\u0000call')).toBeNull();
        await expect(store.listCallEvents('no-such\u0000call')).resolves.toEqual([]);
      });
    });

    it('counts the events not folded yet, and tells when the oldest of them was received', async () => {
      await withStore(async (store) => {
        const flow = callFlows(T0)[0]!;
        expect(await store.getOldestEventToProjectAt()).toBeNull();
        const events = flow.payloads.map((payload) => newEvent(JSON.stringify(payload)));
        for (const event of events) await store.appendEvent(event);
        expect(await store.countEventsToProject()).toBe(flow.payloads.length);
        expect(await store.getOldestEventToProjectAt()).toBe(events[0]!.event.receivedAt);
        await store.projectCalls({ events: await store.listEventsToProject(3), now: NOW }, rules);
        expect(await store.countEventsToProject()).toBe(flow.payloads.length - 3);
        expect(await store.getOldestEventToProjectAt()).toBe(events[3]!.event.receivedAt);
        await ingest(store, []);
        expect(await store.countEventsToProject()).toBe(0);
        expect(await store.getOldestEventToProjectAt()).toBeNull();
      });
    });

    it('rebuilds the same calls from the events after a reset', async () => {
      await withStore(async (store) => {
        await ingest(
          store,
          callFlows(T0).flatMap((flow) => flow.payloads),
        );
        const before = await allCalls(store);
        await store.resetCalls();
        expect(await store.getProjectionPosition()).toBeNull();
        expect(await allCalls(store)).toEqual([]);
        await ingest(store, [], [7]);
        expect(await allCalls(store)).toEqual(before);
      });
    });

    it('folds the rest of many calls begun long before, as a rebuild does', async () => {
      await withStore(async (store) => {
        // More calls in progress than SQLite's fold keeps in memory (store/sql/calls-writes.ts, 500): the later
        // events of the first calls find their earlier ones in the database, not in memory.
        const flows = Array.from({ length: 540 }, (_, n) => {
          const all = callFlows(T0 + n * 1000, `4433${String(n).padStart(8, '0')}`);
          return all[n % all.length]!;
        });
        const half = (flow: (typeof flows)[number]) => Math.ceil(flow.payloads.length / 2);
        await ingest(
          store,
          flows.flatMap((flow) => flow.payloads.slice(0, half(flow))),
        );
        await ingest(
          store,
          flows.flatMap((flow) => flow.payloads.slice(half(flow))),
        );
        for (const flow of flows)
          expectFlow(await store.getCall(flow.expected['key'] as string), flow.expected);
        const folded = await allCalls(store);
        expect(folded).toHaveLength(flows.length);
        await store.resetCalls();
        await ingest(store, []);
        expect(await allCalls(store)).toEqual(folded);
      });
    });

    it('pages calls newest first or oldest first, and filters them', async () => {
      await withStore(async (store) => {
        const flows = [0, 1, 2, 3].map(
          (n) => callFlows(T0 + n * 600_000, `4411100000${n}`)[n === 3 ? 6 : n]!,
        );
        await ingest(
          store,
          flows.flatMap((flow) => flow.payloads),
        );
        const newest = await allCalls(store, 'desc');
        expect(newest.map((call) => call.startedAt)).toEqual(
          [...newest.map((call) => call.startedAt)].sort((a, b) => b - a),
        );
        expect((await allCalls(store, 'asc')).map((call) => call.key)).toEqual(
          newest.map((call) => call.key).reverse(),
        );
        const records = await store.listCallRecords({ limit: 2, order: 'desc' });
        expect(records.items.map((record) => JSON.parse(record) as Call)).toEqual(newest.slice(0, 2));
        const rest = await store.listCallRecords({ limit: 100, order: 'desc', after: records.next });
        expect(rest.items.map((record) => (JSON.parse(record) as Call).key)).toEqual(
          newest.slice(2).map((call) => call.key),
        );
        const page = (filter: Parameters<Store['listCalls']>[0]) =>
          store.listCalls(filter).then((p) => p.items.map((call) => call.key));
        expect(await page({ limit: 100, outcome: 'abandoned' })).toEqual([flows[1]!.expected['key']]);
        expect(await page({ limit: 100, direction: 'outbound' })).toEqual([flows[3]!.expected['key']]);
        expect(await page({ limit: 100, agent: '204_2222223' })).toEqual(
          expect.arrayContaining([flows[0]!.expected['key'], flows[1]!.expected['key']]),
        );
        expect(await page({ limit: 100, number: '44111000002' })).toEqual([flows[2]!.expected['key']]);
        expect(await page({ limit: 100, from: T0 + 600_000, to: T0 + 1_800_000 })).toHaveLength(2);
        expect(await page({ limit: 100, team: 'Nobody_1' })).toEqual([]);
        expect(await page({ limit: 100, numberContains: '1000002' })).toEqual([flows[2]!.expected['key']]);
        expect(await page({ limit: 100, numberContains: '99999999' })).toEqual([]);
        expect(await page({ limit: 100, source: 'backfill' })).toEqual([]);
        expect(await page({ limit: 100, source: 'webhook' })).toHaveLength(4);
      });
    });

    it('pages calls by every sort, either way, in its order and without gaps or repeats', async () => {
      await withStore(async (store) => {
        // Calls of every flow, three starting at each minute (ties on the start time), and a few still live (the
        // first event only: no outcome, no wait), so that every sort meets equal values and missing ones.
        const payloads = Array.from({ length: 18 }, (_, n) => {
          const flows = callFlows(T0 + Math.floor(n / 3) * 60_000, `4433300000${n % 7}`);
          const flow = flows[n % flows.length]!;
          return n % 5 === 4 ? flow.payloads.slice(0, 1) : flow.payloads;
        }).flat();
        await ingest(store, payloads);
        const calls = await allCalls(store);
        expect(calls.length).toBeGreaterThan(12);
        const valueOf: Record<CallSort, (call: Call) => string | number> = {
          started: (call) => call.startedAt,
          waited: (call) => call.waitedSec ?? -1,
          talked: (call) => call.talkSec ?? -1,
          outcome: (call) => call.outcome ?? '',
          from: (call) => call.from ?? '',
          to: (call) => call.to ?? '',
          team: (call) => call.team ?? '',
          agent: (call) => call.answeredBy ?? call.placedBy ?? '',
        };
        const compare = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...CALL_SORTS),
            fc.constantFrom('asc' as const, 'desc' as const),
            fc.integer({ min: 1, max: 7 }),
            fc.constantFrom(undefined, 'inbound' as const),
            async (sort, order, limit, direction) => {
              const seen: Call[] = [];
              let after: string | null = null;
              do {
                const page: Page<Call> = await store.listCalls({ sort, order, limit, after, direction });
                seen.push(...page.items);
                after = page.next;
              } while (after !== null);
              const sign = order === 'asc' ? 1 : -1;
              const expected = calls
                .filter((call) => direction === undefined || call.direction === direction)
                .sort(
                  (a, b) =>
                    sign *
                    (compare(valueOf[sort](a), valueOf[sort](b)) ||
                      compare(a.startedAt, b.startedAt) ||
                      compare(a.key, b.key)),
                );
              expect(seen.map((call) => call.key)).toEqual(expected.map((call) => call.key));
            },
          ),
          { numRuns: 60 },
        );
        // A cursor is the position in one sort: with another, it is refused, not read as a wrong position.
        const first = await store.listCalls({ sort: 'team', limit: 2 });
        await expect(store.listCalls({ sort: 'waited', limit: 2, after: first.next })).rejects.toThrow(
          /after/,
        );
        await expect(store.listCalls({ limit: 2, after: first.next })).rejects.toThrow(/after/);
      });
    });

    it('tells the calls known only from backfill rows from the others', async () => {
      await withStore(async (store) => {
        const [webhook, backfill] = [0, 4].map((n) => callFlows(T0 + n * 600_000, `4422200000${n}`)[0]!);
        for (const payload of backfill!.payloads)
          await store.appendEvent({ ...newEvent(JSON.stringify(payload)), source: 'backfill' });
        await ingest(store, webhook!.payloads);
        const page = (filter: Parameters<Store['listCalls']>[0]) =>
          store.listCalls(filter).then((p) => p.items.map((call) => [call.key, call.closedBy]));
        expect(await page({ limit: 100, source: 'backfill' })).toEqual([
          [backfill!.expected['key'], 'backfill'],
        ]);
        expect(await page({ limit: 100, source: 'webhook' })).toEqual([[webhook!.expected['key'], 'cdr']]);
        expect(await page({ limit: 100, source: 'backfill', numberContains: '222000004' })).toHaveLength(1);
      });
    });

    it('lists missed calls with their callback: a later outbound call to the caller', async () => {
      await withStore(async (store) => {
        const caller = '441234000001';
        const missed = callFlows(T0, caller)[3]!;
        const abandoned = callFlows(T0 + 60_000, '441234000002')[1]!;
        const callback = callFlows(T0 + 900_000, caller)[7]!;
        await ingest(store, [...missed.payloads, ...abandoned.payloads, ...callback.payloads]);
        const page = await store.listMissedCalls({ limit: 10 });
        expect(page.items.map((call) => [call.key, call.calledBack?.key ?? null])).toEqual([
          [abandoned.expected['key'], null],
          [missed.expected['key'], callback.expected['key']],
        ]);
        expect(page.items[1]!.calledBack).toMatchObject({
          at: T0 + 900_000,
          by: '202_2222223',
          answered: false,
        });
        expect(
          (await store.listMissedCalls({ limit: 10, calledBack: false })).items.map((call) => call.key),
        ).toEqual([abandoned.expected['key']]);
        expect(
          (await store.listMissedCalls({ limit: 10, calledBack: true })).items.map((call) => call.key),
        ).toEqual([missed.expected['key']]);
      });
    });

    it('gives the facts metrics are computed from, and agent legs', async () => {
      await withStore(async (store) => {
        const flow = callFlows(T0)[0]!;
        await ingest(store, flow.payloads);
        const facts = await store.listCallFacts({ from: T0, to: T0 + 86_400_000 });
        expect(facts).toEqual([
          {
            key: flow.expected['key'],
            startedAt: T0,
            direction: 'inbound',
            state: 'ended',
            outcome: 'answered',
            waitedSec: 30,
            talkSec: 60,
            team: 'Sales_2222223',
            answeredBy: '205_2222223',
            placedBy: null,
          },
        ]);
        expect(await store.listCallFacts({ from: T0 + 1, to: T0 + 86_400_000 })).toEqual([]);
        const legs = await store.listAgentFacts({ from: T0, to: T0 + 86_400_000 });
        expect(legs.map((leg) => [leg.agent, leg.answered, leg.isMissedByAgent, leg.talkSec])).toEqual([
          ['204_2222223', false, true, null],
          ['205_2222223', true, false, 60],
        ]);
      });
    });

    it('counts calls and agent legs in the database exactly as the metrics count them in memory', async () => {
      await withStore(async (store) => {
        const flows = callFlows(T0).map(
          (_, index) => callFlows(T0 + index * 1800_000, `4475000${String(index).padStart(5, '0')}`)[index]!,
        );
        await ingest(
          store,
          flows.flatMap((flow) => flow.payloads),
        );
        const period = { from: T0 - 86_400_000, to: T0 + 86_400_000 };
        const facts = await store.listCallFacts(period);
        expect(facts).toHaveLength(flows.length);
        const sorted = (rows: object[]) => rows.map((row) => JSON.stringify(row)).sort();
        for (const thresholds of [
          { serviceLevelSec: 20, shortAbandonSec: 5 },
          { serviceLevelSec: 9, shortAbandonSec: 15 },
        ]) {
          expect(sorted(await store.summariseCalls({ ...period, ...thresholds }))).toEqual(
            sorted(summariseFacts(facts, thresholds)),
          );
          expect(sorted(await store.summariseCalls({ ...period, ...thresholds, groupBy: 'team' }))).toEqual(
            sorted(summariseFacts(facts, thresholds, (call) => call.team)),
          );
          expect(
            sorted(await store.summariseCalls({ ...period, ...thresholds, groupBy: 'placedBy' })),
          ).toEqual(sorted(summariseFacts(facts, thresholds, (call) => call.placedBy)));
          const buckets = bucketsOf(period.from, period.to, 'hour', 'Asia/Kolkata');
          const starts = buckets.map((bucket) => bucket.start);
          const bucketOf = (call: { startedAt: number }) =>
            starts.findLastIndex((start) => start <= call.startedAt);
          expect(
            sorted(
              await store.summariseCalls({ ...period, ...thresholds, groupBy: { bucketStarts: starts } }),
            ),
          ).toEqual(sorted(summariseFacts(facts, thresholds, bucketOf)));
        }
        const legs = await store.listAgentFacts(period);
        const agents = await store.summariseAgents(period);
        expect(agents.map((row) => row.agent)).toEqual([...new Set(legs.map((leg) => leg.agent))].sort());
        for (const row of agents) {
          const mine = legs.filter((leg) => leg.agent === row.agent);
          expect(row).toMatchObject({
            legs: mine.length,
            answered: mine.filter((leg) => leg.answered).length,
            rangNotAnswered: mine.filter((leg) => !leg.answered && leg.isMissedByAgent).length,
            talkSum: mine.reduce((sum, leg) => sum + (leg.answered ? (leg.talkSec ?? 0) : 0), 0),
          });
        }

        // Within periods (business hours): the same counts over the calls and legs that started in them.
        const within = [
          { start: T0 - 1, end: T0 + 2 * 1800_000 },
          { start: T0 + 4 * 1800_000, end: T0 + 5 * 1800_000 + 1 },
        ];
        const isWithin = (at: number) => within.some((range) => at >= range.start && at < range.end);
        const inside = facts.filter((call) => isWithin(call.startedAt));
        expect(inside.length).toBeGreaterThan(1);
        expect(inside.length).toBeLessThan(facts.length);
        const thresholds = { serviceLevelSec: 20, shortAbandonSec: 5 };
        expect(sorted(await store.summariseCalls({ ...period, ...thresholds, within }))).toEqual(
          sorted(summariseFacts(inside, thresholds)),
        );
        const buckets = bucketsOf(period.from, period.to, '15min', 'UTC');
        const starts = buckets.map((bucket) => bucket.start);
        expect(
          sorted(
            await store.summariseCalls({
              ...period,
              ...thresholds,
              within,
              groupBy: { bucketStarts: starts },
            }),
          ),
        ).toEqual(
          sorted(
            summariseFacts(inside, thresholds, (call) =>
              starts.findLastIndex((start) => start <= call.startedAt),
            ),
          ),
        );
        const agentsWithin = await store.summariseAgents({ ...period, within });
        expect(agentsWithin.reduce((sum, row) => sum + row.legs, 0)).toBe(
          legs.filter((leg) => isWithin(leg.rangAt)).length,
        );
        expect(await store.summariseCalls({ ...period, ...thresholds, within: [] })).toEqual([]);
      });
    });

    it('lists the numbers that called several times, with how many were answered', async () => {
      await withStore(async (store) => {
        const caller = '441234500001';
        await ingest(store, [
          ...callFlows(T0, caller)[0]!.payloads,
          ...callFlows(T0 + 1_200_000, caller)[1]!.payloads,
          ...callFlows(T0 + 2_400_000, '441234500002')[0]!.payloads,
        ]);
        const period = { from: T0 - 3600_000, to: T0 + 7200_000, minCalls: 2, limit: 10 };
        const [repeat] = await store.listRepeatCallers(period);
        expect(repeat).toEqual({
          number: caller,
          calls: 2,
          answered: 1,
          firstAt: T0,
          lastAt: expect.any(Number) as number,
        });
        expect(repeat!.lastAt).toBeGreaterThanOrEqual(T0 + 1_200_000);
        expect(await store.listRepeatCallers({ ...period, minCalls: 3 })).toEqual([]);
        expect(
          await store.listRepeatCallers({ ...period, within: [{ start: T0 + 1, end: T0 + 7200_000 }] }),
        ).toEqual([]);
      });
    });

    it('lists live calls and closes stale ones', async () => {
      await withStore(async (store) => {
        const flow = callFlows(T0)[0]!;
        await ingest(store, flow.payloads.slice(0, 2), [500], T0 + 5000);
        expect((await store.listLiveCalls()).map((call) => call.state)).toEqual(['ringing']);
        const later = T0 + 3 * 3600_000;
        const keys = await store.listStaleCallKeys(later - 2 * 3600_000, 10);
        expect(keys).toEqual([flow.expected['key']]);
        const result = await store.projectCalls({ events: [], refreshKeys: keys, now: later }, rules);
        expect(result.changed.map((call) => [call.state, call.outcome])).toEqual([['ended', 'unknown']]);
        expect(await store.listLiveCalls()).toEqual([]);
      });
    });
  });
}
