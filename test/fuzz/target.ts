import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';

import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { openApp } from '../../src/open-app.js';
import type { Tokens } from './requests.js';

/** A URL whose connections work in `schema` (as test/helpers/pg-schema.ts, which needs Vitest). */
function urlWithSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

export const FUZZ_TOKENS: Tokens = {
  ingestToken: 'ingest-token',
  apiToken: 'api-token',
  viewerToken: 'viewer-token',
};

export interface FuzzTarget {
  readonly port: number;
  readonly tokens: Tokens;
  /** What it runs on, for the report. */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * A listening telehook as `telehook serve` runs it, for `npm run fuzz`: SQLite in a temporary directory with the
 * fold thread, or PostgreSQL in a new schema of `databaseUrl` (dropped at close). The delivery worker is
 * off: endpoints the run registers are never called.
 */
export async function startTarget(options: { databaseUrl?: string } = {}): Promise<FuzzTarget> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'telehook-fuzz-'));
  const schema = `fuzz_${randomBytes(4).toString('hex')}`;
  const databaseUrl = options.databaseUrl === undefined ? null : urlWithSchema(options.databaseUrl, schema);
  const config = loadConfig({
    env: {},
    overrides: { dataDir: dir, logLevel: 'silent', ...(databaseUrl === null ? {} : { databaseUrl }) },
  });
  const logger = createLogger(config);
  const opened = await openApp(config, { logger, tokens: FUZZ_TOKENS, startDeliveryWorker: false });
  const { app } = opened;
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as net.AddressInfo).port;
  return {
    port,
    tokens: FUZZ_TOKENS,
    description: opened.description,
    async close() {
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
      if (options.databaseUrl !== undefined) {
        const client = new pg.Client({ connectionString: options.databaseUrl });
        await client.connect();
        try {
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        } finally {
          await client.end();
        }
      }
    },
  };
}
