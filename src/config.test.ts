import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { ConfigError, loadConfig, redactConfig } from './config.js';

describe('loadConfig', () => {
  it('applies the defaults', () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({
      port: 5000,
      host: '0.0.0.0',
      dataDir: path.resolve('./data'),
      bodyLimitBytes: 262144,
      logFormat: 'json',
      ingestToken: null,
      databaseUrl: null,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes environment variables, and flags over them', () => {
    const env = { TELEHOOK_PORT: '7000', TELEHOOK_BODY_LIMIT: '1MiB', TELEHOOK_TIMEZONE: 'Asia/Kolkata' };
    expect(loadConfig({ env })).toMatchObject({
      port: 7000,
      bodyLimitBytes: 1048576,
      timezone: 'Asia/Kolkata',
    });
    expect(loadConfig({ env, overrides: { port: '7001' } }).port).toBe(7001);
  });

  it.each([
    [{ TELEHOOK_PORT: '70000' }, 'TELEHOOK_PORT'],
    [{ TELEHOOK_PORT: 'abc' }, 'TELEHOOK_PORT'],
    [{ TELEHOOK_BODY_LIMIT: 'lots' }, 'TELEHOOK_BODY_LIMIT'],
    [{ TELEHOOK_LOG_FORMAT: 'xml' }, 'TELEHOOK_LOG_FORMAT'],
    [{ TELEHOOK_TIMEZONE: 'Mars/Olympus' }, 'TELEHOOK_TIMEZONE'],
    [{ TELEHOOK_INGEST_TOKEN: 'short' }, 'TELEHOOK_INGEST_TOKEN'],
    [{ TELEHOOK_DATABASE_URL: 'mysql://x' }, 'TELEHOOK_DATABASE_URL'],
  ])('refuses %j naming %s', (env, name) => {
    expect(() => loadConfig({ env })).toThrow(ConfigError);
    expect(() => loadConfig({ env })).toThrow(name);
  });

  it('sets the HTTP timeouts and the connection cap on purpose, and refuses a header timeout over the request timeout', () => {
    expect(loadConfig({ env: {} })).toMatchObject({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 72_000,
      maxConnections: 10_000,
    });
    expect(loadConfig({ env: { TELEHOOK_HEADERS_TIMEOUT: '500ms' } }).headersTimeoutMs).toBe(500);
    const tooLong = { TELEHOOK_HEADERS_TIMEOUT: '40s', TELEHOOK_REQUEST_TIMEOUT: '30s' };
    expect(() => loadConfig({ env: tooLong })).toThrow(ConfigError);
    expect(() => loadConfig({ env: tooLong })).toThrow('TELEHOOK_HEADERS_TIMEOUT');
    expect(() => loadConfig({ env: { TELEHOOK_MAX_CONNECTIONS: '0' } })).toThrow('TELEHOOK_MAX_CONNECTIONS');
    expect(() => loadConfig({ env: { TELEHOOK_KEEP_ALIVE_TIMEOUT: '0s' } })).toThrow(
      'TELEHOOK_KEEP_ALIVE_TIMEOUT',
    );
  });

  it('names the flag when the bad value came from a flag, and never prints a token', () => {
    expect(() => loadConfig({ env: {}, overrides: { port: '-1' } })).toThrow('--port');
    expect(() => loadConfig({ env: { TELEHOOK_API_TOKEN: 'bad token with spaces!' } })).not.toThrow(
      'bad token',
    );
  });

  it('redacts secrets when printed', () => {
    const config = loadConfig({
      env: { TELEHOOK_API_TOKEN: 'a'.repeat(32), TELEHOOK_DATABASE_URL: 'postgres://app:s3cret@db/telehook' },
    });
    const printed = JSON.stringify(redactConfig(config));
    expect(printed).not.toContain('a'.repeat(32));
    expect(printed).not.toContain('s3cret');
  });

  it('reads the TeleCMI credentials, product and API origin, off without them', () => {
    expect(loadConfig({ env: {} })).toMatchObject({
      telecmiAppId: null,
      telecmiSecret: null,
      telecmiProduct: 'chub',
      telecmiApiUrl: null,
      reconcileEveryMs: 15 * 60_000,
      reconcileWindowMs: 24 * 3_600_000,
      recordingsCacheDir: null,
      recordingsCacheBytes: 2 ** 30,
      viewerRecordings: false,
    });
    const config = loadConfig({
      env: {
        TELEHOOK_TELECMI_APPID: '2222223',
        TELEHOOK_TELECMI_SECRET: 'xx-secret-xx',
        TELEHOOK_TELECMI_PRODUCT: 'chub-india',
        TELEHOOK_TELECMI_API_URL: 'http://127.0.0.1:5001/',
        TELEHOOK_RECORDINGS_CACHE: 'rec-cache',
        TELEHOOK_RECORDINGS_CACHE_SIZE: '500MiB',
        TELEHOOK_VIEWER_RECORDINGS: '1',
      },
    });
    expect(config).toMatchObject({
      telecmiAppId: '2222223',
      telecmiSecret: 'xx-secret-xx',
      telecmiProduct: 'chub-india',
      telecmiApiUrl: 'http://127.0.0.1:5001',
      recordingsCacheDir: path.resolve('rec-cache'),
      recordingsCacheBytes: 500 * 1024 * 1024,
      viewerRecordings: true,
    });
    expect(JSON.stringify(redactConfig(config))).not.toContain('xx-secret-xx');
  });

  it.each([
    [{ TELEHOOK_TELECMI_APPID: 'app-1', TELEHOOK_TELECMI_SECRET: 's' }, 'TELEHOOK_TELECMI_APPID'],
    [{ TELEHOOK_TELECMI_APPID: '2222223' }, 'TELEHOOK_TELECMI_SECRET'],
    [{ TELEHOOK_TELECMI_SECRET: 'xx-secret-xx' }, 'TELEHOOK_TELECMI_APPID'],
    [{ TELEHOOK_TELECMI_PRODUCT: 'ozonetel' }, 'TELEHOOK_TELECMI_PRODUCT'],
    [{ TELEHOOK_TELECMI_API_URL: 'ftp://rest.telecmi.com' }, 'TELEHOOK_TELECMI_API_URL'],
    [{ TELEHOOK_TELECMI_API_URL: 'https://rest.telecmi.com/?secret=x' }, 'TELEHOOK_TELECMI_API_URL'],
    [{ TELEHOOK_RECONCILE_EVERY: '10s' }, 'TELEHOOK_RECONCILE_EVERY'],
    [{ TELEHOOK_RECONCILE_WINDOW: '60d' }, 'TELEHOOK_RECONCILE_WINDOW'],
    [{ TELEHOOK_RECONCILE_EVERY: '2h', TELEHOOK_RECONCILE_WINDOW: '1h' }, 'TELEHOOK_RECONCILE_WINDOW'],
    [{ TELEHOOK_RECORDINGS_CACHE_SIZE: '10KiB' }, 'TELEHOOK_RECORDINGS_CACHE_SIZE'],
    [{ TELEHOOK_VIEWER_RECORDINGS: 'maybe' }, 'TELEHOOK_VIEWER_RECORDINGS'],
  ])('refuses the TeleCMI settings %j naming %s', (env, name) => {
    expect(() => loadConfig({ env })).toThrow(ConfigError);
    expect(() => loadConfig({ env })).toThrow(name);
  });
});
