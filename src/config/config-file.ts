import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parse, TomlDate, TomlError } from 'smol-toml';

import type { Config } from '../config.js';
import { ConfigError } from './config-error.js';
import { FILE_KEYS, PATH_SETTINGS } from './file-keys.js';
import { keyLines, lineOf } from './key-lines.js';

/** One setting's value as a configuration file gives it: as text, like an environment variable's. */
export interface FileValue {
  readonly text: string;
  readonly line: number | undefined;
  /** `server.port`: the key as written in the file. */
  readonly key: string;
}

/** A configuration file read: its absolute path and the settings it gives. */
export interface ConfigFile {
  readonly path: string;
  readonly values: ReadonlyMap<keyof Config, FileValue>;
}

const SETTING_OF_KEY = new Map<string, keyof Config>(
  (Object.entries(FILE_KEYS) as [keyof Config, string][]).map(([setting, key]) => [key, setting]),
);

/**
 * Reads a TOML configuration file. A key telehook does not know, or a value that is not text, a number, a boolean
 * or a list of those, throws a {@link ConfigError} naming the key and its line: a typo must not pass for a default.
 * The values themselves are checked by the settings' own parsers, like the environment's.
 */
export function readConfigFile(file: string): ConfigFile {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the configuration file ${absolute}: ${(error as Error).message}.`, {
      cause: error,
    });
  }
  let document: Record<string, unknown>;
  try {
    document = parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const reason = error.message.split('\n')[0]?.replace(/^Invalid TOML document: /, '') ?? 'invalid TOML';
    throw new ConfigError(`${absolute} line ${error.line}: ${reason} (the file is not valid TOML).`, {
      cause: error,
    });
  }
  const lines = keyLines(text);
  const values = new Map<keyof Config, FileValue>();
  for (const [key, value] of leaves(document)) {
    const line = lineOf(lines, key);
    const where = `${absolute}${line === undefined ? '' : ` line ${line}`}`;
    const setting = SETTING_OF_KEY.get(key);
    if (setting === undefined) throw new ConfigError(`Unknown setting ${key} in ${where}${suggestion(key)}.`);
    const given = asText(value);
    if (given === undefined)
      throw new ConfigError(
        `Invalid setting ${key} in ${where}: expected text, a number, true or false, or a list of those.`,
      );
    const resolved =
      PATH_SETTINGS.includes(setting) && given.trim() !== ''
        ? path.resolve(path.dirname(absolute), given.trim())
        : given;
    values.set(setting, { text: resolved, line, key });
  }
  return { path: absolute, values };
}

/** Every value of the document that is not a table, with its dotted key; a known key never descends further. */
function* leaves(table: Record<string, unknown>, prefix = ''): Generator<[string, unknown]> {
  for (const [name, value] of Object.entries(table)) {
    const key = prefix === '' ? name : `${prefix}.${name}`;
    if (isTable(value) && !SETTING_OF_KEY.has(key)) yield* leaves(value, key);
    else yield [key, value];
  }
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof TomlDate);
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (Array.isArray(value) && value.length > 0) {
    const parts = value.map((item) => (Array.isArray(item) ? undefined : asText(item)));
    return parts.every((part) => part !== undefined) ? parts.join(',') : undefined;
  }
  return undefined;
}

/** ", did you mean server.port?" for a key one or two letters off a known one, or one in the wrong section. */
function suggestion(key: string): string {
  const last = key.split('.').at(-1) ?? key;
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of SETTING_OF_KEY.keys()) {
    const distance = known.split('.').at(-1) === last ? 1 : editDistance(known, key);
    if (distance < bestDistance) [best, bestDistance] = [known, distance];
  }
  return best === undefined ? '' : ` (did you mean ${best}?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
