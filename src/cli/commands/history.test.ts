import { PassThrough, Readable } from 'node:stream';

import { describe, expect, it, onTestFinished } from 'vitest';

import { startHttpSink } from '../../../test/helpers/http-sink.js';
import { createFakeTelecmi } from '../../fake-telecmi/index.js';
import { generateScenario, simulateCallCentre } from '../../scenarios/index.js';
import { classifyKind } from '../../telecmi/index.js';
import type { CommandIo } from '../command-io.js';
import { runSimulate, type SimulateReport } from './simulate.js';
import { runTrigger } from './trigger.js';

const START = '2024-06-06T09:00:00Z';
const OPTIONS = {
  agents: 8,
  teams: ['Sales', 'Support'],
  calls: 60,
  arrivalPerSec: 4 / 60,
  meanTalkSec: 180,
  meanPatienceSec: 60,
  seed: 11,
  startAt: Date.parse(START),
};
const FLAGS = {
  calls: '60',
  arrival: '4/min',
  speed: 'instant',
  seed: '11',
  start: START,
  json: true,
} as const;

function capture(): CommandIo & { out(): string; err(): string } {
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  let [out, err] = ['', ''];
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { stdout, stderr, stdin: Readable.from([]), out: () => out, err: () => err };
}

async function startFake() {
  const fake = createFakeTelecmi();
  const origin = await fake.listen(0);
  onTestFinished(() => fake.close());
  return { fake, origin };
}

/** The leg ids of the fake's rows, by list. */
const idsInHistory = (fake: ReturnType<typeof createFakeTelecmi>, list: string): string[] =>
  fake.history
    .all()
    .filter((row) => row.list === list)
    .map((row) => String(row.row['cmiuid']));

describe('simulate --drop --history-url', () => {
  it('leaves a seeded fifth of the deliveries unsent, the same ones each run, while the history gets every CDR', async () => {
    const simulation = simulateCallCentre(OPTIONS);
    const all = simulation.payloads.map((sent) => JSON.stringify(sent.payload));
    const runs = [];
    for (let run = 0; run < 2; run += 1) {
      const sink = await startHttpSink();
      const { fake, origin } = await startFake();
      const io = capture();
      expect(await runSimulate({ ...FLAGS, url: sink.url, drop: '0.2', historyUrl: origin }, io)).toBe(0);
      const report = JSON.parse(io.out()) as SimulateReport;
      runs.push({ sent: sink.requests.map((request) => request.body.toString()), report, fake });
    }
    const [first, second] = runs;
    expect(second!.sent.sort()).toEqual([...first!.sent].sort());
    const sent = new Set(first!.sent);
    const dropped = all.filter((body) => !sent.has(body));
    expect(first!.report.dropped).toBe(dropped.length);
    expect(first!.report.sent).toBe(all.length - dropped.length);
    expect(dropped.length / all.length).toBeGreaterThan(0.1);
    expect(dropped.length / all.length).toBeLessThan(0.3);

    // Every call's CDR is in the history: those whose webhook was dropped too.
    const cdrs = simulation.payloads.filter(
      (sent) => sent.payload['type'] === 'cdr' && sent.payload['leg'] !== 'b',
    );
    const droppedCdrs = cdrs.filter((one) => !sent.has(JSON.stringify(one.payload)));
    expect(droppedCdrs.length).toBeGreaterThan(0);
    const history = new Set([
      ...idsInHistory(first!.fake, 'answered'),
      ...idsInHistory(first!.fake, 'missed'),
    ]);
    expect(cdrs.map((one) => one.payload['cmiuuid']).filter((id) => !history.has(String(id)))).toEqual([]);
    expect(history.size).toBe(simulation.calls.length);
    expect(first!.report.history).toMatchObject({
      posted: simulation.payloads.filter((sent) => classifyKind(sent.payload) === 'cdr').length,
      failed: 0,
    });
  });

  it('keeps the ground truth of every call, dropped or not, and lists each call with what was dropped of it', async () => {
    const simulation = simulateCallCentre(OPTIONS);
    const sink = await startHttpSink();
    const io = capture();
    expect(await runSimulate({ ...FLAGS, url: sink.url, drop: '0.2' }, io)).toBe(0);
    const report = JSON.parse(io.out()) as SimulateReport;
    const { offered, answered, abandoned, missed, voicemail, asaSec, agents } = simulation.truth;
    expect(report).toMatchObject({ offered, answered, abandoned, missed, voicemail, asaSec, agents });
    expect(report.callList).toHaveLength(simulation.calls.length);
    expect(new Set(report.callList!.map((call) => call.key))).toEqual(
      new Set(simulation.calls.map((call) => call.key)),
    );
    expect(report.callList!.reduce((sum, call) => sum + call.dropped, 0)).toBe(report.dropped);
    const byOutcome = (outcome: string) => report.callList!.filter((call) => call.outcome === outcome).length;
    expect([
      byOutcome('answered'),
      byOutcome('abandoned'),
      byOutcome('missed'),
      byOutcome('voicemail'),
    ]).toEqual([answered, abandoned, missed, voicemail]);
    // Without --drop or --history-url, the report is what it always was.
    const plain = capture();
    await runSimulate({ ...FLAGS, url: sink.url }, plain);
    expect(JSON.parse(plain.out())).not.toHaveProperty('callList');
  });

  it('fails with exit code 1 when the history refuses the CDRs', async () => {
    const sink = await startHttpSink();
    const history = await startHttpSink();
    history.status = 500;
    const io = capture();
    expect(
      await runSimulate({ ...FLAGS, calls: '3', url: sink.url, historyUrl: new URL(history.url).origin }, io),
    ).toBe(1);
    expect(io.err()).toContain('history 500');
    expect(new URL(history.requests[0]!.path, 'http://x').pathname).toBe('/_fake/history');
  });
});

describe('trigger --history-url', () => {
  it("posts the call's CDRs to the history once, however often --duplicate resends them", async () => {
    const sink = await startHttpSink();
    const { fake, origin } = await startFake();
    const io = capture();
    const flags = {
      url: sink.url,
      speed: 'instant',
      seed: '5',
      start: START,
      duplicate: '1',
      historyUrl: origin,
    };
    expect(await runTrigger('incoming-missed-voicemail', flags, io)).toBe(0);
    const payloads = generateScenario('incoming-missed-voicemail', { seed: 5, startAt: Date.parse(START) });
    expect(sink.requests).toHaveLength(payloads.length * 2);
    expect(fake.requests).toEqual([]);
    const lists = fake.history.all().map((row) => row.list);
    expect(lists.sort()).toEqual(['missed', 'voicemail']);
    expect(io.out()).toContain('CDRs posted to the history');
  });

  it('fills the PIOPIY history and CHUB India lists by product', async () => {
    const sink = await startHttpSink();
    const { fake, origin } = await startFake();
    for (const [scenario, product] of [
      ['piopiy-outbound-bridged', 'piopiy'],
      ['outgoing-answered', 'chub-india'],
    ] as const)
      expect(
        await runTrigger(
          scenario,
          { url: sink.url, speed: 'instant', seed: '2', product, historyUrl: origin },
          capture(),
        ),
      ).toBe(0);
    const rows = fake.history.all();
    expect(rows.filter((row) => row.product === 'piopiy').map((row) => row.row['leg'])).toEqual(
      expect.arrayContaining(['a']),
    );
    expect(rows.filter((row) => row.product === 'chub-india').map((row) => row.list)).toEqual([
      'out_answered',
    ]);
  });
});
