import { describe, expect, it } from 'vitest';

import type { Call, CallSummary } from '../store/index.js';
import { agentFiguresFrom, computeNow, figuresFrom } from './metrics.js';

const answered = (waitSum: number, talkSum: number): CallSummary => ({
  group: null,
  direction: 'inbound',
  state: 'ended',
  outcome: 'answered',
  calls: 2,
  waitKnown: 2,
  waitSum,
  withinServiceLevel: 0,
  shortWait: 0,
  talkKnown: 2,
  talkSum,
});

// Calls stored with absurd durations by a version before normalise bounded them stay until a rebuild; a sum of
// theirs may be Infinity, which no JSON number holds and the stats response schema refuses.
describe('figures over absurd stored values', () => {
  it('gives null, not Infinity, for a mean whose sum overflowed', () => {
    const figures = figuresFrom([answered(Number.POSITIVE_INFINITY, 1e308 + 1e308)]);
    expect(figures).toMatchObject({ answered: 2, asaSec: null, ahtSec: null });
    expect(figuresFrom([answered(1e308, 20)])).toMatchObject({ asaSec: null, ahtSec: 10 });
  });

  it('keeps agent figures finite', () => {
    const [agent] = agentFiguresFrom(
      [
        {
          agent: '204_2222223',
          team: null,
          legs: 1,
          answered: 1,
          rangNotAnswered: 0,
          talkKnown: 1,
          talkSum: 1e308,
        },
      ],
      [],
    );
    expect(agent).toMatchObject({ talkSec: 0, ahtSec: null });
  });

  it('gives the queue now finite or null whatever a waiting call says it started at', () => {
    for (const startedAt of [-1e308, 1.2345678901234568e29, Number.NEGATIVE_INFINITY]) {
      const call = { direction: 'inbound', state: 'waiting', startedAt, team: null } as unknown as Call;
      const now = computeNow([call], Date.UTC(2026, 2, 10));
      expect(now.waitingNow).toBe(1);
      for (const value of [now.longestWaitSec, now.oldestWaitingSince])
        expect(value === null || Number.isFinite(value)).toBe(true);
    }
  });
});
