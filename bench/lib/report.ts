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

/** The goals of issue 8, judged on this run; `pass: null` when the run lacks what a goal needs. */
export function judge(summaries: readonly Summary[]): Verdict[] {
  const find = (target: TargetName, connections: number): Summary | undefined =>
    summaries.find((summary) => summary.target === target && summary.connections === connections);
  const telehook50 = find('telehook', 50);
  const telehook1 = find('telehook', 1);
  const express50 = find('express', 50);
  const bare50 = find('bare', 50);
  const telehookRuns = summaries.filter((summary) => summary.target === 'telehook');
  const verdicts: Verdict[] = [];

  const throughput = (other: Summary | undefined, factor: number, label: string): Verdict => {
    const goal = `throughput at 50 connections ≥ ${factor}× ${label}`;
    if (telehook50 === undefined || other === undefined)
      return { pass: null, goal, measured: 'not measured' };
    const ratio = telehook50.requestsPerSecond / other.requestsPerSecond;
    return {
      pass: ratio >= factor,
      goal,
      measured: `${formatRatio(ratio)} (${formatRate(telehook50.requestsPerSecond)} vs ${formatRate(other.requestsPerSecond)} req/s)`,
    };
  };
  const p99 = (summary: Summary | undefined, limitMs: number, connections: number): Verdict => {
    const goal = `p99 at ${connections} connection${connections === 1 ? '' : 's'} ≤ ${limitMs} ms`;
    if (summary === undefined) return { pass: null, goal, measured: 'not measured' };
    return { pass: summary.p99Ms <= limitMs, goal, measured: `${formatMs(summary.p99Ms)} ms` };
  };

  verdicts.push(throughput(express50, 2, 'Express sample'));
  verdicts.push(throughput(bare50, 0.5, 'bare node:http'));
  verdicts.push(p99(telehook50, 15, 50));
  verdicts.push(p99(telehook1, 2, 1));
  if (telehookRuns.length === 0) {
    verdicts.push({ pass: null, goal: 'peak RSS ≤ 100 MB', measured: 'not measured' });
  } else {
    const peak = Math.max(...telehookRuns.map((summary) => summary.maxPeakRssBytes));
    verdicts.push({
      pass: peak <= 100 * MB,
      goal: 'peak RSS ≤ 100 MB',
      measured: `${formatMb(peak)} MB (the largest of every telehook run)`,
    });
  }
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
