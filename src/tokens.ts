import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Compares a presented token with the expected one in constant time: both are hashed first, so neither the
 * content nor the length of the expected token leaks through timing.
 */
export function isSameToken(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string' || presented === '') return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

/** A new unguessable token: 32 random bytes, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export interface Tokens {
  readonly ingestToken: string;
  readonly apiToken: string;
  /** Which ones were generated now (first start). */
  readonly generated: readonly ('ingestToken' | 'apiToken')[];
}

/** Where generated tokens are kept, readable by the owner only. */
export const TOKENS_FILE = 'tokens.json';

/**
 * The tokens to use: those configured, else those generated on an earlier start and kept in the data directory,
 * else new ones, written there (mode 0600) so that the ingest URL stays the same across restarts.
 */
export function resolveTokens(
  dataDir: string,
  configured: { ingestToken: string | null; apiToken: string | null },
): Tokens {
  const file = path.join(dataDir, TOKENS_FILE);
  const kept = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<'ingestToken' | 'apiToken', string>>)
    : {};
  const generated: ('ingestToken' | 'apiToken')[] = [];
  const pick = (name: 'ingestToken' | 'apiToken'): string => {
    const value = configured[name] ?? kept[name];
    if (value !== undefined) return value;
    generated.push(name);
    return generateToken();
  };
  const tokens = { ingestToken: pick('ingestToken'), apiToken: pick('apiToken') };
  if (generated.length > 0) {
    mkdirSync(dataDir, { recursive: true });
    const toKeep = { ...kept };
    for (const name of generated) toKeep[name] = tokens[name];
    writeFileSync(file, `${JSON.stringify(toKeep, null, 2)}\n`, { mode: 0o600 });
  }
  return { ...tokens, generated };
}
