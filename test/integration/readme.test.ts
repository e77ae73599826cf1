import { readdirSync, readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { DEFINITIONS } from '../../src/calls/index.js';
import { SETTINGS } from '../../src/config.js';
import { FILE_KEYS } from '../../src/config/file-keys.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The user-facing docs: README.md, CHANGELOG.md, docs/*.md and bench/README.md. */
function userDocs(): { readonly name: string; readonly text: string }[] {
  const docsDir = new URL('../../docs/', import.meta.url);
  const names = [
    'README.md',
    'CHANGELOG.md',
    'bench/README.md',
    ...readdirSync(docsDir)
      .filter((file) => file.endsWith('.md'))
      .map((file) => `docs/${file}`),
  ];
  return names.map((name) => ({
    name,
    text: readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8'),
  }));
}

/**
 * Who worked when is no reader's business: a measurement is dated by its day, its run and its host. The technical
 * sessions (a PostgreSQL session advisory lock, pgbouncer's session mode) do not match these.
 */
const SESSION_TALK = [
  /\b(first|second|third|fourth|this|that|same|previous|earlier|next|later) session\b/i,
  /\bsession of \d/i,
];

describe('README', () => {
  it('defines every metric that /api/stats echoes', () => {
    for (const name of Object.keys(DEFINITIONS)) expect(readme).toContain(`| \`${name}\` |`);
  });

  it('lists every setting with its environment variable and, on the same row, its key in a configuration file', () => {
    for (const [key, setting] of Object.entries(SETTINGS) as [keyof typeof SETTINGS, { env: string }][]) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${setting.env}\` |`));
      const fileKey = FILE_KEYS[key].replace(/^(\w+)\.(\w+)$/, '[$1] $2');
      expect([setting.env, row?.endsWith(` \`${fileKey}\` |`)]).toEqual([setting.env, true]);
    }
  });

  it('states the upgrade notes by version, not by date', () => {
    const upgrading = readme.slice(
      readme.indexOf('## Upgrading'),
      readme.indexOf('\n## ', readme.indexOf('## Upgrading') + 1),
    );
    expect(upgrading).toMatch(/version before \d+\.\d+\.\d+|before 0\.1\.0/);
    expect(upgrading.match(/\b20\d\d-\d\d-\d\d\b/g)).toBeNull();
  });

  it('keeps the quick start to the two commands', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });

  it('speaks of versions, dates and hosts, never of the sessions that wrote it', () => {
    const found: string[] = [];
    for (const { name, text } of userDocs()) {
      text.split('\n').forEach((line, index) => {
        if (SESSION_TALK.some((pattern) => pattern.test(line)))
          found.push(`${name}:${index + 1}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });
});
