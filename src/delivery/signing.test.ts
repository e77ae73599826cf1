import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';

import { generateSecret, isSecret, signPayload } from './signing.js';

describe('signing', () => {
  it('signs as Standard Webhooks, verified by its own library', () => {
    const secret = generateSecret();
    expect(isSecret(secret)).toBe(true);
    const timestamp = Math.floor(Date.now() / 1000);
    const body = '{"type":"call.missed"}';
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signPayload([secret], 'msg_1', timestamp, body),
    };
    expect(new Webhook(secret).verify(body, headers)).toEqual({ type: 'call.missed' });
    expect(() => new Webhook(generateSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
  });

  it('matches the signature of the specification example', () => {
    // From the Standard Webhooks specification's test vectors.
    const signature = signPayload(
      ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});
