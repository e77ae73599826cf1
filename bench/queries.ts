/**
 * The query benchmark of the calls issue: a store with 1,000,000 events (about 150,000 calls over 30 days),
 * the latency of /api/stats for a day and for a month, of /api/calls paging and of a CSV export, next to a plain
 * `SELECT count(*)` on the same store, in the same run.
 *
 *   npm run bench:queries [-- --events 1000000 --runs 20 --fresh]
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import Database from 'better-sqlite3';
import pino from 'pino';
import { request } from 'undici';

import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { CALL_SORTS } from '../src/store/index.js';
import { callsFileOf, createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { copyCallsBack, fillStore, schemaVersion } from './fill.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '350000' },
    calls: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '20' },
    fresh: { type: 'boolean', default: false },
  },
});
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const CALLS = Number(values.calls);
const END = Date.UTC(2026, 10, 26);
const DAY = 86_400_000;

const dir = path.resolve('bench/.cache', `queries-${EVENTS}e-${CALLS}c-schema-${schemaVersion()}`);
const file = path.join(dir, 'telehook.db');
if (values.fresh) rmSync(dir, { recursive: true, force: true });
if (!existsSync(file)) {
  mkdirSync(dir, { recursive: true });
  console.log(`Filling ${file} with ${EVENTS} events…`);
  const store = createSqliteStore({ file });
  const filled = await fillStore(store, { events: EVENTS, days: 30, end: END, log: console.log });
  await store.close();
  console.log(`  ${filled.events} events; copying calls back month by month up to ${CALLS} calls…`);
  console.log(`  ${copyCallsBack(file, { calls: CALLS, days: 30 })} calls`);
}

const raw = new Database(file, { readonly: true });
// The calls live in a file of their own next to the events' (SQLite events migration 0008).
const callsFile = new Database(callsFileOf(file), { readonly: true });
const counts = {
  events: raw.prepare('SELECT count(*) FROM events').pluck().get() as number,
  calls: callsFile.prepare('SELECT count(*) FROM calls').pluck().get() as number,
};
callsFile.close();

function time(fn: () => unknown): number {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}
async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}
const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95) };
};

const countSamples = Array.from({ length: RUNS }, () =>
  time(() => raw.prepare('SELECT count(*) FROM events').pluck().get()),
);

const config = loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: 'silent', timezone: 'UTC' } });
const store = createSqliteStore({ file });
const app = await buildApp(config, {
  store,
  logger: pino({ level: 'silent' }),
  tokens: {
    ingestToken: 'bench-ingest-token-0000',
    apiToken: 'bench-api-token-000000',
    viewerToken: 'bench-viewer-token-00000',
  },
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address() as { port: number };
const base = `http://127.0.0.1:${address.port}`;
const headers = { authorization: 'Bearer bench-api-token-000000' };
const fetchText = async (url: string): Promise<string> => {
  const response = await request(`${base}${url}`, { headers });
  if (response.statusCode !== 200)
    throw new Error(`${url}: ${response.statusCode} ${await response.body.text()}`);
  return response.body.text();
};

const day = { from: END - DAY, to: END };
const month = { from: END - 30 * DAY, to: END };
const results: Record<string, { p50: number; p95: number }> = {};
const measure = async (name: string, url: string): Promise<void> => {
  await fetchText(url);
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run += 1) samples.push(await timeAsync(() => fetchText(url)));
  results[name] = summary(samples);
};
await measure('stats, one day', `/api/stats?from=${day.from}&to=${day.to}`);
await measure('stats, one day, by hour', `/api/stats?from=${day.from}&to=${day.to}&groupBy=hour`);
await measure('stats, one month', `/api/stats?from=${month.from}&to=${month.to}`);
await measure('stats, one month, by day', `/api/stats?from=${month.from}&to=${month.to}&groupBy=day`);
await measure('stats, one month, by agent', `/api/stats?from=${month.from}&to=${month.to}&groupBy=agent`);

// Paging: walk 20 pages of 100 with the cursor, per sample.
const pageSamples: number[] = [];
for (let run = 0; run < RUNS; run += 1) {
  let after: string | null = null;
  for (let page = 0; page < 20; page += 1) {
    const started = process.hrtime.bigint();
    const body = JSON.parse(await fetchText(`/api/calls?limit=100${after ? `&after=${after}` : ''}`)) as {
      next: string | null;
    };
    pageSamples.push(Number(process.hrtime.bigint() - started) / 1e6);
    after = body.next;
  }
}
results['calls, one page of 100'] = summary(pageSamples);
const filteredSamples: number[] = [];
for (let run = 0; run < RUNS; run += 1)
  filteredSamples.push(
    await timeAsync(() => fetchText(`/api/calls?limit=100&outcome=abandoned&from=${month.from}`)),
  );
results['calls, page filtered by outcome'] = summary(filteredSamples);

// The call history page: a page of 50 of a month, newest first, and the next page after it.
const monthQuery = `from=${month.from}&to=${month.to}`;
await measure('/calls page: 50 of a month', `/api/calls?limit=50&${monthQuery}`);
await measure('/calls page: 50 abandoned, any time', `/api/calls?limit=50&outcome=abandoned`);
// The list sorted by each column the page offers (a header click), and the filter that reads the call's JSON.
for (const sort of CALL_SORTS.filter((sort) => sort !== 'started'))
  await measure(`/calls page: 50 of a month by ${sort}`, `/api/calls?limit=50&${monthQuery}&sort=${sort}`);
await measure('/calls page: 50 of a month by team, any time', `/api/calls?limit=50&sort=team`);
await measure(
  '/calls page: 50 recovered from backfill, a month',
  `/api/calls?limit=50&${monthQuery}&source=backfill`,
);
// A month's report: the four requests /reports sends.
await measure('/reports: month by day', `/api/stats?${monthQuery}&groupBy=day`);
await measure('/reports: month by agent', `/api/stats?${monthQuery}&groupBy=agent`);
await measure('/reports: month by team', `/api/stats?${monthQuery}&groupBy=team`);
await measure('/reports: month repeat callers', `/api/repeat-callers?${monthQuery}&limit=100`);
await measure(
  '/reports: month by 15 min, business hours',
  `/api/stats?${monthQuery}&groupBy=15min&hours=09:00-18:00`,
);

const exportStarted = process.hrtime.bigint();
const csv = await fetchText('/api/calls.csv');
const exportMs = Number(process.hrtime.bigint() - exportStarted) / 1e6;
const exported = csv.split('\r\n').length - 2;

await app.close();
await store.close();

const count = summary(countSamples);
console.log(`\nStore: ${counts.events} events, ${counts.calls} calls (SQLite, ${file})`);
console.log(
  `Baseline: SELECT count(*) FROM events: p50 ${count.p50.toFixed(1)} ms, p95 ${count.p95.toFixed(1)} ms\n`,
);
console.log('| query | p50 ms | p95 ms | p50 ÷ count(*) |');
console.log('| --- | ---: | ---: | ---: |');
for (const [name, result] of Object.entries(results)) {
  console.log(
    `| ${name} | ${result.p50.toFixed(1)} | ${result.p95.toFixed(1)} | ${(result.p50 / count.p50).toFixed(2)} |`,
  );
}
console.log(
  `\nCSV export: ${exported} calls in ${exportMs.toFixed(0)} ms = ${Math.round(exported / (exportMs / 1000))} calls/s (${(exportMs / count.p50).toFixed(1)} × count(*))`,
);
const targets = [
  ['stats for a day under 50 ms', results['stats, one day']!.p50 < 50],
  ['stats for a month under 300 ms', results['stats, one month']!.p50 < 300],
  ['export at 100,000 calls/s or more', exported / (exportMs / 1000) >= 100_000],
  ...Object.entries(results)
    .filter(([name]) => name.startsWith('/calls page'))
    .map(([name, result]) => [`${name} under 200 ms`, result.p50 < 200] as const),
  ...Object.entries(results)
    .filter(([name]) => name.startsWith('/reports'))
    .map(([name, result]) => [`${name} under 200 ms`, result.p50 < 200] as const),
] as const;
for (const [name, ok] of targets) console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}`);
