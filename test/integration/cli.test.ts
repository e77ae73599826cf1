import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadFixtures } from '../helpers/fixtures.js';
import { runCli, startServer, within } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('telehook serve (a real process)', () => {
  it('prints the ingest and API URLs with masked tokens off a terminal, keeps its generated tokens, and exits 0 on SIGTERM after finishing in-flight requests', async () => {
    const dataDir = tempDir();
    const server = await startServer(dataDir, ['--log-level', 'info']);
    const tokens = JSON.parse(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8')) as {
      ingestToken: string;
      apiToken: string;
    };
    expect(server.output()).toContain(`/webhooks/telecmi/${tokens.ingestToken.slice(0, 4)}…`);
    expect(server.output()).toContain(`/webhook/cdr?token=${tokens.ingestToken.slice(0, 4)}…`);
    expect(server.output()).toContain(`Bearer ${tokens.apiToken.slice(0, 4)}…`);
    expect(server.output()).not.toContain(tokens.ingestToken);
    expect(server.output()).not.toContain(tokens.apiToken);

    const fixtures = loadFixtures();
    const inFlight = fixtures.map((fixture) =>
      // A request the stopping server never got is abandoned by the client (seen under load: the client kept
      // some queued after the server had exited); only the acknowledged ones matter here.
      fetch(server.ingestUrl, {
        method: 'POST',
        body: new Uint8Array(fixture.bytes),
        signal: AbortSignal.timeout(10_000),
      }).then(
        async (response) => (response.status === 200 ? ((await response.json()) as { id: string }).id : null),
        () => null,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    server.child.kill('SIGTERM');
    const acknowledged = (
      await within(Promise.all(inFlight), 20_000, 'the in-flight requests', server)
    ).filter((id): id is string => id !== null);
    expect((await within(server.exited, 20_000, 'the shutdown', server)).code).toBe(0);

    const again = await startServer(dataDir);
    expect(again.ingestUrl.endsWith(`/webhooks/telecmi/${tokens.ingestToken}`)).toBe(true);
    const events = (await (
      await fetch(`${again.url}/api/events?limit=1000`, {
        headers: { authorization: `Bearer ${tokens.apiToken}` },
      })
    ).json()) as { items: { id: string }[] };
    const stored = new Set(events.items.map((event) => event.id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    again.child.kill('SIGTERM');
    expect((await within(again.exited, 20_000, 'the second shutdown', again)).code).toBe(0);
  });

  it('uses TELEHOOK_INGEST_TOKEN when set and never writes it to the logs', async () => {
    const dataDir = tempDir();
    const ingestToken = 'configured-ingest-token-0123456789';
    const server = await startServer(dataDir, ['--log-level', 'info'], {
      TELEHOOK_INGEST_TOKEN: ingestToken,
    });
    expect(server.ingestUrl.endsWith(`/webhooks/telecmi/${ingestToken}`)).toBe(true);
    const fixture = loadFixtures()[3]!;
    expect(
      (await fetch(server.ingestUrl, { method: 'POST', body: new Uint8Array(fixture.bytes) })).status,
    ).toBe(200);
    expect(
      (
        await fetch(`${server.url}/webhooks/telecmi/wrong-token-wrong-token`, {
          method: 'POST',
          body: new Uint8Array(fixture.bytes),
        })
      ).status,
    ).toBe(401);
    expect((await fetch(`${server.url}/webhook/cdr?token=${ingestToken}`, { method: 'PUT' })).status).toBe(
      405,
    );
    server.child.kill('SIGTERM');
    await server.exited;
    const logLines = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(logLines.some((line) => line.includes('"event accepted"'))).toBe(true);
    expect(logLines.some((line) => line.includes('INGEST_TOKEN_INVALID'))).toBe(true);
    expect(logLines.join('\n')).not.toContain(ingestToken);
  });

  it('refuses a bad setting at start-up with a message that names it', async () => {
    const bad = await runCli(['serve', '--data', tempDir()], { TELEHOOK_PORT: 'eighty' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('TELEHOOK_PORT');
    const badFlag = await runCli(['serve', '--data', tempDir(), '--body-limit', 'huge']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain('--body-limit');
  });

  it('has --help on every command, and exits 2 on an unknown flag', async () => {
    const help = await runCli(['--help']);
    expect(help.stdout).toContain('serve');
    const serveHelp = await runCli(['serve', '--help']);
    expect(serveHelp.stdout).toContain('--port');
    expect(serveHelp.stdout).toContain('TELEHOOK_DATA_DIR');
    expect(serveHelp.code).toBe(0);
    const unknown = await runCli(['replay', '--form', '2026-11-25']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--form'");
  });
});
