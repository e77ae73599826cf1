import pc from 'picocolors';
import { describe, expect, it } from 'vitest';

import type { EventSummary } from '../live/index.js';
import type { Call } from '../store/index.js';
import { callLine, eventLine, formatLine, formatSeconds, parseFilters, passesFilters } from './tail-lines.js';

const plain = pc.createColors(false);
const T = Date.UTC(2026, 10, 25, 9, 0, 12);

const event = (changes: Partial<EventSummary> = {}): EventSummary => ({
  id: '01TEST',
  kind: 'event',
  status: 'waiting',
  direction: 'inbound',
  leg: 'a',
  callKey: '3fa2b1c4-0000-4000-8000-000000000001',
  from: '447700900123',
  to: '442080000100',
  agent: null,
  team: 'Sales_2222223',
  occurredAt: T,
  receivedAt: T + 150,
  ...changes,
});

const call = (changes: Partial<Call> = {}): Call =>
  ({
    key: '3fa2b1c4-0000-4000-8000-000000000001',
    direction: 'inbound',
    from: '447700900123',
    to: '442080000100',
    state: 'ended',
    outcome: 'answered',
    endedAt: T + 200_000,
    lastEventAt: T + 200_000,
    waitedSec: 12,
    talkSec: 188,
    team: 'Sales_2222223',
    agents: [
      { agent: '201_2222223', answered: false },
      { agent: '204_2222223', answered: true },
    ],
    answeredBy: '204_2222223',
    placedBy: null,
    ...changes,
  }) as Call;

describe('tail lines', () => {
  it('shows an event: time, kind, status, direction, leg, caller → number, agent and team, short call key', () => {
    const line = formatLine(eventLine(event({ agent: '204_2222223' })), plain, 'UTC');
    expect(line).toMatch(
      /^09:00:12 {2}event {4}waiting {5}inbound {2}a {2}447700900123 → 442080000100 +204_2222223 Sales_2222223 +#3fa2b1c4$/,
    );
  });

  it('shows the end of a call: outcome, who answered or placed it, how long the caller waited and talked', () => {
    expect(formatLine(callLine(call()), plain, 'UTC')).toMatch(
      /^09:03:32 {2}ended {4}answered .*answered by 204_2222223 Sales_2222223 +waited 12 s, talked 3m08s {2}#3fa2b1c4$/,
    );
    const outbound = callLine(
      call({ direction: 'outbound', answeredBy: null, placedBy: '201_2222223', outcome: 'missed' }),
    );
    expect(formatLine(outbound, plain, 'UTC')).toContain('placed by 201_2222223');
    expect(formatLine(callLine(call({ outcome: 'abandoned', talkSec: null })), plain, 'UTC')).toContain(
      'talked –',
    );
  });

  it('colours a status by what it means, on a terminal only', () => {
    const colours = pc.createColors(true);
    expect(formatLine(eventLine(event({ status: 'answered' })), colours, 'UTC')).toContain(
      colours.green('answered  '),
    );
    expect(formatLine(eventLine(event()), plain, 'UTC')).not.toContain('\u001b[');
  });

  it.each([
    [0, '0 s'],
    [59.6, '1m00s'],
    [188, '3m08s'],
    [3720, '1h02m'],
    [null, '–'],
  ])('writes %s seconds as %s', (seconds, text) => {
    expect(formatSeconds(seconds)).toBe(text);
  });
});

describe('tail filters', () => {
  const missedCdr = eventLine(event({ kind: 'cdr', status: 'missed', team: 'Support_2222223' }));
  const waiting = eventLine(event());
  const answeredCall = callLine(call());

  it('matches a key=value, a team or agent without its app-id suffix, a number with + and spaces', () => {
    const pass = (line: typeof waiting, ...filters: string[]) =>
      passesFilters(line, parseFilters('--filter', filters));
    expect(pass(missedCdr, 'status=missed')).toBe(true);
    expect(pass(waiting, 'status=missed')).toBe(false);
    expect(pass(answeredCall, 'status=answered', 'kind=call')).toBe(true);
    expect(pass(answeredCall, 'outcome=answered')).toBe(true);
    expect(pass(waiting, 'outcome=answered')).toBe(false);
    expect(pass(waiting, 'team=sales')).toBe(true);
    expect(pass(waiting, 'team=Sales_2222223')).toBe(true);
    expect(pass(waiting, 'team=Sale')).toBe(false);
    expect(pass(answeredCall, 'agent=201')).toBe(true);
    expect(pass(waiting, 'from=+44 7700 900123')).toBe(true);
    expect(pass(waiting, 'number=442080000100')).toBe(true);
    expect(pass(waiting, 'call=3fa2b1c4')).toBe(true);
  });

  it('keeps a line that matches any value of a key, and every key; key!=value leaves lines out', () => {
    const filters = parseFilters('--filter', ['status=missed', 'status=waiting', 'team=Sales']);
    expect([missedCdr, waiting].map((line) => passesFilters(line, filters))).toEqual([false, true]);
    const notSales = parseFilters('--filter', ['team!=Sales', 'kind!=call']);
    expect([missedCdr, waiting, answeredCall].map((line) => passesFilters(line, notSales))).toEqual([
      true,
      false,
      false,
    ]);
  });

  it.each(['status', 'colour=red', '=missed', 'status=='])('refuses --filter %j naming the flag', (text) => {
    expect(() => parseFilters('--filter', [text])).toThrow(/^--filter: .* is not a filter/);
  });
});
