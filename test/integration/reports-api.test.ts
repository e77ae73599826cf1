import { describe, expect, it } from 'vitest';

import { callFlows } from '../helpers/call-flows.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
const DAY = `from=${Date.UTC(2026, 10, 25)}&to=${Date.UTC(2026, 10, 26)}&tz=UTC`;

async function play(t: TestApp, payloads: Record<string, unknown>[]): Promise<void> {
  for (const payload of payloads) {
    const response = await t.app.inject({
      method: 'POST',
      url: t.ingestPath,
      payload: JSON.stringify(payload),
    });
    expect(response.statusCode).toBe(200);
  }
}

const get = async <T>(t: TestApp, url: string): Promise<T> => {
  const response = await t.app.inject({ url, headers: t.auth });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<T>();
};

interface Stats {
  totals: { offered: number; answered: number };
  groups?: { key: string; start: number; offered: number }[];
}

describe('report queries', () => {
  it('counts by quarter hour, within business hours, and lists repeat callers', async () => {
    const t = await createTestApp({ now: () => T0 + 12 * 3600_000 });
    // The same caller at 09:00 (answered) and 09:20 (abandoned); another at 20:00 (answered).
    await play(t, callFlows(T0, '441230000001')[0]!.payloads);
    await play(t, callFlows(T0 + 20 * 60_000, '441230000001')[1]!.payloads);
    await play(t, callFlows(T0 + 11 * 3600_000, '441230000002')[0]!.payloads);

    const all = await get<Stats>(t, `/api/stats?${DAY}`);
    expect(all.totals.offered).toBe(3);
    const quarters = await get<Stats>(t, `/api/stats?${DAY}&groupBy=15min`);
    expect(quarters.groups).toHaveLength(96);
    expect(quarters.groups![36]).toMatchObject({ key: '2026-11-25T09:00', offered: 1 });
    expect(quarters.groups![37]).toMatchObject({ key: '2026-11-25T09:15', offered: 1 });
    expect(quarters.groups!.reduce((sum, group) => sum + group.offered, 0)).toBe(3);

    const business = await get<Stats>(t, `/api/stats?${DAY}&hours=09:00-18:00`);
    expect(business.totals.offered).toBe(2);
    const byDay = await get<Stats>(t, `/api/stats?${DAY}&hours=09:00-18:00&groupBy=day`);
    expect(byDay.groups).toEqual([expect.objectContaining({ offered: 2 })]);
    const agents = await get<{ groups: { offered: number }[] }>(
      t,
      `/api/stats?${DAY}&hours=18:00-23:59&groupBy=agent`,
    );
    expect(agents.groups.reduce((sum, group) => sum + group.offered, 0)).toBeGreaterThan(0);

    const repeat = await get<{ items: unknown[] }>(t, `/api/repeat-callers?${DAY}`);
    expect(repeat.items).toEqual([
      { number: '441230000001', calls: 2, answered: 1, firstAt: T0, lastAt: expect.any(Number) as number },
    ]);
    expect(
      (await get<{ items: unknown[] }>(t, `/api/repeat-callers?${DAY}&hours=09:10-18:00`)).items,
    ).toEqual([]);
    expect((await get<{ items: unknown[] }>(t, `/api/repeat-callers?${DAY}&minCalls=3`)).items).toEqual([]);

    for (const url of [
      '/api/stats?hours=18:00-09:00',
      '/api/stats?hours=9-18',
      '/api/repeat-callers?minCalls=1',
    ]) {
      const response = await t.app.inject({ url, headers: t.auth });
      expect(response.statusCode, url).toBe(400);
      expect(response.json<{ error: { code: string } }>().error.code).toBe('QUERY_INVALID');
    }
  });

  it('counts "business hours only" in the centre\'s hours and holidays by default, and hours=HH:MM-HH:MM every day', async () => {
    // Wednesday 2026-11-25 and Thursday 2026-11-26 in Kolkata (UTC+05:30), open 14:00-15:00 local (08:30-09:30 UTC);
    // the Thursday is a holiday.
    const t = await createTestApp({
      now: () => T0 + 2 * 86_400_000,
      overrides: {
        timezone: 'Asia/Kolkata',
        businessHours: 'Mon-Fri 14:00-15:00',
        holidays: '2026-11-26',
      },
    });
    await play(t, callFlows(T0, '441230000001')[0]!.payloads); // 09:00 UTC: open
    await play(t, callFlows(T0 + 40 * 60_000, '441230000001')[1]!.payloads); // 09:40 UTC: closed
    await play(t, callFlows(T0 + 86_400_000, '441230000002')[0]!.payloads); // the holiday, 09:00 UTC
    const period = `from=${Date.UTC(2026, 10, 25)}&to=${Date.UTC(2026, 10, 27)}&tz=UTC`;

    expect((await get<Stats>(t, `/api/stats?${period}`)).totals.offered).toBe(3);
    const business = await get<Stats & { hours: unknown }>(t, `/api/stats?${period}&hours=business`);
    expect(business.totals.offered).toBe(1);
    expect(business.hours).toBe('business');
    const byDay = await get<Stats>(t, `/api/stats?${period}&hours=business&groupBy=day`);
    expect(byDay.groups!.map((group) => group.offered)).toEqual([1, 0]);
    // Repeat callers read the same hours: the caller's second call (09:40 UTC) falls outside them.
    expect(
      (await get<{ items: unknown[] }>(t, `/api/repeat-callers?${period}&hours=business`)).items,
    ).toEqual([]);
    expect((await get<{ items: unknown[] }>(t, `/api/repeat-callers?${period}`)).items).toHaveLength(1);

    // An explicit hours= still counts the same local times (tz) every day, holidays included.
    expect((await get<Stats>(t, `/api/stats?${period}&hours=09:00-10:00`)).totals.offered).toBe(3);
    expect((await get<Stats>(t, `/api/stats?${period}&hours=09:30-10:00`)).totals.offered).toBe(1);

    const response = await t.app.inject({ url: '/api/stats?hours=businesss', headers: t.auth });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { code: string } }>().error.code).toBe('QUERY_INVALID');
  });
});
