import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { startHttpSink } from '../../../test/helpers/http-sink.js';
import { tempDir } from '../../../test/helpers/temp-dir.js';
import { generateScenario, simulateCallCentre } from '../../scenarios/index.js';
import type { CommandIo } from '../command-io.js';
import { UsageError } from '../usage-error.js';
import { runSend, splitBodies } from './send.js';
import { runSimulate } from './simulate.js';
import { runTrigger } from './trigger.js';

const START = '2024-06-06T09:00:00Z';

function capture(stdin = ''): CommandIo & { out(): string; err(): string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { stdout, stderr, stdin: Readable.from([Buffer.from(stdin)]), out: () => out, err: () => err };
}

describe('runTrigger', () => {
  it('posts the scenario’s payloads as JSON, in order, and prints each one with its answer', async () => {
    const sink = await startHttpSink();
    const io = capture();
    const code = await runTrigger(
      'incoming-answered',
      { url: sink.url, speed: 'instant', seed: '9', start: START },
      io,
    );
    expect(code).toBe(0);
    const expected = generateScenario('incoming-answered', { seed: 9, startAt: Date.parse(START) });
    expect(sink.requests.map((request) => request.body.toString())).toEqual(
      expected.map((sent) => JSON.stringify(sent.payload)),
    );
    expect(sink.requests.every((request) => request.method === 'POST')).toBe(true);
    expect(sink.requests.every((request) => request.contentType === 'application/json')).toBe(true);
    expect(io.out()).toContain('chub-incoming-cdr-answered');
    expect(io.out()).toContain('← 200');
    // The ingest token is the URL's secret: printed cut short.
    expect(io.out()).not.toContain('sink-token-0123456789');
  });

  it('sends every payload twice with --duplicate 1, and the same payloads in another order with --shuffle', async () => {
    const sink = await startHttpSink();
    const flags = { url: sink.url, speed: 'instant', seed: '9', start: START };
    await runTrigger('incoming-agent-no-answer', { ...flags, duplicate: '1' }, capture());
    const bodies = sink.requests.map((request) => request.body.toString());
    expect(bodies.filter((_, index) => index % 2 === 0)).toEqual(
      bodies.filter((_, index) => index % 2 === 1),
    );
    sink.requests.length = 0;
    await runTrigger('incoming-agent-no-answer', { ...flags, shuffle: true }, capture());
    const shuffled = sink.requests.map((request) => request.body.toString());
    const inOrder = bodies.filter((_, index) => index % 2 === 0);
    expect(shuffled).not.toEqual(inOrder);
    expect([...shuffled].sort()).toEqual([...inOrder].sort());
  });

  it('exits 1 when the server does not accept a payload', async () => {
    const sink = await startHttpSink();
    sink.status = 500;
    const io = capture();
    expect(await runTrigger('piopiy-inbound-answered', { url: sink.url, speed: 'instant' }, io)).toBe(1);
    expect(io.out()).toContain('← 500');
  });

  it('refuses an unknown scenario, a product the scenario has not, and a missing server', async () => {
    await expect(runTrigger('incoming-everything', {}, capture())).rejects.toThrow(/Unknown scenario/);
    await expect(runTrigger('outgoing-answered', { product: 'piopiy' }, capture())).rejects.toThrow(
      /--product/,
    );
    const data = tempDir();
    await expect(runTrigger('incoming-answered', { data }, capture())).rejects.toThrow(UsageError);
    await expect(runTrigger('incoming-answered', { data }, capture())).rejects.toThrow(/telehook serve/);
  });

  it('finds the running server through server.json in the data directory', async () => {
    const sink = await startHttpSink();
    const data = tempDir();
    mkdirSync(data, { recursive: true });
    writeFileSync(path.join(data, 'server.json'), JSON.stringify({ ingestUrl: sink.url }));
    expect(await runTrigger('outgoing-missed', { data, speed: 'instant' }, capture())).toBe(0);
    expect(sink.requests.length).toBeGreaterThan(0);
  });
});

describe('runSimulate', () => {
  it('prints with --json one JSON object and nothing else, with the ground truth and the counts', async () => {
    const sink = await startHttpSink();
    const io = capture();
    const flags = {
      url: sink.url,
      calls: '40',
      arrival: '4/min',
      speed: 'instant',
      seed: '7',
      start: START,
      json: true,
    };
    expect(await runSimulate(flags, io)).toBe(0);
    const report = JSON.parse(io.out()) as Record<string, unknown>;
    const simulation = simulateCallCentre({
      agents: 8,
      teams: ['Sales', 'Support'],
      calls: 40,
      arrivalPerSec: 4 / 60,
      meanTalkSec: 180,
      meanPatienceSec: 60,
      seed: 7,
      startAt: Date.parse(START),
    });
    expect(report).toEqual({
      seed: 7,
      product: 'chub',
      calls: 40,
      sent: simulation.payloads.length,
      failed: 0,
      dropped: 0,
      ...simulation.truth,
    });
    expect(sink.requests.map((request) => request.body.toString()).sort()).toEqual(
      simulation.payloads.map((sent) => JSON.stringify(sent.payload)).sort(),
    );
  });

  it("keeps each call's payloads in order while calls go side by side", async () => {
    const sink = await startHttpSink();
    await runSimulate(
      { url: sink.url, calls: '30', arrival: '20/min', speed: 'instant', seed: '3', concurrency: '8' },
      capture(),
    );
    const times = new Map<string, number[]>();
    for (const request of sink.requests) {
      const payload = JSON.parse(request.body.toString()) as Record<string, unknown>;
      const key = String(payload['conversation_uuid'] ?? payload['from']);
      times.set(key, [...(times.get(key) ?? []), Number(payload['type'] === 'cdr' ? 0 : payload['time'])]);
    }
    for (const list of times.values()) {
      const events = list.filter((time) => time > 0);
      expect(events).toEqual([...events].sort((a, b) => a - b));
    }
  });

  it('prints a table of the ground truth, and exits 1 with the first failure when payloads are refused', async () => {
    const sink = await startHttpSink();
    const io = capture();
    expect(await runSimulate({ url: sink.url, calls: '5', speed: 'instant', seed: '1' }, io)).toBe(0);
    expect(io.out()).toMatch(/offered\s+5/);
    expect(io.out()).toContain('service level');
    sink.status = 503;
    const failing = capture();
    expect(await runSimulate({ url: sink.url, calls: '5', speed: 'instant', seed: '1' }, failing)).toBe(1);
    expect(failing.err()).toContain('not accepted; the first:');
  });

  it.each([
    [{ agents: '1', teams: 'Sales,Support' }, '--agents'],
    [{ arrival: 'often' }, '--arrival'],
    [{ talk: '3 minutes' }, '--talk'],
    [{ product: 'piopiy' }, '--product'],
    [{ product: 'chub-india', voicemail: '0.5' }, '--voicemail'],
    [{ concurrency: '0' }, '--concurrency'],
  ])('refuses %j naming the flag', async (flags, flag) => {
    await expect(runSimulate({ url: 'http://127.0.0.1:9/', ...flags }, capture())).rejects.toThrow(flag);
  });
});

describe('runSend', () => {
  it('posts a JSON file byte for byte, and NDJSON line by line', async () => {
    const sink = await startHttpSink();
    const dir = tempDir();
    const pretty = Buffer.from('{\n  "cmiuuid": "a",\n  "status": "waiting"\n}\n');
    const ndjson = Buffer.from('{"cmiuuid":"b"}\r\n\n{"cmiuuid":"c"}\nnot json');
    writeFileSync(path.join(dir, 'one.json'), pretty);
    writeFileSync(path.join(dir, 'many.ndjson'), ndjson);
    const io = capture();
    expect(
      await runSend([path.join(dir, 'one.json'), path.join(dir, 'many.ndjson')], { url: sink.url }, io),
    ).toBe(0);
    expect(sink.requests.map((request) => request.body.toString())).toEqual([
      pretty.toString(),
      '{"cmiuuid":"b"}',
      '{"cmiuuid":"c"}',
      'not json',
    ]);
    expect(io.out()).toContain('many.ndjson:3 ← 200');
  });

  it('reads stdin when given no file or -', async () => {
    const sink = await startHttpSink();
    expect(await runSend([], { url: sink.url }, capture('{"cmiuuid":"x"}\n{"cmiuuid":"y"}\n'))).toBe(0);
    expect(await runSend(['-'], { url: sink.url }, capture('{"cmiuuid":"z"}'))).toBe(0);
    expect(sink.requests.map((request) => request.body.toString())).toEqual([
      '{"cmiuuid":"x"}',
      '{"cmiuuid":"y"}',
      '{"cmiuuid":"z"}',
    ]);
  });

  it('refuses a file it cannot read before sending anything', async () => {
    const sink = await startHttpSink();
    await expect(runSend(['/no/such/file.json'], { url: sink.url }, capture())).rejects.toThrow(UsageError);
    expect(sink.requests).toEqual([]);
  });

  it('splits bodies without changing a byte', () => {
    const bytes = Buffer.from('\uFEFF{"a": 1}');
    expect(splitBodies('f', bytes)).toEqual([{ source: 'f', bytes }]);
    expect(
      splitBodies('f', Buffer.from('{"a":1}\n{"b":2}\n')).map((body) => Buffer.from(body.bytes).toString()),
    ).toEqual(['{"a":1}', '{"b":2}']);
  });
});
