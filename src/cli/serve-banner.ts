import path from 'node:path';

import { maskToken } from '../redact.js';
import { type Tokens, TOKENS_FILE } from '../tokens.js';

/**
 * What `telehook serve` prints when it listens: the URLs to paste into TeleCMI and the wallboard. stdout is also
 * the stream of the JSON logs, which a service manager or a container collects and ships: there the tokens are
 * masked and the banner says where to read them, so that they never reach a log store. On a terminal, where a
 * person starting the server reads them, they are shown in full.
 */
export function banner(options: {
  base: string;
  description: string;
  tokens: Tokens;
  dataDir: string;
  showTokens: boolean;
  /** Whether backfill from TeleCMI's history (and recordings) is on: describeBackfill. */
  backfill?: string;
}): string {
  const { base, tokens, dataDir } = options;
  const show = options.showTokens ? (token: string) => token : maskToken;
  const tokensFile = path.join(dataDir, TOKENS_FILE);
  return [
    `telehook listening on ${base} (${options.description})`,
    `  Ingest URL:  ${base}/webhooks/telecmi/${show(tokens.ingestToken)}`,
    `               ${base}/webhook/cdr?token=${show(tokens.ingestToken)}  (the path of TeleCMI's examples)`,
    `  Wallboard:   ${base}/?token=${show(tokens.viewerToken)}`,
    `  API URL:     ${base}/api/events   with header  Authorization: Bearer ${show(tokens.apiToken)}`,
    options.backfill === undefined ? '' : `  Backfill:    ${options.backfill}`,
    options.showTokens
      ? ''
      : `  Tokens masked: this output is not a terminal and carries the logs. Read them in full with\n` +
        `  "telehook tokens --data ${dataDir}" (or in ${tokensFile}, or the TELEHOOK_*_TOKEN you set).`,
    tokens.generated.length > 0 ? `  (new tokens generated and kept in ${tokensFile})` : '',
    `  TeleCMI dashboard → your number → Settings → Webhooks: add "call report" and "notify" with the ingest URL.`,
    `  A public URL is needed for TeleCMI to reach this machine: see "Expose a local server" in the README.`,
    '',
  ]
    .filter((line, index, lines) => line !== '' || index === lines.length - 1)
    .join('\n');
}
