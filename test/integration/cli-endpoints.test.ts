import { Webhook } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';

import type { Endpoint } from '../../src/store/index.js';
import { startHttpSink } from '../helpers/http-sink.js';
import { runCli, startServer } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('telehook endpoints and deliveries', () => {
  it('forwards a call played with trigger to a Slack endpoint and a signed JSON endpoint added on the command line', async () => {
    const dataDir = tempDir();
    const server = await startServer(dataDir, [], { TELEHOOK_ALLOW_PRIVATE_ENDPOINTS: '1' });
    const slack = await startHttpSink();
    const crm = await startHttpSink();
    const added = await runCli([
      'endpoints',
      'add',
      slack.url,
      '--receives',
      'calls',
      '--format',
      'slack',
      '--filter',
      'team=Sales',
      '--data',
      dataDir,
    ]);
    expect(added.stderr).toBe('');
    expect(added.stdout).toMatch(
      /^ep_\w+ {2}http:\/\/127\.0\.0\.1:\d+\/.*\n {2}calls as slack, team=Sales, enabled\n {2}secret whsec_/,
    );
    const created = await fetch(`${server.url}/api/endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: crm.url, receives: 'calls' }),
    });
    expect(created.status).toBe(201);
    const endpoint = (await created.json()) as Endpoint;

    const played = await runCli([
      'trigger',
      'incoming-missed-voicemail',
      '--speed',
      'instant',
      '--data',
      dataDir,
    ]);
    expect(played.code).toBe(0);
    await vi.waitFor(() => expect(slack.requests.length + crm.requests.length).toBe(2), {
      timeout: 10_000,
      interval: 50,
    });

    const message = JSON.parse(slack.requests[0]!.body.toString('utf8')) as { text: string };
    expect(message.text).toMatch(/^Voicemail from \d+ to \d+, waited \d+ s, team Sales, voicemail \S+$/);
    const body = new Webhook(endpoint.secret).verify(
      crm.requests[0]!.body.toString('utf8'),
      crm.requests[0]!.headers as Record<string, string>,
    ) as { type: string; data: { outcome: string } };
    expect(body).toMatchObject({ type: 'call.voicemail', data: { outcome: 'voicemail' } });

    const deliveries = await runCli([
      'deliveries',
      'list',
      '--status',
      'delivered',
      '--json',
      '--data',
      dataDir,
    ]);
    expect(deliveries.stdout.trim().split('\n')).toHaveLength(2);
  });
});
