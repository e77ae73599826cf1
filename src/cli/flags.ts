import { UsageError } from './usage-error.js';

/**
 * Parsers of command-line values. Each takes the flag's name, so that a bad value is reported as
 * `--talk: "3 minutes" is not a duration: expected …` and the command exits with code 2.
 */

const bad = (flag: string, text: string, what: string, expected: string): UsageError =>
  new UsageError(`${flag}: ${JSON.stringify(text)} is not ${what}: expected ${expected}.`);

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, sec: 1, m: 60, min: 60, h: 3600 };

/**
 * A duration in seconds: `180`, `180s`, `3m`, `1m30s`, `1.5h`, `500ms` (a bare number is seconds).
 *
 * @example
 * parseDuration('--talk', '3m'); // 180
 */
export function parseDuration(flag: string, text: string): number {
  const expected = 'a duration above 0 such as 180s, 3m, 1m30s or 1.5h';
  const trimmed = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return positive(flag, text, Number(trimmed), 'a duration', expected);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|sec|min|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== trimmed)
    throw bad(flag, text, 'a duration', expected);
  const seconds = parts.reduce((sum, part) => sum + Number(part[1]) * (DURATION_UNITS[part[2]!] ?? NaN), 0);
  return positive(flag, text, seconds, 'a duration', expected);
}

const RATE_UNITS: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  m: 60,
  min: 60,
  minute: 60,
  h: 3600,
  hr: 3600,
  hour: 3600,
};

/**
 * A rate in events per second: `2/s`, `30/min`, `100/h`.
 *
 * @example
 * parseRate('--arrival', '30/min'); // 0.5
 */
export function parseRate(flag: string, text: string): number {
  const expected = 'a rate above 0 such as 2/s, 30/min or 100/h';
  const match = /^(\d+(?:\.\d+)?)\s*\/\s*([a-z]+)$/.exec(text.trim().toLowerCase());
  const per = RATE_UNITS[match?.[2] ?? ''];
  if (match === null || per === undefined) throw bad(flag, text, 'a rate', expected);
  return positive(flag, text, Number(match[1]) / per, 'a rate', expected);
}

/** A playback speed: a factor (`10x`, `0.5x`) or `instant` (no waiting at all). */
export type Speed = number | 'instant';

/**
 * A playback speed: `1x` is TeleCMI's own pace, `60x` sixty times faster, `instant` sends without waiting.
 *
 * @example
 * parseSpeed('--speed', '60x'); // 60
 */
export function parseSpeed(flag: string, text: string): Speed {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'instant') return 'instant';
  const match = /^(\d+(?:\.\d+)?)x$/.exec(trimmed);
  const expected = 'a factor such as 1x, 10x or 0.5x, or "instant"';
  if (match === null) throw bad(flag, text, 'a speed', expected);
  return positive(flag, text, Number(match[1]), 'a speed', expected);
}

/** A probability from 0 to 1: `0.2`. */
export function parseProbability(flag: string, text: string): number {
  const value = /^\s*(0(\.\d+)?|1(\.0+)?|\.\d+)\s*$/.test(text) ? Number(text) : NaN;
  if (!(value >= 0 && value <= 1)) throw bad(flag, text, 'a probability', 'a number from 0 to 1 such as 0.2');
  return value;
}

/** A whole number from `min` to `max`. */
export function parseInteger(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max))
    throw bad(flag, text, 'a whole number', `a whole number from ${min} to ${max}`);
  return value;
}

/** A seed of the generators: a whole number from 0 to 4294967295. */
export function parseSeed(flag: string, text: string): number {
  return parseInteger(flag, text, 0, 2 ** 32 - 1);
}

/** A comma-separated list of team names, none empty, none twice: `Sales,Support`. */
export function parseTeams(flag: string, text: string): string[] {
  const teams = text.split(',').map((team) => team.trim());
  const expected = 'team names separated by commas, such as Sales,Support';
  if (teams.some((team) => team === '')) throw bad(flag, text, 'a list of teams', expected);
  if (new Set(teams).size !== teams.length) throw bad(flag, text, 'a list of different teams', expected);
  return teams;
}

/**
 * A phone number as TeleCMI sends them: E.164 digits without `+` (spaces, dashes and a leading `+` are removed),
 * not starting with 0, since CHUB CDRs send numbers as JSON numbers and the zero would be lost.
 */
export function parsePhoneNumber(flag: string, text: string): string {
  const digits = text
    .trim()
    .replace(/^\+/, '')
    .replace(/[\s\-().]/g, '');
  if (!/^[1-9]\d{5,14}$/.test(digits))
    throw bad(flag, text, 'a phone number', 'E.164 digits with the country code, such as 447700900123');
  return digits;
}

/** A TeleCMI user: an extension (`204`) or a full id (`204_2222223`). */
export function parseAgent(flag: string, text: string): string {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9]+(_\d+)?$/.test(trimmed))
    throw bad(flag, text, 'an agent', 'an extension such as 204, or a TeleCMI user id such as 204_2222223');
  return trimmed;
}

/** A team name, without commas. */
export function parseTeam(flag: string, text: string): string {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.includes(',')) throw bad(flag, text, 'a team', 'a team name such as Sales');
  return trimmed;
}

/**
 * A moment: epoch milliseconds (`1717660800000`), an ISO 8601 date-time (`2024-06-06T09:00:00Z`), or a date
 * (`2024-06-06`: its midnight UTC, as the API reads it).
 */
export function parseMoment(flag: string, text: string): number {
  const trimmed = text.trim();
  const value = /^\d{12,14}$/.test(trimmed)
    ? Number(trimmed)
    : /^\d{4}-\d{2}-\d{2}(T|$)/.test(trimmed)
      ? Date.parse(trimmed)
      : NaN;
  if (Number.isNaN(value))
    throw bad(
      flag,
      text,
      'a time',
      'epoch milliseconds, an ISO 8601 date-time such as 2024-06-06T09:00:00Z, or a date such as 2024-06-06',
    );
  return value;
}

/** One of a fixed set of words. */
export function parseChoice<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  const found = choices.find((choice) => choice === text.trim().toLowerCase());
  if (found === undefined) throw bad(flag, text, 'one of the choices', choices.join(', '));
  return found;
}

/** An http:// or https:// URL. */
export function parseUrl(flag: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw bad(flag, text, 'a URL', 'an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw bad(flag, text, 'a URL', 'an http:// or https:// URL');
  return url;
}

function positive(flag: string, text: string, value: number, what: string, expected: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw bad(flag, text, what, expected);
  return value;
}
