import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

import { exportStream, toCallFilter } from '../../api/index.js';
import { type Config, ConfigError, loadConfig } from '../../config.js';
import { AppError } from '../../errors.js';
import { createLogger } from '../../logger.js';
import { openStore } from '../../open-app.js';
import { configSourcesFrom } from '../config-options.js';
import { readApiToken, readRunningServer } from '../server-info.js';

const SETTINGS_USED: (keyof Config)[] = ['dataDir', 'databaseUrl', 'staleCallAfterMs'];
const FILTERS = ['from', 'to', 'outcome', 'state', 'direction', 'team', 'agent', 'number'] as const;

/** Counts exported records (lines) as they pass, and shows the count on a terminal. */
function counter(format: 'csv' | 'ndjson', err: NodeJS.WriteStream): Transform & { count: () => number } {
  let lines = 0;
  let shown = 0;
  const started = Date.now();
  const show = (): void => {
    const records = Math.max(0, lines - (format === 'csv' ? 1 : 0));
    const seconds = (Date.now() - started) / 1000;
    err.write(`\rexported ${records} calls (${Math.round(records / Math.max(seconds, 0.001))}/s)   `);
  };
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, index + 1)) lines += 1;
      if (err.isTTY && Date.now() - shown > 250) {
        shown = Date.now();
        show();
      }
      done(null, chunk);
    },
    flush(done) {
      if (err.isTTY) {
        show();
        err.write('\n');
      }
      done();
    },
  });
  return Object.assign(transform, { count: () => Math.max(0, lines - (format === 'csv' ? 1 : 0)) });
}

/** `telehook export`: every call matching the filters, as CSV or NDJSON, to a file or stdout. */
export async function exportCalls(flags: Record<string, unknown>): Promise<number> {
  const config = loadConfig(configSourcesFrom(flags, SETTINGS_USED));
  const format = flags['format'] === 'ndjson' ? 'ndjson' : 'csv';
  const query = new URLSearchParams();
  for (const name of FILTERS) if (typeof flags[name] === 'string') query.set(name, flags[name]);
  const output = typeof flags['out'] === 'string' ? createWriteStream(flags['out']) : process.stdout;
  const progress = counter(format, process.stderr);

  const running = config.databaseUrl === null ? readRunningServer(config.dataDir) : null;
  if (running) {
    const token = readApiToken(config.dataDir, config.apiToken);
    const response = await fetch(`${running.url}/api/calls.${format}?${query}`, {
      headers: { authorization: `Bearer ${token ?? ''}` },
    });
    if (!response.ok || !response.body) {
      const body = (await response.json()) as { error?: { message: string } };
      throw new ConfigError(body.error?.message ?? `the server answered ${response.status}`);
    }
    await pipeline(Readable.fromWeb(response.body as WebReadableStream), progress, output);
    return progress.count();
  }

  const { store } = await openStore(config);
  try {
    let filter;
    try {
      filter = toCallFilter(Object.fromEntries(query));
    } catch (error) {
      if (error instanceof AppError)
        throw new ConfigError(error.message.replace('Query parameter', 'Option'));
      throw error;
    }
    // Fold whatever the server had not folded yet, so that the export is complete.
    const settings = {
      staleCallAfterMs: config.staleCallAfterMs,
      logLevel: 'warn',
      logFormat: 'pretty',
    } as const;
    await store
      .createProjection({ logger: createLogger(settings), settings, onFolded: () => undefined })
      .settled();
    await pipeline(exportStream(store, filter, format), progress, output);
    return progress.count();
  } finally {
    await store.close();
  }
}
