import { type Command, Option } from 'commander';

import {
  type Config,
  CONFIG_FILE_ENV,
  type ConfigOverrides,
  type ConfigSources,
  SETTINGS,
} from '../config.js';

const attributeOf = (flag: string): string =>
  flag.replace(/^--/, '').replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());
const VALUE_NAMES: Partial<Record<keyof Config, string>> = {
  dataDir: 'dir',
  port: 'port',
  host: 'host',
  databaseUrl: 'url',
};

/** Adds `--config` and the flags of these settings (each with its environment variable in the help). */
export function addConfigOptions(command: Command, keys: readonly (keyof Config)[]): Command {
  command.addOption(
    new Option(
      '--config <file>',
      `a TOML configuration file (env ${CONFIG_FILE_ENV}); flags and environment win`,
    ),
  );
  for (const key of keys) {
    const setting = SETTINGS[key];
    command.addOption(
      new Option(
        `${setting.flag} <${VALUE_NAMES[key] ?? 'value'}>`,
        `${setting.describe} (env ${setting.env})`,
      ),
    );
  }
  return command;
}

/** The config overrides given on the command line for these settings. */
export function overridesFrom(
  flags: Record<string, unknown>,
  keys: readonly (keyof Config)[],
): ConfigOverrides {
  const overrides: ConfigOverrides = {};
  for (const key of keys) {
    const value = flags[attributeOf(SETTINGS[key].flag)];
    if (typeof value === 'string') overrides[key] = value;
  }
  return overrides;
}

/** What loadConfig reads for a command: its setting flags and its `--config` file. */
export function configSourcesFrom(
  flags: Record<string, unknown>,
  keys: readonly (keyof Config)[],
): ConfigSources {
  const overrides = overridesFrom(flags, keys);
  return typeof flags.config === 'string' ? { overrides, configFile: flags.config } : { overrides };
}
