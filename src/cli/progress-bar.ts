/** A one-line progress bar for a terminal. */
export interface ProgressBar {
  update(done: number, detail: string): void;
  finish(): void;
}

const WIDTH = 24;
const EVERY_MS = 100;

/**
 * A progress bar redrawn in place on `stream` (at most ten times a second), or nothing at all when `stream` is
 * not a terminal: logs and pipes get no carriage returns.
 */
export function createProgressBar(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  total: number,
): ProgressBar {
  if (stream.isTTY !== true) return { update: () => undefined, finish: () => undefined };
  let drawnAt = 0;
  let last = '';
  const draw = (done: number, detail: string): void => {
    const ratio = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(ratio * WIDTH);
    const line = `[${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}%  ${done}/${total}  ${detail}`;
    stream.write(`\r${line.padEnd(last.length)}`);
    last = line;
  };
  return {
    update(done, detail) {
      const now = Date.now();
      if (now - drawnAt < EVERY_MS && done < total) return;
      drawnAt = now;
      draw(done, detail);
    },
    finish() {
      if (last !== '') stream.write('\n');
    },
  };
}
