import { type Config, describeOrigin, type ResolvedConfig, SECRET_SETTINGS, SETTINGS } from '../config.js';
import { REDACTED, redactUrl } from '../redact.js';
import { FILE_KEYS } from './file-keys.js';

/** One effective setting as `telehook config print --json` shows it. */
export interface PrintedSetting {
  /** Its key in a configuration file. */
  readonly key: string;
  readonly env: string;
  /** The value as given (or the default's text), secrets redacted; null when unset. */
  readonly value: string | null;
  /** Where it came from: a flag, an environment variable, `<key> in <file> line <n>`, or `default`. */
  readonly from: string;
}

/** Every setting, in the order of the settings table, as it may be printed. */
export function effectiveSettings(resolved: ResolvedConfig): PrintedSetting[] {
  return (Object.keys(SETTINGS) as (keyof Config)[]).map((setting) => ({
    key: FILE_KEYS[setting],
    env: SETTINGS[setting].env,
    value: shownText(setting, resolved.texts[setting]),
    from: describeOrigin(resolved.origins[setting]),
  }));
}

/**
 * The effective settings as a TOML file that would give them, each line commented with where its value came from;
 * secrets redacted, unset settings commented out. Grouped by section as a file would be.
 */
export function formatEffectiveSettings(resolved: ResolvedConfig): string {
  const rows = effectiveSettings(resolved);
  const sections = new Map<string, string[]>();
  for (const row of rows) {
    const dot = row.key.indexOf('.');
    const section = dot === -1 ? '' : row.key.slice(0, dot);
    const name = dot === -1 ? row.key : row.key.slice(dot + 1);
    const assignment = row.value === null ? `# ${name} =` : `${name} = ${tomlValue(row.value)}`;
    const lines = sections.get(section) ?? [];
    lines.push(`${assignment.padEnd(44)} # ${row.value === null ? 'unset' : row.from}`);
    sections.set(section, lines);
  }
  const header =
    `# telehook's effective settings${resolved.configFile === null ? ' (no configuration file)' : `, configuration file ${resolved.configFile}`}.\n` +
    '# Precedence: flag, then environment, then the file, then the default. Secrets are redacted.\n';
  const body = [...sections]
    .sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : 0))
    .map(([section, lines]) => `${section === '' ? '' : `[${section}]\n`}${lines.join('\n')}\n`)
    .join('\n');
  return `${header}\n${body}`;
}

function shownText(setting: keyof Config, text: string | undefined): string | null {
  if (text === undefined) return null;
  if (!SECRET_SETTINGS.includes(setting)) return text;
  return /^[a-z][a-z\d+.-]*:\/\//i.test(text.trim()) ? redactUrl(text.trim()) : REDACTED;
}

/** A number or a 0/1 switch bare, as a person would write it; everything else a TOML string. */
function tomlValue(text: string): string {
  return /^\d+(\.\d+)?$/.test(text) ? text : JSON.stringify(text);
}
