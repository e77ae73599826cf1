// The ceiling: node:http reads the body, parses it as JSON and answers 204. Nothing is kept, nothing checked.
// Usage: node bare-http.js <port>
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? process.env['PORT'] ?? 5000);

createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(204).end();
    } catch {
      response.writeHead(400).end();
    }
  });
}).listen(port, '127.0.0.1');
