import { PassThrough, Readable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { runSimulate, type SimulateReport } from '../../src/cli/commands/simulate.js';
import { runTrigger } from '../../src/cli/commands/trigger.js';
import type { StoredEvent } from '../../src/store/index.js';
import { runCli, type ServerProcess, startServer } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The proofs of issue 5: telehook's figures equal what really happened in a simulated call centre, and a
 * replayed day arrives byte for byte.
 */

interface Stats {
  readonly totals: Record<string, number | null>;
  readonly groups?: { agent: string; answered: number; rangNotAnswered: number }[];
}

async function getJson<T>(server: ServerProcess, path: string): Promise<T> {
  const response = await fetch(`${server.url}${path}`, {
    headers: { authorization: `Bearer ${server.apiToken}` },
  });
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

async function simulate(server: ServerProcess, dataDir: string, args: string[]): Promise<SimulateReport> {
  const result = await runCli(['simulate', ...args, '--speed', 'instant', '--json', '--data', dataDir]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const report = JSON.parse(result.stdout) as SimulateReport;
  expect(report.failed).toBe(0);
  return report;
}

/** Every stored event, as a sorted list of (method, content type, raw): a multiset to compare. */
async function storedRequests(server: ServerProcess): Promise<string[]> {
  const requests: string[] = [];
  let after: string | null = null;
  do {
    const page: { items: StoredEvent[]; next: string | null } = await getJson(
      server,
      `/api/events?limit=1000${after === null ? '' : `&after=${after}`}`,
    );
    requests.push(...page.items.map((event) => JSON.stringify([event.method, event.contentType, event.raw])));
    after = page.next;
  } while (after !== null);
  return requests.sort();
}

/** /api/stats over the simulated period: every call started from the first arrival to the last payload. */
function statsOf(server: ServerProcess, truth: SimulateReport, groupBy = ''): Promise<Stats> {
  const period = `from=${truth.from}&to=${truth.to! + 1}`;
  return getJson(server, `/api/stats?${period}${groupBy === '' ? '' : `&groupBy=${groupBy}`}`);
}

describe('simulate against a real server: /api/stats equals the ground truth', () => {
  // Distinct seeds: a simulation's ids come from its seed alone, and calls that share ids are one call.
  it.each([
    [
      'CHUB, ring-outs, abandons, missed calls and voicemails',
      ['--seed', '7', '--calls', '100', '--agents', '5', '--arrival', '5/min', '--ring-out', '0.3'],
      ['--max-wait', '60s', '--start', '2024-06-06T09:00:00Z'],
    ],
    [
      // Two agents a team: the queue rings an agent again, who has rung out once (issue-5 regression).
      'CHUB, a busy queue that rings agents twice',
      ['--seed', '6', '--calls', '300', '--agents', '4', '--arrival', '6/min', '--ring-out', '0.5'],
      ['--max-wait', '45s', '--start', '2024-06-10T09:00:00Z'],
    ],
    [
      'CHUB India, ring-outs and abandons (voicemail when the queue gives up)',
      ['--seed', '5', '--calls', '150', '--product', 'chub-india', '--arrival', '4/min', '--ring-out', '0.5'],
      ['--max-wait', '45s', '--start', '2024-06-09T09:00:00Z'],
    ],
  ])('%s', async (_name, args, more) => {
    const dataDir = tempDir();
    const server = await startServer(dataDir);
    const truth = await simulate(server, dataDir, [...args, ...more]);
    // The simulation is not trivial: every kind of call happens in it.
    expect(truth.answered * truth.abandoned * truth.shortAbandoned).toBeGreaterThan(0);
    expect(truth.missed + truth.voicemail).toBeGreaterThan(0);
    expect(Object.values(truth.agents).some((agent) => agent.rangNotAnswered > 0)).toBe(true);

    const { totals } = await statsOf(server, truth);
    const counts = ['offered', 'answered', 'abandoned', 'shortAbandoned', 'missed', 'voicemail'] as const;
    expect(Object.fromEntries(counts.map((name) => [name, totals[name]]))).toEqual(
      Object.fromEntries(counts.map((name) => [name, truth[name]])),
    );
    expect(totals).toMatchObject({ unknown: 0, live: 0 });
    for (const name of ['asaSec', 'ahtSec'] as const)
      expect(Math.abs(totals[name]! - truth[name]!), name).toBeLessThanOrEqual(1);
    for (const name of ['serviceLevel', 'abandonmentRate'] as const)
      expect(totals[name], name).toBeCloseTo(truth[name]!, 3);

    const { groups = [] } = await statsOf(server, truth, 'agent');
    const byAgent = new Map(groups.map((group) => [group.agent, group]));
    expect(
      Object.fromEntries(
        Object.keys(truth.agents).map((agent) => [
          agent,
          {
            answered: byAgent.get(agent)?.answered ?? 0,
            rangNotAnswered: byAgent.get(agent)?.rangNotAnswered ?? 0,
          },
        ]),
      ),
    ).toEqual(
      Object.fromEntries(
        Object.entries(truth.agents).map(([agent, { answered, rangNotAnswered }]) => [
          agent,
          { answered, rangNotAnswered },
        ]),
      ),
    );
  });
});

describe('replay a stored day into a second server', () => {
  it('leaves both servers holding the same raw events, and the same figures', async () => {
    const a = { dataDir: tempDir() };
    const b = { dataDir: tempDir() };
    const [serverA, serverB] = await Promise.all([startServer(a.dataDir), startServer(b.dataDir)]);
    const from = Date.now();
    // Filled in-process (the CLI runs of simulate are proven above); the replay is the command under test.
    const quiet = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: Readable.from([]) };
    const report = new PassThrough();
    let printed = '';
    report.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const flags = { url: serverA.ingestUrl, speed: 'instant', start: '2024-06-06T09:00:00Z' };
    expect(
      await runSimulate(
        { ...flags, seed: '8', calls: '60', arrival: '4/min', ringOut: '0.3', json: true },
        { ...quiet, stdout: report },
      ),
    ).toBe(0);
    const truth = JSON.parse(printed) as SimulateReport;
    expect(await runTrigger('piopiy-outbound-bridged', { ...flags, seed: '3' }, quiet)).toBe(0);
    const to = Date.now() + 1;

    const replay = await runCli([
      'replay',
      ...['--from', String(from), '--to', String(to), '--to-url', serverB.ingestUrl, '--data', a.dataDir],
      // In flight together, the requests share B's commits (one at a time, each waits for its own fsync).
      ...['--concurrency', '8'],
    ]);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);
    const stored = await storedRequests(serverA);
    expect(replay.stdout).toMatch(
      new RegExp(`Replayed ${stored.length} events in [\\d.]+ s .*\\n {2}200 +${stored.length}\\n`),
    );

    expect(await storedRequests(serverB)).toEqual(stored);
    expect((await statsOf(serverB, truth)).totals).toEqual((await statsOf(serverA, truth)).totals);
  });
});
