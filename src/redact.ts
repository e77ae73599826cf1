/**
 * How secrets are hidden wherever telehook prints or logs a text that could carry one: the config, the banner,
 * the CLI's progress lines, the logs. One module, so that every place hides the same things the same way.
 */

/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

/** A token as shown to a person off a terminal: enough to tell which one it is, not enough to use it. */
export function maskToken(token: string): string {
  return `${token.slice(0, 4)}…`;
}

/** The path of the ingest URL whose next segment is the ingest token. */
const INGEST_PATH = /(\/webhooks\/telecmi\/)([^/]+)/;

/**
 * A URL as it may be printed or logged: the password replaced, the ingest token of a `/webhooks/telecmi/<token>`
 * path and a `token` query parameter masked (so a person can tell which token it is), every other query value
 * replaced (an endpoint's URL may carry a key there), the fragment dropped. Works for http(s) and postgres URLs;
 * a text that is no URL is not shown at all, as it could be a secret pasted in the wrong place.
 *
 * @example
 * redactUrl('postgres://app:pw@db:5432/telehook') // 'postgres://app:[redacted]@db:5432/telehook'
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(invalid URL)';
  }
  const user = parsed.username;
  const credentials = parsed.password !== '' ? `${user}:${REDACTED}@` : user !== '' ? `${user}@` : '';
  const pathname = parsed.pathname.replace(
    INGEST_PATH,
    (_, prefix: string, token: string) => prefix + maskToken(token),
  );
  const query = [...parsed.searchParams].map(
    ([key, value]) => `${encodeURIComponent(key)}=${key === 'token' ? maskToken(value) : REDACTED}`,
  );
  const search = query.length > 0 ? `?${query.join('&')}` : '';
  return `${parsed.protocol}//${credentials}${parsed.host}${pathname}${search}`;
}

/**
 * The text with every occurrence of the secret (as sent, and URL-encoded, as it appears in a query) replaced, for
 * texts that did not come from us: TeleCMI's `msg`, a network error's message.
 */
export function redactSecret(text: string, secret: string): string {
  if (secret === '') return text;
  const forms = new Set([
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
  ]);
  let out = text;
  for (const form of forms) out = out.split(form).join(REDACTED);
  return out;
}
