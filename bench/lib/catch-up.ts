import { backlogIn } from './targets.js';

/**
 * Reads telehook's backlog (telehook_projection_backlog_events) every `everyMs` until it is 0: the seconds that
 * took, or null when it was still above 0 after `timeoutMs` (with the last backlog read).
 */
export async function waitForCatchUp(
  metrics: () => Promise<string>,
  options: { everyMs?: number; timeoutMs: number },
): Promise<{ seconds: number | null; lastBacklog: number }> {
  const started = performance.now();
  for (;;) {
    const backlog = backlogIn(await metrics());
    if (backlog === 0) return { seconds: (performance.now() - started) / 1000, lastBacklog: 0 };
    if (performance.now() - started > options.timeoutMs) return { seconds: null, lastBacklog: backlog };
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 250));
  }
}

/** Every call as its NDJSON line, sorted by key: two exports compare equal when they hold the same calls. */
export function callsByKey(ndjson: string): string[] {
  return ndjson
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.stringify(sortKeys(JSON.parse(line) as unknown)))
    .sort();
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

export interface RebuildComparison {
  readonly equal: boolean;
  readonly calls: number;
  /** Calls that differ, or are only on one side. */
  readonly differing: number;
  readonly rebuildMs: number;
}

const EVERY_CALL = '/api/calls.ndjson?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z';

/**
 * After the catch-up: the calls as the projection folded them during the load, against the calls POST
 * /api/rebuild folds again from the stored events (a call is a function of the set of its events).
 */
export async function compareWithRebuild(
  api: (path: string, method?: 'GET' | 'POST') => Promise<Response>,
): Promise<RebuildComparison> {
  const read = async (): Promise<string[]> => {
    const response = await api(EVERY_CALL);
    if (!response.ok)
      throw new Error(`GET ${EVERY_CALL} answered ${response.status}: ${await response.text()}`);
    return callsByKey(await response.text());
  };
  const before = await read();
  const rebuilt = await api('/api/rebuild', 'POST');
  if (!rebuilt.ok) throw new Error(`POST /api/rebuild answered ${rebuilt.status}: ${await rebuilt.text()}`);
  const { ms } = (await rebuilt.json()) as { ms: number };
  const after = await read();
  return { ...diffLines(before, after), calls: before.length, rebuildMs: ms };
}

/** How many lines of two sorted lists are not in the other (each side counted). */
export function diffLines(
  before: readonly string[],
  after: readonly string[],
): { equal: boolean; differing: number } {
  const left = new Set(before);
  const right = new Set(after);
  const differing =
    before.filter((line) => !right.has(line)).length + after.filter((line) => !left.has(line)).length;
  return { equal: differing === 0 && before.length === after.length, differing };
}
