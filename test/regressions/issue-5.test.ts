import { describe, expect, it } from 'vitest';

import type { Call } from '../../src/store/index.js';
import { startHttpSink } from '../helpers/http-sink.js';
import { runCli } from '../helpers/server-process.js';
import { createTestApp } from '../helpers/test-app.js';

/**
 * Issue 5 ("Play TeleCMI call flows locally"): the proof test that compares `simulate`'s ground truth with
 * /api/stats found these.
 */
describe('issue 5 regressions', () => {
  // A team of two has tried both agents, so the queue rings the first again, who answers this time. The
  // answered CDR names the agent but not the leg: telehook marked both legs of 204 answered, counting 204 one
  // answer too many and one ring-out too few.
  it('counts one answer for an agent rung twice in a call who rang out, then answered', async () => {
    const t = await createTestApp();
    const at = (second: number): number => Date.UTC(2024, 5, 10, 9, 0, second);
    const conv = '233475cf-310e-4249-8191-9862431646ca';
    const common = { app_id: 2222223, conversation_uuid: conv, from: '447379850881', custom: '{}' };
    const legB = (cmiuuid: string, user: string, status: string, time: number) => ({
      ...common,
      leg: 'b',
      type: 'event',
      team: 'Support_2222223',
      user,
      cmiuuid,
      direction: 'outbound',
      time,
      status,
    });
    const userMissed = (cmiuuid: string, user: string, time: number) => ({
      custom: '{}',
      appid: 2222223,
      type: 'cdr',
      direction: 'inbound',
      leg: 'b',
      cmiuuid,
      user,
      status: 'missed',
      to: 919900000204,
      from: 447379850881,
      time,
      team: 'Support_2222223',
      hangup_reason: 'recv_cancel',
    });
    const legA = (status: string, time: number) => ({
      ...common,
      type: 'event',
      direction: 'inbound',
      cmiuuid: conv,
      time,
      to: '442080000100',
      status,
    });
    const payloads = [
      legA('waiting', at(0)),
      legB('leg-202', '202_2222223', 'started', at(0)),
      legB('leg-202', '202_2222223', 'hangup', at(20)),
      userMissed('leg-202', '202_2222223', at(20)),
      legB('leg-204-first', '204_2222223', 'started', at(20)),
      legB('leg-204-first', '204_2222223', 'hangup', at(40)),
      userMissed('leg-204-first', '204_2222223', at(40)),
      legB('leg-204-again', '204_2222223', 'started', at(40)),
      legB('leg-204-again', '204_2222223', 'answered', at(44)),
      legA('answered', at(44)),
      legA('hangup', at(65)),
      legB('leg-204-again', '204_2222223', 'hangup', at(65)),
      {
        virtual_number: 442080000100,
        custom: '{}',
        appid: 2222223,
        type: 'cdr',
        direction: 'inbound',
        cmiuuid: conv,
        user: '204_2222223',
        status: 'answered',
        to: 919900000204,
        from: 447379850881,
        time: at(44),
        answeredsec: 21,
        team: 'Support_2222223',
        hangup_reason: 'recv_bye',
        record: true,
        filename: 'x.mp3',
        conversation_uuid: conv,
      },
    ];
    for (const payload of payloads) {
      const response = await t.app.inject({ method: 'POST', url: t.ingestPath, payload });
      expect(response.statusCode).toBe(200);
    }
    const call = (await t.app.inject({ url: `/api/calls/${conv}`, headers: t.auth })).json<Call>();
    expect(call.agents.map((leg) => [leg.legId, leg.answered])).toEqual([
      ['leg-202', false],
      ['leg-204-first', false],
      ['leg-204-again', true],
    ]);
    expect(call).toMatchObject({ outcome: 'answered', answeredBy: '204_2222223', waitedSec: 44 });
    const stats = (
      await t.app.inject({
        url: `/api/stats?from=${at(0)}&to=${at(120)}&groupBy=agent`,
        headers: t.auth,
      })
    ).json<{ groups: { agent: string; answered: number; rangNotAnswered: number }[] }>();
    expect(
      stats.groups.map(({ agent, answered, rangNotAnswered }) => ({ agent, answered, rangNotAnswered })),
    ).toEqual([
      { agent: '202_2222223', answered: 0, rangNotAnswered: 1 },
      { agent: '204_2222223', answered: 1, rangNotAnswered: 1 },
    ]);
  });

  // commander applied the --voicemail default (0.5), so runSimulate took it for a value given, and refused
  // every `simulate --product chub-india`, which allows only 1.
  it('simulates CHUB India from the command line without --voicemail', async () => {
    const sink = await startHttpSink();
    const result = await runCli([
      'simulate',
      '--product',
      'chub-india',
      '--calls',
      '3',
      '--speed',
      'instant',
      '--seed',
      '5',
      '--url',
      sink.url,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(sink.requests.length).toBeGreaterThan(3);
  });
});
