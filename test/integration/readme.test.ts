import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { DEFINITIONS } from '../../src/calls/index.js';
import { SETTINGS } from '../../src/config.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('defines every metric that /api/stats echoes', () => {
    for (const name of Object.keys(DEFINITIONS)) expect(readme).toContain(`| \`${name}\` |`);
  });

  it('lists every setting with its environment variable', () => {
    for (const setting of Object.values(SETTINGS)) expect(readme).toContain(`\`${setting.env}\``);
  });

  it('keeps the quick start to the two commands', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});
