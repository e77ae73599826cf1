import { createHash } from 'node:crypto';

import type { FastifyReply, FastifyRequest } from 'fastify';

import { AppError, StoreError } from '../errors.js';
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
 * its fields in any order, is recognised. With `bytes`, a payload whose canonical JSON cannot be written (nested
 * too deep for the stack) is keyed by those exact bytes instead: an exact resend is still recognised.
 */
export function dedupeKeyOf(payload: ParsedPayload['payload'], bytes?: Uint8Array): string {
  let canonical: string;
  try {
    canonical = canonicalJson(payload);
  } catch (error) {
    if (bytes === undefined) throw error;
    return createHash('sha256').update('raw\n').update(bytes).digest('hex');
  }
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Accepts one delivery from TeleCMI: parse, normalise, store durably, then answer. A body that is not a TeleCMI
 * payload is quarantined with its reason and answered 400 or 422; a store failure is answered 503. Nothing is
 * answered 2xx before the commit that holds it, and nothing after that commit turns its answer into an error.
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
    const dedupeKey = dedupeKeyOf(parsed.value.payload, body);
    let result: AppendResult;
    try {
      result = await deps.store.appendEvent({ event, body, dedupeKey, method: request.method, contentType });
    } catch (error) {
      // The database refused a value of this event alone (the others of its commit are stored): a retry would fail
      // the same way, so it is kept in quarantine, with the database's reason, and refused for what it is.
      if (!(error instanceof StoreError && error.isDataError)) throw error;
      await deps.store.quarantineRequest({
        id: deps.newId(),
        receivedAt,
        reason: 'EVENT_NOT_STORABLE',
        message: error.message,
        method: request.method,
        path: request.routeOptions.url ?? '',
        contentType,
        body,
      });
      request.log.warn(
        { code: 'EVENT_NOT_STORABLE', err: error },
        'request quarantined: the database refused it',
      );
      throw new AppError(
        'EVENT_NOT_STORABLE',
        `The database refused a value of this event, which is kept in quarantine: ${error.message}`,
        { cause: error },
      );
    }
    // Durable from here: the answer is 200 whatever follows. A failure after the commit is logged; the projection
    // folds every stored event after its position, so an event it was not woken for is folded with the next.
    try {
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
    } catch (error) {
      request.log.error(
        { err: error, event: { id: result.id } },
        'event stored; a step after its commit failed',
      );
    }
    void reply.code(200);
    return { ok: true, id: result.id, duplicate: result.duplicate };
  };
}
