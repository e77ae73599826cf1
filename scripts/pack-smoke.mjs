// The package as users get it: `npm pack`, installed into an empty project, run with `npx telehook`.
// Slow (the install fetches and builds the dependencies: minutes), so not part of `npm test`; run it before a
// release with `npm run test:pack`. It prints each step and exits 1 on the first that fails.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const work = mkdtempSync(path.join(tmpdir(), 'telehook-pack-'));
const run = (command, args, cwd) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const step = (text) => console.log(`pack-smoke: ${text}`);

let server;
try {
  step(`npm pack into ${work}`);
  const [{ filename }] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root));
  const app = path.join(work, 'app');
  execFileSync('mkdir', [app]);
  writeFileSync(path.join(app, 'package.json'), '{"name":"telehook-pack-smoke","private":true}\n');
  step(`npm install ${filename}`);
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(work, filename)], app);

  const shown = run('npx', ['telehook', '--version'], app).trim();
  if (shown !== version) throw new Error(`npx telehook --version printed ${shown}, not ${version}`);
  step(`npx telehook --version: ${shown}`);

  const data = path.join(app, 'data');
  server = spawn(
    path.join(app, 'node_modules/.bin/telehook'),
    ['serve', '--port', '0', '--host', '127.0.0.1', '--data', data],
    {
      cwd: app,
    },
  );
  let output = '';
  server.stdout.on('data', (chunk) => (output += chunk));
  server.stderr.on('data', (chunk) => (output += chunk));
  const started = Date.now();
  while (!/listening on (\S+)/.test(output)) {
    if (Date.now() - started > 60_000) throw new Error(`serve did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const base = /listening on (\S+)/.exec(output)[1];
  const tokens = JSON.parse(readFileSync(path.join(data, 'tokens.json'), 'utf8'));
  const fixture = readFileSync(path.join(root, 'test/fixtures/telecmi/chub-incoming-cdr-answered.json'));
  const answer = await fetch(`${base}/webhooks/telecmi/${tokens.ingestToken}`, {
    method: 'POST',
    body: fixture,
    headers: { 'content-type': 'application/json' },
  });
  if (answer.status !== 200)
    throw new Error(`the ingest URL answered ${answer.status}: ${await answer.text()}`);
  const events = await (
    await fetch(`${base}/api/events`, { headers: { authorization: `Bearer ${tokens.apiToken}` } })
  ).json();
  if (events.items?.length !== 1)
    throw new Error(`GET /api/events listed ${events.items?.length} events, not 1`);
  step(`serve: an event posted to ${base} is stored and listed`);
  const doctor = run('npx', ['telehook', 'doctor', '--data', data], app);
  step(`doctor:\n${doctor}`);
  step('ok');
} finally {
  server?.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  rmSync(work, { recursive: true, force: true });
}
