import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { RestProduct } from '../telecmi/index.js';
import type { History } from './history.js';
import type { HistoryList } from './history-rows.js';
import { parseRange, sampleAudio } from './wav.js';

/** The documented REST API, as the fake serves it (written from the docs, apart from the client's own table). */
const LIST_ROUTES: readonly { path: string; product: RestProduct; list: HistoryList }[] = [
  { path: '/v2/answered', product: 'chub', list: 'answered' },
  { path: '/v2/missed', product: 'chub', list: 'missed' },
  { path: '/v2/out_answered', product: 'chub', list: 'out_answered' },
  { path: '/v2/out_missed', product: 'chub', list: 'out_missed' },
  { path: '/v2/voicemail', product: 'chub', list: 'voicemail' },
  { path: '/v1/answered', product: 'chub-india', list: 'answered' },
  { path: '/v1/missed', product: 'chub-india', list: 'missed' },
  { path: '/v1/outanswered', product: 'chub-india', list: 'out_answered' },
  { path: '/v1/outmissed', product: 'chub-india', list: 'out_missed' },
  { path: '/v1/voicemail', product: 'chub-india', list: 'voicemail' },
];

/** What the API routes need. */
export interface ApiRouteOptions {
  readonly apps: Readonly<Record<string, string>>;
  readonly history: History;
  readonly pageSize: number;
  readonly audioSeconds: number;
  readonly now: () => number;
}

type Fields = Record<string, unknown>;

/** A field as text: TeleCMI takes numbers or strings; anything else is as good as missing. */
export const fieldText = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';

/**
 * Checks the app id and its secret (CHUB India: `token`). A missing one is a 404 "parameter missing", as the play
 * API documents; a wrong one the documented 407, sent as the HTTP status with `code: 407` in the body too.
 */
function authorise(
  fields: Fields,
  secretField: 'secret' | 'token',
  options: ApiRouteOptions,
  reply: FastifyReply,
) {
  const appId = fieldText(fields['appid']);
  const secret = fields[secretField];
  if (appId === '' || typeof secret !== 'string' || secret === '') {
    void reply.code(404).send({ code: 404, msg: `Parameter missing: appid and ${secretField} are required` });
    return null;
  }
  if (options.apps[appId] !== secret) {
    void reply.code(407).send({ code: 407, msg: 'Invalid token / Authentication failed' });
    return null;
  }
  return appId;
}

/** A whole number field (TeleCMI takes numbers or their strings), or the default. */
function wholeNumber(value: unknown, fallback: number): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? Math.floor(number) : fallback;
}

export function registerApiRoutes(app: FastifyInstance, options: ApiRouteOptions): void {
  for (const route of LIST_ROUTES) {
    const secretField = route.product === 'chub-india' ? 'token' : 'secret';
    const countField = route.product === 'chub-india' ? 'total' : 'count';
    const rowsField = route.list === 'voicemail' ? 'voicemail' : 'cdr';
    app.post(route.path, async (request, reply) => {
      const fields = (request.body ?? {}) as Fields;
      const appId = authorise(fields, secretField, options, reply);
      if (appId === null) return reply;
      const now = options.now();
      const to = wholeNumber(fields['end_date'], now);
      const from = wholeNumber(fields['start_date'], to - 86_400_000);
      // Pages start at 1 (3P); the size is fixed whatever `limit` asks, as one third-party client found.
      const page = Math.max(1, wholeNumber(fields['page'], 1));
      const rows = options.history.list(appId, route.product, route.list, from, to);
      const slice = rows.slice((page - 1) * options.pageSize, page * options.pageSize).map((row) => row.row);
      return { code: 200, [countField]: rows.length, [rowsField]: slice };
    });
  }

  app.post('/v1/piopiy/cmiuuid_cdr', async (request, reply) => {
    const fields = (request.body ?? {}) as Fields;
    const appId = authorise(fields, 'secret', options, reply);
    if (appId === null) return reply;
    const found = options.history.byCmiuuid(appId, fieldText(fields['cmiuuid']));
    if (found === null) return reply.code(404).send({ code: 404, msg: 'CDR not found' });
    return { cdr: found.row, code: 200 };
  });

  app.post('/v1/piopiy/requestid_cdr', async (request, reply) => {
    const fields = (request.body ?? {}) as Fields;
    const appId = authorise(fields, 'secret', options, reply);
    if (appId === null) return reply;
    const rows = options.history.byRequestId(appId, fieldText(fields['request_id']));
    return { count: rows.length, cdr: rows.map((row) => row.requestRow ?? row.row), code: 200 };
  });

  for (const [path, secretField] of [
    ['/v2/play', 'secret'],
    ['/v1/play', 'token'],
  ] as const)
    app.get(path, async (request: FastifyRequest, reply) => {
      const query = request.query as Fields;
      const appId = authorise(query, secretField, options, reply);
      if (appId === null) return reply;
      const file = typeof query['file'] === 'string' ? query['file'] : '';
      if (file === '') return reply.code(404).send({ code: 404, msg: 'Parameter missing: file' });
      if (!options.history.hasFile(appId, file))
        return reply.code(404).send({ code: 404, msg: 'File not found' });
      return sendAudio(reply, sampleAudio(file, options.audioSeconds), request.headers.range);
    });
}

/** Sends the file, or the one byte range asked for (206), or 416 for a range past its end. */
function sendAudio(reply: FastifyReply, audio: Buffer, rangeHeader: string | undefined): FastifyReply {
  const range = parseRange(rangeHeader, audio.length);
  void reply.header('content-type', 'audio/wav').header('accept-ranges', 'bytes');
  if (range === 'unsatisfiable')
    return reply.code(416).header('content-range', `bytes */${audio.length}`).send(Buffer.alloc(0));
  if (range === null) return reply.code(200).header('content-length', audio.length).send(audio);
  const part = audio.subarray(range.start, range.end + 1);
  return reply
    .code(206)
    .header('content-range', `bytes ${range.start}-${range.end}/${audio.length}`)
    .header('content-length', part.length)
    .send(part);
}
