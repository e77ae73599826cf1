import { randomUUID } from 'node:crypto';

import { Pool } from 'undici';
import { describe, expect, it } from 'vitest';

import type { StoredEvent } from '../../src/store/index.js';
import { loadFixtures } from '../helpers/fixtures.js';
import { startServer } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOTAL = 3000;
const KILL_AFTER = 1200;
const CONNECTIONS = 50;

/** Fixture bodies with fresh identifiers, so that each is a distinct event (dedupe must not short-cut them). */
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

async function readAll(url: string, apiToken: string): Promise<StoredEvent[]> {
  const items: StoredEvent[] = [];
  let after: string | null = null;
  do {
    const response = await fetch(`${url}/api/events?limit=1000${after ? `&after=${after}` : ''}`, {
      headers: { authorization: `Bearer ${apiToken}` },
    });
    const page = (await response.json()) as { items: StoredEvent[]; next: string | null };
    items.push(...page.items);
    after = page.next;
  } while (after !== null);
  return items;
}

describe('durability under SIGKILL', () => {
  it('keeps every acknowledged event, byte for byte and exactly once, when the server is killed under load', async () => {
    const dataDir = tempDir();
    const server = await startServer(dataDir);
    const path = new URL(server.ingestUrl).pathname;
    const payloads = freshPayloads(TOTAL);
    const acked = new Map<number, string>();
    let failed = 0;
    let next = 0;
    let killed = false;
    const pool = new Pool(server.url, { connections: CONNECTIONS });

    const worker = async (): Promise<void> => {
      while (next < payloads.length) {
        const index = next++;
        try {
          const response = await pool.request({
            method: 'POST',
            path,
            body: payloads[index],
            headers: { 'content-type': 'application/json' },
          });
          const body = (await response.body.json()) as { ok: boolean; id: string };
          if (response.statusCode === 200 && body.ok) acked.set(index, body.id);
          else failed += 1;
        } catch {
          failed += 1;
        }
        if (!killed && acked.size >= KILL_AFTER) {
          killed = true;
          server.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
    await pool.destroy();
    expect((await server.exited).signal).toBe('SIGKILL');
    expect(acked.size + failed).toBe(TOTAL);
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(failed).toBeGreaterThan(0);

    const restarted = await startServer(dataDir);
    const stored = await readAll(restarted.url, restarted.apiToken);
    const byId = new Map(stored.map((event) => [event.id, event]));
    expect(byId.size).toBe(stored.length);
    const raws = new Set(stored.map((event) => event.raw));
    expect(raws.size).toBe(stored.length);
    for (const [index, id] of acked) {
      const event = byId.get(id);
      expect(event, `acknowledged event ${id} is missing`).toBeDefined();
      expect(Buffer.from(event!.raw, 'utf8').equals(payloads[index]!)).toBe(true);
    }
    // Unacknowledged events may or may not have been committed, but never twice: a resend is a duplicate.
    const resend = await fetch(restarted.ingestUrl, {
      method: 'POST',
      body: new Uint8Array(payloads[[...acked.keys()][0]!]!),
    });
    expect(await resend.json()).toMatchObject({
      ok: true,
      duplicate: true,
      id: acked.get([...acked.keys()][0]!),
    });
    restarted.child.kill('SIGTERM');
    expect((await restarted.exited).code).toBe(0);
  });
});
