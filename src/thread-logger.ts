import type { FastifyBaseLogger } from 'fastify';

/** The levels of the lines a worker thread logs. */
export type ThreadLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** A line a worker thread logged, for the main thread's logger to write (`logger[line.level](fields, msg)`). */
export interface LogLine {
  readonly level: ThreadLogLevel;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly msg: string | undefined;
}

const LEVELS: readonly ThreadLogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/**
 * A worker thread's logger (the SQLite fold thread's): each line it keeps is posted to the main thread, which
 * writes it with the process's own logger (store/sqlite/fold-thread/client.ts). The thread thus loads no logging library (pino and its writer cost an isolate about
 * 5 MB), and its lines go through the main thread's redaction, format and destination like any other. Lines below
 * `level` are dropped here, before they cross the thread boundary.
 *
 * @example
 * const logger = createThreadLogger('info', (line) => port.postMessage({ type: 'log', line }));
 * logger.child({ thread: 'fold' }).warn({ events: 3 }, 'slow fold');
 */
export function createThreadLogger(
  level: string,
  post: (line: LogLine) => void,
  bindings: Readonly<Record<string, unknown>> = {},
): FastifyBaseLogger {
  const threshold = level === 'silent' ? Infinity : Math.max(0, LEVELS.indexOf(level as ThreadLogLevel));
  const at =
    (lineLevel: ThreadLogLevel) =>
    (first?: unknown, message?: unknown): void => {
      if (LEVELS.indexOf(lineLevel) < threshold) return;
      const fields = typeof first === 'object' && first !== null ? first : {};
      const msg = typeof first === 'string' ? first : typeof message === 'string' ? message : undefined;
      // An Error crosses as itself (the structured clone keeps its name, message and stack) so that the main
      // thread's serializer writes it as it writes its own.
      post({
        level: lineLevel,
        fields: { ...bindings, ...(first instanceof Error ? { err: first } : fields) },
        msg,
      });
    };
  return {
    level,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    silent: () => undefined,
    child: (more) => createThreadLogger(level, post, { ...bindings, ...more }),
  } as FastifyBaseLogger;
}

/**
 * Posts each line to the main thread as `{ type: 'log', line }` (store/sqlite/fold-thread/protocol.ts). A line
 * that cannot be cloned (a field holding a function) still reaches the log, without its fields.
 */
export function postingLines(port: { postMessage(message: unknown): void }): (line: LogLine) => void {
  return (line) => {
    try {
      port.postMessage({ type: 'log', line });
    } catch {
      port.postMessage({ type: 'log', line: { ...line, fields: {} } });
    }
  };
}
