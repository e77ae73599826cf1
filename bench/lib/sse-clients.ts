/**
 * Many wallboard clients in one process: `tsx bench/lib/sse-clients.ts <live url> <count>`, run by
 * bench/live-fanout.ts as a child (its IPC channel carries the questions and answers), so that reading the streams
 * does not slow the process that times the ingest. Each client is a raw socket that reads and counts what arrives,
 * as a browser's EventSource would read it, without parsing the JSON.
 */
import { connect, type Socket } from 'node:net';

interface Client {
  readonly socket: Socket;
  bytes: number;
  /** Refused (a status other than 200) or ended by the server. */
  isClosed: boolean;
  status: number | null;
  hasSnapshot: boolean;
  /** The last bytes read, so that a marker split over two reads is still found. */
  tail: string;
  hasMarker: boolean;
}

export type ClientQuestion =
  { type: 'marker'; marker: string } | { type: 'reset' } | { type: 'report' } | { type: 'exit' };
export type ClientAnswer =
  | { type: 'connected'; open: number; refused: number; snapshotted: number }
  | { type: 'marker'; seen: number; open: number; afterMs: number }
  | {
      type: 'report';
      open: number;
      closed: number;
      bytes: number;
      /** What the first client read since the last reset, by message type: how many, and their bytes. */
      byType: Record<string, { count: number; bytes: number }>;
    };

const [liveUrl, countText] = process.argv.slice(2);
const url = new URL(liveUrl!);
const count = Number(countText);
const clients: Client[] = [];
let byType: Record<string, { count: number; bytes: number }> = {};
let firstText = '';
/** The first client's stream, parsed message by message (the others are only counted). */
function tally(chunk: Buffer): void {
  firstText += chunk.toString('utf8');
  for (let end = firstText.indexOf('\n\n'); end !== -1; end = firstText.indexOf('\n\n')) {
    const block = firstText.slice(0, end + 2);
    firstText = firstText.slice(end + 2);
    const type = /^event: (.+)$/m.exec(block)?.[1] ?? (block.startsWith(':') ? 'comment' : 'other');
    const entry = (byType[type] ??= { count: 0, bytes: 0 });
    entry.count += 1;
    entry.bytes += Buffer.byteLength(block);
  }
}
let marker: string | null = null;
let markerSince = 0;

const send = (answer: ClientAnswer): void => void process.send?.(answer);

function open(): Client {
  const socket = connect(Number(url.port), url.hostname);
  const client: Client = {
    socket,
    bytes: 0,
    isClosed: false,
    status: null,
    hasSnapshot: false,
    tail: '',
    hasMarker: false,
  };
  socket.setNoDelay(true);
  socket.write(
    `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`,
  );
  const isFirst = clients.length === 0;
  socket.on('data', (chunk: Buffer) => {
    client.bytes += chunk.length;
    if (isFirst) tally(chunk);
    if (client.status === null)
      client.status = Number(/^HTTP\/1\.1 (\d+)/.exec(chunk.toString('latin1'))?.[1]);
    if (client.hasSnapshot && (marker === null || client.hasMarker)) return;
    const text = client.tail + chunk.toString('latin1');
    if (!client.hasSnapshot && text.includes('event: snapshot')) client.hasSnapshot = true;
    if (marker !== null && !client.hasMarker && text.includes(marker)) client.hasMarker = true;
    client.tail = text.slice(-200);
  });
  const closed = (): void => {
    client.isClosed = true;
  };
  socket.on('close', closed);
  socket.on('error', closed);
  return client;
}

// Connect in small steps: a thousand SYNs at once would overflow the server's accept backlog.
for (let n = 0; n < count; n += 1) {
  clients.push(open());
  if (n % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 20));
}
const started = Date.now();
for (;;) {
  const settled = clients.filter((client) => client.hasSnapshot || client.isClosed).length;
  if (settled === count || Date.now() - started > 120_000) break;
  await new Promise((resolve) => setTimeout(resolve, 50));
}
send({
  type: 'connected',
  open: clients.filter((client) => !client.isClosed).length,
  refused: clients.filter((client) => client.status !== 200).length,
  snapshotted: clients.filter((client) => client.hasSnapshot).length,
});

process.on('message', (question: ClientQuestion) => {
  if (question.type === 'marker') {
    marker = question.marker;
    markerSince = Date.now();
    const poll = setInterval(() => {
      const live = clients.filter((client) => !client.isClosed);
      const seen = live.filter((client) => client.hasMarker).length;
      if (seen === live.length || Date.now() - markerSince > 30_000) {
        clearInterval(poll);
        send({ type: 'marker', seen, open: live.length, afterMs: Date.now() - markerSince });
      }
    }, 10);
  } else if (question.type === 'reset') {
    byType = {};
    for (const client of clients) client.bytes = 0;
  } else if (question.type === 'report') {
    send({
      type: 'report',
      open: clients.filter((client) => !client.isClosed).length,
      closed: clients.filter((client) => client.isClosed).length,
      bytes: clients.reduce((sum, client) => sum + client.bytes, 0),
      byType,
    });
  } else {
    for (const client of clients) client.socket.destroy();
    process.exit(0);
  }
});
