// `npm run bench:postgres`: ingest throughput and latency of telehook on SQLite, on PostgreSQL with one process,
// and on PostgreSQL with two processes behind a (client-side) round robin, in one run. See bench/README.md.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import autocannon from 'autocannon';
import pg from 'pg';

import { startEmbeddedPostgres } from '../test/helpers/embedded-postgres.js';
import { BodyCursor } from './lib/load.js';
import { buildBodies, loadFixtures } from './lib/payloads.js';
import { formatMs, formatRate, formatTable, formatVerdicts } from './lib/report.js';
import {
  freePort,
  type ServerProcess,
  startProcess,
  stopProcess,
  waitUntilAnswering,
} from './lib/server-process.js';
import { LatencyRecorder, percentile } from './lib/stats.js';
import { ROOT } from './lib/targets.js';

const USAGE = `npm run bench:postgres -- [options]

  --duration <s>      measured seconds per configuration (default 10)
  --warmup <s>        seconds of load before each, not counted (default 2)
  --connections <n>   keep-alive connections in all, split over the processes (default 50)
  --database <url>    PostgreSQL to use (default: BENCH_DATABASE_URL, TEST_DATABASE_URL, else a throwaway
                      embedded PostgreSQL); each configuration gets a schema of its own, dropped after
`;

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    database: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const connections = Number(values.connections);
const TOKEN = 'bench-ingest-token-0123456789';
const MAIN = path.join(ROOT, 'bin/telehook.js');

interface Result {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly ok: number;
  readonly failed: number;
  readonly stored: number;
}

/** Loads every URL at once, `connections` split between them; one latency record for all. */
async function load(urls: readonly string[], seconds: number, cursor: BodyCursor) {
  const latencies = new LatencyRecorder();
  const results = await Promise.all(
    urls.map(
      (url, index) =>
        new Promise<autocannon.Result>((resolve, reject) => {
          const instance = autocannon(
            {
              url,
              connections: Math.max(
                1,
                Math.floor(connections / urls.length) + (index < connections % urls.length ? 1 : 0),
              ),
              duration: seconds,
              headers: { 'content-type': 'application/json' },
              requests: [
                { method: 'POST', setupRequest: (request) => ({ ...request, body: cursor.take() }) },
              ],
            },
            (error: unknown, result: autocannon.Result) =>
              error
                ? reject(error instanceof Error ? error : new Error(JSON.stringify(error)))
                : resolve(result),
          );
          instance.on('response', (_client, statusCode, _bytes, responseTime) => {
            if (statusCode >= 200 && statusCode < 300) latencies.record(responseTime);
          });
        }),
    ),
  );
  const sorted = latencies.sorted();
  return {
    requestsPerSecond: results.reduce((sum, result) => sum + result.requests.average, 0),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    ok: results.reduce((sum, result) => sum + result['2xx'], 0),
    failed: results.reduce((sum, result) => sum + result.non2xx + result.errors, 0),
  };
}

async function startTelehook(
  dataDir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ server: ServerProcess; url: string }> {
  const port = await freePort();
  const server = startProcess(
    [MAIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data', dataDir],
    {
      ...process.env,
      TELEHOOK_LOG_LEVEL: 'warn',
      TELEHOOK_INGEST_TOKEN: TOKEN,
      ...env,
    },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(`${base}/healthz`, server);
  return { server, url: `${base}/webhooks/telecmi/${TOKEN}` };
}

async function run(
  name: string,
  processes: number,
  databaseUrl: string | null,
  cursor: BodyCursor,
): Promise<Result> {
  const dirs = Array.from({ length: processes }, () =>
    mkdtempSync(path.join(os.tmpdir(), 'telehook-bench-pg-')),
  );
  let schema: string | null = null;
  let url: string | null = null;
  if (databaseUrl !== null) {
    schema = `bench_${randomBytes(4).toString('hex')}`;
    const parsed = new URL(databaseUrl);
    parsed.searchParams.set('options', `-c search_path=${schema}`);
    url = parsed.toString();
  }
  const env = url === null ? {} : { TELEHOOK_DATABASE_URL: url };
  // The first migrates; the others find the schema ready.
  const servers = [await startTelehook(dirs[0]!, env)];
  for (const dir of dirs.slice(1)) servers.push(await startTelehook(dir, env));
  try {
    const urls = servers.map((server) => server.url);
    if (warmup > 0) await load(urls, warmup, cursor);
    const measured = await load(urls, duration, cursor);
    let stored = 0;
    if (url !== null) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      stored = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]!.n);
      await client.end();
    } else {
      const response = await fetch(servers[0]!.url.replace(/\/webhooks\/.*/, '/metrics'));
      const text = await response.text();
      stored = [
        ...text.matchAll(/^telehook_events_accepted_total\{[^}]*duplicate="false"[^}]*\} (\d+)/gm),
      ].reduce((sum, match) => sum + Number(match[1]), 0);
    }
    return { name, ...measured, stored };
  } finally {
    for (const { server } of servers) await stopProcess(server);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    if (databaseUrl !== null && schema !== null) {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  }
}

async function database(): Promise<{ url: string; stop: () => Promise<void> }> {
  const given = values.database ?? process.env['BENCH_DATABASE_URL'] ?? process.env['TEST_DATABASE_URL'];
  if (given) return { url: given, stop: async () => undefined };
  return startEmbeddedPostgres('bench');
}

const db = await database();
try {
  const bodies = buildBodies(
    loadFixtures().filter((fixture) => typeof fixture.payload['cmiuuid'] === 'string'),
    Math.max(50_000, Math.ceil((duration + warmup) * 3 * 20_000)),
  );
  const cursor = new BodyCursor(bodies);
  process.stdout.write(
    `telehook ingest: ${connections} connections, ${warmup} s warm-up + ${duration} s measured per configuration, ` +
      `${os.cpus().length} CPUs (node ${process.version})\n\n`,
  );
  const results: Result[] = [];
  results.push(await run('SQLite, 1 process', 1, null, cursor));
  results.push(await run('PostgreSQL, 1 process', 1, db.url, cursor));
  results.push(await run('PostgreSQL, 2 processes', 2, db.url, cursor));
  process.stdout.write(
    `${formatTable(
      ['configuration', 'events/s', 'p50 ms', 'p99 ms', '2xx', 'failed', 'stored'],
      results.map((result) => [
        result.name,
        formatRate(result.requestsPerSecond),
        formatMs(result.p50Ms),
        formatMs(result.p99Ms),
        String(result.ok),
        String(result.failed),
        String(result.stored),
      ]),
    )}\n\nstored: events in the database after the run, warm-up included.\n`,
  );
  const sqlite = results[0]!;
  const postgres = results[1]!;
  const ratio = postgres.requestsPerSecond / sqlite.requestsPerSecond;
  process.stdout.write(
    `\n${formatVerdicts([
      {
        pass: ratio >= 0.9,
        goal: 'PostgreSQL with 1 process ≥ 0.9× SQLite (events/s)',
        measured: `${ratio.toFixed(2)}× (${formatRate(postgres.requestsPerSecond)} vs ${formatRate(sqlite.requestsPerSecond)} events/s)`,
      },
    ])}\n`,
  );
} finally {
  await db.stop();
}
