import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { type Config, ConfigError, loadConfig, resolveConfig, SETTINGS } from '../config.js';
import { FILE_KEYS } from './file-keys.js';
import { effectiveSettings, formatEffectiveSettings } from './print.js';

const dir = mkdtempSync(path.join(tmpdir(), 'telehook-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
function configFile(text: string): string {
  const file = path.join(dir, `telehook-${(files += 1)}.toml`);
  writeFileSync(file, text);
  return file;
}
function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const FULL = `# every section once
data_dir = "state"
timezone = "Asia/Kolkata"

[server]
port = 6001
body_limit = "1MiB"

[telecmi]
appid = "2222223"
secret = "the-app-secret"

[delivery]
retry_schedule = ["0", "5s", "1m"]
allow_private_endpoints = true

[wallboard]
service_level_amber = 0.9
`;

describe('the configuration file', () => {
  it('gives settings under readable keys, relative paths taken from its own directory', () => {
    const file = configFile(FULL);
    const config = loadConfig({ env: {}, configFile: file });
    expect(config).toMatchObject({
      dataDir: path.join(dir, 'state'),
      timezone: 'Asia/Kolkata',
      port: 6001,
      bodyLimitBytes: 1024 * 1024,
      telecmiAppId: '2222223',
      telecmiSecret: 'the-app-secret',
      deliveryRetrySchedule: [0, 5000, 60_000],
      allowPrivateEndpoints: true,
      serviceLevelAmber: 0.9,
    });
  });

  it('is named by TELEHOOK_CONFIG when no flag names one', () => {
    const file = configFile('[server]\nport = 6002\n');
    expect(loadConfig({ env: { TELEHOOK_CONFIG: file } }).port).toBe(6002);
    const other = configFile('[server]\nport = 6003\n');
    expect(loadConfig({ env: { TELEHOOK_CONFIG: file }, configFile: other }).port).toBe(6003);
  });

  it('loses to the environment, which loses to flags; defaults fill the rest, and each origin is told', () => {
    const file = configFile('[server]\nport = 6004\nhost = "127.0.0.1"\n\n[log]\nlevel = "warn"\n');
    const resolved = resolveConfig({
      env: { TELEHOOK_HOST: '::1', TELEHOOK_LOG_LEVEL: 'debug' },
      overrides: { logLevel: 'error' },
      configFile: file,
    });
    expect(resolved.config).toMatchObject({ port: 6004, host: '::1', logLevel: 'error', logFormat: 'json' });
    expect(resolved.origins.port).toEqual({ kind: 'file', path: file, line: 2, key: 'server.port' });
    expect(resolved.origins.host).toEqual({ kind: 'env', name: 'TELEHOOK_HOST' });
    expect(resolved.origins.logLevel).toEqual({ kind: 'flag', name: '--log-level' });
    expect(resolved.origins.logFormat).toEqual({ kind: 'default' });
    expect(resolved.configFile).toBe(file);
  });

  it('stops on an unknown key, naming it, its line and the key meant', () => {
    const file = configFile('[server]\nport = 6005\n\n[telecmi]\napp_id = "2222223"\n');
    const error = errorOf(() => loadConfig({ env: {}, configFile: file }));
    expect(error.message).toBe(
      `Unknown setting telecmi.app_id in ${file} line 5 (did you mean telecmi.appid?).`,
    );
    const section = configFile('data_dir = "x"\n\n[alerts]\nwebhook = "https://example.com"\n');
    expect(errorOf(() => loadConfig({ env: {}, configFile: section })).message).toContain(
      `Unknown setting alerts.webhook in ${section} line 4`,
    );
    const dotted = configFile('server.prot = 1\n');
    expect(errorOf(() => loadConfig({ env: {}, configFile: dotted })).message).toBe(
      `Unknown setting server.prot in ${dotted} line 1 (did you mean server.port?).`,
    );
  });

  it('stops on a bad value, naming the key and its line, even when the environment overrides it', () => {
    const file = configFile('[server]\nport = 6006\n\n[calls]\nstale_after = "soon"\n');
    const message = `Invalid setting calls.stale_after in ${file} line 5 = "soon": expected a duration`;
    expect(errorOf(() => loadConfig({ env: {}, configFile: file })).message).toContain(message);
    expect(
      errorOf(() => loadConfig({ env: { TELEHOOK_STALE_CALL_AFTER: '1h' }, configFile: file })).message,
    ).toContain(message);
    const wrongType = configFile('[server]\nport = { number = 1 }\n');
    expect(errorOf(() => loadConfig({ env: {}, configFile: wrongType })).message).toContain(
      `Invalid setting server.port in ${wrongType} line 2: expected text, a number, true or false`,
    );
    const date = configFile('\ntimezone = 2024-01-01\n');
    expect(errorOf(() => loadConfig({ env: {}, configFile: date })).message).toContain(
      `Invalid setting timezone in ${date} line 2`,
    );
  });

  it('hides a secret it refuses', () => {
    const file = configFile('[tokens]\napi = "short"\n');
    const message = errorOf(() => loadConfig({ env: {}, configFile: file })).message;
    expect(message).toContain(`tokens.api in ${file} line 2 = (hidden)`);
    expect(message).not.toContain('short');
  });

  it('stops on a file that is not TOML, or cannot be read, with its line', () => {
    const file = configFile('[server]\nport = = 1\n');
    expect(errorOf(() => loadConfig({ env: {}, configFile: file })).message).toMatch(
      new RegExp(`^${file} line 2: .* \\(the file is not valid TOML\\)\\.$`),
    );
    expect(
      errorOf(() => loadConfig({ env: {}, configFile: path.join(dir, 'missing.toml') })).message,
    ).toContain('Cannot read the configuration file');
  });

  it('finds the line of keys after multi-line strings and in quoted or dotted forms', () => {
    const file = configFile(
      'timezone = """\nUTC"""\n# port = 1\n"server".\'host\' = "127.0.0.1"\n[telecmi]\n  product = "piopiy"\n',
    );
    const resolved = resolveConfig({ env: {}, configFile: file });
    expect(resolved.config).toMatchObject({ timezone: 'UTC', host: '127.0.0.1', telecmiProduct: 'piopiy' });
    expect(resolved.origins.host).toMatchObject({ line: 4 });
    expect(resolved.origins.telecmiProduct).toMatchObject({ line: 6 });
  });
});

describe('the file keys', () => {
  it('give every setting one key of lower-case words, at most one section deep', () => {
    const keys = Object.values(FILE_KEYS);
    expect(Object.keys(FILE_KEYS).sort()).toEqual(Object.keys(SETTINGS).sort());
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key).toMatch(/^([a-z]+\.)?[a-z][a-z_]*$/);
  });

  it('round-trip: every setting printed by config print reads back to the same config', () => {
    const file = configFile(FULL);
    const resolved = resolveConfig({ env: { TELEHOOK_DATABASE_POOL_SIZE: '3' }, configFile: file });
    const printed = configFile(
      formatEffectiveSettings(resolved).replace(/"\[redacted\]"/, '"the-app-secret"'),
    );
    const again = loadConfig({ env: {}, configFile: printed });
    for (const key of Object.keys(SETTINGS) as (keyof Config)[]) {
      expect([key, again[key]]).toEqual([key, resolved.config[key]]);
    }
  });
});

describe('config print', () => {
  it('redacts every secret, keeps what tells a database server apart, and names each origin', () => {
    const file = configFile(
      '[tokens]\ningest = "ingest-token-0123456789"\n\n[database]\nurl = "postgres://app:pw-in-file@db:5432/telehook"\n\n[telecmi]\nappid = "1"\nsecret = "the-app-secret"\n',
    );
    const resolved = resolveConfig({
      env: { TELEHOOK_API_TOKEN: 'api-token-from-env-0123' },
      configFile: file,
    });
    const text = formatEffectiveSettings(resolved);
    for (const secret of [
      'ingest-token-0123456789',
      'pw-in-file',
      'the-app-secret',
      'api-token-from-env-0123',
    ])
      expect(text).not.toContain(secret);
    expect(text).toContain('url = "postgres://app:[redacted]@db:5432/telehook"');
    expect(text).toMatch(new RegExp(`secret = "\\[redacted\\]" +# telecmi.secret in ${file} line 9`));
    expect(text).toMatch(/api = "\[redacted\]" +# TELEHOOK_API_TOKEN/);
    expect(text).toMatch(/# viewer = +# unset/);
    const rows = effectiveSettings(resolved);
    expect(rows.find((row) => row.key === 'server.port')).toEqual({
      key: 'server.port',
      env: 'TELEHOOK_PORT',
      value: '5000',
      from: 'default',
    });
  });
});
