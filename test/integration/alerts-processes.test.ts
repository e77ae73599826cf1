import { randomUUID } from 'node:crypto';

import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { describe, expect, it, onTestFinished, vi } from 'vitest';

import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Store } from '../../src/store/index.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { testSchema } from '../helpers/pg-schema.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOKENS = {
  ingestToken: 'ingest-token-0123456789',
  apiToken: 'api-token-0123456789',
  viewerToken: 'viewer-token-0123456789',
};
const T0 = Date.parse('2026-12-07T10:00:00+05:30');
const MINUTE = 60_000;

/**
 * Two telehook apps on one PostgreSQL schema, each with its own store (its own pool, its own transactions), as two
 * processes behind a load balancer are; their rules are evaluated at the same moments, on one moved clock.
 */
async function startPair(): Promise<{ apps: FastifyInstance[]; stores: Store[]; set: (at: number) => void }> {
  let time = T0;
  vi.useFakeTimers({ toFake: ['Date'], now: time });
  onTestFinished(() => {
    vi.useRealTimers();
  });
  const { url } = testSchema(expect.getState().currentTestName ?? 'alerts');
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: tempDir(),
      logLevel: 'silent',
      databaseUrl: url,
      timezone: 'Asia/Kolkata',
      allowPrivateEndpoints: '1',
    },
  });
  const stores = await Promise.all([0, 1].map(() => createPostgresStore({ url, poolSize: 4 })));
  const apps = await Promise.all(
    stores.map((store) =>
      buildApp(config, {
        store,
        logger: pino({ level: 'silent' }),
        tokens: TOKENS,
        now: () => time,
        startDeliveryWorker: false,
        alertsEveryMs: null,
      }),
    ),
  );
  await Promise.all(apps.map((app) => app.ready()));
  onTestFinished(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await Promise.all(stores.map((store) => store.close()));
  });
  return {
    apps,
    stores,
    set: (at) => {
      time = at;
      vi.setSystemTime(at);
    },
  };
}

const waiting = (at: number): Record<string, unknown> => {
  const id = randomUUID();
  return {
    type: 'event',
    direction: 'inbound',
    conversation_uuid: id,
    cmiuuid: id,
    from: '440000000000',
    app_id: 2222223,
    time: at,
    status: 'waiting',
  };
};

describe('alerts with two processes on PostgreSQL', () => {
  it('sends one message per state change, whichever process sees it first', async () => {
    const { apps, stores, set } = await startPair();
    const [a, b] = apps as [FastifyInstance, FastifyInstance];
    const auth = { authorization: `Bearer ${TOKENS.apiToken}` };
    const endpoint = await a.inject({
      method: 'POST',
      url: '/api/endpoints',
      headers: auth,
      payload: { url: 'http://127.0.0.1:9/alerts', receives: 'alerts' },
    });
    expect(endpoint.statusCode).toBe(201);
    for (const rule of ['waiting', 'longest-wait', 'service-level', 'missed-not-called-back'])
      await b.inject({
        method: 'PUT',
        url: `/api/alerts/rules/${rule}`,
        headers: auth,
        payload: { enabled: false },
      });
    await b.inject({
      method: 'PUT',
      url: '/api/alerts/rules/silence',
      headers: auth,
      payload: { repeatEvery: '1h' },
    });
    const post = await a.inject({
      method: 'POST',
      url: `/webhooks/telecmi/${TOKENS.ingestToken}`,
      payload: waiting(T0),
    });
    expect(post.statusCode).toBe(200);

    const both = async (at: number): Promise<void> => {
      set(at);
      // Each evaluates several times at once: the races of one process with itself and with the other.
      await Promise.all([a, b, a, b].map((app) => app.alerts.evaluate()));
    };
    await both(T0 + 19 * MINUTE);
    await both(T0 + 21 * MINUTE); // fires
    await both(T0 + 22 * MINUTE);
    await both(T0 + 81 * MINUTE); // repeats (repeatEvery 1h)
    await both(T0 + 82 * MINUTE);
    set(T0 + 83 * MINUTE);
    const again = await b.inject({
      method: 'POST',
      url: `/webhooks/telecmi/${TOKENS.ingestToken}`,
      payload: waiting(T0 + 83 * MINUTE),
    });
    expect(again.statusCode).toBe(200);
    await both(T0 + 83 * MINUTE); // resolves
    await both(T0 + 84 * MINUTE);

    const deliveries = (await stores[0]!.listDeliveries({ limit: 100 })).items;
    expect(deliveries.map((item) => [item.type, item.idempotencyKey.replace(/^alert:al_\w+:/, '')])).toEqual([
      ['alert.fired', 'fired'],
      ['alert.fired', 'repeat:1'],
      ['alert.resolved', 'resolved'],
    ]);
    const alerts = (await stores[1]!.listAlerts({ limit: 10 })).items;
    expect(alerts).toMatchObject([{ rule: 'silence', state: 'resolved', repeats: 1 }]);
  });
});
