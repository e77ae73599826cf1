import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { TELECMI_API_ERROR_CODES } from '../../src/backfill/index.js';
import { ERROR_STATUS } from '../../src/errors.js';
import { TELECMI_ERROR_CODES } from '../../src/telecmi/index.js';

describe('docs/errors.md', () => {
  it('lists every error code with its HTTP status, and nothing else', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((match) => [
      match[1],
      Number(match[2]),
    ]);
    expect(Object.fromEntries(rows)).toEqual(ERROR_STATUS);
  });

  it('maps every error code of the TeleCMI library to a status', () => {
    for (const code of TELECMI_ERROR_CODES) expect(ERROR_STATUS).toHaveProperty(code);
  });

  it('lists every code of the TeleCMI REST client in a table of its own, apart from the HTTP answers', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## TeleCMI REST client'));
    const codes = [...section.matchAll(/^\| `([A-Z_]+)` \| (yes|no) \|/gm)].map((match) => match[1]);
    expect(codes).toEqual(TELECMI_API_ERROR_CODES);
    for (const code of TELECMI_API_ERROR_CODES) expect(ERROR_STATUS).not.toHaveProperty(code);
  });
});
