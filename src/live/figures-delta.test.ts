import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';

import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import { diffFigures, type Figures } from './figures-delta.js';

interface Script {
  createLiveState(): { figures: unknown };
  applyLiveMessage(state: { figures: unknown }, type: string, data: unknown): string | null;
}

// The wallboard's own script (a classic browser script), run as the page runs it.
const context: { telehookLive?: Script } = {};
runInNewContext(readFileSync(new URL('../dashboard/static/live-state.js', import.meta.url), 'utf8'), context);
const script = context.telehookLive!;

/** Figures as the wallboard holds them after a snapshot with `base`, then a stats message with the delta. */
function applied(base: Figures, next: Figures): unknown {
  const state = script.createLiveState();
  script.applyLiveMessage(state, 'snapshot', { ...base, live: [], settings: null });
  const { base: first } = diffFigures(null, base);
  script.applyLiveMessage(state, 'stats', diffFigures(first, next).delta);
  return JSON.parse(JSON.stringify(state.figures));
}

const row = fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd', null), answered: fc.nat(3) });
const figures = fc.record({
  generatedAt: fc.nat(),
  totals: fc.record({ offered: fc.nat(), answered: fc.nat() }),
  teams: fc.array(row, { maxLength: 6 }),
  missed: fc.array(row, { maxLength: 6 }),
});

describe('diffFigures', () => {
  test.prop([figures, figures])(
    'gives figures that, applied by the wallboard to the previous ones, are the next ones',
    (base, next) => {
      expect(applied(base, next)).toEqual(JSON.parse(JSON.stringify(next)));
    },
  );

  it('sends a row that stayed as its previous position, and a list that did not change not at all', () => {
    const call = (key: string) => ({ key, outcome: 'missed', from: '4471234567' });
    const base = { totals: { offered: 3 }, teams: [{ key: 'Sales' }], missed: [call('b'), call('a')] };
    const next = {
      totals: { offered: 4 },
      teams: [{ key: 'Sales' }],
      missed: [call('c'), call('b'), call('a')],
    };
    const { delta } = diffFigures(diffFigures(null, base).base, next);
    expect(delta).toEqual({ totals: { offered: 4 }, lists: { missed: [call('c'), 0, 1] } });
  });
});
