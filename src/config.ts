import { isIP } from 'node:net';
import path from 'node:path';

import { ConfigError } from './config/config-error.js';
import { type ConfigFile, readConfigFile } from './config/config-file.js';
import { REDACTED, redactUrl } from './redact.js';

export { ConfigError } from './config/config-error.js';

/**
 * Settings, read and validated in one place (this file and `config/`). Precedence: command-line flag, then
 * environment variable, then the configuration file (`--config` or TELEHOOK_CONFIG), then the default in
 * {@link SETTINGS}. A bad value stops start-up with a message that names the setting.
 */
export interface Config {
  /** TCP port to listen on. */
  readonly port: number;
  /** Interface to bind. */
  readonly host: string;
  /** Directory of the SQLite database and the generated tokens. Absolute. */
  readonly dataDir: string;
  /** The token in the ingest URL; null until generated on first start. */
  readonly ingestToken: string | null;
  /** The Bearer token of the query API; null until generated on first start. */
  readonly apiToken: string | null;
  /** The read-only token of the wallboard; null until generated on first start. */
  readonly viewerToken: string | null;
  /** Longest wait (s) after which the wallboard tile turns amber, and red. */
  readonly waitAmberSec: number;
  readonly waitRedSec: number;
  /** Service level under which the wallboard tile turns amber (0 to 1). */
  readonly serviceLevelAmber: number;
  /** Live streams (`/api/live`: wallboards, `telehook tail`) open at once; more are answered 503. */
  readonly liveMaxClients: number;
  /** Largest accepted webhook body, in bytes. */
  readonly bodyLimitBytes: number;
  readonly logLevel: LogLevel;
  readonly logFormat: 'json' | 'pretty';
  /** IANA time zone in which "today" starts at midnight, and business hours and holidays are kept. */
  readonly timezone: string;
  /** The centre's opening hours per weekday (Monday first), as minutes of the local day; alerts count them. */
  readonly businessHours: BusinessWeek;
  /** Local dates (YYYY-MM-DD) on which the centre is closed all day. */
  readonly holidays: readonly string[];
  /** How often the alert rules are evaluated. */
  readonly alertsEveryMs: number;
  /** `postgres://…` to use PostgreSQL; null for the embedded SQLite store in `dataDir`. */
  readonly databaseUrl: string | null;
  /** PostgreSQL connections each process keeps open (ignored for SQLite). */
  readonly databasePoolSize: number;
  /** T of the service level: answered within this many seconds. */
  readonly serviceLevelSec: number;
  /** Callers who hang up sooner than this are short abandons, counted apart from abandoned. */
  readonly shortAbandonSec: number;
  /** A live call with no event for this long is closed with outcome `unknown`. */
  readonly staleCallAfterMs: number;
  /** Endpoints may be loopback, link-local or private addresses (off: a guard against server-side request forgery). */
  readonly allowPrivateEndpoints: boolean;
  /** The delay before each delivery attempt, ms: the first is usually 0; after the last, a delivery has failed. */
  readonly deliveryRetrySchedule: readonly number[];
  /** An endpoint failing for this long without a success is disabled. */
  readonly endpointDisableAfterMs: number;
  /** Most delivery attempts in flight in this process. */
  readonly deliveryConcurrency: number;
  /** A request whose headers have not all arrived this long after its first byte is answered 408 and closed. */
  readonly headersTimeoutMs: number;
  /** A request not received in full (headers and body) this long after its first byte is answered 408 and closed. */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  readonly keepAliveTimeoutMs: number;
  /**
   * The proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed (addresses, CIDR ranges or `loopback`,
   * comma-separated), so that logs and the sign-in limit see the client and cookies know HTTPS; null: none.
   */
  readonly trustProxy: string | null;
  /** Most TCP connections open at once; more are closed as they arrive. */
  readonly maxConnections: number;
  /** The TeleCMI app id (digits) whose REST API telehook reads; null: backfill and recordings are off. */
  readonly telecmiAppId: string | null;
  /** The app's secret (CHUB India: its token). Never printed, logged, answered or put in a URL that leaves. */
  readonly telecmiSecret: string | null;
  /** Which TeleCMI product the app is: it decides the REST paths and the secret's field name. */
  readonly telecmiProduct: TelecmiProduct;
  /** The origin of TeleCMI's REST API; null for the product's documented one (docs/telecmi-rest.md). */
  readonly telecmiApiUrl: string | null;
  /** How often the reconciler reads TeleCMI's history. */
  readonly reconcileEveryMs: number;
  /** How far back each reconcile run reads. At least `reconcileEveryMs`, so that runs overlap. */
  readonly reconcileWindowMs: number;
  /** A directory where played recordings and voicemails are kept; null: no cache, every play asks TeleCMI. */
  readonly recordingsCacheDir: string | null;
  /** Most bytes the recordings cache holds; the least recently played files go first. */
  readonly recordingsCacheBytes: number;
  /** The viewer token may play recordings and voicemails (personal data: off by default). */
  readonly viewerRecordings: boolean;
  /** Raw events received longer ago than this are deleted (hourly, in small batches); null: kept for ever. */
  readonly retainEventsMs: number | null;
  /** Ended calls whose last event is older than this are deleted; null: kept. */
  readonly retainCallsMs: number | null;
  /** Delivered or failed deliveries (with their attempts) enqueued longer ago than this are deleted; null: kept. */
  readonly retainDeliveriesMs: number | null;
  /** Quarantined requests older than this are deleted; null: kept. */
  readonly retainQuarantineMs: number | null;
  /**
   * Phone numbers of calls (and of their events, deliveries, alerts, follow-up actions, quarantined requests) older
   * than this are masked, hourly, in small batches; null: never.
   */
  readonly maskNumbersAfterMs: number | null;
}

/** Opening hours of one local day: [from, to) in minutes after midnight (0 to 1440), in order, not overlapping. */
export type BusinessDay = readonly { readonly from: number; readonly to: number }[];
/** Seven {@link BusinessDay}s, Monday first. */
export type BusinessWeek = readonly BusinessDay[];

/** The TeleCMI products whose REST API telehook knows (docs/telecmi-rest.md). */
export type TelecmiProduct = 'chub' | 'chub-india' | 'piopiy';
const TELECMI_PRODUCTS: readonly TelecmiProduct[] = ['chub', 'chub-india', 'piopiy'];

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A setting's value as given on the command line (strings) or by a caller (numbers). */
export type ConfigOverrides = Partial<Record<keyof Config, string | number | undefined>>;

interface Setting<K extends keyof Config> {
  readonly env: string;
  readonly flag: string;
  /** The default, as text, run through `parse` like any other value; undefined for "none". */
  readonly fallback: () => string | undefined;
  readonly parse: (text: string) => Config[K];
  readonly describe: string;
  /** A secret: never printed or logged in full (see {@link SECRET_SETTINGS}). */
  readonly secret?: true;
}

type Settings = { readonly [K in keyof Config]: Setting<K> };

const TOKEN = /^[A-Za-z0-9._~-]{16,256}$/;

/** Every setting, its environment variable, its flag and its default: the one table of defaults. */
export const SETTINGS: Settings = {
  port: {
    env: 'TELEHOOK_PORT',
    flag: '--port',
    fallback: () => '5000',
    parse: (text) => parseInteger(text, 0, 65535, 'a port number from 0 to 65535'),
    describe: 'TCP port (0 picks a free one)',
  },
  host: {
    env: 'TELEHOOK_HOST',
    flag: '--host',
    fallback: () => '0.0.0.0',
    parse: (text) => nonEmpty(text, 'a host name or IP address'),
    describe: 'interface to bind',
  },
  dataDir: {
    env: 'TELEHOOK_DATA_DIR',
    flag: '--data',
    fallback: () => './data',
    parse: (text) => path.resolve(nonEmpty(text, 'a directory path')),
    describe: 'directory of the SQLite database and generated tokens',
  },
  ingestToken: {
    env: 'TELEHOOK_INGEST_TOKEN',
    flag: '--ingest-token',
    fallback: () => undefined,
    parse: (text) => token(text),
    describe: 'token of the ingest URL (generated and kept in the data directory when unset)',
    secret: true,
  },
  apiToken: {
    env: 'TELEHOOK_API_TOKEN',
    flag: '--api-token',
    fallback: () => undefined,
    parse: (text) => token(text),
    describe: 'Bearer token of the query API (generated and kept in the data directory when unset)',
    secret: true,
  },
  viewerToken: {
    env: 'TELEHOOK_VIEWER_TOKEN',
    flag: '--viewer-token',
    fallback: () => undefined,
    parse: (text) => token(text),
    describe: 'read-only token of the wallboard URL (generated and kept in the data directory when unset)',
    secret: true,
  },
  waitAmberSec: {
    env: 'TELEHOOK_WALLBOARD_WAIT_AMBER',
    flag: '--wait-amber',
    fallback: () => '60',
    parse: (text) => parseInteger(text, 1, 86_400, 'whole seconds'),
    describe: 'wallboard: longest wait (s) shown amber from',
  },
  waitRedSec: {
    env: 'TELEHOOK_WALLBOARD_WAIT_RED',
    flag: '--wait-red',
    fallback: () => '120',
    parse: (text) => parseInteger(text, 1, 86_400, 'whole seconds'),
    describe: 'wallboard: longest wait (s) shown red from',
  },
  serviceLevelAmber: {
    env: 'TELEHOOK_WALLBOARD_SERVICE_LEVEL_AMBER',
    flag: '--service-level-amber',
    fallback: () => '0.8',
    parse: (text) => parseFraction(text),
    describe: 'wallboard: service level shown amber below (0 to 1, or a percentage like 80%)',
  },
  liveMaxClients: {
    env: 'TELEHOOK_LIVE_MAX_CLIENTS',
    flag: '--live-max-clients',
    fallback: () => '1000',
    parse: (text) => parseInteger(text, 1, 100_000, 'a whole number of clients from 1 to 100000'),
    describe: 'live streams (wallboards) open at once; one more is answered 503 LIVE_TOO_MANY_CLIENTS',
  },
  bodyLimitBytes: {
    env: 'TELEHOOK_BODY_LIMIT',
    flag: '--body-limit',
    fallback: () => '256KiB',
    parse: (text) => parseSize(text),
    describe: 'largest accepted webhook body (bytes, or e.g. 256KiB, 1MiB)',
  },
  logLevel: {
    env: 'TELEHOOK_LOG_LEVEL',
    flag: '--log-level',
    fallback: () => 'info',
    parse: (text) => oneOf(text, LOG_LEVELS),
    describe: 'log level',
  },
  logFormat: {
    env: 'TELEHOOK_LOG_FORMAT',
    flag: '--log-format',
    fallback: () => 'json',
    parse: (text) => oneOf(text, ['json', 'pretty'] as const),
    describe: 'json (one line per event) or pretty (for people)',
  },
  timezone: {
    env: 'TELEHOOK_TIMEZONE',
    flag: '--timezone',
    fallback: () => Intl.DateTimeFormat().resolvedOptions().timeZone,
    parse: (text) => timeZone(text),
    describe: 'IANA time zone in which "today" starts (default: the system\'s)',
  },
  businessHours: {
    env: 'TELEHOOK_BUSINESS_HOURS',
    flag: '--business-hours',
    fallback: () => 'Mon-Fri 09:00-18:00',
    parse: (text) => parseBusinessHours(text),
    describe:
      'opening hours in TELEHOOK_TIMEZONE, e.g. "Mon-Fri 09:00-13:00,14:00-18:00; Sat 10:00-14:00" ("Mon-Sun 00:00-24:00": always)',
  },
  holidays: {
    env: 'TELEHOOK_HOLIDAYS',
    flag: '--holidays',
    fallback: () => '',
    parse: (text) => parseHolidays(text),
    describe: 'local dates the centre is closed, comma-separated ISO dates (e.g. 2026-12-25,2027-01-01)',
  },
  alertsEveryMs: {
    env: 'TELEHOOK_ALERTS_EVERY',
    flag: '--alerts-every',
    fallback: () => '10s',
    parse: (text) => parseDurationIn(text, 100, 600_000),
    describe: 'how often the alert rules are evaluated (100ms to 10m)',
  },
  databaseUrl: {
    env: 'TELEHOOK_DATABASE_URL',
    flag: '--database-url',
    fallback: () => undefined,
    parse: (text) => databaseUrl(text),
    describe: 'postgres://… to use PostgreSQL instead of SQLite in the data directory',
    secret: true,
  },
  databasePoolSize: {
    env: 'TELEHOOK_DATABASE_POOL_SIZE',
    flag: '--database-pool-size',
    fallback: () => '10',
    parse: (text) => parseInteger(text, 1, 1000, 'a whole number of connections from 1 to 1000'),
    describe: 'PostgreSQL: connections each telehook process keeps open',
  },
  serviceLevelSec: {
    env: 'TELEHOOK_SERVICE_LEVEL_SECONDS',
    flag: '--service-level',
    fallback: () => '20',
    parse: (text) => parseInteger(text, 1, 3600, 'whole seconds from 1 to 3600'),
    describe: 'service level threshold T in seconds (answered within T)',
  },
  shortAbandonSec: {
    env: 'TELEHOOK_SHORT_ABANDON_SECONDS',
    flag: '--short-abandon',
    fallback: () => '5',
    parse: (text) => parseInteger(text, 0, 600, 'whole seconds from 0 to 600'),
    describe: 'callers who hang up sooner are short abandons, counted apart',
  },
  staleCallAfterMs: {
    env: 'TELEHOOK_STALE_CALL_AFTER',
    flag: '--stale-call-after',
    fallback: () => '2h',
    parse: (text) => parseDuration(text),
    describe: 'close a call with no event for this long as outcome unknown (e.g. 2h, 90m)',
  },
  allowPrivateEndpoints: {
    env: 'TELEHOOK_ALLOW_PRIVATE_ENDPOINTS',
    flag: '--allow-private-endpoints',
    fallback: () => '0',
    parse: (text) => parseBoolean(text),
    describe: 'allow endpoints on loopback, link-local and private addresses (1 or 0)',
  },
  deliveryRetrySchedule: {
    env: 'TELEHOOK_DELIVERY_RETRY_SCHEDULE',
    flag: '--retry-schedule',
    fallback: () => '0,5s,5m,30m,2h,5h,10h,10h',
    parse: (text) => parseSchedule(text),
    describe: 'delays before each delivery attempt, comma-separated (the first is usually 0)',
  },
  endpointDisableAfterMs: {
    env: 'TELEHOOK_ENDPOINT_DISABLE_AFTER',
    flag: '--endpoint-disable-after',
    fallback: () => '5d',
    parse: (text) => parseDuration(text),
    describe: 'disable an endpoint failing for this long without a success (e.g. 5d)',
  },
  deliveryConcurrency: {
    env: 'TELEHOOK_DELIVERY_CONCURRENCY',
    flag: '--delivery-concurrency',
    fallback: () => '64',
    parse: (text) => parseInteger(text, 1, 1024, 'an integer from 1 to 1024'),
    describe: 'most delivery attempts in flight',
  },
  // TeleCMI's requests are a few hundred bytes: a client that takes seconds over its headers is a slow-loris
  // attack or a broken link, and each one holds a connection. Node's defaults (60 s, 300 s) kept 300 sockets that
  // sent a byte every 2 s open for about 90 s.
  headersTimeoutMs: {
    env: 'TELEHOOK_HEADERS_TIMEOUT',
    flag: '--headers-timeout',
    fallback: () => '10s',
    parse: (text) => parseDurationIn(text, 100, 3_600_000),
    describe: 'answer 408 and close a request whose headers are not all in after this long (e.g. 10s)',
  },
  requestTimeoutMs: {
    env: 'TELEHOOK_REQUEST_TIMEOUT',
    flag: '--request-timeout',
    fallback: () => '30s',
    parse: (text) => parseDurationIn(text, 100, 3_600_000),
    describe: 'answer 408 and close a request not received in full (headers and body) after this long',
  },
  // Longer than the 60 s idle timeout of the usual proxies in front of a server (AWS ALB, nginx upstream
  // keep-alive): the proxy, not telehook, must close an idle connection, or it may send a request on one telehook
  // is closing at that moment and answer 502. Idle sockets cost little and are bounded by maxConnections.
  keepAliveTimeoutMs: {
    env: 'TELEHOOK_KEEP_ALIVE_TIMEOUT',
    flag: '--keep-alive-timeout',
    fallback: () => '72s',
    parse: (text) => parseDurationIn(text, 100, 3_600_000),
    describe: "close an idle keep-alive connection after this long (longer than a proxy's idle timeout)",
  },
  // Off by default: believed from anyone, X-Forwarded-For would let a client pick the address the sign-in limit
  // counts, and X-Forwarded-Proto would mark a plain-HTTP cookie Secure.
  trustProxy: {
    env: 'TELEHOOK_TRUST_PROXY',
    flag: '--trust-proxy',
    fallback: () => '',
    parse: (text) => parseProxyList(text),
    describe:
      'proxies in front whose X-Forwarded-For/-Proto are believed: addresses, CIDR ranges or loopback, comma-separated (default: none)',
  },
  // An idle keep-alive connection holds about 5 KB (4.6 KB measured with 5,000 open): 10,000 bound them to about
  // 50 MB and as many file descriptors, and leave room for a thousand wallboards and thousands of requests at once.
  maxConnections: {
    env: 'TELEHOOK_MAX_CONNECTIONS',
    flag: '--max-connections',
    fallback: () => '10000',
    parse: (text) => parseInteger(text, 16, 1_000_000, 'an integer from 16 to 1000000'),
    describe: 'most TCP connections open at once (wallboards included); more are closed as they arrive',
  },
  telecmiAppId: {
    env: 'TELEHOOK_TELECMI_APPID',
    flag: '--telecmi-appid',
    fallback: () => undefined,
    parse: (text) => appId(text),
    describe:
      'TeleCMI app id whose call history and recordings telehook reads (with TELEHOOK_TELECMI_SECRET)',
  },
  // No flag on `serve`: a command line is visible to every user of the machine (ps).
  telecmiSecret: {
    env: 'TELEHOOK_TELECMI_SECRET',
    flag: '--telecmi-secret',
    fallback: () => undefined,
    parse: (text) => nonEmpty(text, 'the app secret of the TeleCMI dashboard'),
    describe: "the TeleCMI app's secret (CHUB India: its token); never printed or logged",
    secret: true,
  },
  telecmiProduct: {
    env: 'TELEHOOK_TELECMI_PRODUCT',
    flag: '--telecmi-product',
    fallback: () => 'chub',
    parse: (text) => oneOf(text, TELECMI_PRODUCTS),
    describe: 'chub, chub-india or piopiy: which REST API the app has',
  },
  telecmiApiUrl: {
    env: 'TELEHOOK_TELECMI_API_URL',
    flag: '--telecmi-api-url',
    fallback: () => undefined,
    parse: (text) => httpUrl(text),
    describe:
      "origin of TeleCMI's REST API (default: the product's, https://rest.telecmi.com for chub, https://piopiy.telecmi.com otherwise)",
  },
  reconcileEveryMs: {
    env: 'TELEHOOK_RECONCILE_EVERY',
    flag: '--reconcile-every',
    fallback: () => '15m',
    parse: (text) => parseDurationIn(text, 60_000, 86_400_000),
    describe: "how often to read TeleCMI's call history for calls telehook missed (1m to 24h)",
  },
  reconcileWindowMs: {
    env: 'TELEHOOK_RECONCILE_WINDOW',
    flag: '--reconcile-window',
    fallback: () => '24h',
    parse: (text) => parseDurationIn(text, 60_000, 31 * 86_400_000),
    describe: 'how far back each reconcile run reads (at least TELEHOOK_RECONCILE_EVERY, at most 31d)',
  },
  retainEventsMs: retention('TELEHOOK_RETAIN_EVENTS', '--retain-events', 'raw events received'),
  retainCallsMs: retention('TELEHOOK_RETAIN_CALLS', '--retain-calls', 'ended calls last changed'),
  retainDeliveriesMs: retention(
    'TELEHOOK_RETAIN_DELIVERIES',
    '--retain-deliveries',
    'delivered or failed deliveries enqueued',
  ),
  retainQuarantineMs: retention('TELEHOOK_RETAIN_QUARANTINE', '--retain-quarantine', 'quarantined requests'),
  maskNumbersAfterMs: {
    env: 'TELEHOOK_MASK_NUMBERS_AFTER',
    flag: '--mask-numbers-after',
    fallback: () => undefined,
    parse: (text) => parseDurationIn(text, 86_400_000, 100 * 365 * 86_400_000),
    describe:
      'mask the phone numbers of calls older than this (and of their events, deliveries, alerts, follow-up actions), e.g. 90d (at least 1d; default: never)',
  },

  recordingsCacheDir: {
    env: 'TELEHOOK_RECORDINGS_CACHE',
    flag: '--recordings-cache',
    fallback: () => undefined,
    parse: (text) => path.resolve(nonEmpty(text, 'a directory path')),
    describe: 'directory where played recordings are kept (default: none, each play asks TeleCMI)',
  },
  recordingsCacheBytes: {
    env: 'TELEHOOK_RECORDINGS_CACHE_SIZE',
    flag: '--recordings-cache-size',
    fallback: () => '1GiB',
    parse: (text) => parseSizeIn(text, 1024 * 1024, 2 ** 40),
    describe: 'most bytes the recordings cache holds, least recently played out first (1MiB to 1TiB)',
  },
  viewerRecordings: {
    env: 'TELEHOOK_VIEWER_RECORDINGS',
    flag: '--viewer-recordings',
    fallback: () => '0',
    parse: (text) => parseBoolean(text),
    describe: 'the viewer token may play recordings and voicemails (1 or 0; they are personal data)',
  },
};

/** The settings flagged `secret`: the config printer, the start-up errors and the logger hide their values. */
export const SECRET_SETTINGS: readonly (keyof Config)[] = (Object.keys(SETTINGS) as (keyof Config)[]).filter(
  (key) => SETTINGS[key].secret === true,
);

/** The environment variable naming a configuration file, when no `--config` flag does. */
export const CONFIG_FILE_ENV = 'TELEHOOK_CONFIG';

/** Where a setting's value came from. */
export type SettingOrigin =
  | { readonly kind: 'flag'; readonly name: string }
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'file'; readonly path: string; readonly line: number | undefined; readonly key: string }
  | { readonly kind: 'default' };

/** What {@link loadConfig} reads. */
export interface ConfigSources {
  env?: NodeJS.ProcessEnv;
  overrides?: ConfigOverrides;
  /** A configuration file (the `--config` flag); when undefined, the one TELEHOOK_CONFIG names, if any. */
  configFile?: string;
}

/** The effective settings, with where each came from and the text it was read from. */
export interface ResolvedConfig {
  readonly config: Config;
  readonly origins: { readonly [K in keyof Config]: SettingOrigin };
  /** Each setting's value as given (or its default's text); undefined for a setting that is unset. */
  readonly texts: { readonly [K in keyof Config]: string | undefined };
  /** The configuration file read, absolute; null when there is none. */
  readonly configFile: string | null;
}

/**
 * Reads every setting from flags (`overrides`), then `env`, then the configuration file, then defaults; validates
 * them and returns a frozen {@link Config}. This is the only reader of `process.env` in telehook.
 *
 * @example
 * const config = loadConfig({ overrides: { port: '8080' } });
 */
export function loadConfig(options: ConfigSources = {}): Config {
  return resolveConfig(options).config;
}

/** {@link loadConfig}, telling also where each setting came from (`telehook config print`). */
export function resolveConfig(options: ConfigSources = {}): ResolvedConfig {
  const env = options.env ?? process.env;
  const overrides = options.overrides ?? {};
  const fileName = options.configFile ?? nonBlank(env[CONFIG_FILE_ENV]);
  const file: ConfigFile | null = fileName === undefined ? null : readConfigFile(fileName);
  const config: Record<string, unknown> = {};
  const origins: Record<string, SettingOrigin> = {};
  const texts: Record<string, string | undefined> = {};
  for (const [key, setting] of Object.entries(SETTINGS) as [keyof Config, Setting<keyof Config>][]) {
    const given = overrides[key];
    const fromEnv = nonBlank(env[setting.env]);
    const fromFile = file?.values.get(key);
    const origin: SettingOrigin =
      given !== undefined
        ? { kind: 'flag', name: setting.flag }
        : fromEnv !== undefined
          ? { kind: 'env', name: setting.env }
          : fromFile !== undefined && file !== null
            ? { kind: 'file', path: file.path, line: fromFile.line, key: fromFile.key }
            : { kind: 'default' };
    // A file's value is checked even when a flag or the environment overrides it: a bad file must not wait for the
    // day the override goes to stop a start.
    if (fromFile !== undefined && file !== null && origin.kind !== 'file') {
      parseSetting(key, fromFile.text, {
        kind: 'file',
        path: file.path,
        line: fromFile.line,
        key: fromFile.key,
      });
    }
    const text =
      origin.kind === 'flag'
        ? String(given)
        : origin.kind === 'env'
          ? fromEnv
          : origin.kind === 'file'
            ? fromFile?.text
            : setting.fallback();
    origins[key] = origin;
    texts[key] = text;
    config[key] = text === undefined ? null : parseSetting(key, text, origin);
  }
  const timeouts = config as { headersTimeoutMs: number; requestTimeoutMs: number };
  // Node refuses a header timeout longer than the request timeout: the request timeout includes the headers.
  if (timeouts.headersTimeoutMs > timeouts.requestTimeoutMs) {
    throw new ConfigError(
      `Invalid settings: ${SETTINGS.headersTimeoutMs.env} (${timeouts.headersTimeoutMs} ms) is longer than ${SETTINGS.requestTimeoutMs.env} (${timeouts.requestTimeoutMs} ms), which includes the headers.`,
    );
  }
  checkTelecmi(config as unknown as Config);
  checkMasking(config as unknown as Config);
  return Object.freeze({
    config: Object.freeze(config) as unknown as Config,
    origins: Object.freeze(origins) as ResolvedConfig['origins'],
    texts: Object.freeze(texts) as ResolvedConfig['texts'],
    configFile: file?.path ?? null,
  });
}

/** How an origin is named in messages and in `telehook config print`. */
export function describeOrigin(origin: SettingOrigin, key?: keyof Config): string {
  switch (origin.kind) {
    case 'flag':
    case 'env':
      return origin.name;
    case 'file':
      return `${origin.key} in ${origin.path}${origin.line === undefined ? '' : ` line ${origin.line}`}`;
    case 'default':
      return key === undefined ? 'default' : `default of ${SETTINGS[key].env}`;
  }
}

function parseSetting(key: keyof Config, text: string, origin: SettingOrigin): unknown {
  try {
    return SETTINGS[key].parse(text);
  } catch (error) {
    const shown = SECRET_SETTINGS.includes(key) ? '(hidden)' : JSON.stringify(text);
    throw new ConfigError(
      `Invalid setting ${describeOrigin(origin, key)} = ${shown}: ${(error as Error).message}.`,
      { cause: error },
    );
  }
}

function nonBlank(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}

/** Masking old numbers needs the calls kept until then (else their events are left unmasked). */
function checkMasking(config: Config): void {
  // Calls deleted before they are masked would leave their events unmasked, and a rebuild would show the numbers.
  const { maskNumbersAfterMs, retainCallsMs, retainEventsMs } = config;
  if (
    maskNumbersAfterMs !== null &&
    retainCallsMs !== null &&
    retainCallsMs < maskNumbersAfterMs &&
    (retainEventsMs === null || retainEventsMs > retainCallsMs)
  ) {
    throw new ConfigError(
      `Invalid settings: ${SETTINGS.retainCallsMs.env} (${retainCallsMs} ms) is shorter than ${SETTINGS.maskNumbersAfterMs.env} (${maskNumbersAfterMs} ms) while events are kept longer: calls would be deleted before their numbers are masked, and a rebuild would bring them back unmasked. Keep calls at least as long, or events no longer than calls.`,
    );
  }
}

/** The TeleCMI settings that only make sense together. */
function checkTelecmi(config: Config): void {
  if ((config.telecmiAppId === null) !== (config.telecmiSecret === null)) {
    const missing = config.telecmiAppId === null ? SETTINGS.telecmiAppId.env : SETTINGS.telecmiSecret.env;
    throw new ConfigError(
      `Invalid settings: ${SETTINGS.telecmiAppId.env} and ${SETTINGS.telecmiSecret.env} go together; ${missing} is not set.`,
    );
  }
  // A window shorter than the period between runs would leave stretches that no run reads.
  if (config.reconcileWindowMs < config.reconcileEveryMs) {
    throw new ConfigError(
      `Invalid settings: ${SETTINGS.reconcileWindowMs.env} (${config.reconcileWindowMs} ms) is shorter than ${SETTINGS.reconcileEveryMs.env} (${config.reconcileEveryMs} ms): the runs would leave gaps.`,
    );
  }
}

/**
 * The config as it may be printed: every secret setting replaced, but for a URL (the database's), which keeps what
 * tells the server apart and loses its password.
 */
export function redactConfig(config: Config): Record<string, unknown> {
  const shown: Record<string, unknown> = { ...config };
  for (const key of SECRET_SETTINGS) {
    const value = config[key];
    if (value === null) continue;
    shown[key] =
      typeof value === 'string' && /^[a-z][a-z\d+.-]*:\/\//i.test(value) ? redactUrl(value) : REDACTED;
  }
  return shown;
}

function parseInteger(text: string, min: number, max: number, accepts: string): number {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) throw new Error(`expected ${accepts}`);
  const value = Number(trimmed);
  if (value < min || value > max) throw new Error(`expected ${accepts}`);
  return value;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as 90s, 30m, 2h or 1d, in milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/i.exec(text.trim());
  const unit = DURATION_UNITS[match?.[2]?.toLowerCase() ?? 'x'];
  if (!match || unit === undefined) throw new Error('expected a duration such as 90s, 30m, 2h or 1d');
  return Math.round(Number(match[1]) * unit);
}

type RetentionKey = 'retainEventsMs' | 'retainCallsMs' | 'retainDeliveriesMs' | 'retainQuarantineMs';

/**
 * A retention setting: at least a day, so that nothing is deleted before it was folded into calls and forwarded.
 */
function retention<K extends RetentionKey>(env: string, flag: string, what: string): Setting<K> {
  return {
    env,
    flag,
    fallback: () => undefined,
    parse: (text) => parseDurationIn(text, 86_400_000, 100 * 365 * 86_400_000),
    describe: `delete ${what} longer ago than this, e.g. 400d (at least 1d; default: keep)`,
  };
}

function parseDurationIn(text: string, minMs: number, maxMs: number): number {
  const ms = parseDuration(text);
  if (ms < minMs || ms > maxMs)
    throw new Error(`expected a duration from ${minMs} ms to ${maxMs / 3_600_000} h`);
  return ms;
}

/** A comma-separated list of proxy addresses (IPv4 or IPv6, with an optional /prefix) or named ranges; '' is none. */
function parseProxyList(text: string): string | null {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) return null;
  for (const item of items) {
    if (['loopback', 'linklocal', 'uniquelocal'].includes(item)) continue;
    const [address = '', prefix, ...rest] = item.split('/');
    const family = isIP(address);
    const maxPrefix = family === 6 ? 128 : 32;
    const isPrefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (family === 0 || !isPrefixOk || rest.length > 0)
      throw new Error(
        `"${item}" is not an address, a CIDR range (10.0.0.0/8) or loopback, linklocal or uniquelocal`,
      );
  }
  return items.join(',');
}

function parseBoolean(text: string): boolean {
  const value = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new Error('expected 1 or 0 (true or false)');
}

/** Comma-separated durations such as 0,5s,5m,2h, in ms. */
function parseSchedule(text: string): readonly number[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length === 0 || parts.length > 50 || parts.some((part) => part === ''))
    throw new Error('expected 1 to 50 comma-separated durations such as 0,5s,5m,30m,2h');
  return Object.freeze(parts.map((part) => (part === '0' ? 0 : parseDuration(part))));
}

function parseFraction(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(%?)$/.exec(text.trim());
  if (!match) throw new Error('expected a fraction from 0 to 1 or a percentage such as 80%');
  const value = Number(match[1]) / (match[2] === '%' ? 100 : 1);
  if (value < 0 || value > 1) throw new Error('expected a fraction from 0 to 1 or a percentage such as 80%');
  return value;
}

function nonEmpty(text: string, accepts: string): string {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error(`expected ${accepts}`);
  return trimmed;
}

function token(text: string): string {
  if (!TOKEN.test(text))
    throw new Error('expected 16 to 256 characters of A-Z, a-z, 0-9, ".", "_", "~" or "-"');
  return text;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1000, kib: 1024, mb: 1e6, mib: 1024 * 1024 };

function parseSize(text: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = SIZE_UNITS[match?.[2]?.toLowerCase() ?? 'x'];
  if (!match || unit === undefined) throw new Error('expected a size such as 262144, 256KiB or 1MiB');
  const bytes = Number(match[1]) * unit;
  if (bytes < 1024 || bytes > 64 * 1024 * 1024) throw new Error('expected a size from 1KiB to 64MiB');
  return bytes;
}

const SIZES: Record<string, number> = { ...SIZE_UNITS, gb: 1e9, gib: 2 ** 30, tb: 1e12, tib: 2 ** 40 };

function parseSizeIn(text: string, min: number, max: number): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = SIZES[match?.[2]?.toLowerCase() ?? 'x'];
  if (!match || unit === undefined) throw new Error('expected a size such as 500MiB or 2GiB');
  const bytes = Number(match[1]) * unit;
  if (bytes < min || bytes > max) throw new Error('expected a size from 1MiB to 1TiB');
  return bytes;
}

function appId(text: string): string {
  const trimmed = text.trim();
  if (!/^\d{1,20}$/.test(trimmed)) throw new Error('expected the digits of a TeleCMI app id, e.g. 2222223');
  return trimmed;
}

function httpUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new Error('expected an http(s) URL such as https://rest.telecmi.com');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error('expected an http(s) URL such as https://rest.telecmi.com');
  if (url.username !== '' || url.password !== '' || url.search !== '')
    throw new Error('expected an origin without credentials or query (the secret is its own setting)');
  return url.href.replace(/\/+$/, '');
}

function oneOf<T extends string>(text: string, values: readonly T[]): T {
  const value = text.trim().toLowerCase();
  const found = values.find((candidate) => candidate === value);
  if (found === undefined) throw new Error(`expected one of ${values.join(', ')}`);
  return found;
}

function timeZone(text: string): string {
  const zone = text.trim();
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new Error('expected an IANA time zone such as Europe/London or Asia/Kolkata');
  }
  return zone;
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const HOURS_EXAMPLE =
  'opening hours such as "Mon-Fri 09:00-18:00" or "Mon-Fri 09:00-13:00,14:00-18:00; Sat 10:00-14:00"';

function minuteOfDay(text: string): number {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  if (!match || Number(match[2]) > 59 || !(minutes <= 1440)) throw new Error(`expected ${HOURS_EXAMPLE}`);
  return minutes;
}

/** `Mon-Fri 09:00-18:00; Sat 10:00-14:00`: groups of weekdays (a range or a list) with their time ranges. */
export function parseBusinessHours(text: string): BusinessWeek {
  const week: { from: number; to: number }[][] = WEEKDAYS.map(() => []);
  for (const group of text.split(';').map((part) => part.trim())) {
    if (group === '') continue;
    const match = /^([a-z,\s-]+?)\s+(\d[\d:,\s-]*)$/i.exec(group);
    if (!match) throw new Error(`expected ${HOURS_EXAMPLE}`);
    const days = new Set<number>();
    for (const item of match[1]!.split(',').map((part) => part.trim().toLowerCase())) {
      const ends = item.split('-').map((part) => WEEKDAYS.indexOf(part.trim().slice(0, 3)));
      const first = ends[0] ?? -1;
      const last = ends[1] ?? first;
      if (ends.length > 2 || first < 0 || last < 0 || last < first)
        throw new Error(`expected weekdays such as Mon-Fri or Sat,Sun in ${HOURS_EXAMPLE}`);
      for (let day = first; day <= last; day += 1) days.add(day);
    }
    for (const range of match[2]!.split(',').map((part) => part.trim())) {
      const [from, to] = range.split('-').map((part) => minuteOfDay(part.trim()));
      if (from === undefined || to === undefined || from >= to)
        throw new Error(`expected time ranges such as 09:00-18:00 (start before end) in ${HOURS_EXAMPLE}`);
      for (const day of days) week[day]!.push({ from, to });
    }
  }
  return Object.freeze(
    week.map((ranges) => {
      ranges.sort((a, b) => a.from - b.from);
      for (let index = 1; index < ranges.length; index += 1)
        if (ranges[index]!.from < ranges[index - 1]!.to)
          throw new Error(`expected ranges that do not overlap`);
      return Object.freeze(ranges.map((range) => Object.freeze(range)));
    }),
  );
}

function parseHolidays(text: string): readonly string[] {
  const dates = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  for (const date of dates) {
    const parsed = new Date(`${date}T00:00:00Z`);
    if (
      !/^\d{4}-\d{2}-\d{2}$/.test(date) ||
      Number.isNaN(parsed.getTime()) ||
      parsed.toISOString().slice(0, 10) !== date
    )
      throw new Error(`expected ISO dates such as 2026-12-25, comma-separated; "${date}" is not one`);
  }
  return Object.freeze([...new Set(dates)].sort());
}

function databaseUrl(text: string): string {
  const url = text.trim();
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error('expected a postgres:// URL');
  return url;
}
