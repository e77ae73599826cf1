import { randomUUID } from 'node:crypto';

import { Pool } from 'undici';
import { describe, expect, it } from 'vitest';

import type { Call, StoredEvent } from '../../src/store/index.js';
import { agentSummary, callFlows } from '../helpers/call-flows.js';
import { loadFixtures } from '../helpers/fixtures.js';
import { startHttpSink } from '../helpers/http-sink.js';
import { testSchema } from '../helpers/pg-schema.js';
import { type ServerProcess, startServer } from '../helpers/server-process.js';
import { openSse } from '../helpers/sse-client.js';
import { tempDir } from '../helpers/temp-dir.js';

// Calls of half an hour ago: recent enough that no process's stale sweep closes them during the test.
const T0 = Math.floor(Date.now() / 1000) * 1000 - 30 * 60_000;

/** Two telehook processes on one PostgreSQL schema, as behind a load balancer. */
async function startPair(name: string): Promise<[ServerProcess, ServerProcess]> {
  const { url } = testSchema(name);
  const env = {
    TELEHOOK_DATABASE_URL: url,
    TELEHOOK_DATABASE_POOL_SIZE: '4',
    // The notification sink of the test listens on 127.0.0.1.
    TELEHOOK_ALLOW_PRIVATE_ENDPOINTS: '1',
  };
  // One after the other would work too: they migrate once either way (advisory lock).
  const [a, b] = await Promise.all([startServer(tempDir(), [], env), startServer(tempDir(), [], env)]);
  return [a, b];
}

const auth = (server: ServerProcess) => ({ authorization: `Bearer ${server.apiToken}` });

async function post(server: ServerProcess, payload: Record<string, unknown> | Buffer): Promise<string> {
  const response = await fetch(server.ingestUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: Buffer.isBuffer(payload) ? new Uint8Array(payload) : JSON.stringify(payload),
  });
  const body = (await response.json()) as { ok: boolean; id: string };
  expect(response.status).toBe(200);
  return body.id;
}

async function getCall(server: ServerProcess, key: string): Promise<Call | null> {
  const response = await fetch(`${server.url}/api/calls/${encodeURIComponent(key)}`, {
    headers: auth(server),
  });
  return response.ok ? ((await response.json()) as Call) : null;
}

/** Waits until `check` passes (it throws until then), or fails with its last error after `ms`. */
async function eventually(check: () => Promise<void>, ms = 15_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() - started > ms) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Fixture bodies with fresh identifiers, so that each is a distinct event. */
function freshPayloads(count: number): Buffer[] {
  const fixtures = loadFixtures().filter((fixture) => typeof fixture.payload['cmiuuid'] === 'string');
  return Array.from({ length: count }, (_, n) => {
    const fixture = fixtures[n % fixtures.length]!;
    const id = randomUUID();
    return Buffer.from(
      JSON.stringify({ ...fixture.payload, cmiuuid: id, conversation_uuid: id, time: 1_700_000_000_000 + n }),
    );
  });
}

describe('several telehook processes on one PostgreSQL', () => {
  it('gets every call right and shows every change on both live streams, whichever process received it', async () => {
    const [a, b] = await startPair('multi-process calls');
    const streams = await Promise.all(
      [a, b].map((server) => openSse(`${server.url}/api/live`, auth(server))),
    );
    await Promise.all(streams.map((stream) => stream.waitFor((message) => message.event === 'snapshot')));

    // An event received by one process reaches the wallboard connected to the other, both ways: the receiving
    // process folds it within milliseconds, and the other's poll folds only what nobody folded, so what brings it
    // there is the fold's NOTIFY. How fast is for the benchmarks: a wall-clock bound here failed under load.
    for (const [n, payload] of freshPayloads(8).entries()) {
      const [to, other] = n % 2 === 0 ? [a, streams[1]!] : [b, streams[0]!];
      const id = await post(to, payload);
      const seen = await other.waitFor(
        (message) => message.event === 'event' && (message.data as { id: string }).id === id,
      );
      expect((seen.data as { id: string }).id).toBe(id);
    }

    // A CRM endpoint that wants one notification per call, added through one process: both deliver to it.
    const sink = await startHttpSink();
    const added = await fetch(`${a.url}/api/endpoints`, {
      method: 'POST',
      headers: { ...auth(a), 'content-type': 'application/json' },
      body: JSON.stringify({ url: sink.url, receives: 'calls' }),
    });
    expect(added.status, await added.clone().text()).toBe(201);

    // Every flow from its own caller; each flow's payloads in order, alternately into A and B, flows at once.
    const flows = callFlows(T0).map(
      (_, index) => callFlows(T0, `44990000${String(index).padStart(4, '0')}`)[index]!,
    );
    const ids = new Set<string>();
    await Promise.all(
      flows.map(async (flow, index) => {
        for (const [n, payload] of flow.payloads.entries())
          ids.add(await post((n + index) % 2 === 0 ? a : b, payload));
      }),
    );

    for (const server of [a, b]) {
      await eventually(async () => {
        for (const flow of flows) {
          const call = await getCall(server, flow.expected['key'] as string);
          const { agentSummary: agents, ...fields } = flow.expected as { agentSummary?: string[] };
          expect(call, `${flow.name} on ${server.url}`).toMatchObject(fields);
          if (agents) expect(agentSummary(call!.agents)).toEqual(agents);
        }
      });
    }
    const listed = (await (await fetch(`${b.url}/api/calls?limit=1000`, { headers: auth(b) })).json()) as {
      items: Call[];
    };
    expect(listed.items.map((call) => call.key).sort()).toEqual(
      [...flows.map((flow) => flow.expected['key'] as string), ...listed.items.map((call) => call.key)]
        .filter((key, index, keys) => keys.indexOf(key) === index)
        .sort(),
    );

    // Each call whose outcome is final was notified exactly once, whichever process folded it and sent it.
    const flowKeys = new Set(flows.map((flow) => flow.expected['key'] as string));
    const finalKeys = listed.items
      .filter((call) => flowKeys.has(call.key) && !call.legOnly && call.closedBy === 'cdr')
      .map((call) => call.key)
      .sort();
    expect(finalKeys.length).toBeGreaterThan(0);
    const notified = () =>
      sink.requests.map((request) => (JSON.parse(request.body.toString('utf8')) as { data: Call }).data.key);
    const ofFlows = () => notified().filter((key) => flowKeys.has(key));
    await eventually(async () => expect([...new Set(ofFlows())].sort()).toEqual(finalKeys));
    // A moment more for a second delivery to show up, were there one.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(ofFlows().sort()).toEqual(finalKeys);
    expect(notified().length).toBe(new Set(notified()).size);
    expect(new Set(sink.requests.map((request) => request.headers['webhook-id'])).size).toBe(
      sink.requests.length,
    );

    // Both wallboards saw every event, and each call in its final state.
    for (const stream of streams) {
      await eventually(async () => {
        const seen = new Set(
          stream.messages.filter((m) => m.event === 'event').map((m) => (m.data as { id: string }).id),
        );
        expect([...ids].filter((id) => !seen.has(id))).toEqual([]);
        for (const flow of flows) {
          const last = stream.messages
            .filter((m) => m.event === 'call' && (m.data as Call).key === flow.expected['key'])
            .at(-1);
          expect(last?.data, flow.name).toMatchObject({ state: flow.expected['state'] ?? 'ended' });
        }
      }, 5000);
    }
    // Each event once per stream: a process does not also relay what it published itself.
    for (const stream of streams) {
      const events = stream.messages
        .filter((m) => m.event === 'event')
        .map((m) => (m.data as { id: string }).id);
      expect(events.length).toBe(new Set(events).size);
    }
  });

  it('loses no acknowledged event when one of two processes is SIGKILLed under load', async () => {
    const [a, b] = await startPair('multi-process sigkill');
    const TOTAL = 1600;
    const payloads = freshPayloads(TOTAL);
    const acked = new Map<number, string>();
    let failed = 0;
    let next = 0;
    let killed = false;
    const pools = [a, b].map((server) => new Pool(server.url, { connections: 16 }));
    const worker = async (): Promise<void> => {
      while (next < payloads.length) {
        const index = next++;
        const server = index % 2 === 0 ? a : b;
        try {
          const response = await pools[index % 2]!.request({
            method: 'POST',
            path: new URL(server.ingestUrl).pathname,
            body: payloads[index],
            headers: { 'content-type': 'application/json' },
          });
          const body = (await response.body.json()) as { ok: boolean; id: string };
          if (response.statusCode === 200 && body.ok) acked.set(index, body.id);
          else failed += 1;
        } catch {
          failed += 1;
        }
        if (!killed && acked.size >= TOTAL / 3) {
          killed = true;
          a.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    await Promise.all(pools.map((pool) => pool.destroy()));
    expect((await a.exited).signal).toBe('SIGKILL');
    expect(failed).toBeGreaterThan(0);
    expect(acked.size + failed).toBe(TOTAL);

    // Everything acknowledged by either process is in the database, once, byte for byte.
    const stored = new Map<string, StoredEvent>();
    let after: string | null = null;
    do {
      const response = await fetch(`${b.url}/api/events?limit=1000${after ? `&after=${after}` : ''}`, {
        headers: auth(b),
      });
      const page = (await response.json()) as { items: StoredEvent[]; next: string | null };
      for (const event of page.items) stored.set(event.id, event);
      after = page.next;
    } while (after !== null);
    for (const [index, id] of acked) {
      const event = stored.get(id);
      expect(event, `acknowledged event ${id} is missing`).toBeDefined();
      expect(Buffer.from(event!.raw, 'utf8').equals(payloads[index]!)).toBe(true);
    }
    // And the survivor folds what the killed process stored but had not folded.
    await eventually(async () => {
      const metrics = await (await fetch(`${b.url}/metrics`)).text();
      expect(metrics).toMatch(/^telehook_projection_backlog_events 0$/m);
      // A loaded CI machine folds the survivor's backlog slowly; what matters is that it reaches 0.
    }, 60_000);
    b.child.kill('SIGTERM');
    expect((await b.exited).code).toBe(0);
  }, 180_000);
});
