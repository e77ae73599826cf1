import type { Summary } from './stats.js';
import type { TargetName } from './targets.js';

/** The targets telehook must eventually meet (issue 8), as checks on this run's summaries. */
export interface Verdict {
  readonly pass: boolean | null;
  readonly goal: string;
  readonly measured: string;
}

const MB = 1e6;

export function formatRate(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

export function formatMb(bytes: number): string {
  return Number.isFinite(bytes) ? (bytes / MB).toFixed(1) : 'n/a';
}

export function formatPercent(share: number): string {
  return Number.isFinite(share) ? `${Math.round(share * 100)}%` : 'n/a';
}

function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a';
}

/** Aligns columns: the first left, the others right. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** One table for one connection count, then telehook's ratios to each other target. */
export function formatConnections(
  connections: number,
  summaries: readonly Summary[],
  labels: Readonly<Record<TargetName, string>>,
): string {
  const rows = summaries.filter((summary) => summary.connections === connections);
  const first = rows[0];
  if (first === undefined) return '';
  const title = `${connections} connection${connections === 1 ? '' : 's'} (median of ${first.rounds} round${first.rounds === 1 ? '' : 's'})`;
  const table = formatTable(
    ['target', 'req/s', 'spread', 'p50 ms', 'p99 ms', 'errors', 'CPU µs/req', 'peak RSS MB', 'others'],
    rows.map((summary) => [
      labels[summary.target as TargetName] ?? summary.target,
      formatRate(summary.requestsPerSecond),
      formatPercent(summary.spread),
      formatMs(summary.p50Ms),
      formatMs(summary.p99Ms),
      String(summary.errors),
      formatRate(summary.cpuUsPerRequest),
      formatMb(summary.peakRssBytes),
      formatPercent(summary.maxOtherCpuShare),
    ]),
  );
  const telehook = rows.find((summary) => summary.target === 'telehook');
  const others = rows.filter((summary) => summary.target !== 'telehook');
  const ratios =
    telehook === undefined || others.length === 0
      ? ''
      : `\n\ntelehook ÷ other\n${formatTable(
          ['', 'req/s', 'p50', 'p99', 'CPU/req', 'peak RSS'],
          others.map((other) => [
            `÷ ${labels[other.target as TargetName] ?? other.target}`,
            formatRatio(telehook.requestsPerSecond / other.requestsPerSecond),
            formatRatio(telehook.p50Ms / other.p50Ms),
            formatRatio(telehook.p99Ms / other.p99Ms),
            formatRatio(telehook.cpuUsPerRequest / other.cpuUsPerRequest),
            formatRatio(telehook.peakRssBytes / other.peakRssBytes),
          ]),
        )}`;
  return `${title}\n${table}${ratios}`;
}

/** What a run measured besides the tables' medians, for the checks of issue 20 (null: not measured). */
export interface RunChecks {
  /** telehook started and left idle for some seconds, no load: its resident set. */
  readonly idleRssBytes: number | null;
  /** 30 s at saturation, then the seconds until the backlog was 0 (null inside: not within the limit). */
  readonly burst: { readonly loadSeconds: number; readonly catchUpSeconds: number | null } | null;
  /** Every acknowledged event stored, in every run of a target that stores. */
  readonly everyAckStored: boolean | null;
  /** The calls right after each catch-up, compared with a rebuild: runs compared, runs equal. */
  readonly rebuilds: { readonly compared: number; readonly equal: number } | null;
}

/**
 * The checks of issue 20, judged on this run (realistic calls, the default workload); `pass: null` when the run
 * lacks what a check needs.
 */
export function judge(summaries: readonly Summary[], checks: RunChecks): Verdict[] {
  const find = (target: TargetName, connections: number): Summary | undefined =>
    summaries.find((summary) => summary.target === target && summary.connections === connections);
  const telehook50 = find('telehook', 50);
  const telehook1 = find('telehook', 1);
  const express50 = find('express', 50);
  const none = (goal: string): Verdict => ({ pass: null, goal, measured: 'not measured' });
  const verdicts: Verdict[] = [];

  const versus = (
    goal: string,
    value: (summary: Summary) => number,
    limit: number,
    atMost: boolean,
    unit: string,
  ): Verdict => {
    if (telehook50 === undefined || express50 === undefined) return none(goal);
    const ratio = value(telehook50) / value(express50);
    return {
      pass: atMost ? ratio <= limit : ratio >= limit,
      goal,
      measured: `${formatRatio(ratio)} (${formatRate(value(telehook50))} vs ${formatRate(value(express50))} ${unit})`,
    };
  };
  const p99 = (summary: Summary | undefined, limitMs: number, connections: number): Verdict => {
    const goal = `p99 at ${connections} connection${connections === 1 ? '' : 's'} ≤ ${limitMs} ms`;
    if (summary === undefined) return none(goal);
    return { pass: summary.p99Ms <= limitMs, goal, measured: `${formatMs(summary.p99Ms)} ms` };
  };

  verdicts.push(
    versus('req/s at 50 connections ≥ 1.5× Express sample', (s) => s.requestsPerSecond, 1.5, false, 'req/s'),
  );
  verdicts.push(
    versus('CPU per event at 50 connections ≤ 0.67× Express', (s) => s.cpuUsPerRequest, 0.67, true, 'µs'),
  );
  verdicts.push(p99(telehook50, 15, 50));
  verdicts.push(p99(telehook1, 2, 1));
  const peakGoal = 'peak RSS at 50 connections ≤ 1.5× Express peak';
  if (telehook50 === undefined || express50 === undefined) verdicts.push(none(peakGoal));
  else {
    const ratio = telehook50.maxPeakRssBytes / express50.maxPeakRssBytes;
    verdicts.push({
      pass: ratio <= 1.5,
      goal: peakGoal,
      measured: `${formatRatio(ratio)} (${formatMb(telehook50.maxPeakRssBytes)} vs ${formatMb(express50.maxPeakRssBytes)} MB, largest of the rounds)`,
    });
  }
  const idleGoal = 'idle RSS ≤ 110 MB';
  verdicts.push(
    checks.idleRssBytes === null
      ? none(idleGoal)
      : {
          pass: checks.idleRssBytes <= 110 * MB,
          goal: idleGoal,
          measured: `${formatMb(checks.idleRssBytes)} MB`,
        },
  );
  const burstGoal = 'burst: backlog 0 within 30 s after 30 s at saturation';
  verdicts.push(
    checks.burst === null
      ? none(burstGoal)
      : {
          pass: checks.burst.catchUpSeconds !== null && checks.burst.catchUpSeconds <= 30,
          goal: burstGoal,
          measured:
            checks.burst.catchUpSeconds === null
              ? `not caught up within 30 s (after ${checks.burst.loadSeconds} s of load)`
              : `${checks.burst.catchUpSeconds.toFixed(1)} s (after ${checks.burst.loadSeconds} s of load)`,
        },
  );
  const storedGoal = 'every acknowledged event stored';
  verdicts.push(
    checks.everyAckStored === null
      ? none(storedGoal)
      : {
          pass: checks.everyAckStored,
          goal: storedGoal,
          measured: checks.everyAckStored ? 'in every run' : 'NOT in every run (see above)',
        },
  );
  const rebuildGoal = 'calls after the catch-up equal to a rebuild';
  verdicts.push(
    checks.rebuilds === null || checks.rebuilds.compared === 0
      ? none(rebuildGoal)
      : {
          pass: checks.rebuilds.equal === checks.rebuilds.compared,
          goal: rebuildGoal,
          measured: `equal in ${checks.rebuilds.equal} of ${checks.rebuilds.compared} runs`,
        },
  );
  return verdicts;
}

export function formatVerdicts(verdicts: readonly Verdict[]): string {
  const width = Math.max(...verdicts.map((verdict) => verdict.goal.length));
  return verdicts
    .map(
      (verdict) =>
        `  ${verdict.pass === null ? 'n/a ' : verdict.pass ? 'PASS' : 'FAIL'}  ${verdict.goal.padEnd(width)}  ${verdict.measured}`,
    )
    .join('\n');
}
