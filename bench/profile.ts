// `npm run bench:profile`: telehook under the ingest benchmark's load (50 connections, its workloads) with
// node's --cpu-prof, then the top of the profile by self time, per function and per package/module, so that
// "where does the CPU go at saturation" is answered by one command (bench/README.md, "Find the cost").
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { BodyCursor, runLoad } from './lib/load.js';
import { buildBodies, loadFixtures } from './lib/payloads.js';
import { ROOT, startTelehook } from './lib/targets.js';
import { buildCallFlowBodies, isWorkloadName } from './lib/workload.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    top: { type: 'string', default: '25' },
    // As npm run bench: whole call flows by default; new-calls makes every event a new call (the worst case).
    workload: { type: 'string', default: 'calls' },
  },
});
if (!isWorkloadName(values.workload))
  throw new Error(`--workload must be calls or new-calls, not "${values.workload}"`);
const seconds = Number(values.duration);
const connections = Number(values.connections);
const top = Number(values.top);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

async function main(): Promise<void> {
  const bodies =
    values.workload === 'calls' ? buildCallFlowBodies(200_000).bodies : buildBodies(loadFixtures(), 200_000);
  const profileDir = mkdtempSync(path.join(tmpdir(), 'telehook-profile-'));
  const target = await startTelehook(['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  try {
    await runLoad({
      url: target.url,
      connections,
      seconds: 2,
      cursor: new BodyCursor(bodies.slice(0, 20_000)),
    });
    const result = await runLoad({
      url: target.url,
      connections,
      seconds,
      cursor: new BodyCursor(bodies.slice(20_000)),
    });
    console.log(
      `telehook under load: ${Math.round(result.requestsPerSecond)} req/s, p99 ${result.p99Ms.toFixed(1)} ms, ` +
        `${connections} connections, ${seconds} s, workload ${values.workload} (with the profiler on: slower than ` +
        'npm run bench)',
    );
  } finally {
    await target.stop();
  }
  // One profile per thread: CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; thread 0 is the main thread
  // (the receiver and the events' commits), the other is the fold thread (the projection).
  const files = readdirSync(profileDir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => ({ name, thread: Number(name.split('.').at(-3)) }))
    .sort((a, b) => a.thread - b.thread);
  if (files.length === 0) throw new Error(`no .cpuprofile written in ${profileDir}`);
  for (const { name, thread } of files) {
    console.log(
      `\n=== ${thread === 0 ? 'main thread (receiver, API)' : `worker thread ${thread} (the fold thread: the calls projection)`} ===`,
    );
    report(JSON.parse(readFileSync(path.join(profileDir, name), 'utf8')) as Profile);
  }
  target.cleanup();
  rmSync(profileDir, { recursive: true, force: true });
}

function report(profile: Profile): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const total = [...selfUs.values()].reduce((sum, value) => sum + value, 0);
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    const name = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const area = areaOf(frame);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const busy = total - (byArea.get('(idle)') ?? 0);
  const print = (title: string, entries: Map<string, number>, limit: number): void => {
    console.log(`\n${title} (share of busy CPU time, ${(busy / 1000).toFixed(0)} ms busy)`);
    for (const [name, us] of [...entries]
      .filter(([key]) => key !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit))
      console.log(`  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${name}`);
  };
  // A native call (a SQLite statement, an fsync) is counted in the JS function that made it: show who called
  // the heaviest functions, so that e.g. the events' commit and the calls' fold can be told apart.
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const frameName = (id: number | undefined): string => {
    if (id === undefined) return '(root)';
    const frame = (byId.get(id) as ProfileNode).callFrame;
    return `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
  };
  const byCaller = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const parent = parentOf.get(id);
    const key = `${frameName(id)}  <-  ${frameName(parent)}  <-  ${frameName(parent === undefined ? undefined : parentOf.get(parent))}`;
    byCaller.set(key, (byCaller.get(key) ?? 0) + us);
  }
  // Inclusive time of telehook's own functions: a function's samples plus its callees' (counted once per stack).
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = (byId.get(at) as ProfileNode).callFrame;
      if (!frame.url.includes('/dist/')) continue;
      const name = frameName(at);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  print('By area', byArea, 20);
  print("telehook's functions by total time (their own and their callees')", inclusive, 20);
  print(`Top ${top} functions by self time`, byFunction, top);
  print('Top 10 by self time and callers', byCaller, 10);
}

function shortUrl(url: string): string {
  if (url === '') return '';
  const local = url.replace('file://', '').replace(ROOT, '');
  const modules = local.lastIndexOf('node_modules/');
  return modules >= 0 ? local.slice(modules + 'node_modules/'.length) : local;
}

/** Groups a frame by what it belongs to: a package, one of our source folders, node's internals or V8. */
function areaOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(garbage collector)') return 'V8 garbage collector';
  if (url === '') return functionName.startsWith('(') ? functionName : 'native (V8 builtins, C++ bindings)';
  if (url.startsWith('node:')) return `node ${url.slice(5).split('/')[0] ?? ''}`;
  const local = url.replace('file://', '').replace(ROOT, '');
  const modules = local.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = local.slice(modules + 'node_modules/'.length).split('/');
    return `package ${rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const parts = local.split('/');
  return `telehook ${parts.slice(0, Math.min(parts.length - 1, 2)).join('/')}`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
