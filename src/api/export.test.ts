import { describe, expect, it } from 'vitest';

import type { Call } from '../store/index.js';
import { CSV_COLUMNS, csvRow } from './export.js';

const call = (times: Pick<Call, 'startedAt' | 'answeredAt' | 'endedAt'>): Call =>
  ({
    key: 'k',
    direction: 'inbound',
    state: 'ended',
    outcome: 'answered',
    waitedSec: 1e308,
    talkSec: null,
    from: null,
    to: null,
    virtualNumber: null,
    team: null,
    ivr: null,
    answeredBy: null,
    placedBy: null,
    agents: [],
    recording: null,
    voicemail: null,
    hangupReason: null,
    eventCount: 1,
    ...times,
  }) as unknown as Call;

describe('csvRow', () => {
  it('writes times as ISO 8601', () => {
    const row = csvRow(call({ startedAt: Date.UTC(2026, 2, 10, 9), answeredAt: null, endedAt: 0 }));
    expect(row.split(',').slice(4, 7)).toEqual(['2026-03-10T09:00:00.000Z', '', '1970-01-01T00:00:00.000Z']);
  });

  // Stored by a version before times were bounded, until a rebuild: toISOString would throw mid-stream.
  it('leaves empty a time no date can hold, instead of throwing', () => {
    const row = csvRow(call({ startedAt: 1.2345678901234568e29, answeredAt: -1e308, endedAt: 8.64e15 + 1 }));
    const cells = row.trimEnd().split(',');
    expect(cells).toHaveLength(CSV_COLUMNS.length);
    expect(cells.slice(4, 8)).toEqual(['', '', '', '1e+308']);
  });
});
