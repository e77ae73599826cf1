import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Compares a presented token with the expected one in constant time: both are hashed first, so neither the
 * content nor the length of the expected token leaks through timing.
 */
export function isSameToken(presented: unknown, expected: string): boolean {
  return tokenCheck(expected)(presented);
}

/** {@link isSameToken} for one expected token, its digest computed once (the ingest route checks every request). */
export function tokenCheck(expected: string): (presented: unknown) => boolean {
  const expectedDigest = digest(expected);
  return (presented) =>
    typeof presented === 'string' && presented !== '' && timingSafeEqual(digest(presented), expectedDigest);
}

/** A new unguessable token: 32 random bytes, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export type TokenName = 'ingestToken' | 'apiToken' | 'viewerToken';

export interface Tokens {
  /** The secret of the ingest URL. */
  readonly ingestToken: string;
  /** The Bearer token of the API: reads and writes. */
  readonly apiToken: string;
  /** A read-only token for the wallboard, safe to put in a URL on a TV. */
  readonly viewerToken: string;
  /** Which ones were generated now (first start). */
  readonly generated: readonly TokenName[];
}

/** Where generated tokens are kept, readable by the owner only. */
export const TOKENS_FILE = 'tokens.json';

/**
 * The tokens to use: those configured, else those generated on an earlier start and kept in the data directory,
 * else new ones, written there (mode 0600) so that the ingest URL stays the same across restarts.
 */
export function resolveTokens(dataDir: string, configured: Record<TokenName, string | null>): Tokens {
  const file = path.join(dataDir, TOKENS_FILE);
  const kept = readKeptTokens(dataDir);
  const generated: TokenName[] = [];
  const pick = (name: TokenName): string => {
    const value = configured[name] ?? kept[name];
    if (value !== undefined) return value;
    generated.push(name);
    return generateToken();
  };
  const tokens = {
    ingestToken: pick('ingestToken'),
    apiToken: pick('apiToken'),
    viewerToken: pick('viewerToken'),
  };
  if (generated.length > 0) {
    mkdirSync(dataDir, { recursive: true });
    const toKeep = { ...kept };
    for (const name of generated) toKeep[name] = tokens[name];
    writeFileSync(file, `${JSON.stringify(toKeep, null, 2)}\n`, { mode: 0o600 });
  }
  return { ...tokens, generated };
}

/** The tokens kept in a data directory by an earlier start (none when it has no tokens file yet). */
export function readKeptTokens(dataDir: string): Partial<Record<TokenName, string>> {
  const file = path.join(dataDir, TOKENS_FILE);
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<TokenName, string>>)
    : {};
}
