import type { EventSummary } from '../../live/index.js';
import type { Call } from '../../store/index.js';
import { findApiTarget } from '../api-target.js';
import { colorsFor, type CommandIo, processIo } from '../command-io.js';
import type { EventStreamMessage } from '../event-stream.js';
import { followLiveStream, LiveStreamRefused } from '../live-stream.js';
import {
  callLine,
  eventLine,
  type Filter,
  formatLine,
  parseFilters,
  passesFilters,
  type TailLine,
} from '../tail-lines.js';
import { UsageError } from '../usage-error.js';

/** The flags of `telehook tail`. */
export interface TailFlags {
  readonly server?: string;
  readonly token?: string;
  readonly data?: string;
  readonly filter?: readonly string[];
  readonly json?: boolean;
}

/** How many ended calls are remembered, so that a call told again unchanged is not printed twice. */
const REMEMBERED_CALLS = 10_000;
/** How long a call ended by its live events waits for its CDR before its line is printed. */
const CDR_GRACE_MS = 5000;

/** Prints the messages of the stream; `flush` prints what still waits when the stream is left. */
export interface Printer {
  handle(message: EventStreamMessage): void;
  flush(): void;
}

/** What the wallboard snapshot says, as far as the first notice uses it. */
interface Snapshot {
  readonly now?: { readonly waitingNow?: number; readonly talkingNow?: number };
  readonly totals?: Record<string, number | null>;
}

/**
 * `telehook tail`: follows the live stream of a server and prints one line per event and one per call that
 * ends (with `--json`, every message as one JSON line), until `signal` aborts (Ctrl-C). Notices (connected,
 * disconnected, resumed) go to stderr, so that stdout holds only the lines. Returns the exit code.
 */
export async function runTail(
  flags: TailFlags,
  io: CommandIo = processIo(),
  signal: AbortSignal = new AbortController().signal,
): Promise<number> {
  const filters = parseFilters('--filter', flags.filter ?? []);
  const target = findApiTarget(flags);
  if (target === null)
    throw new UsageError(
      'No running telehook server found in the data directory: start one with "telehook serve", pass --data with its directory, or --server URL --token T.',
    );
  const url = new URL('api/live', target.base);
  // A server found through server.json is looked up again before each reconnection: restarted, it may listen on
  // another port.
  const findUrl = (): URL => {
    if (target.source === '--server') return url;
    const again = findApiTarget(flags);
    if (again === null) throw new Error('no telehook server runs on the data directory');
    return new URL('api/live', again.base);
  };
  const c = colorsFor(io.stdout);
  const notice = colorsFor(io.stderr);
  const say = (text: string): void => void io.stderr.write(`${text}\n`);
  const print = (text: string): void => void io.stdout.write(`${text}\n`);
  const printer =
    flags.json === true ? jsonPrinter(filters, print) : createLinePrinter(filters, print, c, say);

  try {
    await followLiveStream({
      url: findUrl,
      token: target.token,
      signal,
      onMessage: (message) => printer.handle(message),
      onConnected: ({ isReconnection, lastEventId }) =>
        say(
          isReconnection
            ? notice.green(
                `Reconnected${lastEventId === null ? '' : `; the server sends what was missed after event ${lastEventId}`}.`,
              )
            : notice.dim(`Following ${url.origin}${url.pathname} (Ctrl-C to stop).`),
        ),
      onDisconnected: (reason, retryMs) =>
        say(
          notice.yellow(
            `Disconnected (${reason}); reconnecting every ${formatRetry(retryMs)}, nothing will be missed…`,
          ),
        ),
    });
  } catch (error) {
    if (!(error instanceof LiveStreamRefused)) throw error;
    const hint =
      error.status === 401 || error.status === 403
        ? '--token: give the API token (or the viewer token) printed by "telehook serve", or set TELEHOOK_API_TOKEN'
        : '--server: give the base URL of a telehook server, such as http://localhost:5000';
    throw new UsageError(`${url.origin}${url.pathname}: ${error.message}. ${hint}.`);
  } finally {
    printer.flush();
  }
  return 0;
}

const formatRetry = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

const parseData = (message: EventStreamMessage): unknown => {
  try {
    return JSON.parse(message.data) as unknown;
  } catch {
    return message.data;
  }
};

/** `--json`: each message as `{"type","id","data"}`; with filters, only the events and calls that pass them. */
function jsonPrinter(filters: readonly Filter[], print: (text: string) => void): Printer {
  return {
    handle(message) {
      const data = parseData(message);
      if (filters.length > 0) {
        const line = lineOf(message.type, data, false);
        if (line === null || !passesFilters(line, filters)) return;
      }
      print(JSON.stringify({ type: message.type, id: message.id, data }));
    },
    flush: () => undefined,
  };
}

/**
 * People's format: a line per event and per call that ended, filtered; a notice about the first snapshot. A call
 * ended by its live events waits up to {@link CDR_GRACE_MS} for its CDR, which TeleCMI sends right after and
 * which is authoritative (outcome, durations, team), so that each call ends in one line; it is printed again
 * only if its outcome or who answered changes later.
 */
export function createLinePrinter(
  filters: readonly Filter[],
  print: (text: string) => void,
  c: ReturnType<typeof colorsFor>,
  say: (text: string) => void,
): Printer {
  const told = new Map<string, string>();
  const waiting = new Map<string, { line: TailLine; timer: NodeJS.Timeout }>();
  let hasSnapshot = false;
  const show = (line: TailLine): void => {
    if (passesFilters(line, filters)) print(formatLine(line, c));
  };
  const tell = (key: string, line: TailLine): void => {
    const pending = waiting.get(key);
    if (pending !== undefined) clearTimeout(pending.timer);
    waiting.delete(key);
    told.delete(key);
    told.set(key, `${line.call?.outcome} ${line.agent}`);
    if (told.size > REMEMBERED_CALLS) told.delete(told.keys().next().value!);
    show(line);
  };
  const endCall = (call: Call, line: TailLine): void => {
    const key = call.key;
    const pending = waiting.get(key);
    if (told.get(key) === `${line.call?.outcome} ${line.agent}`) return;
    if (call.closedBy !== 'events' || told.has(key)) return tell(key, line);
    if (pending !== undefined) pending.line = line;
    else waiting.set(key, { line, timer: setTimeout(() => tell(key, waiting.get(key)!.line), CDR_GRACE_MS) });
  };
  return {
    handle(message) {
      const data = parseData(message);
      if (message.type === 'snapshot' && !hasSnapshot) {
        hasSnapshot = true;
        say(c.dim(describeSnapshot(data as Snapshot)));
        return;
      }
      const line = lineOf(message.type, data, true);
      if (line === null) return;
      if (line.kind === 'call') endCall(data as Call, line);
      else show(line);
    },
    flush() {
      for (const [key, { line }] of [...waiting]) tell(key, line);
    },
  };
}

/** The line of an `event` message, or of a `call` message (only an ended call when `endedOnly`). */
function lineOf(type: string, data: unknown, endedOnly: boolean): TailLine | null {
  if (typeof data !== 'object' || data === null) return null;
  if (type === 'event') return eventLine(data as EventSummary);
  if (type === 'call' && (!endedOnly || (data as Call).state === 'ended')) return callLine(data as Call);
  return null;
}

function describeSnapshot(snapshot: Snapshot): string {
  const totals = snapshot.totals ?? {};
  const count = (name: string): string => String(totals[name] ?? 0);
  return (
    `Now: ${snapshot.now?.waitingNow ?? 0} waiting, ${snapshot.now?.talkingNow ?? 0} talking. ` +
    `Today: ${count('offered')} offered, ${count('answered')} answered, ${count('abandoned')} abandoned, ` +
    `${count('missed')} missed, ${count('voicemail')} voicemail.`
  );
}
