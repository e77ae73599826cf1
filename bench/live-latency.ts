/**
 * Wallboard latency: plays calls at a steady rate (default 50 events/s) against a real server and measures, inside
 * a real browser (Debian's Chromium), the time from each POST's 200 to the DOM showing it: a waiting caller
 * appearing in the queue, and leaving it when answered or hung up.
 *
 *   npm run bench:live:dom [-- --rate 50 --seconds 60]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { chromium } from 'playwright-core';
import { Pool } from 'undici';

import { generateScenario, type ScheduledPayload } from '../src/scenarios/index.js';

const { values } = parseArgs({
  options: { rate: { type: 'string', default: '50' }, seconds: { type: 'string', default: '60' } },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);

const dataDir = mkdtempSync(path.join(tmpdir(), 'telehook-latency-'));
const server = spawn(
  process.execPath,
  ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir],
  {
    env: { ...process.env, TELEHOOK_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let output = '';
server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
while (!/Ingest URL:\s+(\S+)/.test(output)) await new Promise((resolve) => setTimeout(resolve, 50));
// The banner masks the tokens off a terminal: they are read where the server keeps them.
const tokens = JSON.parse(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8')) as {
  ingestToken: string;
  viewerToken: string;
};
const ingestUrl = new URL(
  `/webhooks/telecmi/${tokens.ingestToken}`,
  new URL(/Ingest URL:\s+(\S+)/.exec(output)![1]!).origin,
);

const browser = await chromium.launch({
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
// Record, in the page, when each queue row appears and leaves.
await page.addInitScript(() => {
  const marks: { key: string; type: string; t: number }[] = [];
  (window as unknown as { __marks: typeof marks }).__marks = marks;
  const seen = new Set<string>();
  const observer = new MutationObserver(() => {
    const now = Date.now();
    const present = new Set<string>();
    for (const row of document.querySelectorAll('#queue tr[data-key]'))
      present.add(row.getAttribute('data-key')!);
    for (const key of present) if (!seen.has(key)) marks.push({ key, type: 'appear', t: now });
    for (const key of seen) if (!present.has(key)) marks.push({ key, type: 'leave', t: now });
    seen.clear();
    for (const key of present) seen.add(key);
  });
  document.addEventListener('DOMContentLoaded', () =>
    observer.observe(document.body, { childList: true, subtree: true, characterData: true }),
  );
});
await page.goto(`${ingestUrl.origin}/?token=${tokens.viewerToken}`);
await page.locator('#updated').filter({ hasText: 'updated' }).waitFor({ timeout: 20_000 });

/** Calls whose waiting caller appears and then leaves the queue: answered, abandoned, rung then answered. */
const scenarios = ['incoming-answered', 'incoming-abandoned', 'incoming-agent-no-answer'] as const;
const pool = new Pool(ingestUrl.origin, { connections: 8 });
const acks = new Map<
  string,
  { waiting?: number; leave?: number; waitingSent?: number; leaveSent?: number }
>();
const total = RATE * SECONDS;
let sent = 0;
let calls = 0;
let failures = 0;
const queues: ScheduledPayload[][] = [];
const started = Date.now();
const pending: Promise<void>[] = [];

while (sent < total) {
  if (queues.length < 8) {
    queues.push(
      generateScenario(scenarios[calls % scenarios.length]!, {
        seed: calls + 1,
        startAt: Date.now(),
        from: `4477${String(calls).padStart(8, '0')}`,
      }),
    );
    calls += 1;
  }
  const queue = queues[sent % queues.length]!;
  const next = queue.shift()!;
  if (queue.length === 0) queues.splice(queues.indexOf(queue), 1);
  const key = (next.payload['conversation_uuid'] ?? next.payload['cmiuuid']) as string;
  const status = typeof next.payload['status'] === 'string' ? next.payload['status'] : '';
  const isLeg = next.payload['leg'] === 'b';
  const dueAt = started + (sent * 1000) / RATE;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt - Date.now())));
  const sentAt = Date.now();
  pending.push(
    pool
      .request({
        method: 'POST',
        path: ingestUrl.pathname,
        body: JSON.stringify(next.payload),
        headers: { 'content-type': 'application/json' },
      })
      .then(async (response) => {
        const at = Date.now();
        await response.body.dump();
        if (response.statusCode !== 200) failures += 1;
        const entry = acks.get(key) ?? {};
        if (status === 'waiting') {
          entry.waiting = at;
          entry.waitingSent = sentAt;
        }
        // The caller leaves the queue when the caller's leg is answered or hangs up.
        if (!isLeg && (status === 'answered' || status === 'hangup') && entry.leave === undefined) {
          entry.leave = at;
          entry.leaveSent = sentAt;
        }
        acks.set(key, entry);
      }),
  );
  sent += 1;
}
await Promise.all(pending);
await page.waitForTimeout(2000);
const marks = await page.evaluate(
  () => (window as unknown as { __marks: { key: string; type: string; t: number }[] }).__marks,
);
await browser.close();
await pool.close();
server.kill('SIGTERM');
rmSync(dataDir, { recursive: true, force: true });

const latencies: number[] = [];
const fromSend: number[] = [];
let missing = 0;
for (const [key, ack] of acks) {
  for (const type of ['appear', 'leave'] as const) {
    const acked = type === 'appear' ? ack.waiting : ack.leave;
    const sentAt = type === 'appear' ? ack.waitingSent : ack.leaveSent;
    if (acked === undefined || sentAt === undefined) continue;
    const mark = marks.find((candidate) => candidate.key === key && candidate.type === type);
    if (!mark) missing += 1;
    else {
      // The page can show a call before the load generator has read the 200 (both follow the same commit).
      latencies.push(Math.max(0, mark.t - acked));
      fromSend.push(mark.t - sentAt);
    }
  }
}
latencies.sort((a, b) => a - b);
fromSend.sort((a, b) => a - b);
const quantile = (list: number[], q: number) =>
  list[Math.min(list.length - 1, Math.floor(q * list.length))] ?? NaN;
const at = (q: number) => quantile(latencies, q);
const seconds = (Date.now() - started) / 1000;
console.log(
  `Played ${sent} events of ${calls} calls in ${seconds.toFixed(1)} s (${(sent / seconds).toFixed(1)} events/s), ${failures} non-200`,
);
console.log(
  `Measured ${latencies.length} DOM changes (queue appear + leave); ${missing} expected changes never seen`,
);
console.log(
  `POST 200 → DOM: p50 ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, p99 ${at(0.99).toFixed(0)} ms, max ${latencies.at(-1)?.toFixed(0)} ms`,
);
console.log(
  `POST sent → DOM (includes the request and the commit): p50 ${quantile(fromSend, 0.5).toFixed(0)} ms, p95 ${quantile(fromSend, 0.95).toFixed(0)} ms, p99 ${quantile(fromSend, 0.99).toFixed(0)} ms`,
);
console.log(`${at(0.95) < 250 ? 'PASS' : 'FAIL'}  p95 under 250 ms`);
