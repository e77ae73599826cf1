import pc from 'picocolors';

/** A stream a command writes to; `isTTY` decides colours and progress bars. */
export type Output = NodeJS.WritableStream & { isTTY?: boolean };

/** Where a command reads and writes: the process's own streams, or others in tests. */
export interface CommandIo {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly stdin: NodeJS.ReadableStream;
}

/** The process's standard streams. */
export function processIo(): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
}

/** The colours for `stream`: on a terminal that supports them (picocolors honours NO_COLOR and FORCE_COLOR), else none. */
export function colorsFor(stream: Output): ReturnType<typeof pc.createColors> {
  return pc.createColors(stream.isTTY === true && pc.isColorSupported);
}
