import { type Config, resolveConfig } from '../../config.js';
import { openStore } from '../../open-app.js';
import type { Output } from '../command-io.js';
import { configSourcesFrom } from '../config-options.js';
import { checkDatabase, checkDataDir, checkSettings, checkTokens } from '../doctor/local-checks.js';
import { checkBackfill, checkPublicUrl } from '../doctor/remote-checks.js';
import { type CheckResult, exitCodeOf, fail, formatReport, skip } from '../doctor/report.js';
import { checkClock, checkEndpoints } from '../doctor/store-checks.js';

export interface DoctorFlags extends Record<string, unknown> {
  readonly publicUrl?: string;
  readonly json?: boolean;
}

/**
 * `telehook doctor`: checks what a running telehook depends on, one line per check, and exits 0 when nothing
 * failed (warnings allowed), else 1. It writes nothing but a probe file in the data directory: pending migrations
 * are reported, not applied.
 */
export async function runDoctor(
  flags: DoctorFlags,
  keys: readonly (keyof Config)[],
  out: Output = process.stdout,
  now: () => number = Date.now,
): Promise<number> {
  const results: CheckResult[] = [];
  let config: Config;
  try {
    const resolved = resolveConfig(configSourcesFrom(flags, keys));
    config = resolved.config;
    results.push(checkSettings(resolved));
  } catch (error) {
    return report([fail('settings', (error as Error).message)], flags, out);
  }
  results.push(checkDataDir(config), checkTokens(config));
  const database = await checkDatabase(config);
  results.push(database.result);
  if (database.usable) {
    const { store } = await openStore(config);
    try {
      results.push(await checkClock(store, now()), ...(await checkEndpoints(store, now())));
    } finally {
      await store.close();
    }
  } else {
    results.push(skip('clock', 'the database is not ready'), skip('endpoints', 'the database is not ready'));
  }
  results.push(await checkPublicUrl(flags.publicUrl), await checkBackfill(config, now()));
  return report(results, flags, out);
}

function report(results: CheckResult[], flags: DoctorFlags, out: Output): number {
  out.write(flags.json === true ? `${JSON.stringify(results)}\n` : formatReport(results));
  return exitCodeOf(results);
}
