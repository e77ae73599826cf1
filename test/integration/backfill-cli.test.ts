import { spawn } from 'node:child_process';
import path from 'node:path';

import { describe, expect, it, onTestFinished } from 'vitest';

import { createFakeTelecmi, FAKE_SECRET } from '../../src/fake-telecmi/index.js';
import { simulateCallCentre } from '../../src/scenarios/index.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { ROOT, runCli, startServer } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const START = Date.parse('2024-06-06T09:00:00Z');
const FROM = new Date(START - 3_600_000).toISOString();
const TO = new Date(START + 86_400_000).toISOString();

/** A fake TeleCMI whose history holds `calls` simulated calls; its origin. */
async function fakeWithHistory(calls: number, seed: number) {
  const fake = createFakeTelecmi();
  const origin = await fake.listen(0);
  onTestFinished(() => fake.close());
  const simulation = simulateCallCentre({
    product: 'chub',
    agents: 3,
    teams: ['Sales'],
    calls,
    arrivalPerSec: 1 / 60,
    meanTalkSec: 60,
    meanPatienceSec: 60,
    seed,
    startAt: START,
  });
  fake.history.add(
    simulation.payloads.map((sent) => sent.payload),
    'chub',
  );
  return { fake, origin, simulation };
}

const telecmiEnv = (origin: string, secret = FAKE_SECRET) => ({
  TELEHOOK_TELECMI_APPID: '2222223',
  TELEHOOK_TELECMI_SECRET: secret,
  TELEHOOK_TELECMI_API_URL: origin,
  TELEHOOK_DATABASE_URL: '',
});

/** Runs `telehook backfill` and sends it SIGINT once `isReading()` says its run is reading; its exit and output. */
async function interruptBackfill(args: string[], env: NodeJS.ProcessEnv, isReading: () => boolean) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'backfill', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const started = Date.now();
  while (!isReading()) {
    if (child.exitCode !== null) throw new Error(`backfill exited with ${child.exitCode}:\n${output}`);
    if (Date.now() - started > 30_000) throw new Error(`backfill did not read TeleCMI in 30 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill('SIGINT');
  return { code: await exited, output };
}

/** Calls of a data directory no server runs on, read from its SQLite database. */
async function callsIn(dir: string) {
  const store = createSqliteStore({ file: `${dir}/telehook.db`, foldThread: false });
  try {
    return (await store.listCalls({ from: 0, to: Number.MAX_SAFE_INTEGER, limit: 1000 })).items.filter(
      (call) => !call.legOnly,
    );
  } finally {
    await store.close();
  }
}

describe('telehook backfill (a real process, against the fake TeleCMI)', () => {
  it('runs one reconcile run through the running server and prints what it recovered', async () => {
    const { origin } = await fakeWithHistory(12, 21);
    const dir = tempDir();
    const server = await startServer(dir, [], telecmiEnv(origin));

    const first = await runCli(['backfill', '--from', FROM, '--to', TO, '--data', dir]);
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(first.stdout).toContain(`through ${server.url}/ (its API)`);
    expect(first.stdout).toMatch(/Run \S+ succeeded/);
    expect(first.stdout).toMatch(/calls recovered +12\n/);
    const calls = (await (
      await fetch(`${server.url}/api/calls?limit=100`, {
        headers: { authorization: `Bearer ${server.apiToken}` },
      })
    ).json()) as { items: { closedBy: string; legOnly: boolean }[] };
    const whole = calls.items.filter((call) => !call.legOnly);
    expect(whole).toHaveLength(12);
    expect(whole.every((call) => call.closedBy === 'backfill')).toBe(true);

    const again = await runCli([
      'backfill',
      ...['--from', FROM, '--to', TO, '--server', server.url, '--token', server.apiToken, '--json'],
    ]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'succeeded', eventsAdded: 0, callsAdded: 0 });
  }, 60_000);

  it('runs directly on a data directory with no server: Ctrl-C marks the run failed, a refused secret exits 1 storing nothing, then a run recovers every call', async () => {
    const { fake, origin, simulation } = await fakeWithHistory(8, 22);
    const dir = tempDir();
    const migrate = await runCli(['migrate', '--data', dir], { TELEHOOK_DATABASE_URL: '' });
    expect(migrate.code).toBe(0);

    // TeleCMI is slow to answer the first request; the user stops the command meanwhile.
    fake.faults.add({ answer: 'delay', delayMs: 3000, times: 1 });
    const stopped = await interruptBackfill(
      ['--from', FROM, '--to', TO, '--data', dir],
      telecmiEnv(origin),
      () => fake.requests.length > 0,
    );
    expect(stopped.code).toBe(130);
    expect(stopped.output).toMatch(/stopped: run \S+ is marked failed \(RECONCILE_INTERRUPTED\)/);
    expect(await callsIn(dir)).toHaveLength(0);

    const refused = await runCli(
      ['backfill', '--since', '3650d', '--data', dir],
      telecmiEnv(origin, 'wrong-secret-x'),
    );
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/Run \S+ failed/);
    expect(refused.stdout).toContain('TELECMI_AUTH_FAILED');
    expect(refused.stdout + refused.stderr).not.toContain('wrong-secret-x');
    expect(await callsIn(dir)).toHaveLength(0);

    const run = await runCli(
      ['backfill', '--from', FROM, '--to', TO, '--data', dir, '--json'],
      telecmiEnv(origin),
    );
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'succeeded', callsAdded: 8, errors: [] });
    const calls = await callsIn(dir);
    expect(calls.map((call) => call.key).sort()).toEqual(simulation.calls.map((call) => call.key).sort());
    expect(calls.every((call) => call.closedBy === 'backfill' && call.state === 'ended')).toBe(true);
  }, 60_000);

  it('refuses a missing window, a bad duration and backfill without credentials with exit code 2', async () => {
    const dir = tempDir();
    const none = await runCli(['backfill', '--data', dir]);
    expect([none.code, none.stderr]).toEqual([2, expect.stringContaining('--since 7d') as string]);
    const bad = await runCli(['backfill', '--since', 'a week', '--data', dir]);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      expect.stringContaining('--since: "a week" is not a duration') as string,
    ]);
    const off = await runCli(['backfill', '--since', '1d', '--data', dir], {
      TELEHOOK_TELECMI_APPID: '',
      TELEHOOK_TELECMI_SECRET: '',
      TELEHOOK_DATABASE_URL: '',
    });
    expect([off.code, off.stderr]).toEqual([2, expect.stringContaining('Backfill is off') as string]);
  }, 60_000);
});
