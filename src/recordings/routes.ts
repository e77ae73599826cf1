import type { FileHandle } from 'node:fs/promises';
import { open, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';

import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import parseRange from 'range-parser';

import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { AudioAnswer, AudioSource } from './audio-source.js';
import { type CachedFile, cacheKey, type RecordingsCache } from './disk-cache.js';

export interface RecordingsOptions {
  readonly store: Pick<Store, 'getCall'>;
  readonly source: AudioSource;
  /** The disk cache (TELEHOOK_RECORDINGS_CACHE); null: every play asks TeleCMI. */
  readonly cache: RecordingsCache | null;
  /** TELEHOOK_VIEWER_RECORDINGS: the viewer token may play them too. */
  readonly viewerMayPlay: boolean;
}

type Kind = 'recording' | 'voicemail';
const NOT_FOUND = { recording: 'RECORDING_NOT_FOUND', voicemail: 'VOICEMAIL_NOT_FOUND' } as const;
const TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  gsm: 'audio/gsm',
};

/** A file name's type when TeleCMI does not say: TeleCMI's recordings are `.mp3` (telecmi-payloads.md §3.10). */
const typeOf = (file: string): string =>
  TYPES[file.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';

/** The one byte range of a `Range` header, or null for none, several or a malformed one (then the whole file). */
function singleRange(header: string | undefined): string | null {
  if (header === undefined) return null;
  const ranges = parseRange(Number.MAX_SAFE_INTEGER, header, { combine: true });
  return Array.isArray(ranges) && ranges.type === 'bytes' && ranges.length === 1 ? header : null;
}

/**
 * `GET /api/calls/:key/recording` and `/voicemail`: the call's file, streamed from TeleCMI's play API with the
 * app's secret added on the server (it is in no answer and no URL a browser sees), with `Range` answered so that
 * an audio element seeks. The token may come as `?token=` because an audio element sends no header.
 */
export function recordingsRoutes(options: RecordingsOptions) {
  return async (app: FastifyInstance): Promise<void> => {
    for (const kind of ['recording', 'voicemail'] as const) {
      app.get(
        `/api/calls/:key/${kind}`,
        {
          config: {
            viewer: options.viewerMayPlay,
            // Signed-in supervisors and admins play them; viewers as the viewer token does.
            role: options.viewerMayPlay ? 'viewer' : 'supervisor',
            tokenInQuery: true,
            viewerRefusal: `Recordings and voicemails are personal data: the viewer token plays them only with TELEHOOK_VIEWER_RECORDINGS=1; use the API token.`,
          },
          schema: {
            summary: `The call's ${kind} (audio, from TeleCMI's play API), with Range requests`,
            params: Type.Object({ key: Type.String({ minLength: 1 }) }),
            querystring: Type.Object(
              { token: Type.Optional(Type.String({ description: 'the API token, for an audio element' })) },
              { additionalProperties: false },
            ),
            produces: ['audio/mpeg', 'audio/wav'],
          },
        },
        async (request, reply) => {
          const { key } = request.params as { key: string };
          const call = await options.store.getCall(key);
          if (call === null) throw new AppError('NOT_FOUND', `No call with key or TeleCMI id "${key}".`);
          const file = call[kind];
          if (file === null) throw new AppError(NOT_FOUND[kind], `The call ${call.key} has no ${kind}.`);
          const source = options.source;
          if (source.state === 'unconfigured')
            throw new AppError(
              'TELECMI_NOT_CONFIGURED',
              `The ${kind} is at TeleCMI, and telehook has no TeleCMI credentials: set TELEHOOK_TELECMI_APPID and TELEHOOK_TELECMI_SECRET.`,
            );
          if (source.state === 'unsupported')
            throw new AppError(
              'TELECMI_PLAY_UNSUPPORTED',
              `TeleCMI documents no play API for ${source.product} (TELEHOOK_TELECMI_PRODUCT): the ${kind} cannot be fetched.`,
            );
          const abort = new AbortController();
          reply.raw.once('close', () => abort.abort());
          void reply
            .header('accept-ranges', 'bytes')
            .header('cache-control', 'private, no-store')
            .header('x-content-type-options', 'nosniff');
          try {
            if (options.cache !== null) {
              const fileKey = cacheKey(source.id, file);
              const opened =
                (await options.cache.open(fileKey)) ??
                (await openFilled(await options.cache.fill(fileKey, () => source.play(file, {}))));
              return sendFile(reply, opened.handle, opened.file, request.headers.range);
            }
            const range = singleRange(request.headers.range);
            const answer = await source.play(file, { range: range ?? undefined, signal: abort.signal });
            return relay(reply, answer, range, typeOf(file));
          } catch (error) {
            throw playFailure(error, kind, file);
          }
        },
      );
    }
  };
}

async function openFilled(filled: { file: CachedFile; kept: boolean }) {
  const handle = await open(filled.file.path, 'r');
  // A file bigger than the whole cache is served from the open handle, then gone.
  if (!filled.kept) await rm(filled.file.path, { force: true });
  return { file: filled.file, handle };
}

function unsatisfiable(reply: FastifyReply, size: number | string): AppError {
  void reply.header('content-range', `bytes */${size}`);
  return new AppError('RANGE_NOT_SATISFIABLE', `The range asked for is not within the file (${size} bytes).`);
}

/** Serves a cached file: whole (200), one range (206) or none (416). Several ranges get the whole file. */
async function sendFile(
  reply: FastifyReply,
  handle: FileHandle,
  file: CachedFile,
  header: string | undefined,
) {
  const ranges = header === undefined ? -2 : parseRange(file.size, header, { combine: true });
  void reply.type(file.contentType);
  if (ranges === -1) {
    await handle.close();
    throw unsatisfiable(reply, file.size);
  }
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) {
    return reply.code(200).header('content-length', file.size).send(handle.createReadStream());
  }
  const { start, end } = ranges[0]!;
  return reply
    .code(206)
    .header('content-range', `bytes ${start}-${end}/${file.size}`)
    .header('content-length', end - start + 1)
    .send(handle.createReadStream({ start, end }));
}

/** Passes TeleCMI's answer on; cuts the range out itself when TeleCMI sent the whole file. */
function relay(reply: FastifyReply, answer: AudioAnswer, range: string | null, fallbackType: string) {
  void reply.type(answer.contentType ?? fallbackType);
  if (answer.status === 416) {
    answer.body.destroy();
    throw unsatisfiable(reply, answer.contentRange?.split('/')[1] ?? '*');
  }
  if (answer.status === 206) {
    if (answer.contentRange !== null) void reply.header('content-range', answer.contentRange);
    if (answer.contentLength !== null) void reply.header('content-length', answer.contentLength);
    return reply.code(206).send(answer.body);
  }
  const size = answer.contentLength;
  if (range !== null && size !== null) {
    const ranges = parseRange(size, range, { combine: true });
    if (ranges === -1) {
      answer.body.destroy();
      throw unsatisfiable(reply, size);
    }
    if (Array.isArray(ranges) && ranges.length === 1) {
      const { start, end } = ranges[0]!;
      return reply
        .code(206)
        .header('content-range', `bytes ${start}-${end}/${size}`)
        .header('content-length', end - start + 1)
        .send(Readable.from(slice(answer.body, start, end)));
    }
  }
  if (size !== null) void reply.header('content-length', size);
  return reply.code(200).send(answer.body);
}

async function* slice(body: AsyncIterable<Buffer>, start: number, end: number): AsyncGenerator<Buffer> {
  let position = 0;
  for await (const chunk of body) {
    const from = Math.max(0, start - position);
    const to = Math.min(chunk.length, end + 1 - position);
    if (to > from) yield chunk.subarray(from, to);
    position += chunk.length;
    if (position > end) return;
  }
}

/** TeleCMI's failure as telehook's answer; the REST client's messages never hold the secret. */
function playFailure(error: unknown, kind: Kind, file: string): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'TELECMI_NOT_FOUND')
    return new AppError(
      NOT_FOUND[kind],
      `TeleCMI has no ${kind} file "${file}" (it may have been removed there).`,
    );
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('TELECMI_PLAY_FAILED', `TeleCMI could not play the ${kind}: ${message}`);
}
