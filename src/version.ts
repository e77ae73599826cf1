import { readFileSync } from 'node:fs';

/**
 * telehook's version, from its package.json: one level above both src/ (run with tsx) and dist/ (the package), so
 * the number is written in one place.
 */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
