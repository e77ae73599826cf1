import { randomUUID } from 'node:crypto';

import { expect } from 'vitest';

import type { AppSetup } from './app-setups.js';
import { openSse } from './sse-client.js';

/** The payloads' time: now (whole seconds), so that their calls are live, not closed as stale. */
export const T0 = Math.floor(Date.now() / 1000) * 1000;

/** Arrays nested `depth` levels deep, as JSON text (written without recursion). */
export const nestedJson = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

/** The same as a value: built in a loop, as JSON.parse builds it, so any depth fits. */
export function nestedValue(depth: number): unknown[] {
  let value: unknown[] = [];
  for (let level = 1; level < depth; level += 1) value = [value];
  return value;
}

/** A live event of a new inbound call (its leg id is its conversation id), optionally with `custom` as JSON text. */
export function waitingEvent(conv: string = randomUUID(), custom?: string): string {
  const payload = JSON.stringify({
    type: 'event',
    direction: 'inbound',
    cmiuuid: conv,
    conversation_uuid: conv,
    app_id: 2222223,
    from: '447000000001',
    to: '442080000100',
    status: 'waiting',
    time: T0,
  });
  return custom === undefined ? payload : `${payload.slice(0, -1)},"custom":${custom}}`;
}

/**
 * What "the product is up" means after a poisoned request: every read route answers 200 (events page by page, calls,
 * a call with its timeline, stats), and `later` (a call posted after the poison) is folded and readable.
 */
export async function expectReadsServe(setup: AppSetup, later: string): Promise<void> {
  for (let after: string | null = null, pages = 0; pages < 50; pages += 1) {
    const page = await setup.api(`/api/events?limit=2${after === null ? '' : `&after=${after}`}`);
    expect(page.statusCode, page.body.slice(0, 300)).toBe(200);
    after = page.json<{ next: string | null }>().next;
    if (after === null) break;
  }
  const calls = await setup.api('/api/calls?limit=100');
  expect(calls.statusCode, calls.body.slice(0, 300)).toBe(200);
  expect(calls.json<{ items: { key: string }[] }>().items.map((call) => call.key)).toContain(later);
  const call = await setup.api(`/api/calls/${later}`);
  expect(call.statusCode, call.body.slice(0, 300)).toBe(200);
  expect(call.json<{ timeline: unknown[] }>().timeline).toHaveLength(1);
  expect((await setup.api(`/api/stats?from=${T0 - 3600_000}&to=${T0 + 3600_000}`)).statusCode).toBe(200);
}

/** The wallboard's stream starts with its snapshot, which lists the live call `later`. */
export async function expectSnapshot(setup: AppSetup, later: string): Promise<void> {
  const address = await setup.app.listen({ port: 0, host: '127.0.0.1' });
  const live = await openSse(`${address}/api/live`, { authorization: `Bearer api-token` });
  const snapshot = await live.waitFor((message) => message.event === 'snapshot');
  const keys = (snapshot.data as { live: { key: string }[] }).live.map((call) => call.key);
  expect(keys).toContain(later);
}
