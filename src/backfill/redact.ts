/** What a secret is replaced with wherever a text could carry it. */
export const REDACTED = '[redacted]';

/**
 * The text with every occurrence of the secret (as sent, and URL-encoded, as it appears in the play URL's query)
 * replaced, for texts that did not come from us: TeleCMI's `msg`, a network error's message.
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
