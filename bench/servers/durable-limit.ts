// The durable limit: bare-http plus what makes a 200 mean "on disk". better-sqlite3 in WAL mode with
// synchronous=FULL; the requests parsed in one turn of the event loop are inserted in one transaction (one
// fsync), and each is answered 200 only after that commit. No token, no normalising, no dedupe, no logging:
// the most that node:http + SQLite can do with telehook's durability promise.
// Usage: node durable-limit.js <port> <database file>
import { createServer, type ServerResponse } from 'node:http';

import Database from 'better-sqlite3';

const port = Number(process.argv[2] ?? process.env['PORT'] ?? 5000);
const db = new Database(process.argv[3] ?? 'durable-limit.db');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(
  'CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, raw BLOB NOT NULL)',
);
const insert = db.prepare('INSERT INTO events (received_at, raw) VALUES (?, ?)');
const insertAll = db.transaction((bodies: Buffer[], receivedAt: number) => {
  for (const body of bodies) insert.run(receivedAt, body);
});

let batch: { body: Buffer; response: ServerResponse }[] = [];

// setImmediate runs after the I/O callbacks of this turn: every request parsed in it joins the batch.
function commit(): void {
  const current = batch;
  batch = [];
  try {
    insertAll(
      current.map((entry) => entry.body),
      Date.now(),
    );
  } catch {
    for (const { response } of current) response.writeHead(503).end();
    return;
  }
  for (const { response } of current) {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  }
}

createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    try {
      JSON.parse(body.toString('utf8'));
    } catch {
      response.writeHead(400).end();
      return;
    }
    if (batch.push({ body, response }) === 1) setImmediate(commit);
  });
}).listen(port, '127.0.0.1');
