/**
 * The soak: telehook (as `npm start` runs it) under a steady 2,000 events/s of realistic calls for 10 minutes.
 * Every 10 s it prints the server's resident memory and the backlogs (events not folded into calls yet); at the
 * end, the checks of issue 20: webhook-to-wallboard p95 ≤ 250 ms (each event's `event` message on the live stream,
 * from when the server received it), and after minute 2 no minute's average RSS (sampled every second) more than
 * 15% above minute 2's. `--minutes 3` is the shortest run the memory rule can judge.
 *
 *   npm run bench:soak [-- --rate 2000 --minutes 10]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { Pool } from 'undici';

import { createEventStreamParser } from '../src/cli/event-stream.js';
import { generateScenario } from '../src/scenarios/index.js';
import { minuteAverages, minuteRule, percentileOf, type RssSample } from './lib/soak-rules.js';
import { backlogIn, startTelehook } from './lib/targets.js';
import { callKinds } from './lib/workload.js';

const { values } = parseArgs({
  options: { rate: { type: 'string', default: '2000' }, minutes: { type: 'string', default: '10' } },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.minutes) * 60;
const target = await startTelehook();
const { server } = target;
const ingest = new URL(target.url);
const pool = new Pool(ingest.origin, { connections: 16 });

// The wallboard's view: the live stream, as a wallboard reads it. Each event's delay from its receipt (same clock).
const { viewerToken } = JSON.parse(readFileSync(path.join(target.dir!, 'tokens.json'), 'utf8')) as {
  viewerToken: string;
};
const delays: number[] = [];
const live = new AbortController();
const liveResponse = await fetch(`${ingest.origin}/api/live?token=${viewerToken}`, { signal: live.signal });
if (!liveResponse.ok || !liveResponse.body) throw new Error(`/api/live answered ${liveResponse.status}`);
const parser = createEventStreamParser({
  onMessage: (message) => {
    if (message.type !== 'event') return;
    const { receivedAt } = JSON.parse(message.data) as { receivedAt: number };
    delays.push(Date.now() - receivedAt);
  },
  onComment: () => undefined,
});
const reading = (async () => {
  const reader = liveResponse.body!.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.push(value);
    }
  } catch {
    // aborted at the end
  }
})();

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

// Realistic traffic: whole calls of every scenario of every product (CHUB, CHUB India, PIOPIY), interleaved.
const KINDS = callKinds();
const queue: Record<string, unknown>[] = [];
let calls = 0;
const refill = (): void => {
  while (queue.length < 5000) {
    const { name, product } = KINDS[calls % KINDS.length]!;
    const payloads = generateScenario(name, {
      product,
      seed: calls + 1,
      startAt: Date.now(),
      from:
        product === 'piopiy'
          ? `1917${String(calls).padStart(7, '0')}`
          : `4479${String(calls).padStart(8, '0')}`,
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
const rssSamples: RssSample[] = [];
let nextRss = 1;
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
  if (elapsed >= nextRss) {
    rssSamples.push({ t: elapsed, rss: rssMb() });
    nextRss += 1;
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
live.abort();
await reading;
await pool.close();
await target.stop();
target.cleanup();

const peak = Math.max(...samples.map((sample) => sample.rss));
const maxBacklog = Math.max(...samples.map((sample) => sample.backlog));
const averages = minuteAverages(rssSamples);
const rule = minuteRule(averages);
const p95 = percentileOf(delays, 95);
console.log(
  `\nSent ${sent} events of ${calls} calls in ${((Date.now() - started) / 1000).toFixed(0)} s, ${failed} not answered 200.`,
);
console.log(
  `RSS: peak ${peak.toFixed(1)} MB; minute averages ${averages.map((value) => value.toFixed(1)).join(', ')} MB.`,
);
console.log(
  `Backlog: at most ${maxBacklog} events during the run, ${finalBacklog} two seconds after the last request.`,
);
console.log(
  `Live stream: ${delays.length} event messages; from receipt to the wallboard p50 ${percentileOf(delays, 50)} ms, p95 ${p95} ms, p99 ${percentileOf(delays, 99)} ms.`,
);
const verdict = (pass: boolean | null, goal: string, measured: string): string =>
  `${pass === null ? 'n/a ' : pass ? 'PASS' : 'FAIL'}  ${goal}  ${measured}`;
console.log(
  verdict(
    delays.length === 0 ? null : p95 <= 250,
    'webhook-to-wallboard p95 ≤ 250 ms',
    `${p95} ms over ${delays.length} events`,
  ),
);
console.log(
  verdict(
    rule === null ? null : rule.pass,
    "after minute 2, no minute's average RSS > 1.15× minute 2's",
    rule === null ? 'needs 3 minutes or more' : `worst ${rule.worst.toFixed(2)}×`,
  ),
);
console.log(
  verdict(
    maxBacklog < RATE,
    'the projection keeps up (backlog under one second of events)',
    `at most ${maxBacklog}`,
  ),
);
if (failed > 0) process.exitCode = 1;
