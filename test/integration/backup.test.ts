import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';

import Database from 'better-sqlite3';
import { Pool } from 'undici';
import { describe, expect, it } from 'vitest';

import { readLastBackup } from '../../src/backup-marker.js';
import { runBackup, runRestore } from '../../src/cli/commands/backup.js';
import { loadFixtures } from '../helpers/fixtures.js';
import { runCli, startServer } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const CONNECTIONS = 20;

/** Fixture bodies with fresh identifiers, so that each is a distinct event. */
function freshPayloads(count: number): Buffer[] {
  const fixtures = loadFixtures().filter((fixture) => typeof fixture.payload['cmiuuid'] === 'string');
  return Array.from({ length: count }, (_, n) => {
    const fixture = fixtures[n % fixtures.length]!;
    const id = randomUUID();
    return Buffer.from(
      JSON.stringify({ ...fixture.payload, cmiuuid: id, conversation_uuid: id, time: 1_700_000_000_000 + n }),
    );
  });
}

const idsIn = (file: string): Set<string> => {
  const db = new Database(file, { readonly: true });
  try {
    return new Set((db.prepare('SELECT id FROM events').all() as { id: string }[]).map((row) => row.id));
  } finally {
    db.close();
  }
};

describe('telehook backup and restore', () => {
  it('backs up under ingest load: the copy opens, verifies, and holds every event acknowledged before it started', async () => {
    const dataDir = tempDir();
    const backupDir = path.join(tempDir(), 'backup');
    const server = await startServer(dataDir);
    const ingestPath = new URL(server.ingestUrl).pathname;
    const backupAge = async (): Promise<string | undefined> =>
      /^telehook_backup_age_seconds (\S+)$/m.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1];
    expect(await backupAge()).toBe('+Inf');
    const pool = new Pool(server.url, { connections: CONNECTIONS });
    const payloads = freshPayloads(50_000);
    const ackedAt: { id: string; at: number }[] = [];
    let next = 0;
    let stop = false;
    const worker = async (): Promise<void> => {
      while (!stop && next < payloads.length) {
        const body = payloads[next++];
        const response = await pool.request({
          method: 'POST',
          path: ingestPath,
          body,
          headers: { 'content-type': 'application/json' },
        });
        const answer = (await response.body.json()) as { id: string };
        expect(response.statusCode).toBe(200);
        ackedAt.push({ id: answer.id, at: ackedAt.length });
      }
    };
    const load = Promise.all(Array.from({ length: CONNECTIONS }, worker));
    while (ackedAt.length < 500) await new Promise((resolve) => setTimeout(resolve, 20));

    // Every answer received before the backup command starts is of an event it must hold.
    const ackedBefore = ackedAt.map((ack) => ack.id);
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    // In this process, beside the server's: as an operator's cron job runs it.
    const code = await runBackup(backupDir, { data: dataDir }, output);
    const ackedDuring = ackedAt.length - ackedBefore.length;
    stop = true;
    await load;
    await pool.close();

    expect(code).toBe(0);
    expect(printed).toMatch(/Verified .*pages ok/);
    // The load went on while the backup ran: the copy was taken under load, not in a pause.
    expect(ackedDuring).toBeGreaterThan(0);
    const copied = idsIn(path.join(backupDir, 'telehook.db'));
    const missing = ackedBefore.filter((id) => !copied.has(id));
    expect(missing).toEqual([]);
    const manifest = JSON.parse(readFileSync(path.join(backupDir, 'manifest.json'), 'utf8')) as {
      counts: { events: number };
      takenAt: number;
    };
    expect(manifest.counts.events).toBe(copied.size);
    expect(readLastBackup(dataDir)).toEqual({ takenAt: manifest.takenAt, path: backupDir });
    expect(Number(await backupAge())).toBeLessThan(86_400);
    // The tokens come along, so that a restored server keeps its ingest URL.
    expect(readFileSync(path.join(backupDir, 'tokens.json'), 'utf8')).toBe(
      readFileSync(path.join(dataDir, 'tokens.json'), 'utf8'),
    );

    const verify = await runCli(['backup', '--verify', backupDir]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain(`${copied.size} events`);

    // Restore: refused over a data directory that holds something, unless forced; then the server serves it.
    server.child.kill('SIGTERM');
    await server.exited;
    const refused = await runCli(['restore', backupDir, '--data', dataDir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/is not empty .*--force/);
    const restoreDir = tempDir();
    expect(runRestore(backupDir, { data: restoreDir }, new PassThrough())).toBe(0);
    const again = await startServer(restoreDir);
    expect(again.ingestUrl).toBe(server.ingestUrl.replace(server.url, again.url));
    const count = await fetch(`${again.url}/api/events?limit=1`, {
      headers: { authorization: `Bearer ${again.apiToken}` },
    });
    expect(count.status).toBe(200);
    again.child.kill('SIGTERM');
    await again.exited;
    expect(idsIn(path.join(restoreDir, 'telehook.db'))).toEqual(copied);
    expect(runRestore(backupDir, { data: dataDir, force: true }, new PassThrough())).toBe(0);
    expect(idsIn(path.join(dataDir, 'telehook.db'))).toEqual(copied);

    // A backup whose copy does not hold what its manifest recorded is reported damaged (exit code 1), and a
    // backup is never written over another.
    const manifestFile = path.join(backupDir, 'manifest.json');
    writeFileSync(
      manifestFile,
      JSON.stringify({ ...manifest, counts: { ...manifest.counts, events: copied.size + 1 } }),
    );
    let report = '';
    const sink = new PassThrough().on('data', (chunk: Buffer) => (report += chunk.toString()));
    expect(await runBackup(backupDir, { verify: true }, sink)).toBe(1);
    expect(report).toContain(`is damaged: pages ok; it holds ${copied.size} events`);
    await expect(runBackup(backupDir, { data: dataDir }, sink)).rejects.toThrow(/is not empty/);
  }, 120_000);
});
