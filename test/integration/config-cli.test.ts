import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { ROOT, runCli, startServer, within } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

describe('telehook --version and config print (real processes)', () => {
  it('prints the version of package.json', async () => {
    const result = await runCli(['--version']);
    expect([result.code, result.stdout.trim()]).toEqual([0, VERSION]);
  });

  it('serve reads its settings from --config, flags over it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'telehook.toml');
    const viewerToken = 'viewer-token-from-the-file-0123';
    writeFileSync(file, `[tokens]\nviewer = "${viewerToken}"\n\n[server]\nport = 1\n`);
    // startServer gives --port 0: the flag wins over the file's port 1.
    const server = await startServer(path.join(dir, 'data'), ['--config', file]);
    expect(new URL(server.url).port).not.toBe('1');
    const read = (token: string): Promise<number> =>
      fetch(`${server.url}/api/calls`, { headers: { authorization: `Bearer ${token}` } }).then(
        (answer) => answer.status,
      );
    expect([await read(viewerToken), await read('viewer-token-not-the-one-0123')]).toEqual([200, 401]);
    server.child.kill('SIGTERM');
    expect((await within(server.exited, 20_000, 'the shutdown', server)).code).toBe(0);
  });

  it('config print shows the effective settings and their origins, secrets redacted; a bad file exits 2 naming the key and line', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'telehook.toml');
    writeFileSync(file, '[telecmi]\nappid = "2222223"\nsecret = "file-secret"\n');
    const printed = await runCli(['config', 'print', '--config', file, '--port', '7001', '--json'], {
      TELEHOOK_LOG_LEVEL: 'debug',
    });
    expect(printed.code).toBe(0);
    expect(printed.stdout).not.toContain('file-secret');
    const { configFile, settings } = JSON.parse(printed.stdout) as {
      configFile: string;
      settings: { key: string; value: string | null; from: string }[];
    };
    expect(configFile).toBe(file);
    const byKey = new Map(settings.map((row) => [row.key, row]));
    expect(byKey.get('server.port')).toMatchObject({ value: '7001', from: '--port' });
    expect(byKey.get('log.level')).toMatchObject({ value: 'debug', from: 'TELEHOOK_LOG_LEVEL' });
    expect(byKey.get('telecmi.secret')).toMatchObject({
      value: '[redacted]',
      from: `telecmi.secret in ${file} line 3`,
    });
    expect(byKey.get('server.host')).toMatchObject({ value: '0.0.0.0', from: 'default' });

    writeFileSync(file, '[telecmi]\nappid = "2222223"\nsecret = "file-secret"\n\n[server]\nprot = 80\n');
    for (const args of [
      ['serve', '--data', path.join(dir, 'data')],
      ['config', 'print'],
    ]) {
      const refused = await runCli(args, { TELEHOOK_CONFIG: file });
      expect([refused.code, refused.stderr]).toEqual([
        2,
        `telehook: Unknown setting server.prot in ${file} line 6 (did you mean server.port?).\n`,
      ]);
    }
  });
});
