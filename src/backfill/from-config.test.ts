import { describe, expect, it } from 'vitest';

import { loadConfig } from '../config.js';
import { describeBackfill, telecmiApiFromConfig } from './from-config.js';

describe('telecmiApiFromConfig', () => {
  it('builds no client and says backfill is off without credentials', () => {
    const config = loadConfig({ env: {} });
    expect(telecmiApiFromConfig(config)).toBeNull();
    expect(describeBackfill(config)).toMatch(/^off .*TELEHOOK_TELECMI_APPID/);
  });

  it("builds the product's client at its documented origin, or the configured one, never showing the secret", async () => {
    const env = { TELEHOOK_TELECMI_APPID: '1111113', TELEHOOK_TELECMI_SECRET: 'xx-india-token-xx' };
    const india = loadConfig({ env: { ...env, TELEHOOK_TELECMI_PRODUCT: 'chub-india' } });
    const api = telecmiApiFromConfig(india);
    expect(api).toMatchObject({
      product: 'chub-india',
      appId: '1111113',
      origin: 'https://piopiy.telecmi.com',
    });
    expect(api?.playUrlForLogs('a.mp3')).not.toContain('xx-india-token-xx');
    await api?.close();
    expect(describeBackfill(india)).toBe('on: chub-india app 1111113 at https://piopiy.telecmi.com');

    const local = loadConfig({ env: { ...env, TELEHOOK_TELECMI_API_URL: 'http://127.0.0.1:5001' } });
    const localApi = telecmiApiFromConfig(local);
    expect(localApi?.origin).toBe('http://127.0.0.1:5001');
    await localApi?.close();
    expect(describeBackfill(local)).not.toContain('xx-india-token-xx');
  });
});
