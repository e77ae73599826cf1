import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { callFlows } from '../helpers/call-flows.js';
import { runCli, startServer } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);

describe('telehook rebuild and export', () => {
  it('export writes every call, from the running server or from the data directory, and rebuild recomputes them', async () => {
    const dataDir = tempDir();
    const server = await startServer(dataDir);
    const flows = callFlows(T0).map(
      (_, index) => callFlows(T0, `4480000${String(index).padStart(5, '0')}`)[index]!,
    );
    for (const payload of flows.flatMap((flow) => flow.payloads)) {
      const response = await fetch(server.ingestUrl, { method: 'POST', body: JSON.stringify(payload) });
      expect(response.status).toBe(200);
    }
    const out = path.join(dataDir, 'calls.ndjson');
    const online = await runCli(['export', '--format', 'ndjson', '--out', out, '--data', dataDir]);
    expect(online.code, online.stderr).toBe(0);
    const exported = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { key: string });
    expect(exported.map((call) => call.key).sort()).toEqual(
      flows.map((flow) => flow.expected['key'] as string).sort(),
    );

    const onServer = await runCli(['rebuild', '--data', dataDir]);
    expect(onServer.code, onServer.stderr).toBe(0);
    expect(onServer.stdout).toMatch(/Rebuilt the calls of \d+ events in \d+ ms \(on the running server/);

    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);

    const offline = await runCli(['rebuild', '--data', dataDir]);
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout).toContain(
      `Rebuilt ${flows.length} calls from ${flows.flatMap((flow) => flow.payloads).length} events`,
    );

    const csv = await runCli(['export', '--format', 'csv', '--outcome', 'answered', '--data', dataDir]);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\r\n');
    expect(lines[0]).toMatch(/^key,/);
    expect(
      lines
        .slice(1)
        .map((line) => line.split(',')[0])
        .sort(),
    ).toEqual(
      flows
        .filter((flow) => flow.expected['outcome'] === 'answered')
        .map((flow) => flow.expected['key'] as string)
        .sort(),
    );

    const bad = await runCli(['export', '--from', 'last tuesday', '--data', dataDir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"from"');
  });
});
