import { request } from 'node:http';
import { PassThrough, Readable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import type { CommandIo } from '../../src/cli/command-io.js';
import { runReplay } from '../../src/cli/commands/replay.js';
import { loadFixtures } from '../helpers/fixtures.js';
import { startHttpSink } from '../helpers/http-sink.js';
import { runCli, type ServerProcess, startServer, within } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';

function capture(): CommandIo & { out: () => string } {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return { stdout, stderr: new PassThrough(), stdin: Readable.from([]), out: () => out };
}

/** Makes a request exactly as given (node:http writes the path as it is), and expects a 200. */
function send(
  server: ServerProcess,
  method: 'GET' | 'POST',
  path: string,
  body: Buffer | null,
  contentType: string | null,
): Promise<void> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (contentType !== null) headers['content-type'] = contentType;
    if (body !== null) headers['content-length'] = body.length;
    const outgoing = request({ hostname, port, path, method, headers }, (response) => {
      response.resume();
      response.on('end', () =>
        response.statusCode === 200 ? resolve() : reject(new Error(`${path}: ${response.statusCode}`)),
      );
    });
    outgoing.on('error', reject);
    outgoing.end(body ?? undefined);
  });
}

interface Received {
  readonly method: string;
  readonly contentType: string | null;
  readonly bytes: Buffer;
  /** For a GET: the query string telehook stored (without its token). */
  readonly query?: string;
}

/** Fills a server with one event of each way TeleCMI may send one, inside a period; and one after it. */
async function fill(server: ServerProcess): Promise<{ from: number; to: number; sent: Received[] }> {
  const token = new URL(server.ingestUrl).pathname.split('/').pop()!;
  const fixture = loadFixtures().find((candidate) => candidate.name === 'chub-incoming-cdr-answered')!;
  const query =
    "type=event&status=waiting&cmiuuid=get-leg-1&app_id=2222223&custom=a%20b'c&time=1717664400000";
  const sent: Received[] = [
    { method: 'POST', contentType: 'application/json', bytes: fixture.bytes },
    {
      method: 'POST',
      contentType: 'application/x-www-form-urlencoded',
      bytes: Buffer.from('type=event&status=waiting&cmiuuid=form-leg-1&app_id=2222223&time=1717664400000'),
    },
    {
      method: 'POST',
      contentType: null,
      bytes: Buffer.from(
        '\uFEFF{"type":"event","status":"waiting","cmiuuid":"é-leg-1","appid":1,"team":"Ventes_été 📞"}',
      ),
    },
    { method: 'GET', contentType: null, bytes: Buffer.from(query), query },
  ];
  const from = Date.now();
  for (const event of sent) {
    const path =
      event.method === 'GET'
        ? `/webhook/cdr?${query.replace('&app_id', `&token=${token}&app_id`)}`
        : `/webhooks/telecmi/${token}`;
    await send(
      server,
      event.method as 'GET' | 'POST',
      path,
      event.method === 'GET' ? null : event.bytes,
      event.contentType,
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
  const to = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 5));
  await send(
    server,
    'POST',
    `/webhooks/telecmi/${token}`,
    Buffer.from('{"cmiuuid":"after-the-period","appid":1}'),
    'application/json',
  );
  return { from, to, sent };
}

describe('telehook replay', () => {
  it('re-sends each event of the period as it came: method, content type, exact bytes, a GET’s query (read from the data directory)', async () => {
    const dataDir = tempDir();
    const server = await startServer(dataDir);
    const { from, to, sent } = await fill(server);
    server.child.kill('SIGTERM');
    await within(server.exited, 20_000, 'the shutdown', server);

    const sink = await startHttpSink();
    const toUrl = `${new URL(sink.url).origin}/webhook/cdr?token=staging-token`;
    const io = capture();
    expect(
      await runReplay({ data: dataDir, from: String(from), to: new Date(to).toISOString(), toUrl }, io),
    ).toBe(0);
    expect(
      sink.requests.map((received) => ({
        method: received.method,
        contentType: received.contentType ?? null,
        bytes: received.method === 'GET' ? Buffer.from(received.path.split('?')[1]!) : received.body,
      })),
    ).toEqual(
      sent.map((event) => ({
        method: event.method,
        contentType: event.contentType,
        bytes: event.method === 'GET' ? Buffer.from(`${event.query}&token=staging-token`) : event.bytes,
      })),
    );
    expect(sink.requests.every((received) => received.path.startsWith('/webhook/cdr?'))).toBe(true);
    expect(io.out()).toContain('Replaying 4 events');
    expect(io.out()).toMatch(/Replayed 4 events in [\d.]+ s .*\n {2}200 +4\n/);
    expect(io.out()).not.toContain('staging-token');
  });

  it('reads through the running server, paces with --rate, and lists the answers that were not accepted', async () => {
    const dataDir = tempDir();
    const server = await startServer(dataDir);
    const { from, to } = await fill(server);
    const sink = await startHttpSink();
    sink.status = 503;
    const io = capture();
    const started = performance.now();
    const code = await runReplay(
      { data: dataDir, from: String(from), to: String(to), toUrl: sink.url, rate: '20/s', concurrency: '2' },
      io,
    );
    expect(code).toBe(1);
    // Four requests at 20 a second: the last one 150 ms after the first.
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    expect(sink.requests).toHaveLength(4);
    expect(io.out()).toContain(`from ${server.url}/ (its API)`);
    expect(io.out()).toMatch(/\n {2}503 +4\n4 not accepted:\n {2}\w+ POST received .* ← 503 \{"ok":false\}/);
  });

  it('names a missing or bad flag, with exit code 2', async () => {
    const data = tempDir();
    const period = { from: '2026-11-25', to: '2026-11-26', toUrl: 'http://127.0.0.1:1/', data };
    for (const [flags, flag] of [
      [{ ...period, from: undefined }, '--from'],
      [{ ...period, from: 'yesterday' }, '--from'],
      [{ ...period, to: '2026-11-24' }, '--to'],
      [{ ...period, toUrl: undefined }, '--to-url'],
      [{ ...period, toUrl: 'ftp://x/' }, '--to-url'],
      [{ ...period, rate: 'fast' }, '--rate'],
      [{ ...period, concurrency: '0' }, '--concurrency'],
    ] as const)
      await expect(runReplay(flags, capture())).rejects.toThrow(flag);
    // No server runs there, and there is no database to read either.
    await expect(runReplay(period, capture())).rejects.toThrow(/No running telehook server and no database/);
    const result = await runCli([
      'replay',
      ...['--from', 'yesterday', '--to', '2026-11-26', '--to-url', 'http://127.0.0.1:1/', '--data', data],
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--from');
  });
});
