/** A one-line progress bar for a terminal. */
export interface ProgressBar {
  update(done: number, detail: string): void;
  finish(): void;
}

const WIDTH = 24;
const EVERY_MS = 100;
/** The moving block of a bar whose total is not known. */
const BLOCK = 6;

/**
 * A progress bar redrawn in place on `stream` (at most ten times a second), or nothing at all when `stream` is
 * not a terminal: logs and pipes get no carriage returns. A null `total` (a reconcile run does not know how many
 * rows TeleCMI holds until it has read them) draws a block moving with each redraw and the count alone.
 */
export function createProgressBar(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  total: number | null,
): ProgressBar {
  if (stream.isTTY !== true) return { update: () => undefined, finish: () => undefined };
  let drawnAt = 0;
  let draws = 0;
  let last = '';
  const bar = (done: number): string => {
    if (total === null) {
      const at = draws % (WIDTH - BLOCK + 1);
      return `[${'░'.repeat(at)}${'█'.repeat(BLOCK)}${'░'.repeat(WIDTH - BLOCK - at)}]  ${done}`;
    }
    const ratio = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(ratio * WIDTH);
    return `[${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}%  ${done}/${total}`;
  };
  const draw = (done: number, detail: string): void => {
    const line = `${bar(done)}  ${detail}`;
    draws += 1;
    stream.write(`\r${line.padEnd(last.length)}`);
    last = line;
  };
  return {
    update(done, detail) {
      const now = Date.now();
      if (now - drawnAt < EVERY_MS && (total === null || done < total)) return;
      drawnAt = now;
      draw(done, detail);
    },
    finish() {
      if (last !== '') stream.write('\n');
    },
  };
}
