/**
 * Live fan-out: does a room full of wallboards slow the ingest down? For each client count (default 0, then
 * 1,000), a fresh telehook is filled with the first part of a simulated call centre (about 200 calls live at once),
 * the wallboard clients connect to `/api/live` (raw sockets in a child process, reading everything), and the
 * rest of the calls are posted at a steady rate while each POST's latency is timed from the moment it was due.
 * The run with 0 clients is the baseline; the others print their ratios to it. Then a last call is posted and
 * the time until every client has read it is taken.
 *
 *   npm run bench:live [-- --clients 0,1000 --rate 100 --seconds 30 --root <another checkout>]
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { Pool } from 'undici';

import { generateScenario, simulateCallCentre } from '../src/scenarios/index.js';
import { CpuMeter, readProcessTicks, waitForQuiet } from './lib/cpu.js';
import { freePort, RssSampler, startProcess, stopProcess, waitUntilAnswering } from './lib/server-process.js';
import type { ClientAnswer, ClientQuestion } from './lib/sse-clients.js';
import { LatencyRecorder, median, percentile } from './lib/stats.js';
import { NODE_FLAGS_OF_NPM_START } from './lib/targets.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '0,1000' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '30' },
    prefill: { type: 'string', default: '6000' },
    root: { type: 'string', default: path.join(HERE, '..') },
    /** Extra node flags for the server, e.g. --cpu-prof --cpu-prof-dir=/tmp/profiles */
    'node-flags': { type: 'string', default: '' },
  },
});
const CLIENT_COUNTS = values.clients.split(',').map(Number);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const PREFILL = Number(values.prefill);
const ROOT = path.resolve(values.root);

// A busy centre: ~1.2 calls a second, 3 minutes of talk on average, 120 agents in 6 teams; played in the order
// TeleCMI sends the events, that leaves about 200 calls live at any moment.
const simulation = simulateCallCentre({
  agents: 120,
  teams: ['Sales', 'Support', 'Billing', 'Retention', 'Technical', 'Returns'],
  calls: 5000,
  arrivalPerSec: 1.2,
  meanTalkSec: 180,
  meanPatienceSec: 120,
  startAt: Date.now() - 16 * 60_000,
  seed: 15,
});
const bodies = simulation.payloads.map(({ payload }) => JSON.stringify(payload));
if (bodies.length < PREFILL + RATE * SECONDS)
  throw new Error(`the simulation has ${bodies.length} events: fewer than --prefill + rate × seconds`);

interface RunResult {
  readonly clients: number;
  readonly connected: number;
  readonly refused: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly failures: number;
  readonly peakRssMb: number;
  readonly stillOpen: number;
  readonly bytesPerClient: number;
  readonly lastCallToAllMs: number | null;
  readonly snapshotKb: number;
  readonly liveCalls: number;
  readonly byType: Record<string, { count: number; bytes: number }>;
  /** CPU the server and the clients' process used during the measured seconds, in cores (1 = one full core). */
  readonly serverCores: number;
  readonly clientCores: number;
  /** Share of the machine's CPU that other users took meanwhile, 0..1. */
  readonly otherShare: number;
}

const results: RunResult[] = [];
for (const clients of CLIENT_COUNTS) results.push(await run(clients));

// The baseline: the median of the runs without clients (repeat 0 in --clients to have several).
const baselines = results.filter((result) => result.clients === 0);
const middle = (by: (result: RunResult) => number): number =>
  baselines.length > 0 ? median(baselines.map(by)) : by(results[0]!);
const base = {
  p99: middle((result) => result.p99),
  peakRssMb: middle((result) => result.peakRssMb),
};
const mb = (value: number) => `${value.toFixed(0)} MB`;
console.log(`\nserver: ${ROOT}; ${RATE} events/s for ${SECONDS} s after ${PREFILL} events of prefill`);
console.log(
  'clients  connected  ingest p50    p99      max      non-200  peak RSS  p99 ×base  RSS ×base  kB/s/client  last call → all  snapshot  stats',
);
for (const r of results) {
  console.log(
    [
      String(r.clients).padStart(7),
      `${r.connected}${r.refused ? ` (${r.refused} refused)` : ''}`.padStart(10),
      `${r.p50.toFixed(1)} ms`.padStart(11),
      `${r.p99.toFixed(1)} ms`.padStart(9),
      `${r.max.toFixed(0)} ms`.padStart(8),
      String(r.failures).padStart(8),
      mb(r.peakRssMb).padStart(9),
      `${(r.p99 / base.p99).toFixed(2)}`.padStart(10),
      `${(r.peakRssMb / base.peakRssMb).toFixed(2)}`.padStart(10),
      (r.clients ? (r.bytesPerClient / 1024 / SECONDS).toFixed(0) : '—').padStart(12),
      (r.lastCallToAllMs === null ? '—' : `${r.lastCallToAllMs} ms`).padStart(16),
      `${r.snapshotKb.toFixed(0)} kB`.padStart(9),
      (r.byType['stats']
        ? `${(r.byType['stats'].bytes / r.byType['stats'].count / 1024).toFixed(1)} kB`
        : '—'
      ).padStart(8),
    ].join(' '),
  );
}
const most = results.reduce((a, b) => (b.clients >= a.clients ? b : a));
console.log(
  `${most.p99 < 50 && most.failures === 0 ? 'PASS' : 'FAIL'}  ingest p99 under 50 ms with ${most.clients} clients and ${most.liveCalls} calls live (${most.p99.toFixed(1)} ms)`,
);

async function run(clients: number): Promise<RunResult> {
  // A shared machine: start when others leave it nearly idle, or after two minutes anyway (and say so).
  const quiet = await waitForQuiet(120, 0.25);
  console.log(
    `${clients} clients: machine ${(quiet.busyShare * 100).toFixed(0)}% busy at the start (waited ${quiet.waitedSeconds.toFixed(0)} s)`,
  );
  const dataDir = mkdtempSync(path.join(tmpdir(), 'telehook-fanout-'));
  const port = await freePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TELEHOOK_')));
  const server = startProcess(
    [
      ...NODE_FLAGS_OF_NPM_START,
      ...values['node-flags'].split(' ').filter(Boolean),
      '--import',
      'tsx',
      path.join(ROOT, 'src/cli/main.ts'),
      'serve',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--data',
      dataDir,
    ],
    // An older tree ignores the setting; this one must let every client in.
    { ...env, TELEHOOK_LOG_LEVEL: 'warn', TELEHOOK_LIVE_MAX_CLIENTS: String(Math.max(1, clients)) },
  );
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(`${origin}/`, server);
  const tokens = JSON.parse(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8')) as {
    ingestToken: string;
    viewerToken: string;
  };
  const ingestPath = `/webhooks/telecmi/${tokens.ingestToken}`;
  const liveUrl = `${origin}/api/live?token=${tokens.viewerToken}`;
  const rss = new RssSampler(server.pid, 50);
  const pool = new Pool(origin, { connections: 16 });
  const post = async (body: string): Promise<number> => {
    const response = await pool.request({
      method: 'POST',
      path: ingestPath,
      body,
      headers: { 'content-type': 'application/json' },
    });
    await response.body.dump();
    return response.statusCode;
  };

  // The part of the day before the measurement, as fast as the server takes it.
  for (let next = 0; next < PREFILL; next += 64)
    await Promise.all(bodies.slice(next, Math.min(PREFILL, next + 64)).map(post));
  const sizes = await snapshotSize(liveUrl);

  let child: ChildProcess | null = null;
  let connected = 0;
  let refused = 0;
  const answers: ClientAnswer[] = [];
  if (clients > 0) {
    child = fork(path.join(HERE, 'lib/sse-clients.ts'), [liveUrl, String(clients)], {
      execArgv: ['--import', 'tsx'],
    });
    child.on('message', (answer: ClientAnswer) => answers.push(answer));
    const ready = await answerOf(answers, 'connected', 180_000);
    connected = ready.snapshotted;
    refused = ready.refused;
  }

  const latencies = new LatencyRecorder();
  let failures = 0;
  const cpu = new CpuMeter(server.pid);
  const childTicks = child?.pid === undefined ? null : readProcessTicks(child.pid);
  ask(child, { type: 'reset' });
  cpu.start();
  const started = performance.now();
  const pending: Promise<void>[] = [];
  const total = RATE * SECONDS;
  for (let n = 0; n < total; n += 1) {
    const dueAt = started + (n * 1000) / RATE;
    const wait = dueAt - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      post(bodies[PREFILL + n]!).then(
        (status) => {
          // From when it was due, not when it left: a stalled server must not hide its queue.
          latencies.record(performance.now() - dueAt);
          if (status !== 200) failures += 1;
        },
        () => {
          failures += 1;
        },
      ),
    );
  }
  await Promise.all(pending);
  const measuredSeconds = (performance.now() - started) / 1000;
  const used = cpu.stop();
  const clientSeconds =
    child?.pid === undefined || childTicks === null
      ? 0
      : ((readProcessTicks(child.pid) ?? childTicks) - childTicks) / 100;

  let lastCallToAllMs: number | null = null;
  let stillOpen = 0;
  let bytes = 0;
  let byType: RunResult['byType'] = {};
  if (child) {
    const last = generateScenario('incoming-abandoned', { seed: 99, startAt: Date.now() - 5000 });
    const key = String(last[0]!.payload['conversation_uuid']);
    ask(child, { type: 'marker', marker: key });
    await post(JSON.stringify(last[0]!.payload));
    const seen = await answerOf(answers, 'marker', 40_000);
    lastCallToAllMs = seen.seen === seen.open ? seen.afterMs : null;
    ask(child, { type: 'report' });
    const report = await answerOf(answers, 'report', 10_000);
    stillOpen = report.open;
    bytes = report.bytes;
    byType = report.byType;
  }
  const peak = rss.stop();
  ask(child, { type: 'exit' });
  await pool.close();
  await stopProcess(server);
  rmSync(dataDir, { recursive: true, force: true });
  const sorted = latencies.sorted();
  const result: RunResult = {
    clients,
    connected,
    refused,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    failures,
    peakRssMb: Math.max(peak.hwmBytes, peak.sampledPeakBytes) / 1024 / 1024,
    stillOpen,
    bytesPerClient: clients ? bytes / clients : 0,
    lastCallToAllMs,
    ...sizes,
    byType,
    serverCores: used.serverSeconds / measuredSeconds,
    clientCores: clientSeconds / measuredSeconds,
    otherShare: Math.max(0, used.otherShare - clientSeconds / measuredSeconds / availableParallelism()),
  };
  if (clients > 0)
    console.log(
      `what one client read: ${Object.entries(byType)
        .map(([type, { count, bytes }]) => `${count} ${type} (${(bytes / 1024).toFixed(0)} kB)`)
        .join(', ')}`,
    );
  console.log(
    `${clients} clients: ${connected} connected, ingest p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, peak RSS ${result.peakRssMb.toFixed(0)} MB, ${stillOpen} still open at the end; CPU: server ${result.serverCores.toFixed(2)} cores, clients ${result.clientCores.toFixed(2)}, others ${(result.otherShare * 100).toFixed(0)}% of the machine`,
  );
  return result;
}

function ask(child: ChildProcess | null, question: ClientQuestion): void {
  child?.send(question);
}

async function answerOf<T extends ClientAnswer['type']>(
  answers: ClientAnswer[],
  type: T,
  timeoutMs: number,
): Promise<Extract<ClientAnswer, { type: T }>> {
  const started = Date.now();
  for (;;) {
    const index = answers.findIndex((answer) => answer.type === type);
    if (index !== -1) return answers.splice(index, 1)[0] as Extract<ClientAnswer, { type: T }>;
    if (Date.now() - started > timeoutMs) throw new Error(`no "${type}" from the clients in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One wallboard's snapshot: its size and its live calls. */
async function snapshotSize(liveUrl: string): Promise<{ snapshotKb: number; liveCalls: number }> {
  const controller = new AbortController();
  const response = await fetch(liveUrl, { signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let snapshot: string | null = null;
  while (snapshot === null) {
    const read = await reader.read();
    if (read.done) break;
    buffer += decoder.decode(read.value, { stream: true });
    const block = buffer.split('\n\n').find((candidate) => candidate.includes('event: snapshot'));
    if (block !== undefined && buffer.indexOf('\n\n', buffer.indexOf('event: snapshot')) !== -1)
      snapshot = /^data: (.*)$/m.exec(block)?.[1] ?? '';
  }
  controller.abort();
  const live = snapshot === null ? [] : ((JSON.parse(snapshot) as { live?: unknown[] }).live ?? []);
  return { snapshotKb: Buffer.byteLength(snapshot ?? '') / 1024, liveCalls: live.length };
}
