import { resolveConfig } from '../../config.js';
import { effectiveSettings, formatEffectiveSettings } from '../../config/print.js';
import type { Output } from '../command-io.js';
import { configSourcesFrom } from '../config-options.js';

/**
 * `telehook config print`: the settings `serve` would run with, each with where it came from (flag, environment,
 * the configuration file's line, or default), secrets redacted. A bad setting fails as start-up would.
 */
export function runConfigPrint(
  flags: Record<string, unknown>,
  keys: Parameters<typeof configSourcesFrom>[1],
  out: Output = process.stdout,
): void {
  const resolved = resolveConfig(configSourcesFrom(flags, keys));
  if (flags.json === true) {
    out.write(
      `${JSON.stringify({ configFile: resolved.configFile, settings: effectiveSettings(resolved) }, null, 2)}\n`,
    );
    return;
  }
  out.write(formatEffectiveSettings(resolved));
}
