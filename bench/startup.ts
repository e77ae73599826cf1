/**
 * Start-up time with 1,000,000 events stored: from spawning `telehook serve` (as `npm start` runs it) to its
 * first 200 on /readyz, next to the same with an empty data directory, in the same run. A start-up that scanned
 * the events would grow with them; telehook's reads at boot are index lookups.
 *
 *   npm run bench:startup [-- --events 1000000 --runs 5]   (the store is the one `npm run bench:queries` fills)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { fillStore, schemaVersion } from './fill.js';
import { freePort } from './lib/server-process.js';
import { NODE_FLAGS_OF_NPM_START, ROOT } from './lib/targets.js';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '5' } },
});
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const MAIN = path.join(ROOT, 'dist/cli/main.js');

const full = path.resolve('bench/.cache', `queries-${EVENTS}-schema-${schemaVersion()}`);
if (!existsSync(path.join(full, 'telehook.db'))) {
  console.log(`Filling ${full} with ${EVENTS} events (once; npm run bench:queries uses it too)…`);
  const store = createSqliteStore({ file: path.join(full, 'telehook.db') });
  await fillStore(store, { events: EVENTS, days: 30, end: Date.UTC(2026, 10, 26), log: console.log });
  await store.close();
}

async function timeToReady(dataDir: string): Promise<number> {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn(
    process.execPath,
    [
      ...NODE_FLAGS_OF_NPM_START,
      MAIN,
      'serve',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--data',
      dataDir,
    ],
    { stdio: 'ignore' },
  );
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  return ms;
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
const empty: number[] = [];
const loaded: number[] = [];
for (let run = 0; run < RUNS; run += 1) {
  const dir = mkdtempSync(path.join(tmpdir(), 'telehook-startup-'));
  empty.push(await timeToReady(dir));
  rmSync(dir, { recursive: true, force: true });
  loaded.push(await timeToReady(full));
}
console.log(`| data | runs | median ms | min ms | max ms |`);
console.log(`| --- | ---: | ---: | ---: | ---: |`);
for (const [name, list] of [
  ['empty', empty],
  [`${EVENTS} events`, loaded],
] as const) {
  console.log(
    `| ${name} | ${list.length} | ${median(list).toFixed(0)} | ${Math.min(...list).toFixed(0)} | ${Math.max(...list).toFixed(0)} |`,
  );
}
console.log(`\n${EVENTS} events ÷ empty: ${(median(loaded) / median(empty)).toFixed(2)}×`);
console.log(`${median(loaded) <= 1000 ? 'PASS' : 'FAIL'}  start-up ≤ 1 s with ${EVENTS} events stored`);
