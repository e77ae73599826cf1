import pc from 'picocolors';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Call } from '../../store/index.js';
import type { EventStreamMessage } from '../event-stream.js';
import { parseFilters } from '../tail-lines.js';
import { createLinePrinter } from './tail.js';

const T = Date.UTC(2026, 10, 25, 9, 0, 0);

const callMessage = (changes: Partial<Call>): EventStreamMessage => ({
  type: 'call',
  id: '7',
  lastEventId: '7',
  data: JSON.stringify({
    key: 'conv-1',
    direction: 'inbound',
    from: '447700900123',
    to: '442080000100',
    state: 'ended',
    outcome: 'abandoned',
    endedAt: T + 30_000,
    lastEventAt: T + 30_000,
    waitedSec: 30,
    talkSec: null,
    team: null,
    agents: [],
    answeredBy: null,
    placedBy: null,
    closedBy: 'events',
    ...changes,
  }),
});

describe('the end of a call in tail', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const start = (filters: string[] = []) => {
    const lines: string[] = [];
    const printer = createLinePrinter(
      parseFilters('--filter', filters),
      (text) => lines.push(text),
      pc.createColors(false),
      () => undefined,
    );
    return { lines, printer };
  };

  it('waits for the CDR of a call its events ended, and prints the one line the CDR completes', () => {
    const { lines, printer } = start();
    printer.handle(callMessage({}));
    expect(lines).toEqual([]);
    printer.handle(callMessage({ closedBy: 'cdr', team: 'Sales_2222223', waitedSec: 29 }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ended +abandoned .*Sales_2222223 +waited 29 s/);
    vi.advanceTimersByTime(10_000);
    printer.handle(callMessage({ closedBy: 'cdr', team: 'Sales_2222223', waitedSec: 29 }));
    expect(lines).toHaveLength(1);
  });

  it('prints the line without a CDR after 5 s, and again when the outcome changes', () => {
    const { lines, printer } = start(['kind=call']);
    printer.handle(callMessage({}));
    vi.advanceTimersByTime(4_900);
    expect(lines).toEqual([]);
    vi.advanceTimersByTime(200);
    expect(lines).toHaveLength(1);
    printer.handle(callMessage({ closedBy: 'cdr', outcome: 'voicemail' }));
    expect(lines[1]).toMatch(/ended +voicemail/);
  });

  it('prints what still waits for its CDR when tail stops', () => {
    const { lines, printer } = start();
    printer.handle(callMessage({}));
    printer.flush();
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(1);
  });
});
