import { describe, expect, it } from 'vitest';

import { buildBodies, freshen, loadFixtures } from './payloads.js';

const NOW = 1_800_000_000_000;
const IDS = { id: 'new-leg', otherId: 'new-call' };

describe('freshen', () => {
  it('gives leg A one fresh id for cmiuuid and conversation_uuid, and a fresh time in ms', () => {
    const fresh = freshen(
      { conversation_uuid: 'a', cmiuuid: 'a', time: 1634724624830, status: 'waiting' },
      IDS,
      NOW,
    );
    expect(fresh).toEqual({
      conversation_uuid: 'new-leg',
      cmiuuid: 'new-leg',
      time: NOW,
      status: 'waiting',
    });
    expect(Object.keys(fresh)).toEqual(['conversation_uuid', 'cmiuuid', 'time', 'status']);
  });

  it('keeps leg B apart from its call, and moves the time fields in seconds with time', () => {
    const fresh = freshen(
      {
        cmiuuid: 'b',
        conversation_uuid: 'a',
        time: 1632318511000,
        start_time: 1632318510,
        end_time: 1632318528,
      },
      IDS,
      NOW,
    );
    expect(fresh['cmiuuid']).toBe('new-leg');
    expect(fresh['conversation_uuid']).toBe('new-call');
    expect(fresh['time']).toBe(NOW);
    expect(fresh['start_time']).toBe(NOW / 1000 - 1);
    expect(fresh['end_time']).toBe(NOW / 1000 + 17);
  });

  it('leaves payloads without time or conversation_uuid otherwise as they were', () => {
    expect(freshen({ from: 1, cmiuuid: 'x', appid: 2 }, IDS, NOW)).toEqual({
      from: 1,
      cmiuuid: 'new-leg',
      appid: 2,
    });
  });
});

describe('buildBodies', () => {
  it('cycles through every fixture with a cmiuuid, each body different', () => {
    const fixtures = loadFixtures();
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
    const bodies = buildBodies(fixtures, fixtures.length * 2);
    expect(new Set(bodies.map((body) => body.toString('utf8'))).size).toBe(bodies.length);
    const first = JSON.parse(bodies[0]!.toString('utf8')) as Record<string, unknown>;
    const again = JSON.parse(bodies[fixtures.length]!.toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(Object.keys(again));
    expect(first['cmiuuid']).not.toBe(again['cmiuuid']);
  });
});
