import { PassThrough, Readable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import type { CommandIo } from '../../src/cli/command-io.js';
import { runTail } from '../../src/cli/commands/tail.js';
import { runTrigger } from '../../src/cli/commands/trigger.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { generateScenario } from '../../src/scenarios/index.js';
import { startHttpSink } from '../helpers/http-sink.js';
import { runCli, startServer, within } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';

function capture(): CommandIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { stdout, stderr, stdin: Readable.from([]), out: () => out, err: () => err };
}

async function until(what: string, condition: () => boolean, output: () => string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > 15_000) throw new Error(`waited 15 s for ${what}; printed:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The conversation of a scenario played with this seed (the call's key; the ids depend on the seed only), cut as tail shows it. */
const shortKeyOf = (scenario: 'incoming-answered' | 'incoming-abandoned', seed: number): string =>
  String(generateScenario(scenario, { seed })[0]!.payload['conversation_uuid']).slice(0, 8);

describe('telehook tail', () => {
  it('prints each event and each call that ends, and after the server restarts, what it missed meanwhile', async () => {
    const dataDir = tempDir();
    let server = await startServer(dataDir);
    const controller = new AbortController();
    const human = capture();
    const json = capture();
    const tails = [
      runTail({ data: dataDir }, human, controller.signal),
      runTail(
        { data: dataDir, json: true, filter: ['kind=call', 'outcome=abandoned'] },
        json,
        controller.signal,
      ),
    ];
    await until('the snapshots', () => /Now: 0 waiting/.test(human.err()), human.err);
    await until('the JSON stream', () => /Following/.test(json.err()), json.err);

    const play = async (scenario: 'incoming-answered' | 'incoming-abandoned', seed: number) =>
      expect(
        await runTrigger(
          scenario,
          // Now, not in the past: a call whose events are hours old is closed as stale until its end comes.
          { url: server.ingestUrl, speed: 'instant', seed: String(seed) },
          capture(),
        ),
      ).toBe(0);
    await play('incoming-answered', 1);
    const answered = shortKeyOf('incoming-answered', 1);
    await until('the answered call', () => /ended +answered/.test(human.out()), human.out);
    expect(human.out()).toMatch(new RegExp(`event +waiting +inbound +a +\\d+ → \\d+.*#${answered}`));
    expect(human.out()).toMatch(new RegExp(`ended +answered .*answered by 201_2222223.*#${answered}`));

    // Stopped and started again (on another port, found again through server.json); a call is played at once,
    // most likely before tail retries (every 2 s): then the server sends it from the store after Last-Event-ID.
    server.child.kill('SIGTERM');
    await within(server.exited, 20_000, 'the shutdown', server);
    await until('the disconnection', () => /Disconnected/.test(human.err()), human.err);
    server = await startServer(dataDir);
    await play('incoming-abandoned', 2);
    const abandoned = shortKeyOf('incoming-abandoned', 2);
    await until('the abandoned call', () => /ended +abandoned/.test(human.out()), human.out);
    expect(human.err()).toMatch(/Reconnected; the server sends what was missed after event \d+/);

    const lines = human.out().trim().split('\n');
    const ofCall = (key: string) => lines.filter((line) => line.endsWith(`#${key}`));
    // Each payload of the caller's leg once (the agent's CDR carries its own leg id), and the end once.
    expect(ofCall(abandoned).map((line) => line.split(/ {2,}/).slice(1, 3).join(' '))).toEqual([
      'event waiting',
      'event hangup',
      'cdr missed',
      'ended abandoned',
    ]);
    expect(ofCall(answered).filter((line) => /ended/.test(line))).toHaveLength(1);

    await until('the JSON line', () => json.out().includes(abandoned), json.out);
    const messages = json
      .out()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; id: string; data: { outcome: string } });
    expect(messages.every((message) => message.type === 'call' && message.data.outcome === 'abandoned')).toBe(
      true,
    );
    controller.abort();
    expect(await Promise.all(tails)).toEqual([0, 0]);
  });

  it('refuses a wrong token, a server that is not telehook, no server, and a bad filter, naming the flag', async () => {
    const sink = await startHttpSink();
    sink.status = 401;
    await expect(runTail({ server: sink.url, token: 'wrong' }, capture())).rejects.toThrow(/--token/);
    sink.status = 200;
    await expect(runTail({ server: sink.url, token: 'x' }, capture())).rejects.toThrow(/--server/);
    await expect(runTail({ data: tempDir() }, capture())).rejects.toThrow(UsageError);
    const bad = await runCli(['tail', '--filter', 'colour=red', '--data', tempDir()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--filter');
    const help = await runCli(['tail', '--help']);
    for (const flag of ['--server', '--token', '--data', '--filter', '--json'])
      expect(help.stdout).toContain(flag);
  });
});
