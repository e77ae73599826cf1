import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { hasBrowser, launchBrowser, openPage, screenshot } from '../helpers/browser.js';
import { startHttpSink } from '../helpers/http-sink.js';
import { startServer } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const canRun = hasBrowser();
const WAIT = { timeout: 30_000 };

interface AlertMessage {
  type: string;
  data: { id: string; rule: string; state: string; summary: string };
}

const waiting = (): Record<string, unknown> => {
  const id = randomUUID();
  return {
    type: 'event',
    direction: 'inbound',
    conversation_uuid: id,
    cmiuuid: id,
    from: '440000000000',
    to: '440000000001',
    app_id: 2222223,
    time: Date.now(),
    status: 'waiting',
  };
};

async function until<T>(what: string, read: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!canRun)('alerts through the real server, a local sink and the wallboard', () => {
  it('fires waiting when callers pile up, fires silence and resolves it when an event arrives, once each', async () => {
    const dataDir = tempDir();
    const sink = await startHttpSink();
    const server = await startServer(dataDir, [], {
      TELEHOOK_BUSINESS_HOURS: 'Mon-Sun 00:00-24:00',
      TELEHOOK_ALERTS_EVERY: '200ms',
      TELEHOOK_ALLOW_PRIVATE_ENDPOINTS: '1',
    });
    const api = async (method: string, url: string, body?: unknown): Promise<unknown> => {
      const response = await fetch(`${server.url}${url}`, {
        method,
        headers: { authorization: `Bearer ${server.apiToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(response.status, `${method} ${url}`).toBeLessThan(300);
      return response.json();
    };
    const send = async (payloads: Record<string, unknown>[]): Promise<void> => {
      for (const payload of payloads) {
        const response = await fetch(server.ingestUrl, { method: 'POST', body: JSON.stringify(payload) });
        expect(response.status).toBe(200);
      }
    };
    await api('POST', '/api/endpoints', { url: sink.url, receives: 'alerts' });
    for (const rule of ['longest-wait', 'service-level', 'missed-not-called-back'])
      await api('PUT', `/api/alerts/rules/${rule}`, { enabled: false });
    await api('PUT', '/api/alerts/rules/waiting', { threshold: 3, for: '0s' });
    await api('PUT', '/api/alerts/rules/silence', { threshold: '1h' });
    const messages = (): AlertMessage[] =>
      sink.requests.map((request) => JSON.parse(request.body.toString()) as AlertMessage);
    const find = (type: string, rule: string) =>
      messages().find((message) => message.type === type && message.data.rule === rule);

    const { viewerToken } = JSON.parse(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8')) as {
      viewerToken: string;
    };
    const browser = await launchBrowser();
    const { page, errors } = await openPage(browser, `${server.url}/?token=${viewerToken}`);
    await page.locator('#updated').filter({ hasText: 'updated' }).waitFor(WAIT);
    expect(await page.locator('#alerts').isHidden()).toBe(true);

    await send([waiting(), waiting()]);
    await send([waiting()]);
    const fired = await until('waiting to fire', () => find('alert.fired', 'waiting'));
    expect(fired.data).toMatchObject({ state: 'firing', summary: '3 callers waiting (alert at 3)' });
    await page.locator('#alerts').filter({ hasText: '3 callers waiting (alert at 3)' }).waitFor(WAIT);

    await api('PUT', '/api/alerts/rules/silence', { threshold: '1s' });
    await until('silence to fire', () => find('alert.fired', 'silence'));
    await page
      .locator('#alerts')
      .filter({ hasText: /no events from TeleCMI for \d+ min/ })
      .waitFor(WAIT);
    await screenshot(page, 'wallboard-alerts');
    // No more silences while the last checks run.
    await api('PUT', '/api/alerts/rules/silence', { threshold: '1h' });
    await send([waiting()]);
    const resolved = await until('silence to resolve', () => find('alert.resolved', 'silence'));
    expect(resolved.data.state).toBe('resolved');
    await page
      .locator('#alerts')
      .filter({ hasNotText: /no events from TeleCMI/ })
      .waitFor(WAIT);

    const firing = (await api('GET', '/api/alerts?state=firing')) as { items: { rule: string }[] };
    expect(firing.items.map((item) => item.rule)).toEqual(['waiting']);
    // One message per change: each alert fired once and resolved at most once.
    const counts = new Map<string, number>();
    for (const message of messages()) {
      const key = `${message.type} ${message.data.id}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(
      [...counts.values()].every((count) => count === 1),
      JSON.stringify([...counts]),
    ).toBe(true);
    expect(sink.requests.every((request) => typeof request.headers['webhook-signature'] === 'string')).toBe(
      true,
    );
    expect(errors).toEqual([]);
  });
});
