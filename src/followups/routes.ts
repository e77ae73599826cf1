import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

import { AppError, QueryError } from '../errors.js';
import type { Store } from '../store/index.js';
import { foldFollowups, type Followup } from './fold.js';

/** How far back the list looks when no `from` is given: a week of unanswered callers. */
export const DEFAULT_WINDOW_MS = 7 * 24 * 3_600_000;
const TIME = 'epoch milliseconds or an ISO 8601 time (e.g. 2026-11-25T09:00:00+05:30)';
const NOTE_MAX = 1000;

function parseTime(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,13}$/.test(text)) return Number(text);
  const parsed = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(parsed)) throw new QueryError(name, TIME);
  return parsed;
}

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const Unanswered = Type.Object({ key: Type.String(), at: Type.Number(), outcome: Type.String() });
const FollowupSchema = Type.Object({
  number: Type.String({ description: "the caller's number" }),
  status: Type.Union([Type.Literal('open'), Type.Literal('done')]),
  team: Nullable(Type.String()),
  count: Type.Integer({ description: 'missed, abandoned and voicemail calls' }),
  first: Unanswered,
  last: Unanswered,
  calls: Type.Array(Unanswered),
  attempts: Type.Array(
    Type.Object({
      key: Type.String(),
      at: Type.Number(),
      by: Nullable(Type.String()),
      answered: Type.Boolean(),
    }),
  ),
  clearedBy: Nullable(
    Type.Object({
      how: Type.Union([Type.Literal('called-back'), Type.Literal('called-again'), Type.Literal('handled')]),
      at: Type.Number(),
      key: Nullable(Type.String()),
      by: Nullable(Type.String()),
      note: Nullable(Type.String()),
    }),
  ),
});
const ActionSchema = Type.Object({
  number: Type.String(),
  action: Type.Literal('handled'),
  note: Type.String(),
  by: Type.String(),
  at: Type.Number(),
});

export interface FollowupRoutesOptions {
  readonly store: Store;
  readonly now: () => number;
  /** Resolves once what was stored before the call is folded into calls. */
  readonly settled: () => Promise<void>;
  /** Tells the live stream that a caller's entry changed other than by a call (a person marked it handled). */
  readonly onChange: (number: string) => void;
}

/** `/api/followups`: the callers to call back, one entry per number, and marking one handled. */
export function followupRoutes(options: FollowupRoutesOptions): FastifyPluginAsyncTypebox {
  const { store, now } = options;
  const listFor = async (from: number, to: number, number?: string) => {
    await options.settled();
    const [calls, actions] = await Promise.all([
      store.listFollowupCalls({ from, to }),
      store.listFollowupActions({ from, number }),
    ]);
    return foldFollowups(
      number === undefined ? calls : calls.filter((call) => call.from === number || call.to === number),
      actions,
    );
  };
  return async (app) => {
    app.get(
      '/api/followups',
      {
        config: { viewer: true },
        schema: {
          summary:
            'Callers to call back, one entry per number: their missed, abandoned and voicemail calls, the call-back attempts, and what cleared the entry',
          querystring: Type.Object(
            {
              status: Type.Optional(
                Type.Union([Type.Literal('open'), Type.Literal('done')], { default: 'open' }),
              ),
              from: Type.Optional(
                Type.String({ minLength: 1, description: `${TIME} (default: 7 days ago)` }),
              ),
              to: Type.Optional(Type.String({ minLength: 1, description: `${TIME} (default: now)` })),
              team: Type.Optional(Type.String({ minLength: 1 })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ items: Type.Array(FollowupSchema), actions: Type.Array(ActionSchema) }),
          },
        },
      },
      async (request) => {
        const to = parseTime('to', request.query.to) ?? now() + 1;
        const from = parseTime('from', request.query.from) ?? to - DEFAULT_WINDOW_MS;
        if (from >= to) throw new QueryError('from', 'a time before "to"');
        const status = request.query.status ?? 'open';
        const { team } = request.query;
        const entries = (await listFor(from, to)).filter(
          (entry) => entry.status === status && (team === undefined || entry.team === team),
        );
        const numbers = new Set(entries.map((entry) => entry.number));
        const actions = (await store.listFollowupActions({ from })).filter((action) =>
          numbers.has(action.number),
        );
        return { items: entries, actions };
      },
    );

    app.post(
      '/api/followups/:number/handled',
      {
        config: { role: 'supervisor' },
        schema: {
          summary:
            "Mark a caller's open entry handled, with a note; who and when are kept (supervisors and admins)",
          params: Type.Object({ number: Type.String({ minLength: 1, maxLength: 64 }) }),
          body: Type.Object(
            { note: Type.String({ minLength: 1, maxLength: NOTE_MAX, description: 'what was done' }) },
            { additionalProperties: false },
          ),
          response: { 200: FollowupSchema },
        },
      },
      async (request) => {
        const { number } = request.params;
        const at = now();
        const open = (await listFor(at - DEFAULT_WINDOW_MS, at + 1, number)).find(
          (entry): entry is Followup => entry.status === 'open',
        );
        if (!open)
          throw new AppError(
            'FOLLOWUP_NOT_FOUND',
            `No open follow-up for ${number} in the last 7 days: it may have been cleared already.`,
          );
        const note = request.body.note.trim();
        if (note === '') throw new QueryError('note', 'a note saying what was done');
        await store.recordFollowupAction({
          number,
          action: 'handled',
          note,
          by: request.person?.name ?? 'API token',
          at,
        });
        options.onChange(number);
        const handled = (await listFor(at - DEFAULT_WINDOW_MS, at + 1, number)).find(
          (entry) => entry.clearedBy?.how === 'handled' && entry.clearedBy.at === at,
        );
        return handled ?? { ...open, status: 'done' as const };
      },
    );
  };
}
