import { loadConfig } from '../config.js';
import { parseUrl } from './flags.js';
import { readApiToken, readRunningServer } from './server-info.js';
import { UsageError } from './usage-error.js';

/** A telehook server's API, and the token to read it with. */
export interface ApiTarget {
  /** The server's base URL, ending with `/`: `new URL('api/live', base)` is its live stream. */
  readonly base: URL;
  readonly token: string | null;
  /** Where it was found, for messages. */
  readonly source: '--server' | 'server.json';
}

/** The flags of the commands that read a server's API. */
export interface ApiTargetFlags {
  readonly server?: string;
  readonly token?: string;
  readonly data?: string;
}

/**
 * The API that `tail` and `replay` read: `--server` (with `--token`, else `TELEHOOK_API_TOKEN`, else a `token=`
 * in the URL, else the data directory's tokens.json), or else the server running on the data directory (`--data`,
 * found through its server.json). Null when neither: no server runs there.
 */
export function findApiTarget(flags: ApiTargetFlags): ApiTarget | null {
  const config = loadConfig({ overrides: { dataDir: flags.data } });
  if (flags.token !== undefined && flags.token.trim() === '')
    throw new UsageError('--token: "" is not a token: expected the API token printed by "telehook serve".');
  if (flags.server !== undefined) {
    const url = parseUrl('--server', flags.server);
    const inUrl = url.searchParams.get('token');
    const token =
      flags.token ?? config.apiToken ?? inUrl ?? readApiToken(config.dataDir, config.apiToken) ?? null;
    return { base: baseOf(url), token, source: '--server' };
  }
  const running = readRunningServer(config.dataDir);
  if (running === null) return null;
  return {
    base: baseOf(new URL(running.url)),
    token: flags.token ?? readApiToken(config.dataDir, config.apiToken),
    source: 'server.json',
  };
}

/** The URL without query or fragment, its path ending with `/` (a server behind a path prefix keeps it). */
function baseOf(url: URL): URL {
  const base = new URL(url);
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return base;
}
