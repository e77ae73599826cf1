import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';

/** The wallboard's state, as src/dashboard/static/live-state.js keeps it. */
export interface LiveState {
  live: Map<string, unknown>;
  figures: Record<string, unknown> | null;
  settings: unknown;
}

export interface LiveStateScript {
  createLiveState(): LiveState;
  applyLiveMessage(state: LiveState, type: string, data: unknown): string | null;
}

/** The page's own script, run as the browser runs it (a classic script that sets a global), in a fresh context. */
export function loadLiveStateScript(): LiveStateScript {
  const file = new URL('../../src/dashboard/static/live-state.js', import.meta.url);
  const context: { telehookLive?: LiveStateScript } = {};
  runInNewContext(readFileSync(file, 'utf8'), context, { filename: file.pathname });
  return context.telehookLive!;
}

/** The state as plain JSON (the script's Map and arrays come from another realm): live calls sorted by key. */
export function plainState(state: LiveState): { live: [string, unknown][]; figures: unknown } {
  return JSON.parse(
    JSON.stringify({
      live: [...state.live.entries()].sort(([a], [b]) => a.localeCompare(b)),
      figures: state.figures,
    }),
  ) as { live: [string, unknown][]; figures: unknown };
}
