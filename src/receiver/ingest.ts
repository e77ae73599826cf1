import { createHash } from 'node:crypto';

import type { FastifyReply, FastifyRequest } from 'fastify';

import type { AppendResult, Store } from '../store/index.js';
import {
  type CallEvent,
  canonicalJson,
  normalise,
  parse,
  type ParsedPayload,
  parseQuery,
  type ParseResult,
} from '../telecmi/index.js';
import { queryOf, withoutToken } from './token.js';

/** What the receiver needs from the rest of the application. */
export interface ReceiverDeps {
  readonly store: Store;
  /** The token of the ingest URL. */
  readonly ingestToken: string;
  readonly bodyLimitBytes: number;
  readonly newId: () => string;
  /** Called after an event is durable, before the answer; must not throw (app.ts wires live updates here). */
  readonly onAccepted?: (event: CallEvent, result: AppendResult) => void;
  /** Called for each request refused before parsing (token, size), with its error code. */
  readonly onRejected?: (code: string) => void;
}

export interface AcceptedAnswer {
  ok: true;
  id: string;
  duplicate: boolean;
}

const EMPTY = Buffer.alloc(0);

/**
 * The dedupe key of a payload: the SHA-256 (hex) of its canonical JSON, so that the same payload sent twice, with
 * its fields in any order, is recognised.
 */
export function dedupeKeyOf(payload: ParsedPayload['payload']): string {
  return createHash('sha256').update(canonicalJson(payload)).digest('hex');
}

/**
 * Accepts one delivery from TeleCMI: parse, normalise, store durably, then answer. A body that is not a TeleCMI
 * payload is quarantined with its reason and answered 400 or 422; a store failure is answered 503. Nothing is
 * answered 2xx before the commit that holds it.
 */
export function createIngestHandler(deps: ReceiverDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<AcceptedAnswer> => {
    const receivedAt = Date.now();
    const isGet = request.method === 'GET';
    const query = withoutToken(queryOf(request.raw.url ?? ''));
    const body = isGet ? Buffer.from(query, 'utf8') : ((request.body as Buffer | undefined) ?? EMPTY);
    const contentType = isGet ? null : (request.headers['content-type'] ?? null);
    const parsed: ParseResult = isGet ? parseQuery(query) : parse(body, contentType);

    if (!parsed.ok) {
      // An empty GET (someone opening the URL in a browser) carries nothing worth keeping.
      if (!(isGet && body.length === 0)) {
        await deps.store.quarantineRequest({
          id: deps.newId(),
          receivedAt,
          reason: parsed.error.code,
          message: parsed.error.message,
          method: request.method,
          path: request.routeOptions.url ?? '',
          contentType,
          body,
        });
      }
      request.log.warn(
        { code: parsed.error.code, method: request.method },
        'request quarantined: %s',
        parsed.error.message,
      );
      throw parsed.error;
    }

    const event = normalise(parsed.value, { id: deps.newId(), receivedAt });
    const dedupeKey = dedupeKeyOf(parsed.value.payload);
    const result = await deps.store.appendEvent({
      event,
      body,
      dedupeKey,
      method: request.method,
      contentType,
    });
    request.log.info(
      {
        event: {
          id: result.id,
          kind: event.kind,
          status: event.status,
          callKey: event.callKey,
          duplicate: result.duplicate,
        },
      },
      'event accepted',
    );
    deps.onAccepted?.(event, result);
    void reply.code(200);
    return { ok: true, id: result.id, duplicate: result.duplicate };
  };
}
