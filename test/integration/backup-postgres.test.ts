import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

import pg from 'pg';
import { describe, expect, inject, it, onTestFinished } from 'vitest';

import { startSetup } from '../helpers/app-setups.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);

/** The README's pg_dump guide: the shell lines of the block after its marker. */
function guideLines(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('<!-- pg-dump-guide:');
  expect(start).toBeGreaterThan(0);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start))![1]!;
  return block.split('\n').filter((line) => line.trim() !== '');
}

/** A database of its own for one test (the guide backs up a whole database), dropped when the test passes. */
async function newDatabase(label: string): Promise<string> {
  const base = new URL(inject('databaseUrl'));
  const name = `${base.pathname.slice(1)}_${label}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  onTestFinished(async (context) => {
    if (context.task.result?.state === 'fail') return console.error(`kept database ${name}`);
    const client = new pg.Client({ connectionString: base.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  });
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return url.toString();
}

const waiting = (conversation: string, n: number): string =>
  JSON.stringify({
    type: 'event',
    direction: 'inbound',
    status: 'waiting',
    from: 919000000000 + n,
    to: 918000000000,
    appid: 2222223,
    cmiuuid: randomUUID(),
    conversation_uuid: conversation,
    time: 1_700_000_000_000 + n,
  });

/**
 * Why this machine's pg_dump cannot dump the tests' server, or null when it can: pg_dump refuses a newer server
 * (the embedded PostgreSQL 17 that starts when TEST_DATABASE_URL is unset, beside a distribution's older client).
 */
async function pgDumpMismatch(): Promise<string | null> {
  const client = await run('pg_dump', ['--version']).catch(() => null);
  if (!client) return 'no pg_dump on PATH';
  const clientMajor = Number(/(\d+)\.\d+/.exec(client.stdout)?.[1]);
  const admin = new pg.Client({ connectionString: inject('databaseUrl') });
  await admin.connect();
  const { rows } = await admin.query<{ n: string }>('SELECT current_setting($$server_version_num$$) AS n');
  await admin.end();
  const serverMajor = Math.floor(Number(rows[0]!.n) / 10_000);
  return clientMajor >= serverMajor ? null : `pg_dump ${clientMajor} cannot dump PostgreSQL ${serverMajor}`;
}

describe('the README pg_dump guide', () => {
  it('backs up a running PostgreSQL installation and restores it into an empty database', async (context) => {
    // CI (TELEHOOK_TEST_STRICT=1) runs it against the machine's PostgreSQL with its own pg_dump: never skipped there.
    const mismatch = await pgDumpMismatch();
    if (mismatch && process.env['TELEHOOK_TEST_STRICT'] === '1') throw new Error(mismatch);
    if (mismatch) return context.skip(mismatch);
    const lines = guideLines();
    expect(lines.some((line) => line.startsWith('pg_dump '))).toBe(true);
    expect(lines.some((line) => line.startsWith('pg_restore '))).toBe(true);
    const source = await newDatabase('dump');
    const target = await newDatabase('restore');
    const setup = await startSetup('postgres', 'pg-dump guide', source);

    const acked: string[] = [];
    let n = 0;
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const answer = await setup.post(waiting(randomUUID(), n++));
        expect(answer.statusCode).toBe(200);
        acked.push(answer.json<{ id: string }>().id);
      }
    })();
    while (acked.length < 200) await new Promise((resolve) => setTimeout(resolve, 10));

    const before = [...acked];
    const dir = tempDir();
    const env = { ...process.env, TELEHOOK_DATABASE_URL: source, RESTORE_DATABASE_URL: target };
    // Each line as the guide gives it, in a shell, while the load writes.
    for (const line of lines) await run('sh', ['-c', line], { cwd: dir, env });
    stop = true;
    await load;
    await setup.close();

    const restored = await startSetup('postgres', 'pg-dump guide restored', target);
    const ids = new Set<string>();
    let after: string | null = null;
    do {
      const answer = await restored.api(`/api/events?limit=1000${after ? `&after=${after}` : ''}`);
      const page = answer.json<{ items: { id: string }[]; next: string | null }>();
      page.items.forEach((item) => ids.add(item.id));
      after = page.next;
    } while (after !== null);
    expect(before.filter((id) => !ids.has(id))).toEqual([]);
    // The restored database takes new events.
    expect((await restored.post(waiting(randomUUID(), n + 1))).statusCode).toBe(200);
  }, 60_000);
});
