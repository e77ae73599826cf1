import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

import type { Config } from './config.js';

/** Paths whose values never reach a log line. */
const REDACT = [
  'req.headers.authorization',
  'headers.authorization',
  'token',
  'ingestToken',
  'apiToken',
  '*.token',
];

/** The process logger: JSON lines for machines, or `--log-format pretty` for people. */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>): Logger {
  const options = {
    level: config.logLevel,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { service: 'telehook' },
  };
  if (config.logFormat === 'pretty') {
    return pino(
      options,
      pretty({ colorize: process.stdout.isTTY, sync: true, ignore: 'pid,hostname,service' }),
    );
  }
  return pino(options);
}
