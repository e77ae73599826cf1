/**
 * Forwarding speed, in one run:
 *  1. deliveries per second: the worker sends N queued deliveries (different calls, so in parallel) to a local sink
 *     that answers 204 at once, through the real store, signing and HTTP client;
 *  2. ingest throughput of `telehook serve` (autocannon) with no endpoint, then with a dead endpoint (it accepts
 *     connections and never answers) that receives every event: a dead endpoint must not slow the ingest.
 *
 *   npm run bench:delivery [-- --deliveries 10000 --duration 10 --connections 50]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import pino from 'pino';

import { createDeliveryWorker, createSender, generateSecret } from '../src/delivery/index.js';
import type { Endpoint, NewDelivery } from '../src/store/index.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { BodyCursor, runLoad } from './lib/load.js';
import { buildBodies, loadFixtures } from './lib/payloads.js';
import { formatRate } from './lib/report.js';
import { NODE_FLAGS_OF_NPM_START, ROOT } from './lib/targets.js';

const { values } = parseArgs({
  options: {
    deliveries: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
  },
});
const DELIVERIES = Number(values.deliveries);
const SECONDS = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const MAIN = path.join(ROOT, 'dist/cli/main.js');
const scratch = mkdtempSync(path.join(tmpdir(), 'telehook-bench-delivery-'));

/** A sink in its own process (the worker's process should not also pay for the receiving side). */
async function startSink(): Promise<{ url: string; stop: () => void }> {
  const code = `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => { s.writeHead(204); s.end(); }); })
    .listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) =>
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())),
  );
  return { url: `http://127.0.0.1:${port}/hook`, stop: () => child.kill() };
}

async function measureDeliveries(): Promise<number> {
  const sink = await startSink();
  const store = createSqliteStore({ file: path.join(scratch, 'deliveries.db') });
  const now = Date.now();
  const endpoint: Endpoint = {
    id: 'ep_bench',
    url: sink.url,
    description: null,
    receives: 'calls',
    format: 'json',
    filter: {},
    rateLimit: null,
    timeoutMs: 15_000,
    enabled: true,
    disabledReason: null,
    disabledAt: null,
    secret: generateSecret(),
    previousSecret: null,
    previousSecretExpiresAt: null,
    failingSince: null,
    createdAt: now,
    updatedAt: now,
  };
  await store.createEndpoint(endpoint);
  const payload = JSON.stringify({
    type: 'call.missed',
    timestamp: new Date(now).toISOString(),
    data: { from: '919876543210', waitedSec: 47 },
  });
  const deliveries: NewDelivery[] = [];
  for (let index = 0; index < DELIVERIES; index += 1)
    deliveries.push({
      id: `msg_${String(index).padStart(8, '0')}`,
      endpointId: endpoint.id,
      idempotencyKey: `call:${index}`,
      orderKey: `call-${index}`,
      type: 'call.missed',
      payload,
      createdAt: now,
    });
  for (let index = 0; index < deliveries.length; index += 1000)
    await store.enqueueDeliveries(deliveries.slice(index, index + 1000));
  const worker = createDeliveryWorker({
    store,
    sender: createSender({ allowPrivate: true }),
    logger: pino({ level: 'silent' }),
    now: Date.now,
    workerId: 'bench',
    schedule: [0, 5000],
    disableAfterMs: 5 * 86_400_000,
    perEndpoint: 64,
  });
  const started = performance.now();
  const sent = await worker.runDue();
  const seconds = (performance.now() - started) / 1000;
  const delivered = await store.countDeliveries({ status: 'delivered' });
  await worker.stop();
  await store.close();
  sink.stop();
  if (delivered !== DELIVERIES || sent !== DELIVERIES)
    throw new Error(`delivered ${delivered} of ${DELIVERIES} (${sent} attempts)`);
  return DELIVERIES / seconds;
}

/** A TCP server that accepts connections and never answers: a dead endpoint, as bad as it gets. */
async function startDeadEndpoint(): Promise<{ url: string; stop: () => void }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}/dead`,
    stop: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

async function measureIngest(
  deadEndpoint: string | null,
): Promise<{ rps: number; p99: number; pending: number }> {
  const dir = mkdtempSync(path.join(scratch, 'serve-'));
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TELEHOOK_'))),
    TELEHOOK_ALLOW_PRIVATE_ENDPOINTS: '1',
    TELEHOOK_LOG_LEVEL: 'warn',
  };
  const server = spawn(
    process.execPath,
    [...NODE_FLAGS_OF_NPM_START, MAIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--data', dir],
    {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  try {
    const serverFile = path.join(dir, 'server.json');
    while (!existsSync(serverFile)) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const info = JSON.parse(readFileSync(serverFile, 'utf8')) as { url: string; ingestUrl: string };
    const tokens = JSON.parse(readFileSync(path.join(dir, 'tokens.json'), 'utf8')) as { apiToken: string };
    const api = (route: string, init: RequestInit = {}) =>
      fetch(`${info.url}${route}`, {
        ...init,
        headers: { authorization: `Bearer ${tokens.apiToken}`, 'content-type': 'application/json' },
      });
    if (deadEndpoint !== null) {
      const created = await api('/api/endpoints', {
        method: 'POST',
        body: JSON.stringify({ url: deadEndpoint, receives: 'events', timeoutMs: 15_000 }),
      });
      if (created.status !== 201) throw new Error(`endpoint not created: ${await created.text()}`);
    }
    const cursor = new BodyCursor(buildBodies(loadFixtures(), 200_000));
    await runLoad({ url: info.ingestUrl, connections: CONNECTIONS, seconds: 2, cursor });
    const result = await runLoad({ url: info.ingestUrl, connections: CONNECTIONS, seconds: SECONDS, cursor });
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`ingest failed: ${JSON.stringify(result.statusCodes)}`);
    const pending =
      deadEndpoint === null
        ? 0
        : ((await (await api('/api/deliveries?status=pending&limit=1')).json()) as { total: number }).total;
    return { rps: result.requestsPerSecond, p99: result.p99Ms, pending };
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
}

try {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first`);
  const perSecond = await measureDeliveries();
  console.log(`deliveries: ${DELIVERIES} to a local sink at ${formatRate(perSecond)}/s`);
  const dead = await startDeadEndpoint();
  const without = await measureIngest(null);
  console.log(`ingest, no endpoint: ${formatRate(without.rps)} req/s, p99 ${without.p99.toFixed(1)} ms`);
  const withDead = await measureIngest(dead.url);
  console.log(
    `ingest, a dead endpoint receiving every event: ${formatRate(withDead.rps)} req/s, p99 ${withDead.p99.toFixed(1)} ms ` +
      `(${withDead.pending} deliveries queued for it)`,
  );
  dead.stop();
  const change = (withDead.rps - without.rps) / without.rps;
  console.log(`difference: ${(change * 100).toFixed(1)}% (${CONNECTIONS} connections, ${SECONDS} s each)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
