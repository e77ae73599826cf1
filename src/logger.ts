import { createRequire } from 'node:module';

import pino, { type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

import { type Config, SECRET_SETTINGS } from './config.js';
import { REDACTED } from './redact.js';

/** Paths whose values never reach a log line: credentials of a request, and every secret setting. */
const REDACT = [
  'req.headers.authorization',
  'headers.authorization',
  'token',
  '*.token',
  ...SECRET_SETTINGS.flatMap((key) => [key, `*.${key}`]),
];

/**
 * The process logger: JSON lines for machines, or `--log-format pretty` for people. JSON lines are written in
 * the background in 4 KiB chunks (one line per event would otherwise cost a write per request); pino flushes them
 * when the process exits.
 */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'logFormat'>,
  /** Where JSON lines go instead of stdout (a test reads them there). */
  destination?: pino.DestinationStream,
): Logger {
  const options = {
    level: config.logLevel,
    redact: { paths: REDACT, censor: REDACTED },
    base: { service: 'telehook' },
  };
  if (config.logFormat === 'pretty') {
    // Loaded only when asked for: 10 MB that a production process has no use for.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
    return pino(
      options,
      pretty({ colorize: process.stdout.isTTY, sync: true, ignore: 'pid,hostname,service' }),
    );
  }
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096 }));
}
