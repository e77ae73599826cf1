import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { FastifyInstance } from 'fastify';

import { describeBackfill } from '../../backfill/index.js';
import { type ConfigSources, loadConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { openApp } from '../../open-app.js';
import type { Store } from '../../store/index.js';
import { resolveTokens } from '../../tokens.js';
import { banner } from '../serve-banner.js';
import { SERVER_FILE, type ServerInfo } from '../server-file.js';

// Defined apart so that the commands that only read it need not load the server.

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly url: string;
  /** Stops accepting, finishes in-flight commits, closes the store. */
  readonly stop: () => Promise<void>;
}

/**
 * `telehook serve`: open the store, listen, print the URLs to paste into TeleCMI. On SIGTERM or SIGINT it stops
 * accepting, lets in-flight requests finish their commits, closes the store and exits 0.
 */
export async function serve(
  sources: ConfigSources,
  out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
): Promise<RunningServer> {
  const config = loadConfig(sources);
  mkdirSync(config.dataDir, { recursive: true });
  const tokens = resolveTokens(config.dataDir, config);
  const logger = createLogger(config);
  const { app, store, description, close } = await openApp(config, { logger, tokens });
  await app.listen({ port: config.port, host: config.host });

  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const shownHost = ['0.0.0.0', '::', ''].includes(config.host) ? 'localhost' : config.host;
  const base = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  out.write(
    banner({
      base,
      description,
      tokens,
      dataDir: config.dataDir,
      showTokens: out.isTTY === true,
      backfill: describeBackfill(config),
    }),
  );

  // Other commands (trigger, send, tail…) find the running server here.
  const serverFile = path.join(config.dataDir, SERVER_FILE);
  const info: ServerInfo = {
    url: base,
    ingestUrl: `${base}/webhooks/telecmi/${tokens.ingestToken}`,
    pid: process.pid,
    startedAt: Date.now(),
  };
  writeFileSync(serverFile, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // What is still unanswered after 10 s is cut: a stuck commit, or a client still sending its request (Node
      // stops checking the header and request timeouts once the server closes).
      setTimeout(() => app.server.closeAllConnections(), 10_000).unref();
      await close();
      rmSync(serverFile, { force: true });
    })();
    return stopping;
  };
  return { app, store, url: base, stop };
}

/** Runs {@link serve} until a signal, then shuts down cleanly (exit 0) or, on a second signal, at once. */
export async function runServe(sources: ConfigSources): Promise<void> {
  let server: RunningServer | null = null;
  let signals = 0;
  const shutDown = (running: RunningServer, signal: NodeJS.Signals): void => {
    running.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    running.stop().then(
      () => {
        running.app.log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        running.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // Handlers go first: a signal during start-up waits for the start to finish, then stops cleanly.
  let pendingSignal: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) process.exit(1);
    if (server) shutDown(server, signal);
    else pendingSignal = signal;
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  server = await serve(sources);
  if (pendingSignal) shutDown(server, pendingSignal);
}
