/** The query string of a request URL (without `?`), or '' when it has none. */
export function queryOf(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at + 1);
}

/**
 * Removes every `token=…` parameter from a query string, keeping every other byte as received, so that the
 * stored raw query holds TeleCMI's fields exactly and never our secret.
 */
export function withoutToken(query: string): string {
  if (query === '') return query;
  return query
    .split('&')
    .filter((pair) => decodeName(pair.split('=', 1)[0] ?? '') !== 'token')
    .join('&');
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}
