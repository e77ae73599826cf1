import { Writable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { banner } from '../../src/cli/serve-banner.js';
import { ConfigError, loadConfig, redactConfig, SECRET_SETTINGS, SETTINGS } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { maskToken, REDACTED, redactSecret, redactUrl } from '../../src/redact.js';

const SECRETS = {
  TELEHOOK_INGEST_TOKEN: 'ingest-0123456789abcdef',
  TELEHOOK_API_TOKEN: 'apitok-0123456789abcdef',
  TELEHOOK_VIEWER_TOKEN: 'viewer-0123456789abcdef',
  TELEHOOK_DATABASE_URL: 'postgres://app:s3cret-pw@db.example:5432/telehook',
};
const SECRET_TEXTS = [...Object.values(SECRETS).slice(0, 3), 's3cret-pw'];

describe('issue 16: one redaction, secret settings flagged once', () => {
  it('redactUrl hides passwords, masks tokens, replaces other query values and drops the fragment', () => {
    expect(redactUrl(SECRETS.TELEHOOK_DATABASE_URL)).toBe(
      `postgres://app:${REDACTED}@db.example:5432/telehook`,
    );
    expect(redactUrl('https://h.example/webhooks/telecmi/ingest-0123456789abcdef')).toBe(
      'https://h.example/webhooks/telecmi/inge…',
    );
    expect(redactUrl(new URL('http://127.0.0.1:5000/webhook/cdr?token=ingest-0123456789abcdef'))).toBe(
      'http://127.0.0.1:5000/webhook/cdr?token=inge…',
    );
    expect(redactUrl('https://u:p@hooks.example/in?key=k3y&x=1#frag')).toBe(
      `https://u:${REDACTED}@hooks.example/in?key=${REDACTED}&x=${REDACTED}`,
    );
    expect(redactUrl('not a url s3cret')).toBe('(invalid URL)');
    expect(maskToken('abcdefgh')).toBe('abcd…');
    expect(redactSecret('secret=a%2Fb and a/b', 'a/b')).toBe(`secret=${REDACTED} and ${REDACTED}`);
  });

  it('flags every token and the database URL as secret in the one table of settings', () => {
    expect([...SECRET_SETTINGS].sort()).toEqual([
      'apiToken',
      'databaseUrl',
      'ingestToken',
      'telecmiSecret',
      'viewerToken',
    ]);
    for (const key of SECRET_SETTINGS) expect(SETTINGS[key].secret).toBe(true);
  });

  // The start-up error showed a bad viewer token in full: the list of secrets was written out by hand there.
  it('never echoes a bad secret setting in a start-up error, the viewer token included', () => {
    for (const key of SECRET_SETTINGS) {
      const bad = key === 'databaseUrl' ? 'mysql://u:leaked-value@h/db' : 'leaked value with spaces!';
      const error = (() => {
        try {
          loadConfig({ env: { [SETTINGS[key].env]: bad } });
        } catch (caught) {
          return caught;
        }
        return null;
      })();
      expect(error, key).toBeInstanceOf(ConfigError);
      expect((error as Error).message, key).toContain(SETTINGS[key].env);
      expect((error as Error).message, key).not.toContain('leaked');
    }
  });

  it('hides every secret when the config is printed, when the banner goes to a log, and in the logs', async () => {
    const config = loadConfig({ env: SECRETS });
    const printed = JSON.stringify(redactConfig(config));
    for (const secret of SECRET_TEXTS) expect(printed).not.toContain(secret);
    expect(printed).toContain('db.example:5432');

    const shown = banner({
      base: 'http://127.0.0.1:5000',
      description: `PostgreSQL ${redactUrl(SECRETS.TELEHOOK_DATABASE_URL)}`,
      tokens: {
        ingestToken: SECRETS.TELEHOOK_INGEST_TOKEN,
        apiToken: SECRETS.TELEHOOK_API_TOKEN,
        viewerToken: SECRETS.TELEHOOK_VIEWER_TOKEN,
        generated: [],
      },
      dataDir: '/data',
      showTokens: false,
    });
    for (const secret of SECRET_TEXTS) expect(shown).not.toContain(secret);
    expect(shown).toContain(`?token=${maskToken(SECRETS.TELEHOOK_VIEWER_TOKEN)}`);

    let lines = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines += chunk.toString();
        done();
      },
    });
    const logger = createLogger({ logLevel: 'info', logFormat: 'json' }, sink);
    logger.info({ ...config }, 'the config at the top level');
    logger.info({ config: { ...config } }, 'the config one level down');
    logger.flush();
    expect(lines.split('\n').filter(Boolean)).toHaveLength(2);
    for (const secret of SECRET_TEXTS) expect(lines).not.toContain(secret);
    expect(lines).toContain('"port":5000');
  });
});
