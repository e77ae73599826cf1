/**
 * The soak: telehook (as `npm start` runs it) under a steady 2,000 events/s of realistic calls for 10 minutes.
 * Every 10 s it prints the server's resident memory and the backlogs (events not folded into calls yet), so that
 * a leak or a projection that falls behind shows as a slope; at the end, the verdict.
 *
 *   npm run bench:soak [-- --rate 2000 --minutes 10]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { Pool } from 'undici';

import { generateScenario, SCENARIO_NAMES } from '../src/scenarios/index.js';
import { backlogIn, startTelehook } from './lib/targets.js';

const { values } = parseArgs({
  options: { rate: { type: 'string', default: '2000' }, minutes: { type: 'string', default: '10' } },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.minutes) * 60;
const target = await startTelehook();
const { server } = target;
const ingest = new URL(target.url);
const pool = new Pool(ingest.origin, { connections: 16 });

const rssMb = (): number => {
  const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
};
async function backlog(): Promise<number> {
  const text = await target.metrics!();
  if (process.env['SOAK_DEBUG']) {
    const pick = (name: string) =>
      (Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 1e6).toFixed(1);
    console.log(
      `   heap used ${pick('telehook_nodejs_heap_size_used_bytes')} total ${pick('telehook_nodejs_heap_size_total_bytes')} external ${pick('telehook_nodejs_external_memory_bytes')} MB`,
    );
  }
  return backlogIn(text);
}

// Realistic traffic: whole calls of the built-in scenarios, ~7 events each, interleaved.
const queue: Record<string, unknown>[] = [];
let calls = 0;
const refill = (): void => {
  while (queue.length < 5000) {
    const name = SCENARIO_NAMES[calls % SCENARIO_NAMES.length]!;
    const payloads = generateScenario(name, {
      seed: calls + 1,
      startAt: Date.now(),
      from: `4479${String(calls).padStart(8, '0')}`,
    });
    calls += 1;
    // Interleave with the calls already queued, as concurrent calls do.
    for (const [index, { payload }] of payloads.entries())
      queue.splice(Math.min(queue.length, index * 37), 0, payload);
  }
};

console.log(
  `Soak: ${RATE} events/s for ${SECONDS / 60} min against ${ingest.origin} (started as npm start runs it)`,
);
console.log('| t (s) | sent | non-2xx | RSS MB | backlog (events not folded) |');
console.log('| ---: | ---: | ---: | ---: | ---: |');
const samples: { t: number; rss: number; backlog: number }[] = [];
const started = Date.now();
let sent = 0;
let failed = 0;
let inFlight = 0;
let nextSample = 10;
while ((Date.now() - started) / 1000 < SECONDS) {
  const elapsed = (Date.now() - started) / 1000;
  const due = Math.floor(elapsed * RATE);
  while (sent < due && inFlight < 256) {
    if (queue.length < 1000) refill();
    const payload = queue.shift()!;
    sent += 1;
    inFlight += 1;
    pool
      .request({
        method: 'POST',
        path: ingest.pathname,
        body: JSON.stringify(payload),
        headers: { 'content-type': 'application/json' },
      })
      .then(async (response) => {
        if (response.statusCode !== 200) failed += 1;
        await response.body.dump();
      })
      .catch(() => (failed += 1))
      .finally(() => (inFlight -= 1));
  }
  if (elapsed >= nextSample) {
    const sample = { t: Math.round(elapsed), rss: rssMb(), backlog: await backlog() };
    samples.push(sample);
    console.log(`| ${sample.t} | ${sent} | ${failed} | ${sample.rss.toFixed(1)} | ${sample.backlog} |`);
    nextSample += 10;
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
}
while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 20));
await new Promise((resolve) => setTimeout(resolve, 2000));
const finalBacklog = await backlog();
await pool.close();
await target.stop();
target.cleanup();

const half = samples.filter((sample) => sample.t > SECONDS / 2);
const slope =
  half.length > 1 ? ((half.at(-1)!.rss - half[0]!.rss) / (half.at(-1)!.t - half[0]!.t)) * 60 : NaN;
const peak = Math.max(...samples.map((sample) => sample.rss));
const maxBacklog = Math.max(...samples.map((sample) => sample.backlog));
console.log(
  `\nSent ${sent} events of ${calls} calls in ${((Date.now() - started) / 1000).toFixed(0)} s, ${failed} not answered 200.`,
);
console.log(`RSS: peak ${peak.toFixed(1)} MB; over the second half ${slope.toFixed(2)} MB/min.`);
console.log(
  `Backlog: at most ${maxBacklog} events during the run, ${finalBacklog} two seconds after the last request.`,
);
console.log(`${peak <= 100 ? 'PASS' : 'FAIL'}  peak RSS ≤ 100 MB`);
console.log(`${Math.abs(slope) < 1 ? 'PASS' : 'FAIL'}  RSS flat (|slope| < 1 MB/min over the second half)`);
console.log(
  `${maxBacklog < RATE ? 'PASS' : 'FAIL'}  the projection keeps up (backlog under one second of events)`,
);
