import { createInterface } from 'node:readline/promises';

import { type Config, loadConfig } from '../../config.js';
import { openStore } from '../../open-app.js';
import { forgetNumber, type ForgetResult, maskOf, normaliseNumber } from '../../retention/index.js';
import { configSourcesFrom } from '../config-options.js';
import { UsageError } from '../usage-error.js';

const SETTINGS_USED: (keyof Config)[] = ['dataDir', 'databaseUrl'];

export interface ForgetFlags extends Record<string, unknown> {
  readonly yes?: boolean;
  readonly dryRun?: boolean;
}

/** The terminal a confirmation is asked on; tests give their own. */
export interface Terminal {
  readonly input: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly output: NodeJS.WritableStream;
}

const describe = (found: ForgetResult): string =>
  `${found.events} events, ${found.calls} calls, ${found.deliveries} deliveries, ${found.quarantine} quarantined requests, ${found.alerts} alerts, ${found.followups} follow-up actions`;

/**
 * `telehook forget <number>`: a data-protection request. Replaces one person's phone number everywhere telehook
 * keeps it with a random mask (README "Retention and personal data"). Counts first, asks on a terminal, and needs
 * `--yes` elsewhere; `--dry-run` only counts. Resolves with the exit code.
 */
export async function runForget(
  text: string,
  flags: ForgetFlags,
  terminal: Terminal = { input: process.stdin, output: process.stdout },
): Promise<number> {
  const number = normaliseNumber(text);
  if (number === null)
    throw new UsageError(`"${text}" is not a phone number: give 6 to 20 digits, e.g. 919876543210.`);
  const config = loadConfig(configSourcesFrom(flags, SETTINGS_USED));
  const out = terminal.output;
  if (!flags.yes && !flags.dryRun && !terminal.input.isTTY)
    throw new UsageError('forget changes stored data: add --yes to confirm (or --dry-run to count only).');
  const { store, description } = await openStore(config, { foldThread: false });
  try {
    const found = await forgetNumber(store, number, { dryRun: true });
    out.write(`${number} is in ${describe(found)} (${description}).\n`);
    if (flags.dryRun) {
      out.write('Dry run: nothing was changed.\n');
      return 0;
    }
    if (Object.values(found).every((n) => n === 0)) return 0;
    if (!flags.yes) {
      const prompt = createInterface({ input: terminal.input, output: out });
      const answer = await prompt.question(`Replace ${number} with a random mask in all of them? [y/N] `);
      prompt.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        out.write('Nothing was changed.\n');
        return 1;
      }
    }
    const mask = maskOf(number);
    const changed = await forgetNumber(store, number, { replacement: mask });
    out.write(`Replaced ${number} with ${mask} in ${describe(changed)}.\n`);
    return 0;
  } finally {
    await store.close();
  }
}
