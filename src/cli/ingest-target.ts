import { readFileSync } from 'node:fs';
import path from 'node:path';

import { loadConfig } from '../config.js';
import { parseUrl } from './flags.js';
import { SERVER_FILE, type ServerInfo } from './server-file.js';
import { UsageError } from './usage-error.js';

/**
 * Where the commands that send payloads (trigger, simulate, send) send them: `--url` when given, else the ingest
 * URL of the server running on the data directory (`--data`, `TELEHOOK_DATA_DIR`, `./data`), read from the
 * server.json that `telehook serve` writes while it runs.
 */
export function resolveIngestUrl(flags: { url?: string | undefined; data?: string | undefined }): URL {
  if (flags.url !== undefined) return parseUrl('--url', flags.url);
  const { dataDir } = loadConfig({ overrides: { dataDir: flags.data } });
  const file = path.join(dataDir, SERVER_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(
      `No running telehook server found: ${file} does not exist. Start one with "telehook serve --data ${dataDir}", or pass --url with an ingest URL.`,
    );
  }
  try {
    return new URL((JSON.parse(text) as ServerInfo).ingestUrl);
  } catch {
    throw new UsageError(`${file} has no ingest URL: restart "telehook serve", or pass --url.`);
  }
}
