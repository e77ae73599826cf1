import path from 'node:path';

import { loadConfig } from '../../config.js';
import { readKeptTokens, TOKENS_FILE } from '../../tokens.js';
import { configSourcesFrom } from '../config-options.js';
import { readRunningServer } from '../server-info.js';
import { UsageError } from '../usage-error.js';

/**
 * `telehook tokens`: the ingest URL, the wallboard URL and the API token in full, for a person who asks (the
 * server's banner masks them when its output is not a terminal). Tokens set in the environment come first, as for
 * `serve`; the URLs use the running server's address when one runs on the data directory.
 */
export function runTokens(flags: Record<string, unknown>, out: NodeJS.WritableStream = process.stdout): void {
  const config = loadConfig(configSourcesFrom(flags, ['dataDir', 'port']));
  const kept = readKeptTokens(config.dataDir);
  const ingest = config.ingestToken ?? kept.ingestToken;
  const api = config.apiToken ?? kept.apiToken;
  const viewer = config.viewerToken ?? kept.viewerToken;
  if (ingest === undefined || api === undefined || viewer === undefined) {
    throw new UsageError(
      `no tokens in ${path.join(config.dataDir, TOKENS_FILE)}: start "telehook serve --data ${config.dataDir}" once (it generates them), or set TELEHOOK_INGEST_TOKEN, TELEHOOK_API_TOKEN and TELEHOOK_VIEWER_TOKEN.`,
    );
  }
  const base = readRunningServer(config.dataDir)?.url ?? `http://localhost:${config.port}`;
  out.write(
    [
      `Ingest URL:  ${base}/webhooks/telecmi/${ingest}`,
      `             ${base}/webhook/cdr?token=${ingest}`,
      `Wallboard:   ${base}/?token=${viewer}`,
      `API token:   ${api}   (header  Authorization: Bearer <api token>)`,
      '',
    ].join('\n'),
  );
}
