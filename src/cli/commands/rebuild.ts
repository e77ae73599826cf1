import { type Config, loadConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { openStore } from '../../open-app.js';
import { configSourcesFrom } from '../config-options.js';
import { readApiToken, readRunningServer } from '../server-info.js';

const SETTINGS_USED: (keyof Config)[] = ['dataDir', 'databaseUrl', 'staleCallAfterMs'];

/**
 * `telehook rebuild`: recompute every call from the stored raw events. When a server runs on the data directory
 * it asks that server (which owns the projection); otherwise it rebuilds the database directly.
 */
export async function rebuild(
  flags: Record<string, unknown>,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const config = loadConfig(configSourcesFrom(flags, SETTINGS_USED));
  const running = config.databaseUrl === null ? readRunningServer(config.dataDir) : null;
  if (running) {
    const token = readApiToken(config.dataDir, config.apiToken);
    const response = await fetch(`${running.url}/api/rebuild`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token ?? ''}` },
    });
    const body = (await response.json()) as { events?: number; ms?: number; error?: { message: string } };
    if (!response.ok)
      throw new Error(`the running server refused the rebuild: ${body.error?.message ?? response.status}`);
    out.write(
      `Rebuilt the calls of ${body.events} events in ${body.ms} ms (on the running server ${running.url}).\n`,
    );
    return;
  }
  const { store, description } = await openStore(config);
  try {
    const settings = {
      staleCallAfterMs: config.staleCallAfterMs,
      logLevel: 'warn',
      logFormat: 'pretty',
    } as const;
    const projection = store.createProjection({
      logger: createLogger(settings),
      settings,
      onFolded: () => undefined,
    });
    const result = await projection.rebuild();
    const calls = await store.listCallFacts({ from: 0, to: Number.MAX_SAFE_INTEGER });
    out.write(
      `Rebuilt ${calls.length} calls from ${result.events} events in ${result.ms} ms (${description}).\n`,
    );
  } finally {
    await store.close();
  }
}
