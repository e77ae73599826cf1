// `npm run bench`: telehook's ingest against a bare node:http server (the ceiling), TeleCMI's Express sample,
// and the durable limit (node:http + SQLite FULL + group commit), alternating over rounds. See bench/README.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { prefilledDataDir } from './fill.js';
import { compareWithRebuild, type RebuildComparison, waitForCatchUp } from './lib/catch-up.js';
import { CpuMeter, type CpuUse, waitForQuiet } from './lib/cpu.js';
import { probeSync, type SyncProbe } from './lib/disk.js';
import { BodyCursor, type LoadResult, runLoad } from './lib/load.js';
import { buildBodies, loadFixtures } from './lib/payloads.js';
import {
  formatConnections,
  formatMb,
  formatMs,
  formatPercent,
  formatRate,
  formatVerdicts,
  judge,
} from './lib/report.js';
import { type Exit, RssSampler } from './lib/server-process.js';
import { median, type RunResult, summarise } from './lib/stats.js';
import { backlogIn, ROOT, type StartedTarget, type Target, type TargetName, TARGETS } from './lib/targets.js';
import { buildCallFlowBodies, distinctAmong, isWorkloadName, type WorkloadName } from './lib/workload.js';

const USAGE = `npm run bench -- [options]

  --workload <name>     calls (default: whole call flows of every product, interleaved, ~10%
                        sent twice; judged) or new-calls (every event a new call; no targets)
  --rounds <n>          rounds; each runs every target at every connection count (default 3)
  --duration <s>        measured seconds per run (default 10)
  --warmup <s>          seconds of load before each measured run, not counted (default 2)
  --connections <list>  connection counts, comma-separated (default 50,1)
  --targets <list>      some of bare,express,durable,telehook (default all)
  --pool <n>            request bodies generated up front (default 200000)
  --settle <s>          before each run, wait up to this long for a quiet second, when
                        other processes use under 10% of the CPUs (default 30; 0: don't wait)
  --keep                keep the databases of the runs (their paths are printed)
  --prefill <n>         telehook starts from a database that already holds about n events of
                        realistic calls (built once in bench/.cache; default 0: an empty one)
  --idle <s>            telehook's idle RSS: started, left this long without load (default 5; 0: skip)
  --idle-only           only the idle RSS, once per round (no load, no burst): each, the median, PASS/FAIL
  --burst <s>           the burst: this long at saturation (50 connections), then the backlog must
                        reach 0 within 30 s (default 30)
  --no-burst            skip the burst
  --no-rebuild          skip comparing the calls with a rebuild after each telehook run
`;

interface Options {
  readonly workload: WorkloadName;
  readonly idle: number;
  readonly idleOnly: boolean;
  readonly burst: number;
  readonly rebuild: boolean;
  readonly rounds: number;
  readonly duration: number;
  readonly warmup: number;
  readonly connections: readonly number[];
  readonly targets: readonly Target[];
  readonly pool: number;
  readonly settle: number;
  readonly keep: boolean;
  readonly prefill: number;
}

/** How a durable target's database compares with what the load generator saw. */
interface Verification {
  readonly ok: boolean;
  /** 2xx answers, warm-up included. */
  readonly acked: number;
  readonly stored: number;
  /** Requests written, warm-up included: stored may exceed acked by those in flight when the load stopped. */
  readonly sent: number;
  readonly quarantined: number;
  /** Stored bodies that are not byte for byte one of the bodies sent. */
  readonly foreign: number;
  readonly problems: readonly string[];
}

interface RunRecord extends RunResult {
  readonly label: string;
  readonly pid: number;
  readonly warmup: LoadResult | null;
  readonly load: LoadResult;
  readonly sampledPeakRssBytes: number;
  readonly cpu: CpuUse;
  /** How busy the machine was just before the run started, and how long the run waited for it to settle. */
  readonly before: { readonly busyShare: number; readonly waitedSeconds: number } | null;
  /** "Write 4 KiB + fdatasync" in the temporary directory, timed just before the server started. */
  readonly sync: SyncProbe;
  readonly bodiesUsed: number;
  readonly verification: Verification | null;
  /** telehook: events stored but not folded into calls yet, read right after the load (null for the others). */
  readonly backlog: number | null;
  /** telehook: seconds from the end of the load until the backlog was 0 (null: not within 60 s). */
  readonly catchUpSeconds?: number | null;
  /** telehook: its calls after the catch-up against a rebuild (null: skipped or not caught up). */
  readonly rebuild?: RebuildComparison | null;
}

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string', default: '3' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '50,1' },
      targets: { type: 'string', default: TARGETS.map((target) => target.name).join(',') },
      pool: { type: 'string', default: '200000' },
      settle: { type: 'string', default: '30' },
      keep: { type: 'boolean', default: false },
      prefill: { type: 'string', default: '0' },
      workload: { type: 'string', default: 'calls' },
      idle: { type: 'string', default: '5' },
      'idle-only': { type: 'boolean', default: false },
      burst: { type: 'string', default: '30' },
      'no-burst': { type: 'boolean', default: false },
      'no-rebuild': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return null;
  const positive = (name: string, text: string, allowZero = false): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
      throw new Error(`--${name} must be a whole number${allowZero ? '' : ' above 0'}, not "${text}"`);
    }
    return value;
  };
  const names = values.targets.split(',').map((name) => name.trim());
  const targets = TARGETS.filter((target) => names.includes(target.name));
  const unknown = names.filter((name) => !TARGETS.some((target) => target.name === name));
  if (unknown.length > 0) throw new Error(`unknown target ${unknown.join(', ')}`);
  if (!isWorkloadName(values.workload))
    throw new Error(`--workload must be calls or new-calls, not "${values.workload}"`);
  return {
    workload: values.workload,
    idle: positive('idle', values.idle, true),
    idleOnly: values['idle-only'],
    burst: values['no-burst'] ? 0 : positive('burst', values.burst),
    rebuild: !values['no-rebuild'],
    rounds: positive('rounds', values.rounds),
    duration: positive('duration', values.duration),
    warmup: positive('warmup', values.warmup, true),
    connections: values.connections.split(',').map((text) => positive('connections', text.trim())),
    targets,
    pool: positive('pool', values.pool),
    settle: positive('settle', values.settle, true),
    keep: values.keep,
    prefill: positive('prefill', values.prefill, true),
  };
}

const TELEHOOK = TARGETS.find((target) => target.name === 'telehook')!;

/** The round's order: the list rotated by the round's index, so that no target always runs first or last. */
function orderOf(targets: readonly Target[], round: number): Target[] {
  const shift = round % targets.length;
  return [...targets.slice(shift), ...targets.slice(0, shift)];
}

async function runOne(
  target: Target,
  connections: number,
  round: number,
  options: Options,
  bodies: readonly Buffer[],
  dataFrom: string | undefined,
): Promise<RunRecord> {
  const before = options.settle > 0 ? await waitForQuiet(options.settle) : null;
  const sync = probeSync();
  const started = await target.start({ dataFrom });
  let keepDir = options.keep;
  try {
    const sampler = new RssSampler(started.server.pid);
    const cursor = new BodyCursor(bodies);
    const warmup =
      options.warmup > 0
        ? await runLoad({ url: started.url, connections, seconds: options.warmup, cursor })
        : null;
    const meter = new CpuMeter(started.server.pid);
    meter.start();
    const load = await runLoad({ url: started.url, connections, seconds: options.duration, cursor });
    const cpu = meter.stop();
    const rss = sampler.stop();
    if (started.server.hasExited()) {
      throw new Error(`${target.label} exited during the load:\n${started.server.stderr()}`);
    }
    const backlog = started.metrics === null ? null : backlogIn(await started.metrics());
    const { catchUpSeconds, rebuild } = await catchUp(started, options.rebuild, 60_000);
    const exit = await started.stop();
    const verification =
      started.readStored === null
        ? null
        : verify(
            target,
            started.readStored(),
            warmup,
            load,
            cursor,
            bodies,
            started.stopsCleanly ? exit : null,
          );
    if (verification !== null && !verification.ok) keepDir = true;
    return {
      target: target.name,
      label: target.label,
      connections,
      round,
      pid: started.server.pid,
      requestsPerSecond: load.requestsPerSecond,
      p50Ms: load.p50Ms,
      p99Ms: load.p99Ms,
      errors: load.non2xx + load.errors,
      cpuUsPerRequest: (cpu.serverSeconds * 1e6) / Math.max(1, load.ok + load.non2xx),
      otherCpuShare: cpu.otherShare,
      peakRssBytes: Math.max(rss.hwmBytes, rss.sampledPeakBytes),
      sampledPeakRssBytes: rss.sampledPeakBytes,
      cpu,
      before,
      sync,
      warmup,
      load,
      bodiesUsed: cursor.next,
      verification,
      backlog,
      catchUpSeconds,
      rebuild,
    };
  } finally {
    await started.stop();
    if (keepDir && started.dir !== null) console.log(`    kept ${started.dir}`);
    else started.cleanup();
  }
}

/** telehook: waits for its backlog to reach 0, then compares its calls with a rebuild (when asked to). */
async function catchUp(
  started: StartedTarget,
  rebuild: boolean,
  timeoutMs: number,
): Promise<{ catchUpSeconds: number | null; rebuild: RebuildComparison | null }> {
  if (started.metrics === null || started.api === null) return { catchUpSeconds: null, rebuild: null };
  const { seconds } = await waitForCatchUp(started.metrics, { timeoutMs });
  if (seconds === null || !rebuild) return { catchUpSeconds: seconds, rebuild: null };
  return { catchUpSeconds: seconds, rebuild: await compareWithRebuild(started.api) };
}

/** telehook started and left without load for `seconds`: its resident set then. */
async function idleRss(seconds: number): Promise<number> {
  const started = await TELEHOOK.start({});
  try {
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const status = readFileSync(`/proc/${started.server.pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) * 1024;
  } finally {
    await started.stop();
    started.cleanup();
  }
}

/** --idle-only: the idle RSS of `rounds` fresh starts, one after the other, and their median judged. */
async function idleOnly(options: Options): Promise<void> {
  const idle = options.idle > 0 ? options.idle : 5;
  const samples: number[] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    if (options.settle > 0) await waitForQuiet(options.settle);
    const rss = await idleRss(idle);
    samples.push(rss);
    console.log(
      `  round ${round + 1}/${options.rounds}: telehook idle ${idle} s after start, RSS ${formatMb(rss)} MB`,
    );
  }
  const verdicts = judge([], {
    idleRssBytes: median(samples),
    burst: null,
    everyAckStored: null,
    rebuilds: null,
  });
  console.log(
    `\nMedian of ${samples.length}: ${formatMb(median(samples))} MB (${samples.map((bytes) => formatMb(bytes)).join(', ')})`,
  );
  console.log(formatVerdicts(verdicts.filter((verdict) => verdict.goal.startsWith('idle'))));
}

/** `seconds` at 50 connections, then the backlog read every 250 ms until it is 0 (at most 30 s). */
async function burst(
  seconds: number,
  options: Options,
  bodies: readonly Buffer[],
): Promise<{ loadSeconds: number; catchUpSeconds: number | null; record: RunRecord }> {
  const started = await TELEHOOK.start({});
  let keepDir = options.keep;
  try {
    const cursor = new BodyCursor(bodies);
    const meter = new CpuMeter(started.server.pid);
    meter.start();
    const load = await runLoad({ url: started.url, connections: 50, seconds, cursor });
    const cpu = meter.stop();
    const backlog = backlogIn(await started.metrics!());
    const { seconds: catchUpSeconds } = await waitForCatchUp(started.metrics!, {
      everyMs: 250,
      timeoutMs: 30_000,
    });
    const exit = await started.stop();
    const verification = verify(TELEHOOK, started.readStored!(), null, load, cursor, bodies, exit);
    if (!verification.ok) keepDir = true;
    const record: RunRecord = {
      target: 'telehook',
      label: `telehook burst`,
      connections: 50,
      round: 0,
      pid: started.server.pid,
      requestsPerSecond: load.requestsPerSecond,
      p50Ms: load.p50Ms,
      p99Ms: load.p99Ms,
      errors: load.non2xx + load.errors,
      cpuUsPerRequest: (cpu.serverSeconds * 1e6) / Math.max(1, load.ok + load.non2xx),
      otherCpuShare: cpu.otherShare,
      peakRssBytes: NaN,
      sampledPeakRssBytes: NaN,
      cpu,
      before: null,
      sync: probeSync(),
      warmup: null,
      load,
      bodiesUsed: cursor.next,
      verification,
      backlog,
      catchUpSeconds,
      rebuild: null,
    };
    return { loadSeconds: seconds, catchUpSeconds, record };
  } finally {
    await started.stop();
    if (keepDir && started.dir !== null) console.log(`    kept ${started.dir}`);
    else started.cleanup();
  }
}

function verify(
  target: Target,
  stored: { events: number; quarantined: number; raw: Buffer[] },
  warmup: LoadResult | null,
  load: LoadResult,
  cursor: BodyCursor,
  bodies: readonly Buffer[],
  exit: Exit | null,
): Verification {
  // A target that dedupes stores a body sent twice (the call flows' repeats) once: count different bodies. The
  // first `acked` bodies handed out stand for the acknowledged ones (those in flight at the stop are the last).
  const count = (n: number): number => (target.dedupes ? distinctAmong(bodies, n) : n);
  const acked = count((warmup?.ok ?? 0) + load.ok);
  const sent = count((warmup?.sent ?? 0) + load.sent);
  const handedOut = new Set<string>();
  for (let index = 0; index < Math.min(cursor.next, bodies.length); index += 1) {
    handedOut.add((bodies[index] as Buffer).toString('latin1'));
  }
  const foreign = stored.raw.filter((raw) => !handedOut.has(raw.toString('latin1'))).length;
  const problems: string[] = [];
  if (stored.events < acked) {
    problems.push(`${acked - stored.events} acknowledged event(s) are missing from the database`);
  }
  if (stored.events > sent) problems.push(`${stored.events - sent} more event(s) stored than requests sent`);
  if (stored.quarantined > 0) problems.push(`${stored.quarantined} request(s) quarantined`);
  if (foreign > 0) problems.push(`${foreign} stored bod(ies) differ from every body sent`);
  if (exit !== null && (exit.killed || exit.code !== 0)) {
    problems.push(
      `SIGTERM did not end it cleanly (${exit.killed ? 'killed after 10 s' : `exit code ${exit.code ?? exit.signal}`})`,
    );
  }
  if (target.dedupes && cursor.next > cursor.size) {
    problems.push(`the pool of ${cursor.size} bodies wrapped (raise --pool): repeats were deduplicated`);
  }
  return {
    ok: problems.length === 0,
    acked,
    stored: stored.events,
    sent,
    quarantined: stored.quarantined,
    foreign,
    problems,
  };
}

function describeRun(run: RunRecord, round: number, rounds: number): string {
  const head =
    `  round ${round + 1}/${rounds}  ${String(run.connections).padStart(3)} conn  ${run.label.padEnd(15)}` +
    `${formatRate(run.requestsPerSecond).padStart(8)} req/s  p50 ${formatMs(run.p50Ms).padStart(5)} ms` +
    `  p99 ${formatMs(run.p99Ms).padStart(5)} ms  errors ${run.errors}  CPU ${formatRate(run.cpuUsPerRequest)} µs/req` +
    `  peak RSS ${formatMb(run.peakRssBytes)} MB  others ${formatPercent(run.otherCpuShare)}` +
    `  fsync p50/p99 ${formatMs(run.sync.p50Ms)}/${formatMs(run.sync.p99Ms)} ms` +
    (run.before !== null && run.before.waitedSeconds > 1.5
      ? ` (waited ${Math.round(run.before.waitedSeconds)} s for quiet${run.before.busyShare >= 0.1 ? `, still ${formatPercent(run.before.busyShare)} busy` : ''})`
      : '');
  const check = run.verification;
  const withBacklog =
    run.backlog === null
      ? head
      : `${head}\n      calls projection: ${formatRate(run.backlog)} events not folded yet at the end of the load` +
        (run.catchUpSeconds === undefined
          ? ''
          : run.catchUpSeconds === null
            ? ', NOT caught up within the limit'
            : `, caught up ${run.catchUpSeconds.toFixed(1)} s later`) +
        (run.rebuild === undefined || run.rebuild === null
          ? ''
          : `; calls ${run.rebuild.equal ? 'equal to' : 'NOT EQUAL to'} a rebuild (${formatRate(run.rebuild.calls)} calls${run.rebuild.equal ? '' : `, ${run.rebuild.differing} differ`}, rebuilt in ${formatRate(run.rebuild.rebuildMs)} ms)`);
  if (check === null) return withBacklog;
  const inFlight = check.stored - check.acked;
  const detail =
    `stored ${formatRate(check.stored)} / acked ${formatRate(check.acked)} / sent ${formatRate(check.sent)}` +
    (inFlight > 0 ? ` (${inFlight} stored while in flight at the stop, never answered)` : '');
  return check.ok
    ? `${withBacklog}\n      verified: ${detail}`
    : `${withBacklog}\n      VERIFICATION FAILED: ${detail}\n      ${check.problems.join('\n      ')}`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === null) {
    process.stdout.write(USAGE);
    return;
  }
  if (options.idleOnly) {
    await idleOnly(options);
    return;
  }
  const startedAt = new Date();
  const fixtures = loadFixtures();
  const generating = performance.now();
  const flows = options.workload === 'calls' ? buildCallFlowBodies(options.pool) : null;
  const bodies = flows?.bodies ?? buildBodies(fixtures, options.pool);
  const meanBytes = bodies.reduce((sum, body) => sum + body.length, 0) / bodies.length;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const perRun = options.warmup + options.duration;
  const runs = options.rounds * options.connections.length * options.targets.length;

  console.log(`telehook ingest benchmark — ${startedAt.toISOString()}`);
  console.log(
    `  ${os.cpus().length} × ${cpu}, ${formatMb(os.totalmem())} MB, Linux ${os.release()}, Node ${process.version}; load generator on the same machine`,
  );
  console.log(
    `  ${options.rounds} round(s) × connections ${options.connections.join(', ')} × ${options.targets.length} targets = ${runs} runs of ${options.warmup} s warm-up + ${options.duration} s (about ${Math.ceil((runs * (perRun + 3)) / 60)} min, more while waiting for a quiet machine)`,
  );
  const built = `mean ${Math.round(meanBytes)} bytes, built in ${Math.round(performance.now() - generating)} ms`;
  console.log(
    flows === null
      ? `  workload new-calls: ${formatRate(bodies.length)} bodies from ${fixtures.length} fixtures with fresh cmiuuid/conversation_uuid/time, every event a new call (the worst case; no targets), ${built}\n`
      : `  workload calls: ${formatRate(bodies.length)} bodies of ${formatRate(flows.calls)} whole calls (${Object.entries(
          flows.products,
        )
          .map(([product, n]) => `${product} ${formatRate(n)}`)
          .join(
            ', ',
          )}; ${Object.keys(flows.scenarios).length} scenarios), interleaved, ${formatRate(flows.duplicates)} sent twice, ${built}\n`,
  );

  const dataFrom = options.prefill > 0 ? await prefilledDataDir(options.prefill) : undefined;
  const records: RunRecord[] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    for (const connections of options.connections) {
      for (const target of orderOf(options.targets, round)) {
        const record = await runOne(target, connections, round, options, bodies, dataFrom);
        records.push(record);
        console.log(describeRun(record, round, options.rounds));
      }
    }
  }

  const summaries = summarise(records);
  const labels = Object.fromEntries(TARGETS.map((target) => [target.name, target.label])) as Record<
    TargetName,
    string
  >;
  const hasTelehook = options.targets.includes(TELEHOOK);
  let idleRssBytes: number | null = null;
  if (hasTelehook && options.idle > 0) {
    idleRssBytes = await idleRss(options.idle);
    console.log(`  telehook idle ${options.idle} s after start, no load: RSS ${formatMb(idleRssBytes)} MB`);
  }
  let burstResult: { loadSeconds: number; catchUpSeconds: number | null } | null = null;
  if (hasTelehook && options.burst > 0) {
    if (options.settle > 0) await waitForQuiet(options.settle);
    const { record, ...result } = await burst(options.burst, options, bodies);
    burstResult = result;
    records.push(record);
    console.log(describeRun(record, 0, 1).replace('round 1/1', 'burst    '));
  }

  const failed = records.filter((record) => record.verification !== null && !record.verification.ok);
  const checked = records.filter((record) => record.verification !== null);
  const compared = records.filter((record) => record.rebuild !== undefined && record.rebuild !== null);
  const verdicts = judge(summaries, {
    idleRssBytes,
    burst: burstResult,
    everyAckStored: checked.length === 0 ? null : failed.length === 0,
    rebuilds: options.rebuild
      ? {
          compared: records.filter((record) => record.backlog !== null && record.label !== 'telehook burst')
            .length,
          equal: compared.filter((record) => record.rebuild?.equal === true).length,
        }
      : null,
  });

  console.log('');
  for (const connections of options.connections) {
    console.log(`${formatConnections(connections, summaries, labels)}\n`);
  }
  if (flows === null) {
    console.log('Workload new-calls (every event a new call): the worst case, reported without targets.');
  } else {
    console.log('Checks for telehook (issue 20), judged on this run:');
    console.log(formatVerdicts(verdicts));
  }
  console.log(
    `\nDurability check: ${checked.length - failed.length} of ${checked.length} runs of stored targets had every acknowledged event in the database${failed.length > 0 ? ` — ${failed.length} FAILED, see above` : ''}.`,
  );

  const syncP50 = median(records.map((record) => record.sync.p50Ms));
  const syncP99 = median(records.map((record) => record.sync.p99Ms));
  console.log(
    `The disk: write 4 KiB + fdatasync took ${formatMs(syncP50)} ms (p50) and ${formatMs(syncP99)} ms (p99), medians of the probes before each run (from ${formatMs(Math.min(...records.map((record) => record.sync.p50Ms)))} to ${formatMs(Math.max(...records.map((record) => record.sync.p50Ms)))} ms p50).`,
  );
  const disturbed = records.filter((record) => record.otherCpuShare >= 0.1);
  if (disturbed.length > 0) {
    console.log(
      `Other processes took 10% or more of the CPUs during ${disturbed.length} of ${records.length} runs ("others"): compare within rounds, or run again on a quiet machine.`,
    );
  }

  const resultsDir = path.join(ROOT, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `ingest-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpu,
      memoryBytes: os.totalmem(),
      kernel: os.release(),
      node: process.version,
    },
    options: { ...options, targets: options.targets.map((target) => target.name) },
    fixtures: fixtures.map((fixture) => fixture.name),
    meanBodyBytes: meanBytes,
    summaries,
    verdicts,
    runs: records,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Results: ${path.relative(process.cwd(), file)}`);
  if (failed.length > 0) process.exitCode = 1;
}

await main();
