/** What one check of `telehook doctor` found. */
export interface CheckResult {
  readonly name: string;
  /** ok: as it should be; warn: works, but look at it; fail: telehook cannot work so; skip: not configured. */
  readonly status: 'ok' | 'warn' | 'fail' | 'skip';
  readonly detail: string;
}

export const ok = (name: string, detail: string): CheckResult => ({ name, status: 'ok', detail });
export const warn = (name: string, detail: string): CheckResult => ({ name, status: 'warn', detail });
export const fail = (name: string, detail: string): CheckResult => ({ name, status: 'fail', detail });
export const skip = (name: string, detail: string): CheckResult => ({ name, status: 'skip', detail });

/** One line per check: `ok    database  SQLite …: up to date`. */
export function formatReport(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((result) => result.name.length));
  return results
    .map((result) => `${result.status.padEnd(5)} ${result.name.padEnd(width)}  ${result.detail}\n`)
    .join('');
}

/** 0 when nothing failed (warnings included), else 1. */
export function exitCodeOf(results: readonly CheckResult[]): number {
  return results.some((result) => result.status === 'fail') ? 1 : 0;
}

/** 12.3 GiB, 512 MiB */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** 3 s, 4 min, 2 h, 5 d */
export function formatAge(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}
