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
});
