import { describe, expect, it } from 'vitest';

import { hashPassword } from '../../src/people/index.js';
import { generateScenario, type ScenarioName } from '../../src/scenarios/index.js';
import { SETUPS, startSetup, TOKENS } from '../helpers/app-setups.js';

const A = '919876500001';
const B = '919876500002';
const C = '919876500003';

interface Entry {
  number: string;
  status: string;
  team: string | null;
  count: number;
  first: { outcome: string; at: number };
  last: { outcome: string; at: number };
  attempts: { answered: boolean; by: string | null }[];
  clearedBy: { how: string; by: string | null; note: string | null; key: string | null } | null;
}

describe.each(SETUPS)('the follow-up list (%s)', (setup) => {
  it('keeps one entry per caller, clears it when called back and reached or answered again, and lets a supervisor mark it handled', async () => {
    const started = await startSetup(setup, expect.getState().currentTestName!);
    const { app, store } = started;
    const post = (body: string) => started.post(body);
    const api = (url: string) => started.api(url);
    const t0 = Date.now() - 3 * 3_600_000;
    const plays: [ScenarioName, string, number, string?][] = [
      ['incoming-abandoned', A, 0],
      ['incoming-missed-voicemail', A, 10],
      ['incoming-abandoned', B, 5, 'Support'],
      ['incoming-abandoned', C, 1],
      ['incoming-answered', C, 20],
      ['outgoing-missed', A, 30],
      ['outgoing-answered', B, 40],
    ];
    for (const [name, from, minutes, team] of plays)
      for (const { payload } of generateScenario(name, {
        from,
        startAt: t0 + minutes * 60_000,
        seed: minutes + 1,
        team,
      }))
        expect((await post(JSON.stringify(payload))).statusCode).toBe(200);

    const list = async (status: 'open' | 'done') => {
      const response = await api(`/api/followups?status=${status}`);
      expect(response.statusCode).toBe(200);
      return response.json<{ items: Entry[]; actions: { by: string; note: string }[] }>();
    };
    const open = await list('open');
    expect(open.items.map((entry) => entry.number)).toEqual([A]);
    expect(open.items[0]).toMatchObject({
      status: 'open',
      count: 2,
      first: { outcome: 'abandoned' },
      last: { outcome: 'voicemail' },
      attempts: [{ answered: false }],
      clearedBy: null,
    });
    const done = await list('done');
    expect(done.items.map((entry) => [entry.number, entry.clearedBy?.how])).toEqual([
      [B, 'called-back'],
      [C, 'called-again'],
    ]);
    expect(done.items[0]).toMatchObject({
      team: expect.stringMatching(/^Support/),
      attempts: [{ answered: true }],
    });
    expect(done.items[0]!.clearedBy!.key).not.toBeNull();
    // /api/missed is as it was: every unanswered call, each with its first callback.
    expect((await api('/api/missed')).json<{ items: unknown[] }>().items).toHaveLength(4);

    // Viewers read the list but may not mark anything handled.
    const mark = (headers: Record<string, string>, note = 'Called from a mobile; booked a visit') =>
      app.inject({ method: 'POST', url: `/api/followups/${A}/handled`, headers, payload: { note } });
    expect((await mark({ authorization: `Bearer ${TOKENS.viewerToken}` })).statusCode).toBe(403);
    const passwordHash = await hashPassword('a long enough password');
    for (const [name, role] of [
      ['vera', 'viewer'],
      ['sam', 'supervisor'],
    ] as const)
      await store.addUser({ name, role, passwordHash, createdAt: 1, updatedAt: 1 });
    const cookieOf = async (name: string) =>
      String(
        (
          await app.inject({
            method: 'POST',
            url: '/api/session',
            payload: { name, password: 'a long enough password' },
          })
        ).headers['set-cookie'],
      ).split(';')[0]!;
    const viewer = await mark({ cookie: await cookieOf('vera') });
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await list('open')).items).toHaveLength(1);

    const sam = await cookieOf('sam');
    const handled = await mark({ cookie: sam });
    expect(handled.statusCode).toBe(200);
    expect(handled.json()).toMatchObject({
      number: A,
      status: 'done',
      clearedBy: { how: 'handled', by: 'sam', note: 'Called from a mobile; booked a visit', key: null },
    });
    expect((await list('open')).items).toEqual([]);
    const after = await list('done');
    expect(after.items.map((entry) => entry.number)).toEqual([A, B, C]);
    expect(after.actions).toMatchObject([{ by: 'sam', note: 'Called from a mobile; booked a visit' }]);

    const again = await mark({ cookie: sam });
    expect(again.statusCode).toBe(404);
    expect(again.json()).toMatchObject({ error: { code: 'FOLLOWUP_NOT_FOUND' } });
    // The API token marks too (scripts), as "API token".
    for (const { payload } of generateScenario('incoming-abandoned', {
      from: C,
      startAt: t0 + 50 * 60_000,
      seed: 9,
    }))
      await post(JSON.stringify(payload));
    const byScript = await app.inject({
      method: 'POST',
      url: `/api/followups/${C}/handled`,
      headers: { authorization: `Bearer ${TOKENS.apiToken}` },
      payload: { note: 'sent an SMS' },
    });
    expect(byScript.json()).toMatchObject({ clearedBy: { by: 'API token' } });
    expect((await mark({ cookie: sam }, '')).statusCode).toBe(400);
  });
});
