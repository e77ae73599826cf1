import { readFile } from 'node:fs/promises';

import { redactUrl } from '../../redact.js';
import { colorsFor, type CommandIo, processIo } from '../command-io.js';
import { createSender, isAccepted } from '../http-sender.js';
import { resolveIngestUrl } from '../ingest-target.js';
import { UsageError } from '../usage-error.js';

/** The flags of `telehook send`. */
export interface SendFlags {
  readonly url?: string;
  readonly data?: string;
}

/** One body to post, and where it came from (`file`, `file:line`, `stdin:line`). */
export interface Body {
  readonly source: string;
  readonly bytes: Uint8Array;
}

const NEWLINE = 0x0a;
const RETURN = 0x0d;

/**
 * The bodies in a file's bytes: the whole file when it is one JSON value (pretty-printed or not), else one body
 * per non-blank line (NDJSON). Bytes are kept exactly as they are, never re-serialised: TeleCMI's bodies are
 * stored byte for byte, so what a test sends is what it will read back.
 */
export function splitBodies(source: string, bytes: Uint8Array): Body[] {
  const text = Buffer.from(bytes)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  try {
    JSON.parse(text);
    return [{ source, bytes }];
  } catch {
    // Not one JSON value: NDJSON, or a body meant to be refused, line by line.
  }
  const bodies: Body[] = [];
  let start = 0;
  let line = 1;
  for (let index = 0; index <= bytes.length; index += 1) {
    if (index < bytes.length && bytes[index] !== NEWLINE) continue;
    let end = index;
    if (end > start && bytes[end - 1] === RETURN) end -= 1;
    const body = bytes.subarray(start, end);
    if (Buffer.from(body).toString('utf8').trim() !== '')
      bodies.push({ source: `${source}:${line}`, bytes: body });
    start = index + 1;
    line += 1;
  }
  return bodies;
}

/**
 * `telehook send FILE...`: posts each payload of each file (`-`, or no file at all, reads NDJSON or one JSON
 * payload from stdin) to the ingest URL, in order, and prints each answer. Every file is read before anything is
 * sent. Returns the exit code: 0 when every body was accepted (2xx), else 1.
 */
export async function runSend(
  files: readonly string[],
  flags: SendFlags,
  io: CommandIo = processIo(),
): Promise<number> {
  const sources = files.length === 0 ? ['-'] : files;
  const bodies: Body[] = [];
  for (const file of sources) {
    let bytes: Uint8Array;
    try {
      bytes = file === '-' ? await readAll(io.stdin) : await readFile(file);
    } catch (error) {
      throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
    }
    bodies.push(...splitBodies(file === '-' ? 'stdin' : file, bytes));
  }
  const url = resolveIngestUrl(flags);
  const c = colorsFor(io.stdout);
  io.stdout.write(
    `${c.bold(`Sending ${bodies.length} ${bodies.length === 1 ? 'payload' : 'payloads'}`)} → ${redactUrl(url)}\n`,
  );
  const sender = createSender(url, 1);
  let failed = 0;
  try {
    for (const body of bodies) {
      const answer = await sender.post(body.bytes);
      const accepted = isAccepted(answer);
      if (!accepted) failed += 1;
      io.stdout.write(
        `${c.cyan(body.source)} ${(accepted ? c.green : c.red)(`← ${answer.status === 0 ? 'no answer' : answer.status}`)} ${answer.body.trim()}\n`,
      );
    }
  } finally {
    await sender.close();
  }
  if (failed > 0) io.stdout.write(c.red(`${failed} of ${bodies.length} not accepted.\n`));
  return failed > 0 ? 1 : 0;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
