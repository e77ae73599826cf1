import { spawn } from 'node:child_process';
import path from 'node:path';

import { describe, expect, it, onTestFinished } from 'vitest';

import { createTelecmiApi, type TelecmiApiError } from '../../src/backfill/index.js';
import type { SimulateReport } from '../../src/cli/commands/simulate.js';
import { startHttpSink } from '../helpers/http-sink.js';
import { ROOT, runCli } from '../helpers/server-process.js';

const START = '2024-06-06T09:00:00Z';

/** Starts `telehook fake-telecmi` as a real process and waits for the origin it prints. */
async function startFakeProcess(args: string[]) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'fake-telecmi', ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const started = Date.now();
  while (!/A local TeleCMI on (\S+)/.test(output)) {
    if (child.exitCode !== null) throw new Error(`fake-telecmi exited with ${child.exitCode}:\n${output}`);
    if (Date.now() - started > 30_000) throw new Error(`fake-telecmi did not start in 30 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { child, origin: /A local TeleCMI on (\S+)/.exec(output)![1]!, output: () => output, exited };
}

describe('telehook fake-telecmi (a real process)', () => {
  it('serves the history simulate --drop --history-url fills, dropped deliveries included, injects its fault, and exits 0 on SIGTERM', async () => {
    const fake = await startFakeProcess([
      '--port',
      '0',
      '--fail-with',
      '503',
      '--fail-path',
      '/v2/out_missed',
    ]);
    expect(fake.output()).toContain('secret     fake-telecmi-secret');
    const sink = await startHttpSink();

    const simulate = await runCli([
      'simulate',
      ...['--calls', '40', '--arrival', '6/min', '--speed', 'instant', '--seed', '7', '--start', START],
      ...['--drop', '0.2', '--history-url', fake.origin, '--url', sink.url, '--json'],
    ]);
    expect([simulate.code, simulate.stderr]).toEqual([0, '']);
    const report = JSON.parse(simulate.stdout) as SimulateReport;
    expect(report.dropped).toBeGreaterThan(0);
    expect(report.history?.failed).toBe(0);

    const api = createTelecmiApi({
      product: 'chub',
      appId: '2222223',
      secret: 'fake-telecmi-secret',
      apiUrl: fake.origin,
      retry: { tries: 2, baseDelayMs: 1 },
    });
    onTestFinished(() => api.close());
    const window = { from: Date.parse(START) - 60_000, to: Date.parse(START) + 86_400_000 };
    const inHistory = new Set<string>();
    for (const list of ['answered', 'missed'] as const)
      for await (const { row } of api.rows(list, window)) inHistory.add(String(row['cmiuid']));
    expect([...inHistory].sort()).toEqual(report.callList!.map((call) => call.key).sort());

    // The CDRs whose webhook was dropped reached only the history.
    const delivered = new Set(
      sink.requests
        .map((request) => JSON.parse(request.body.toString()) as Record<string, unknown>)
        .filter((payload) => payload['type'] === 'cdr' && payload['leg'] !== 'b')
        .map((payload) => String(payload['cmiuuid'])),
    );
    const onlyInHistory = [...inHistory].filter((key) => !delivered.has(key));
    expect(onlyInHistory.length).toBeGreaterThan(0);

    const fault = await (async () => {
      for await (const row of api.rows('out_missed', window)) void row;
    })().catch((caught: unknown) => caught);
    expect((fault as TelecmiApiError).code).toBe('TELECMI_UNAVAILABLE');
    expect((fault as TelecmiApiError).status).toBe(503);

    fake.child.kill('SIGTERM');
    expect(await fake.exited).toBe(0);
  });

  it('refuses a bad flag with exit code 2 and a message that names it', async () => {
    const result = await runCli(['fake-telecmi', '--port', 'eighty']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port');
  });
});
