import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';

/** A new signing secret: `whsec_` and 32 random bytes in base64, as Standard Webhooks libraries expect. */
export function generateSecret(): string {
  return `${PREFIX}${randomBytes(32).toString('base64')}`;
}

/** Whether a string is a secret {@link signPayload} can use. */
export function isSecret(value: string): boolean {
  return value.startsWith(PREFIX) && Buffer.from(value.slice(PREFIX.length), 'base64').length >= 16;
}

/**
 * The `webhook-signature` header of Standard Webhooks: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` for each
 * secret, space-separated (during a rotation both the new and the previous secret sign, so a receiver that knows
 * either verifies).
 *
 * @example
 * signPayload([endpoint.secret], 'msg_01J…', 1732579200, '{"type":"call.missed",…}');
 */
export function signPayload(
  secrets: readonly string[],
  id: string,
  timestampSec: number,
  body: string,
): string {
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
      const digest = createHmac('sha256', key).update(`${id}.${timestampSec}.${body}`).digest('base64');
      return `v1,${digest}`;
    })
    .join(' ');
}
