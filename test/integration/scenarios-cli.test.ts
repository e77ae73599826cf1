import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { generateScenario, simulateCallCentre } from '../../src/scenarios/index.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { runCli, startServer } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';

interface StoredEvent {
  readonly raw: string;
  readonly kind: string;
}

/** Every stored event, following the API's cursor. */
async function storedEvents(url: string, dataDir: string): Promise<StoredEvent[]> {
  const { apiToken } = JSON.parse(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8')) as {
    apiToken: string;
  };
  const events: StoredEvent[] = [];
  let after: string | null = null;
  do {
    const query: string = after === null ? '' : `&after=${encodeURIComponent(after)}`;
    const response = await fetch(`${url}/api/events?limit=1000${query}`, {
      headers: { authorization: `Bearer ${apiToken}` },
    });
    expect(response.status).toBe(200);
    const page = (await response.json()) as { items: StoredEvent[]; next: string | null };
    events.push(...page.items);
    after = page.next;
  } while (after !== null);
  return events;
}

const START = '2024-06-06T09:00:00Z';

describe('trigger, send and simulate against a real server', () => {
  it('stores every payload they send, byte for byte', async () => {
    const dataDir = tempDir();
    const server = await startServer(dataDir);

    const fixture = fileURLToPath(new URL('chub-incoming-cdr-user-missed-leg-b.json', FIXTURES_DIR));
    // Three processes at once, as three TeleCMI accounts might post at once; each keeps its own order.
    const [trigger, send, simulate] = await Promise.all([
      runCli([
        'trigger',
        'incoming-answered',
        '--speed',
        'instant',
        '--data',
        dataDir,
        '--seed',
        '4',
        '--start',
        START,
      ]),
      runCli(['send', fixture, '--data', dataDir]),
      runCli([
        'simulate',
        '--calls',
        '30',
        '--speed',
        'instant',
        '--json',
        '--seed',
        '7',
        '--start',
        START,
        '--data',
        dataDir,
      ]),
    ]);
    expect([trigger.code, send.code, simulate.code, trigger.stderr, send.stderr]).toEqual([0, 0, 0, '', '']);

    const raws = (await storedEvents(server.url, dataDir)).map((event) => event.raw);
    const triggered = generateScenario('incoming-answered', { seed: 4, startAt: Date.parse(START) }).map(
      (sent) => JSON.stringify(sent.payload),
    );
    expect(raws.filter((raw) => triggered.includes(raw))).toEqual(triggered);
    expect(raws).toContain(readFileSync(fixture, 'utf8'));

    const report = JSON.parse(simulate.stdout) as {
      offered: number;
      sent: number;
      failed: number;
      seed: number;
    };
    const simulation = simulateCallCentre({
      agents: 8,
      teams: ['Sales', 'Support'],
      calls: 30,
      arrivalPerSec: 2 / 60,
      meanTalkSec: 180,
      meanPatienceSec: 60,
      seed: 7,
      startAt: Date.parse(START),
    });
    expect(report).toMatchObject({ seed: 7, offered: 30, sent: simulation.payloads.length, failed: 0 });
    const stored = new Set(raws);
    expect(simulation.payloads.filter((sent) => !stored.has(JSON.stringify(sent.payload)))).toEqual([]);
    expect(raws).toHaveLength(triggered.length + 1 + simulation.payloads.length);
  });
});
