/** One message of a `text/event-stream`, as an EventSource would dispatch it. */
export interface EventStreamMessage {
  /** The `event` field, or `message` when the message has none. */
  readonly type: string;
  /** The message's `data` lines, joined with newlines. */
  readonly data: string;
  /** The message's own `id` field, or null when it has none. */
  readonly id: string | null;
  /** The stream's last event id once this message is read (what `Last-Event-ID` resumes from); '' when none yet. */
  readonly lastEventId: string;
}

/** What {@link createEventStreamParser} reports. */
export interface EventStreamHandlers {
  onMessage(message: EventStreamMessage): void;
  /** A `retry` field: how long to wait before reconnecting, in ms. */
  onRetry?(ms: number): void;
  /** A comment line (after its `:`), which an EventSource ignores: the server's heartbeat. */
  onComment?(text: string): void;
}

/** Reads a `text/event-stream` from bytes as they arrive. */
export interface EventStreamParser {
  /** Feeds the next bytes; a chunk may end anywhere, even inside a line or a UTF-8 character. */
  push(chunk: Uint8Array): void;
  /** The last event id seen (from a dispatched or an empty message); '' when none. */
  readonly lastEventId: string;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * A parser of Server-Sent Events, as the WHATWG HTML standard (§9.2.6, "Interpreting an event stream") reads them:
 * UTF-8 with a leading byte-order mark ignored; lines end with CRLF, LF or CR; `:` starts a comment; a field's
 * value loses one leading space; `data` lines accumulate; `id` (unless it holds NUL) sets the last event id, kept
 * from message to message; `retry` takes digits only; a blank line dispatches the message, unless it has no data;
 * a message not ended by a blank line when the stream ends is never dispatched. Start a new parser for each
 * connection, with the last event id of the previous one.
 *
 * @example
 * const parser = createEventStreamParser({ onMessage: (message) => console.log(message.type, message.data) });
 * for await (const chunk of response.body) parser.push(chunk);
 */
export function createEventStreamParser(handlers: EventStreamHandlers, lastEventId = ''): EventStreamParser {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let isAfterCr = false;
  let type = '';
  let data: string[] = [];
  let id: string | null = null;
  // The id buffer persists from message to message; the last event id takes its value at each dispatch.
  let idBuffer = lastEventId;
  let lastId = lastEventId;

  const dispatch = (): void => {
    lastId = idBuffer;
    const message = { type: type === '' ? 'message' : type, data: data.join('\n'), id, lastEventId: lastId };
    const hasData = data.length > 0;
    type = '';
    data = [];
    id = null;
    if (hasData) handlers.onMessage(message);
  };

  const readLine = (line: string): void => {
    if (line === '') return dispatch();
    if (line.startsWith(':')) return handlers.onComment?.(line.slice(1));
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) {
      id = value;
      idBuffer = value;
    } else if (field === 'retry' && /^\d+$/.test(value)) handlers.onRetry?.(Number(value));
  };

  return {
    push(chunk) {
      const text = decoder.decode(chunk, { stream: true });
      let start = 0;
      for (let index = 0; index < text.length; index += 1) {
        const code = text.charCodeAt(index);
        // The LF of a CRLF split across two chunks ends no second line.
        if (isAfterCr && code === LF) {
          isAfterCr = false;
          start = index + 1;
          continue;
        }
        isAfterCr = false;
        if (code !== LF && code !== CR) continue;
        readLine(pending + text.slice(start, index));
        pending = '';
        start = index + 1;
        isAfterCr = code === CR;
      }
      pending += text.slice(start);
    },
    get lastEventId() {
      return lastId;
    },
  };
}
