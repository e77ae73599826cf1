import { CommanderError } from 'commander';

import { ConfigError } from '../config.js';
import { StoreError } from '../errors.js';
import { createProgram } from './program.js';
import { UsageError } from './usage-error.js';

/** The entry point of the `telehook` binary. */
export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await createProgram().parseAsync(argv);
  } catch (error) {
    // Commander has printed its message (and the help): --help and --version end well, a bad flag is misuse.
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`telehook: ${error.message}\n`);
      process.exit(2);
    }
    // The database cannot be used (a full or read-only disk, PostgreSQL down): its message says what to do.
    if (error instanceof StoreError) {
      process.stderr.write(`telehook: ${error.message}\n`);
      process.exit(1);
    }
    const { code } = error as { code?: unknown };
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EROFS') {
      process.stderr.write(
        `telehook: ${(error as Error).message}: the disk is full or read-only. Free space (or make the data directory writable), then run the command again.\n`,
      );
      process.exit(1);
    }
    if (code === 'EADDRINUSE') {
      process.stderr.write(
        `telehook: ${(error as Error).message}: another server is using that port (use --port or TELEHOOK_PORT).\n`,
      );
      process.exit(2);
    }
    throw error;
  }
}

await main();
