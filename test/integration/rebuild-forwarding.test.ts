import pino from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';

import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Store } from '../../src/store/index.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { callFlows } from '../helpers/call-flows.js';
import { startHttpSink } from '../helpers/http-sink.js';
import { testSchema } from '../helpers/pg-schema.js';
import { tempDir } from '../helpers/temp-dir.js';

const tokens = { ingestToken: 'ingest-token', apiToken: 'api-token', viewerToken: 'viewer-token' };
const auth = { authorization: `Bearer ${tokens.apiToken}` };
const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);

const stores: Record<string, (name: string) => Promise<Store>> = {
  sqlite: async () => createSqliteStore({ file: `${tempDir()}/telehook.db` }),
  postgres: async (name) => createPostgresStore({ url: testSchema(name).url, poolSize: 4 }),
};

describe.each(Object.keys(stores))('rebuilding the calls (%s)', (backend) => {
  it('forwards nothing received before the endpoint existed, and what arrives after it', async () => {
    const store = await stores[backend]!(`rebuild-forwarding-${backend}`);
    const config = loadConfig({
      env: {},
      overrides: { dataDir: tempDir(), logLevel: 'silent', allowPrivateEndpoints: '1' },
    });
    const app = await buildApp(config, {
      store,
      logger: pino({ level: 'silent' }),
      tokens,
      startDeliveryWorker: false,
    });
    await app.ready();
    onTestFinished(async () => {
      await app.close();
      await store.close();
    });
    const ingest = async (payloads: readonly Record<string, unknown>[]): Promise<void> => {
      for (const payload of payloads) {
        const answer = await app.inject({
          method: 'POST',
          url: `/webhooks/telecmi/${tokens.ingestToken}`,
          payload,
        });
        expect(answer.statusCode).toBeLessThan(300);
      }
      await app.projection.settled();
      await app.delivery.scheduler.settled();
    };

    await ingest(callFlows(T0).flatMap((flow) => flow.payloads));
    const sink = await startHttpSink();
    for (const receives of ['events', 'calls']) {
      const answer = await app.inject({
        method: 'POST',
        url: '/api/endpoints',
        headers: auth,
        payload: { url: sink.url, receives },
      });
      expect(answer.statusCode, answer.body).toBe(201);
    }
    await app.delivery.scheduler.settled();
    const rebuilt = await app.inject({ method: 'POST', url: '/api/rebuild', headers: auth });
    expect(rebuilt.statusCode, rebuilt.body).toBe(200);
    await app.delivery.scheduler.settled();
    expect(await store.countDeliveries({})).toBe(0);

    const [flow] = callFlows(T0 + 3_600_000);
    await ingest(flow!.payloads);
    expect(await store.countDeliveries({})).toBeGreaterThan(0);
  });
});
